from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("clients/<uuid:client_id>/", views.client_subscriptions, name="client_subscriptions"),
    path("clients/<uuid:client_id>/new/", views.subscription_create, name="subscription_create"),
    path("subscriptions/<uuid:pk>/edit/", views.subscription_edit, name="subscription_edit"),
    path("subscriptions/<uuid:pk>/disable/", views.subscription_disable, name="subscription_disable"),
    path("subscriptions/<uuid:pk>/enable/", views.subscription_enable, name="subscription_enable"),
    path(
        "subscriptions/<uuid:pk>/secret/", views.subscription_rotate_secret, name="subscription_rotate_secret"
    ),
    path("subscriptions/<uuid:pk>/replay/", views.subscription_replay, name="subscription_replay"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery_replay"),
]
