"""Scheduled jobs of enterprise appeals; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="appeals.daily", acks_late=True)
def daily() -> dict:
    """Tell the park of appeals past their due date, once per deadline."""
    return services.flag_overdue()
