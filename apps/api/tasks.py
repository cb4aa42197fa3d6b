"""Scheduled jobs of the API plumbing."""

from celery import shared_task

from .idempotency import purge_expired


@shared_task(name="api.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Hourly (config/celery.py): forget the Idempotency-Keys older than 24 hours."""
    return purge_expired()
