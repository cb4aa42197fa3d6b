"""Scheduled jobs of legal aid; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="legalaid.daily", acks_late=True)
def daily() -> int:
    """Tell the handling unions of decisions past their deadline (once a day per request)."""
    return services.notify_overdue()
