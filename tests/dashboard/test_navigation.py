"""The menu bar (issue 20): the entries grouped into a few dropdowns so the administrator's menu
fits from 1280 px up; a group of which a user sees one entry is that entry; the page's entry and
its group are marked for assistive technology (aria-current)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.dashboard import navigation
from apps.dashboard.navigation import GROUPS, TOP_LEVEL, group_of, nav_menu_for
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def keys(menu):
    """The bar as ("group", key, [entries]) and ("link", url name)."""
    return [
        ("group", entry["key"], [item["name"] for item in entry["children"]])
        if "children" in entry
        else ("link", entry["name"])
        for entry in menu
    ]


def page(client, user, path=None):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(path or reverse("dashboard:home"))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<ul class="navbar-nav me-auto">') : html.index("</ul>\n      <")]


def test_groups_cover_every_entry_of_the_modules_except_the_top_level_ones():
    names = {item[4]: item[0] for item in navigation._all_items()}
    assert {"enterprises:list", "mediation:list", "audit:event_list", "notifications:inbox"} <= set(names)
    for name, order in names.items():
        assert (group_of(order, name) is None) == (name in TOP_LEVEL), name
    assert group_of(10, "enterprises:list") == "enterprises"
    assert group_of(28, "legalaid:list") == "enterprises"
    assert group_of(48, "risk:list") == "relations"
    assert group_of(90, "audit:event_list") == "administration"
    assert group_of(95, "notifications:inbox") is None  # in the administration range, kept on the bar
    assert group_of(5, "cockpit:index") is None
    assert group_of(60, "newmodule:list") == "relations"  # a new module lands in a group by its order
    assert group_of(150, "elsewhere:list") is None  # ... or on the bar outside every range
    assert [g[0] for g in GROUPS] == ["enterprises", "relations", "administration"]


def test_the_superuser_gets_three_dropdowns_and_the_top_level_entries():
    everyone = UserFactory(is_superuser=True)
    menu = keys(nav_menu_for(everyone, "/"))
    groups = {entry[1]: entry[2] for entry in menu if entry[0] == "group"}
    assert list(groups) == ["enterprises", "relations", "administration"]
    assert groups["enterprises"] == [
        "enterprises:list",
        "unions:list",
        "unions:contract_list",
        "unions:figures",
        "unions:platform_worker_list",
        "assistance:list",
        "legalaid:list",
    ]
    assert groups["relations"] == [
        "certification:list",
        "contracts:list",
        "mediation:list",
        "inspection:list",
        "appeals:list",
        "risk:list",
        "reports:list",  # periodic reports (issue 20)
    ]
    assert groups["administration"] == [
        "accounts:organisation_list",
        "audit:event_list",
        "accounts:api_client_list",
        "api-docs",
    ]
    links = [entry[1] for entry in menu if entry[0] == "link"]
    # The cockpit (when its page exists) and the inbox stay on the bar.
    assert links == [name for name in ("cockpit:index", "notifications:inbox") if _exists(name)]
    assert menu[0] == ("link", "cockpit:index") or not _exists("cockpit:index")
    # At most five things on the bar besides Home: the bar fits at 1280 px.
    assert len(menu) <= 5


def _exists(name) -> bool:
    return any(item[4] == name for item in navigation._all_items())


def test_a_group_with_one_entry_is_a_plain_link(hr_a):
    menu = nav_menu_for(hr_a, "/")
    for entry in menu:
        assert "children" not in entry or len(entry["children"]) > 1
    names = [name for kind, *rest in keys(menu) for name in ([rest[0]] if kind == "link" else rest[1])]
    assert "notifications:inbox" in names and "audit:event_list" not in names


def test_the_page_entry_and_its_group_are_marked_active(park_admin):
    menu = nav_menu_for(park_admin, reverse("unions:figures") + "?year=2025")
    group = next(e for e in menu if e.get("key") == "enterprises")
    assert group["active"]
    active = [item["name"] for item in group["children"] if item["active"]]
    assert active == ["unions:figures"]  # the longest matching address, not /unions/ too
    assert not any(e.get("active") for e in menu if e is not group)
    # A page under a list's address belongs to it.
    menu = nav_menu_for(park_admin, "/mediation/00000000-0000-0000-0000-000000000000/")
    relations = next(e for e in menu if e.get("key") == "relations")
    assert relations["active"] and [i["name"] for i in relations["children"] if i["active"]] == [
        "mediation:list"
    ]
    # The home page marks no entry.
    assert not any(e["active"] for e in nav_menu_for(park_admin, "/"))


def test_unknown_url_names_are_skipped(monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("mediation")
    monkeypatch.setattr(
        config, "nav_items", [*config.nav_items, (41, "mediation:no_such_page", "Nowhere", "x", None)]
    )
    navigation._all_items.cache_clear()
    try:
        names = [item[4] for item in navigation._all_items()]
        assert "mediation:no_such_page" not in names and "mediation:list" in names
    finally:
        navigation._all_items.cache_clear()


def test_the_bar_renders_dropdowns_with_aria_current(client, park_admin):
    html = page(client, park_admin, reverse("mediation:list"))
    # Three dropdowns, each a keyboard-operable button with its menu.
    assert len(re.findall(r'<li class="nav-item dropdown" data-nav-group="', html)) == 3
    toggle = re.search(r'<button class="nav-link dropdown-toggle active"[^>]*>', html).group(0)
    assert 'id="nav-group-relations"' in toggle and 'aria-current="true"' in toggle
    assert 'data-bs-toggle="dropdown"' in toggle and 'aria-expanded="false"' in toggle
    assert 'aria-labelledby="nav-group-relations"' in html
    link = re.search(r'<a class="dropdown-item active" aria-current="page" href="/mediation/"[^>]*>', html)
    assert link and 'data-nav="mediation:list"' in link.group(0)
    assert html.count('aria-current="page"') == 1
    assert "Labour relations" in html and "Enterprises &amp; unions" in html and "Administration" in html
    # No script in the menu (CSP): Bootstrap's bundle opens the dropdowns.
    assert "<script" not in html and "onclick" not in html


def test_the_bar_of_an_enterprise_hr_and_a_union_official(client, hr_a):
    html = page(client, hr_a)
    assert 'data-nav="notifications:inbox"' in html and 'data-nav="audit:event_list"' not in html
    official = user_with_role(Role.UNION_OFFICIAL)
    html = page(client, official)
    assert 'data-nav-group="enterprises"' in html  # unions, their services: several entries
    assert 'data-nav="unions:list"' in html
