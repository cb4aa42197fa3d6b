"""Role-based navigation. Each app declares `nav_items` on its AppConfig as
(order, url name, label, icon, permission or None); a user sees the items whose permission they
have. Modules add their entries in their own apps.py."""

from functools import lru_cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@lru_cache(maxsize=1)
def _all_items() -> tuple:
    """Every module's entries with their addresses, in order (read once per process: the
    URL map and the AppConfigs do not change while it runs)."""
    items = []
    for config in apps.get_app_configs():
        for order, url_name, label, icon, perm in getattr(config, "nav_items", []):
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append((order, url, label, icon, url_name, perm))
    return tuple(sorted(items, key=lambda i: i[0]))


def nav_items_for(user):
    if not user.is_authenticated:
        return []
    return [
        {"order": order, "url": url, "label": label, "icon": icon, "name": name}
        for order, url, label, icon, name, perm in _all_items()
        if not perm or user.has_perm(perm)
    ]
