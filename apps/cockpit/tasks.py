from celery import shared_task

from . import selectors, services


@shared_task(name="cockpit.record_months")
def record_months():
    """Nightly: record the months that ended and are not recorded yet (the cockpit's trends)."""
    return [m.isoformat() for m in services.record_months()]


@shared_task(name="cockpit.warm")
def warm():
    """Every few minutes: the park's figures of today computed again, so no one waits for them."""
    selectors.warm()
