import base64
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.net import client_address
from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request

from .forms import LoginForm, SecondFactorForm
from .models import Organisation
from .selectors import current_login_locks, organisations_visible_to
from .services import (
    OTP_PENDING,
    OTP_SETUP,
    confirm_totp,
    has_second_factor,
    lift_lock,
    login_refused_for,
    record_login_failure,
    regenerate_recovery_codes,
    set_language_preference,
    start_totp_setup,
    verify_second_factor,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        """An address that failed too many logins across any usernames (password spraying) is
        refused before any password is checked (OWASP ASVS 4 §2.2.1)."""
        if login_refused_for(client_address(request)):
            response = render(
                request,
                "accounts/login_refused.html",
                {"minutes": max(1, settings.LOGIN_SPRAY_WINDOW_SECONDS // 60)},
                status=429,
            )
            response["Retry-After"] = str(settings.LOGIN_SPRAY_WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.data.get("username") and form.data.get("password"):
            record_login_failure(client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        """Log in, and switch the pages to the language the user chose last time."""
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,
            )
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
@permission_required("accounts.view_organisation", raise_exception=True)
def organisation_list(request):
    principal = principal_for_request(request)
    qs = organisations_visible_to(principal)
    kind = request.GET.get("kind")
    if kind in Organisation.Kind.values:
        qs = qs.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    page = paginate(request, qs, 50)
    return render(
        request,
        "accounts/organisation_list.html",
        {"page": page, "kinds": Organisation.Kind.choices, "kind": kind, "q": q},
    )


@login_required
def organisation_detail(request, pk):
    principal = principal_for_request(request)
    org = get_visible_or_404(organisations_visible_to(principal), principal, pk=pk)
    members = org.memberships.select_related("user") if principal.is_park_admin else None
    return render(
        request,
        "accounts/organisation_detail.html",
        {"org": org, "members": members, "registry_url": _registry_url(org)},
    )


def _registry_url(org):
    """The enterprise registry record or the union page behind an organisation, if any."""
    from django.urls import NoReverseMatch, reverse

    for attr, name in (("enterprise", "enterprises:detail"), ("trade_union", "unions:detail")):
        related = getattr(org, attr, None) if hasattr(org, attr) else None
        if related is not None:
            try:
                return reverse(name, args=[related.pk])
            except NoReverseMatch:
                return None
    return None


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the user's profile so that
    notifications and e-mails reach them in that language."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        set_language_preference(request.user, code)
    return response


def admin_login(request):
    """The admin site logs in through the one login page (lockout, spraying throttle, second
    factor); a signed-in user who is not staff is refused rather than sent round in a loop."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or "/admin/", reverse("accounts:login"))


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def otp_verify(request):
    """The second step after the password: a code from the authenticator app or a recovery code."""
    if not has_second_factor(request.user):
        return redirect(_next_url(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_second_factor(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            request.session.pop(OTP_PENDING, None)
            request.session.cycle_key()
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or has expired."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def otp_setup(request):
    """Set up (or replace) the authenticator app: a QR code made here (segno, inline SVG), the
    secret for typing in, a code to confirm; then the recovery codes, shown once."""
    user = request.user
    if has_second_factor(user) and not user.is_verified():  # replacing a device takes the old one
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': _next_url(request)})}")
    codes = None
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "recovery":
        try:
            codes = regenerate_recovery_codes(user)
        except DomainError as exc:
            messages.error(request, str(exc))
    elif request.method == "POST" and form.is_valid():
        try:
            device, codes = confirm_totp(user, form.cleaned_data["token"])
        except DomainError as exc:
            form.add_error("token", str(exc))
        else:
            django_otp.login(request, device)
            request.session.pop(OTP_PENDING, None)
    if codes is not None:
        return render(
            request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
        )
    device = start_totp_setup(user)
    url = device.config_url
    context = {
        "form": form,
        "has_device": has_second_factor(user),
        "required": request.session.get(OTP_PENDING) == OTP_SETUP,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=4, omitsize=False, light="#fff"),
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
@permission_required("axes.view_accessattempt", raise_exception=True)
def login_locks(request):
    """The login locks in force now (park administrators): who, from where, since when."""
    principal = principal_for_request(request)
    if not principal.is_park_admin:
        raise PermissionDenied
    return render(request, "accounts/login_locks.html", {"locks": current_login_locks(principal)})


@require_POST
@login_required
@permission_required("axes.delete_accessattempt", raise_exception=True)
def login_lock_lift(request, pk):
    principal = principal_for_request(request)
    if not principal.is_park_admin:
        raise PermissionDenied
    try:
        attempt = lift_lock(principal, pk)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The lock on “%(username)s” from %(address)s is lifted.")
            % {"username": attempt.username, "address": attempt.ip_address},
        )
    return redirect("accounts:login_locks")
