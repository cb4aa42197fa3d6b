from apps.core.cache import cached_figures

from .models import Notification


def inbox(principal):
    return Notification.objects.visible_to(principal)


def inbox_topic(user_pk) -> str:
    """The cache topic of one user's inbox (`services.notify` and `mark_read` move it on)."""
    return f"inbox:{user_pk}"


def unread_count(principal) -> int:
    """The unread count of the menu's badge, on every page: counted once, then kept until the
    user's inbox changes."""
    if principal.user is None:
        return Notification.objects.visible_to(principal).unread().count()
    return cached_figures(
        f"unread:{principal.user.pk}",
        [inbox_topic(principal.user.pk)],
        lambda: Notification.objects.visible_to(principal).unread().count(),
    )
