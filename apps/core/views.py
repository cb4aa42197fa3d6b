from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with current_app.connection_for_write() as conn:
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
