"""Celery tasks of webhooks: thin, idempotent, by name (queued by the services with
apps.core.tasks.enqueue_on_commit; the sweep and the purge run from config/celery.py)."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.publish")
def publish() -> int:
    """Number the committed events and add their deliveries (queued after each write's commit)."""
    return services.publish_events()


@shared_task(name="webhooks.deliver")
def deliver() -> dict:
    """Send the due deliveries (queued after a publication, an enabling or a replay)."""
    return services.deliver_due()


@shared_task(name="webhooks.sweep")
def sweep() -> dict:
    """Every minute: publish what a lost message left behind, fail the deliveries out of time,
    send what is due (retries, claims of workers that died)."""
    services.publish_events()
    return services.deliver_due()


@shared_task(name="webhooks.purge_events")
def purge_events() -> int:
    return services.purge_events()
