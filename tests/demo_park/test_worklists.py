"""Every demo role's home is a worklist (issue 20, item 1), on the demo park: each item's count is
the number of rows its link lists for that user, the items come most urgent first, and the home
page keeps its query budget (docs/performance.md, "home": at most 12 queries once its figures are
kept; a fixed number when every figure is computed again)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import User
from apps.core.principal import principal_for_user
from apps.core.worklist import STATES
from apps.dashboard import selectors
from apps.demo.users import DEMO_USERS

ROLES = [username for username, *_rest in DEMO_USERS]
#: The demo roles with work to do; a leader (figures only) has none.
WORKING = ["admin", "hr", "union", "mediator", "inspector"]
#: The home page's budget with its figures kept (the benchmark's target).
WARM_BUDGET = 12
#: ... and with every figure computed again (the cache emptied): a fixed number, whatever the
#: park's size, for the role with the most modules (the park administrator).
COLD_BUDGET = 70
#: The worklist alone, every module's figures computed again.
WORKLIST_COLD_BUDGET = 30
#: The items whose link opens a list of exactly their rows; the others open a page about them
#: (the notice list, an annual report's form, the imports, the written review room).
NOT_A_LIST = {
    "certification.notices_ending",
    "certification.annual_reports",
    "contracts.imports_done",
    "contracts.imports_failed",
    "inspection.review_to_file",
}


def rows_shown(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    context = response.context
    if "count" in context:
        return context["count"]
    page = context["page"]
    return page.paginator.count if hasattr(page, "paginator") else page.count


def worklist_of(username: str) -> list[dict]:
    with translation.override("en"):
        return selectors.worklist(principal_for_user(User.objects.get(username=username)))


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("username", WORKING)
def test_each_items_count_is_the_rows_its_link_lists(demo_park, en, username):
    items = worklist_of(username)
    en.force_login(User.objects.get(username=username))
    checked = 0
    for entry in items:
        assert entry["count"] > 0 and entry["url"], entry
        if entry["key"] in NOT_A_LIST:
            assert en.get(entry["url"]).status_code == 200, entry
            continue
        assert rows_shown(en, entry["url"]) == entry["count"], entry
        checked += 1
    assert checked, f"{username} has nothing on the worklist of the demo park"


@pytest.mark.parametrize("username", ROLES)
def test_the_worklist_comes_most_urgent_first(demo_park, username):
    items = worklist_of(username)
    ranks = [STATES.index(entry["state"]) for entry in items]
    assert ranks == sorted(ranks)
    for state in ("overdue", "today", "soon"):
        dues = [entry["due"] for entry in items if entry["state"] == state and entry["due"]]
        assert dues == sorted(dues), state


def test_what_each_role_is_asked_to_do(demo_park):
    """The roles' worklists differ as their work does, and stay in their scope."""
    keys = {username: {entry["key"] for entry in worklist_of(username)} for username in ROLES}
    assert set(WORKING) <= set(ROLES)
    for username in set(ROLES) - set(WORKING):  # figures only: nothing to do, never an error
        assert keys[username] == set(), username
    assert {"mediation.overdue", "inspection.overdue", "certification.review"} <= keys["admin"]
    assert {k.split(".")[0] for k in keys["mediator"]} <= {"mediation", "risk"}
    assert any(k.startswith("mediation.") for k in keys["mediator"])
    assert {k.split(".")[0] for k in keys["inspector"]} <= {"inspection", "risk"}
    assert any(k.startswith("contracts.") for k in keys["hr"])
    assert not any(k.startswith(("mediation.", "risk.", "legalaid.", "assistance.")) for k in keys["hr"])
    # The mediator sees their organisations' overdue cases, never more than the park's.
    admin = {e["key"]: e["count"] for e in worklist_of("admin")}
    mediator = {e["key"]: e["count"] for e in worklist_of("mediator")}
    assert mediator.get("mediation.overdue", 0) <= admin["mediation.overdue"]


@pytest.mark.parametrize("username", ROLES)
def test_the_home_keeps_its_query_budget(demo_park, en, username, django_assert_max_num_queries):
    user = User.objects.get(username=username)
    en.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as worklist_cold:
        selectors.worklist(principal_for_user(user))
    assert len(worklist_cold) <= WORKLIST_COLD_BUDGET, [q["sql"][:120] for q in worklist_cold]
    cache.clear()
    en.force_login(user)  # the session lives in the database; the login is not part of the page
    with django_assert_max_num_queries(COLD_BUDGET):
        cold = en.get(reverse("dashboard:home"))
    assert cold.status_code == 200
    with django_assert_max_num_queries(WARM_BUDGET):
        warm = en.get(reverse("dashboard:home"))
    assert warm.status_code == 200
    html = warm.content.decode()
    assert 'data-testid="worklist"' in html
    items = worklist_of(username)
    assert html.count('data-testid="worklist-item"') == len(items)
    assert ('data-testid="worklist-empty"' in html) == (not items)
