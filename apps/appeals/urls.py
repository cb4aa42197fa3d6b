from django.urls import path

from . import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("new/", views.appeal_file, name="file"),
    path("export.xlsx", views.appeal_export, name="export"),
    path("figures/", views.appeal_figures, name="figures"),
    path("<uuid:pk>/", views.appeal_detail, name="detail"),
    path("<uuid:pk>/attachment/", views.appeal_attachment, name="attachment"),
    path("<uuid:pk>/<str:action>/", views.appeal_action, name="action"),
]
