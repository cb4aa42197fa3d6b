"""Scheduled jobs of harmony certification; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="certification.close_notices", acks_late=True)
def close_notices() -> dict:
    """Certify the applications of every ended public notice that have no open objection."""
    return services.close_notices()


@shared_task(name="certification.lapse_titles", acks_late=True)
def lapse_titles() -> int:
    """Lapse titles whose annual report is overdue or whose validity has ended."""
    return services.lapse_titles()
