from django.conf import settings
from django.utils.functional import SimpleLazyObject

from apps.core.principal import principal_for_request
from apps.notifications.selectors import unread_count

from .navigation import nav_items_for, nav_menu_for


def navigation(request):
    """The park's name, the menu and the unread count, computed once per request however many
    templates the page renders (dossier sections render their own), and the count only when a
    template shows it."""
    cached = getattr(request, "_navigation_context", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        context = {"PARK_NAME": settings.PARK_NAME, "nav_items": [], "nav_menu": []}
    else:
        context = {
            "PARK_NAME": settings.PARK_NAME,
            "nav_items": nav_items_for(user),
            # The bar's entries and dropdowns, the page's own marked (issue 20).
            "nav_menu": nav_menu_for(user, request.path),
            "unread_notifications": SimpleLazyObject(lambda: unread_count(principal_for_request(request))),
        }
    request._navigation_context = context
    return context
