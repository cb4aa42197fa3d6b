from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("", views.file_list, name="list"),
    path("new/", views.file_create, name="create"),
    path("candidates/", views.candidates, name="candidates"),
    path("reviews/", views.reviews_due, name="reviews_due"),
    path("aid/", views.aid_list, name="aid_list"),
    path("campaign/", views.campaign, name="campaign"),
    path("figures/", views.figures, name="figures"),
    path("<uuid:pk>/", views.file_detail, name="detail"),
    path("<uuid:pk>/edit/", views.file_edit, name="edit"),
    path("<uuid:pk>/id-number/", views.reveal_id, name="reveal_id"),
    path("<uuid:pk>/aid/", views.pay_aid, name="pay_aid"),
    path("<uuid:pk>/<slug:action>/", views.file_action, name="action"),
]
