"""Scheduled and background jobs of contract filing; thin and idempotent (the services decide)."""

from celery import shared_task

from . import services


@shared_task(name="contracts.expire_contracts", acks_late=True)
def expire_contracts() -> dict:
    """Contracts in force whose end has passed expire ({"expired": n, "failed": n})."""
    return services.expire_contracts()


@shared_task(name="contracts.send_alerts", acks_late=True)
def send_alerts() -> dict:
    """Notify enterprise HR of contracts expiring, missing or due open-ended (once a day)."""
    return services.send_contract_alerts()


@shared_task(
    name="contracts.run_import", acks_late=True, time_limit=3 * 60 * 60, soft_time_limit=3 * 60 * 60 - 60
)
def run_import(job_id: str) -> str:
    """File an uploaded export of the signing platform (services.run_import: idempotent; a
    finished job is left as it is). Up to 1,000,000 rows: longer than the default time limit."""
    return services.run_import(job_id)


@shared_task(name="contracts.requeue_stuck_imports", acks_late=True)
def requeue_stuck_imports() -> int:
    """Queue again the import jobs a dead worker left pending or running (services.recovery)."""
    return services.requeue_stuck_imports()
