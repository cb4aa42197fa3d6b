"""Scheduled jobs of worker assistance; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="assistance.notify_reviews_due", acks_late=True)
def notify_reviews_due() -> int:
    """Tell the unions' officials of yearly reviews due within 30 days or overdue (once per cycle)."""
    return services.notify_reviews_due()
