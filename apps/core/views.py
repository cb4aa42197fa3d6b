from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.roles import Role

from . import selectors
from .scoping import principal_for_request


@login_required
def home(request):
    principal = principal_for_request(request)
    roles = [Role(r).label for r in sorted(principal.roles)]
    return render(
        request,
        "core/home.html",
        {"cards": selectors.home_cards(principal), "roles": roles, "principal": principal},
    )


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for the load balancer: database and broker."""
    status, checks = 200, {}
    try:
        _check_database()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        status, checks["database"] = 503, f"error: {exc.__class__.__name__}"
    try:
        checks["broker"] = _check_broker()
    except Exception as exc:  # noqa: BLE001
        status, checks["broker"] = 503, f"error: {exc.__class__.__name__}"
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the user's profile so that
    notifications and e-mails reach them in that language."""
    response = i18n_views.set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        from apps.accounts.services import set_language_preference

        set_language_preference(request.user, code)
    return response
