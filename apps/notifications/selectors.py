from .models import Notification


def inbox(principal):
    return Notification.objects.visible_to(principal)


def unread_count(principal) -> int:
    return Notification.objects.visible_to(principal).unread().count()
