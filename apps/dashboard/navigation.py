"""Role-based navigation. Each app declares `nav_items` on its AppConfig as
(order, url name, label, icon, permission or None); a user sees the items whose permission they
have. Modules add their entries in their own apps.py.

The menu bar groups them (issue 20: the administrator's twenty entries overflowed at 1440 px):
the entries of `TOP_LEVEL` stay on the bar, the others go into the dropdown of `GROUPS` whose
range holds their order. A module placed between two ranges' orders joins no group and stays on
the bar; a group of which a user sees one entry is shown as that entry alone."""

from functools import lru_cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Entries that stay on the bar whatever their order (the home page is the template's own).
TOP_LEVEL = frozenset({"cockpit:index", "notifications:inbox"})

#: The menu's dropdowns: (key, label, icon, first order, last order); an entry belongs to the
#: group whose range holds its order. The orders in use (see each apps.py): 10-28 enterprises,
#: unions and their services; 30-48 certification, contracts, mediation, inspection, appeals,
#: risk; 80-99 organisations, the audit log, API clients and API docs.
GROUPS = (
    ("enterprises", _("Enterprises & unions"), "buildings", 10, 29),
    ("relations", _("Labour relations"), "diagram-3", 30, 79),
    ("administration", pgettext_lazy("menu", "Administration"), "gear", 80, 99),
)


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


def group_of(order: int, url_name: str):
    """The key of the group an entry goes into, or None for an entry on the bar."""
    if url_name in TOP_LEVEL:
        return None
    for key, _label, _icon, first, last in GROUPS:
        if first <= order <= last:
            return key
    return None


def _active_url(items, path: str):
    """The address of the entry the page belongs to: the longest entry address `path` starts
    with (/unions/figures/ is "Union figures", /unions/5/ "Trade unions"), or None."""
    best = None
    for item in items:
        url = item["url"]
        if url != "/" and path.startswith(url) and (best is None or len(url) > len(best)):
            best = url
    return best


def nav_menu_for(user, path: str = "") -> list[dict]:
    """The menu bar of `user` on the page at `path`, in order: entries
    {"url", "label", "icon", "name", "active"} and groups {"key", "label", "icon", "children",
    "active"} (a group sits where its first entry would). A group with one entry the user sees
    is that entry."""
    items = nav_items_for(user)
    active = _active_url(items, path) if path else None
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    meta = {key: (label, icon) for key, label, icon, _first, _last in GROUPS}
    for item in items:
        item["active"] = item["url"] == active
        key = group_of(item["order"], item["name"])
        if key is None:
            menu.append(item)
            continue
        group = groups.get(key)
        if group is None:
            label, icon = meta[key]
            group = groups[key] = {"key": key, "label": label, "icon": icon, "children": [], "active": False}
            menu.append(group)
        group["children"].append(item)
        group["active"] = group["active"] or item["active"]
    return [
        entry["children"][0] if "children" in entry and len(entry["children"]) == 1 else entry
        for entry in menu
    ]
