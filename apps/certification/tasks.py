"""Scheduled jobs of harmony certification; thin and idempotent (the services decide)."""

from celery import shared_task

from apps.core.principal import SYSTEM

from . import services


@shared_task(name="certification.close_notices", acks_late=True)
def close_notices() -> dict:
    """Certify the applications of every ended public notice that have no open objection."""
    return services.close_notices()


@shared_task(name="certification.lapse_titles", acks_late=True)
def lapse_titles() -> int:
    """Lapse titles whose annual report is overdue or whose validity has ended."""
    return services.lapse_titles()


@shared_task(name="certification.propose_veto_events", acks_late=True)
def propose_veto_events(enterprise_ids=None) -> dict:
    """Propose veto events from every module's candidates (arrears listings, published serious
    violations, mass incidents), for every enterprise or the given ids; idempotent per record.
    Run daily, and queued by the risk part's debounced "an enterprise changed" recompute."""
    return services.propose_veto_events(SYSTEM, enterprise_ids)
