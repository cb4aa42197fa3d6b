from django.urls import path

from . import views

app_name = "inspection"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<uuid:pk>/", views.case_detail, name="detail"),
    path("<uuid:pk>/action/<slug:action>/", views.case_action, name="action"),
]
