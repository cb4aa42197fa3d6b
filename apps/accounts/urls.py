from django.urls import path

from . import views

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
]
