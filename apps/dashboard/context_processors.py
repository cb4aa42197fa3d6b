from django.conf import settings

from apps.core.principal import principal_for_request
from apps.notifications.selectors import unread_count

from .navigation import nav_items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"PARK_NAME": settings.PARK_NAME, "nav_items": []}
    return {
        "PARK_NAME": settings.PARK_NAME,
        "nav_items": nav_items_for(user),
        "unread_notifications": unread_count(principal_for_request(request)),
    }
