"""Journey (issue 20, item 1): every role's home is a worklist. On the demo park, each demo role
(the park administrator, an enterprise's HR, a union official, a mediator, an inspector) logs in
and lands on the worklist: what needs them, most urgent first, each state in words beside its
colour, with its due date; they follow an item's link and see exactly its rows. The home page does
not scroll sideways at 1440 px nor at 375 px.

Screenshots: $SHOTS_DIR/worklist-*.png (test-artifacts/shots by default)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.core.worklist import STATES
from apps.demo.users import DEMO_PASSWORD, DEMO_USERS

from .helpers import login, restore_migration_data

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts/shots"))
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
#: The demo roles with work to do (the brief's five); a leader (figures only) has none.
WORKING = ("admin", "hr", "union", "mediator", "inspector")
#: Rows of a list page (a table's body rows that are not the "nothing here" row), or its cards.
ROWS = "main table tbody tr:not(:has(td[colspan]))"
#: Items whose link opens a page about them rather than a list of their rows.
NOT_A_LIST = (
    "certification.notices_ending",
    "certification.annual_reports",
    "contracts.imports",
    "inspection.review_to_file",
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"worklist-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


def worklist_items(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=worklist-item]')].map(li => ({
            key: li.dataset.key,
            state: li.dataset.state,
            text: li.querySelector('[data-testid=worklist-link]').textContent.trim(),
            badge: li.querySelector('[data-testid=worklist-state]').textContent.trim(),
            due: (li.querySelector('[data-testid=worklist-due]') || {}).textContent || null,
            href: li.querySelector('[data-testid=worklist-link]').getAttribute('href'),
        }))"""
    )


def count_in(text: str) -> int:
    found = re.search(r"\d+", text)
    assert found, text
    return int(found.group())


def test_each_demo_role_lands_on_its_worklist_and_follows_an_item(page, live_url):
    # The rows the migrations wrote (the veto catalogue, the rule set, the policies seed_demo builds
    # on) are put back first, whatever an earlier transactional test flushed.
    restore_migration_data()
    call_command("seed_demo", stdout=io.StringIO())
    assert set(WORKING) <= {username for username, *_rest in DEMO_USERS}
    for username, _name, _role, _kind in DEMO_USERS:
        page.context.clear_cookies()
        page.set_viewport_size(DESKTOP)
        login(page, live_url, username, DEMO_PASSWORD)
        page.goto(live_url("/"))
        worklist = page.get_by_test_id("worklist")
        expect(worklist).to_be_visible()
        items = worklist_items(page)
        if not items:
            # A leader reads figures and does no casework: told so, not shown an empty box.
            assert username not in WORKING, f"{username}: nothing on the worklist of the demo park"
            expect(page.get_by_test_id("worklist-empty")).to_be_visible()
            no_horizontal_scroll(page)
            shot(page, f"{username}-1440")
            page.set_viewport_size(PHONE)
            page.reload()
            no_horizontal_scroll(page)
            shot(page, f"{username}-375")
            continue
        # Most urgent first; each state said in words, not only by the badge's colour.
        ranks = [STATES.index(item["state"]) for item in items]
        assert ranks == sorted(ranks), (username, [i["state"] for i in items])
        assert all(item["badge"] for item in items)
        overdue = [item for item in items if item["state"] == "overdue" and item["due"]]
        assert [i["due"] for i in overdue] == sorted(i["due"] for i in overdue)
        # The worklist comes before the figures and the tiles.
        top = page.evaluate(
            """() => ['worklist', 'home-figures', 'home-cards']
                .map(id => document.querySelector(`[data-testid=${id}]`))
                .filter(Boolean).map(e => e.getBoundingClientRect().top)"""
        )
        assert top == sorted(top), (username, top)
        no_horizontal_scroll(page)
        shot(page, f"{username}-1440")

        page.set_viewport_size(PHONE)
        page.reload()
        expect(page.get_by_test_id("worklist")).to_be_visible()
        no_horizontal_scroll(page)
        shot(page, f"{username}-375")

        # Follow the most urgent item that opens a list of a page or less, and see its rows.
        page.set_viewport_size(DESKTOP)
        page.goto(live_url("/"))
        chosen = next(
            (i for i in items if not i["key"].startswith(NOT_A_LIST) and count_in(i["text"]) <= 20),
            None,
        )
        assert chosen is not None, (username, items)
        page.locator(f"[data-key='{chosen['key']}'] [data-testid=worklist-link]").click()
        expect(page).to_have_url(re.compile(re.escape(chosen["href"].split("?")[0])))
        expect(page.locator(ROWS)).to_have_count(count_in(chosen["text"]))
        no_horizontal_scroll(page)
        shot(page, f"{username}-followed")
