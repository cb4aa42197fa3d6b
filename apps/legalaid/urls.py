from django.urls import path

from . import views, views_public

app_name = "legalaid"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("export.xlsx", views.request_export, name="export"),
    path("figures/", views.figures, name="figures"),
    path("<uuid:pk>/", views.request_detail, name="detail"),
    path("<uuid:pk>/action/<slug:action>/", views.request_action, name="action"),
    path("<uuid:pk>/lawyer/", views.request_lawyer, name="lawyer"),
    path("<uuid:pk>/link/", views.request_link, name="link"),
    path("<uuid:pk>/access-code/", views.access_code, name="access_code"),
    # Public pages (no account).
    path("apply/", views_public.apply, name="apply"),
    path("apply/done/", views_public.apply_done, name="apply_done"),
    path("track/", views_public.track, name="track"),
]
