"""Journey (issue 20, "polish"): the menu bar fits from 1280 px up. Its entries are grouped into
three dropdowns (enterprises & unions, labour relations, administration) beside Home, the cockpit
and the inbox; the demo administrator (every permission), an enterprise's HR and a union official
see their menu on one line at 1280 and 1440 px, without the page scrolling sideways; at 375 px it
folds behind the toggler. The dropdowns work with the keyboard, and the page's entry is marked.
The status filter of the mediation list is a dropdown of checkboxes (no Ctrl-click), sending the
same parameters as before.

Screenshots: $SHOTS_DIR/polish-*.png (test-artifacts/shots by default)."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from apps.accounts.roles import Role
from tests.factories import PASSWORD, user_with_role

from .helpers import follow_menu, login

pytestmark = pytest.mark.django_db(transaction=True)

#: Where the screenshots go (`SHOTS_DIR=/tmp/shots` when looking at them by hand).
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts/shots"))
WIDTHS = (1280, 1440)
PHONE = {"width": 375, "height": 812}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"polish-{name}.png"))


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


def menu_on_one_line(page) -> None:
    """Every entry of the bar (and the language switch and user menu beside it) on one row."""
    tops = page.evaluate(
        """() => [...document.querySelectorAll(
                '.app-navbar .navbar-nav.me-auto > li, .app-navbar [data-testid=language-switch], .app-navbar [data-testid=user-menu]')]
             .map(e => Math.round(e.getBoundingClientRect().top))"""
    )
    assert tops and max(tops) - min(tops) <= 12, f"the menu wraps: rows at {sorted(set(tops))}"
    height = page.evaluate("document.querySelector('.app-navbar').getBoundingClientRect().height")
    assert height <= 72, f"the menu bar is {height} px high"


@pytest.fixture
def people(db):
    return {
        "admin": user_with_role(Role.PARK_ADMIN, username="admin1", full_name="王伟", is_superuser=True),
        "hr": user_with_role(Role.ENTERPRISE_HR, username="hr1", full_name="刘人事"),
        "union": user_with_role(Role.UNION_OFFICIAL, username="union1", full_name="黄工会"),
    }


@pytest.mark.parametrize("who", ["admin", "hr", "union"])
def test_the_menu_fits_at_1280_and_1440(page, live_url, people, who):
    login(page, live_url, people[who].username, PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("#nav")).to_be_visible()
        expect(page.locator(".navbar-toggler")).to_be_hidden()
        shot(page, f"menu-{who}-{width}")
        menu_on_one_line(page)
        no_horizontal_scroll(page)
    if who == "admin":
        groups = page.locator("[data-nav-group]")
        expect(groups).to_have_count(3)
        # In English too (longer labels).
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_url()}])
        for width in (*WIDTHS, 1600):  # from 1600 px the brand shows its second part again
            page.set_viewport_size({"width": width, "height": 900})
            page.reload()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            shot(page, f"menu-admin-{width}-en")
            menu_on_one_line(page)
            no_horizontal_scroll(page)
        page.context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
        page.set_viewport_size({"width": 1440, "height": 900})
        # The administrator's widest page (the audit log, wide tables) does not scroll sideways either.
        follow_menu(page, "audit:event_list")
        expect(page).to_have_url(re.compile(r"/audit/"))
        no_horizontal_scroll(page)
        toggle = page.locator("[data-nav-group='administration'] [data-bs-toggle='dropdown']")
        expect(toggle).to_have_attribute("aria-current", "true")
        toggle.click()
        shot(page, "menu-admin-1440-open")
        expect(page.locator("[data-nav='audit:event_list']")).to_have_attribute("aria-current", "page")


def test_the_dropdowns_work_with_the_keyboard(page, live_url, people):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_url, "admin1", PASSWORD)
    toggle = page.locator("#nav-group-relations")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.locator("[data-nav-group='relations'] .dropdown-menu")
    expect(menu).to_be_visible()
    page.keyboard.press("ArrowDown")
    first = menu.locator("a").first
    expect(first).to_be_focused()
    expect(first).to_have_attribute("data-nav", "certification:list")
    page.keyboard.press("ArrowDown")
    expect(menu.locator("a").nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # certification, contracts, mediation
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mediation/$"))
    expect(page.locator("#nav-group-relations")).to_have_attribute("aria-current", "true")
    expect(page.locator("[data-nav='mediation:list']")).to_have_attribute("aria-current", "page")
    expect(page.locator(".app-navbar [aria-current='page']")).to_have_count(1)


def test_the_menu_and_the_checkbox_filter_at_375(page, live_url, people):
    page.set_viewport_size(PHONE)
    login(page, live_url, "admin1", PASSWORD)
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    toggler.click()
    expect(page.locator("#nav")).to_be_visible()
    page.locator("#nav-group-relations").click()
    expect(page.locator("[data-nav='mediation:list']")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "menu-admin-375-open")
    page.locator("[data-nav='mediation:list']").click()
    expect(page).to_have_url(re.compile(r"/mediation/$"))
    no_horizontal_scroll(page)

    # The status filter: a button saying what is chosen, a menu of checkboxes.
    box = page.get_by_test_id("filter-checks-status")
    button = box.get_by_test_id("filter-checks-toggle")
    expect(button).to_have_text("不限")
    expect(page.locator("select[multiple]")).to_have_count(0)
    button.click()
    menu = box.locator(".dropdown-menu")
    expect(menu).to_be_visible()
    menu.get_by_label("待受理").check()
    menu.get_by_label("调解中").check()
    expect(menu).to_be_visible()  # ticking a box keeps the menu open
    # The button follows the ticked boxes (static/js/filter-checks.js), joined by the language's
    # list separator (", " until the catalogue gives "、").
    expect(button).to_have_text(re.compile(r"^待受理(、|, )调解中$"))
    no_horizontal_scroll(page)
    shot(page, "filter-status-375")
    page.get_by_test_id("case-filter-submit").click()
    expect(page).to_have_url(re.compile(r"[?&]status=received&status=in_mediation(&|$)"))
    expect(page.get_by_test_id("filter-checks-status").locator("input[value='received']")).to_be_checked()
    expect(page.get_by_test_id("filter-checks-status").locator("input[value='closed']")).not_to_be_checked()
