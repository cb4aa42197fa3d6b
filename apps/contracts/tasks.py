"""Scheduled and background jobs of contract filing; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="contracts.expire_contracts", acks_late=True)
def expire_contracts() -> int:
    """Contracts in force whose end has passed expire."""
    return services.expire_contracts()
