"""Role-based navigation. Each app declares `nav_items` on its AppConfig as
(order, url name, label, icon, permission or None); a user sees the items whose permission they
have. Modules add their entries in their own apps.py."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def nav_items_for(user):
    if not user.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for order, url_name, label, icon, perm in getattr(config, "nav_items", []):
            if perm and not user.has_perm(perm):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"order": order, "url": url, "label": label, "icon": icon, "name": url_name})
    return sorted(items, key=lambda i: i["order"])
