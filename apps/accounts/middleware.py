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

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

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
