"""`/healthz`: liveness and readiness for the load balancer.

Both checks open their own short-lived connection with a connect timeout (HEALTHZ_TIMEOUT_SECONDS,
1.5 s by default; psycopg waits at least 2 s) and the two run side by side, so the answer comes within about 3 s even when the database or the broker
does not answer: the request never waits on Django's connection pool (10 s in production) or on
kombu's connection retries. docs/security.md, "Operations".
"""

from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _timeout() -> float:
    return float(settings.HEALTHZ_TIMEOUT_SECONDS)


def _check_database():
    connection = connections["default"]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    timeout = _timeout()
    # A fresh connection outside the pool: connect_timeout bounds the handshake and
    # statement_timeout the query (a server that accepts but hangs).
    params["connect_timeout"] = max(1, int(timeout))
    params["options"] = f"{params.get('options', '')} -c statement_timeout={int(timeout * 1000)}".strip()
    with psycopg.connect(**params) as conn:
        conn.execute("SELECT 1").fetchone()


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    url = current_app.conf.broker_url or ""
    timeout = _timeout()
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
        )
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer; 503 naming what failed otherwise."""
    status, checks = 200, {}
    # The broker is checked in a thread while the database is checked here, so the two timeouts
    # do not add up (psycopg rounds connect_timeout up to 2 s).
    with ThreadPoolExecutor(max_workers=1) as pool:
        broker = pool.submit(_check_broker)
        try:
            _check_database()
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            status, checks["database"] = 503, f"error: {exc.__class__.__name__}"
        try:
            checks["broker"] = broker.result()
        except Exception as exc:  # noqa: BLE001
            status, checks["broker"] = 503, f"error: {exc.__class__.__name__}"
    failed = sorted(name for name, value in checks.items() if value.startswith("error"))
    body = {"status": "ok" if status == 200 else "error", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=status)
