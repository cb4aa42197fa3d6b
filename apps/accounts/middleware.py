"""Session lifetime: an idle timeout and an absolute one (OWASP ASVS 4 §3.3.2: re-authentication
after 30 minutes idle and 12 hours in all, for a level-2 application), without writing the
session on every request.

- Idle: Django expires a session `SESSION_COOKIE_AGE` seconds after it was last saved. Instead of
  `SESSION_SAVE_EVERY_REQUEST` (a database write per page), the session is touched at most once
  per `SESSION_TOUCH_INTERVAL` seconds, so the idle limit holds to within that interval.
- Absolute: the login time is kept in the session; past `SESSION_ABSOLUTE_AGE` the user is
  logged out and sent to the login page, however active they were.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .services import OTP_PENDING, OTP_SETUP, OTP_VERIFY, has_second_factor, second_factor_required

STARTED, SEEN = "_session_started", "_session_seen"


def stamp_login(sender, request, user, **kwargs):
    """`user_logged_in` receiver (AccountsConfig.ready): the absolute lifetime starts at the login."""
    if hasattr(request, "session"):
        request.session[STARTED] = request.session[SEEN] = int(time.time())


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            started = session.get(STARTED)
            if started is None:
                session[STARTED] = session[SEEN] = now
            elif now - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, _("Your session ended after 12 hours. Please sign in again."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            elif now - session.get(SEEN, 0) >= settings.SESSION_TOUCH_INTERVAL:
                session[SEEN] = now  # saved at the end of the request: the idle clock restarts
        return self.get_response(request)


# --- Second factor ---------------------------------------------------------------------------------
# After the password, a user with a confirmed TOTP device must enter a code (or a recovery code)
# before anything else; a park administrator or superuser without one must set one up when
# OTP_REQUIRED_FOR_ADMINS is on. The decision is taken once at the login (no query per request)
# and kept in the session until django-otp marks the session verified.

# Pages a half-logged-in user may reach: the second-factor pages themselves, logging out, the
# language switch, static files.
OTP_OPEN_URL_NAMES = {
    "accounts:otp_verify",
    "accounts:otp_setup",
    "accounts:logout",
    "set_language",
    "javascript-catalog",
}


def mark_second_factor(sender, request, user, **kwargs):
    """`user_logged_in` receiver: decide whether this session still owes a second factor."""
    if not hasattr(request, "session"):
        return
    if has_second_factor(user):
        request.session[OTP_PENDING] = OTP_VERIFY
    elif second_factor_required(user):
        request.session[OTP_PENDING] = OTP_SETUP
    else:
        request.session.pop(OTP_PENDING, None)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        pending = session.get(OTP_PENDING) if session is not None else None
        if pending and user is not None and user.is_authenticated:
            if user.is_verified():
                session.pop(OTP_PENDING, None)
            elif not self._open(request):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": {
                                "code": "second_factor_required",
                                "message": _("Enter your second factor first."),
                            }
                        },
                        status=403,
                    )
                target = "accounts:otp_verify" if pending == OTP_VERIFY else "accounts:otp_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        if request.path.startswith((settings.STATIC_URL or "/static/", "/healthz")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in OTP_OPEN_URL_NAMES
