from .models import Notification


def inbox(principal):
    return Notification.objects.visible_to(principal)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
