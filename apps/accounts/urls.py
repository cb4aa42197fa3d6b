from django.urls import path

from . import views, views_api_clients

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("second-factor/", views.otp_verify, name="otp_verify"),
    path("second-factor/setup/", views.otp_setup, name="otp_setup"),
    path("locks/", views.login_locks, name="login_locks"),
    path("locks/<int:pk>/lift/", views.login_lock_lift, name="login_lock_lift"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<uuid:pk>/", views.organisation_detail, name="organisation_detail"),
    # API clients (issue 15): park administrators only.
    path("api-clients/", views_api_clients.api_client_list, name="api_client_list"),
    path("api-clients/new/", views_api_clients.api_client_create, name="api_client_create"),
    path("api-clients/<uuid:pk>/", views_api_clients.api_client_detail, name="api_client_detail"),
    path("api-clients/<uuid:pk>/edit/", views_api_clients.api_client_edit, name="api_client_edit"),
    path("api-clients/<uuid:pk>/rotate/", views_api_clients.api_client_rotate, name="api_client_rotate"),
    path("api-clients/<uuid:pk>/revoke/", views_api_clients.api_client_revoke, name="api_client_revoke"),
]
