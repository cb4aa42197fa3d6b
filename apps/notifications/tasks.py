from celery import shared_task

from . import services
from .models import Notification


@shared_task(name="notifications.send_email", acks_late=True, time_limit=2 * 60, soft_time_limit=90)
def send_notification_email(notification_id: str) -> str:
    return services.send_email_for(notification_id)


@shared_task(name="notifications.retry_unsent_email")
def retry_unsent_email() -> int:
    ids = list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        services.send_email_for(pk)
    return len(ids)


@shared_task(name="notifications.alert_sensitive_views", acks_late=True)
def alert_sensitive_views(event_id: str, actor_label: str, count: int) -> int:
    """Tell the park's administrators that a principal passed the hourly threshold of full views of
    personal data (apps.audit.services._watch_sensitive_views)."""
    return services.alert_park_admins_of_sensitive_views(event_id, actor_label, count)
