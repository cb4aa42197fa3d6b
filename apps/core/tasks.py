from celery import shared_task
from django.core.management import call_command


@shared_task(name="core.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task(name="core.ping")
def ping() -> str:
    """Round-trip check used by the Celery integration test and operators."""
    return "pong"
