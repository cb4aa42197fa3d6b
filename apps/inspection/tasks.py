"""Scheduled jobs of inspection; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="inspection.daily", acks_late=True)
def daily() -> dict:
    """Remind undecided cases, flag overdue investigations, end expired listings, and each room's
    daily work (services.jobs.daily)."""
    return services.daily()
