from celery import shared_task

from apps.core.context import acting_as

from . import services


@shared_task(name="unions.send_expiry_reminders")
def send_expiry_reminders() -> int:
    """Daily: remind the parties of collective contracts ending within 3 months (idempotent)."""
    with acting_as("task:unions.send_expiry_reminders"):
        return services.send_expiry_reminders()
