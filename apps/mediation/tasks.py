"""Scheduled jobs of mediation; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="mediation.flag_overdue", acks_late=True)
def flag_overdue() -> dict:
    """Remind undecided applications and flag cases past their mediation deadline."""
    return services.flag_overdue()
