"""Journey (issue 20, the park's cockpit): the park administrator opens the cockpit from the menu,
reads the headline figures against their targets with the trend charts drawn, drills down from a
figure to its list and from a town of the breakdown to that town's cockpit; at 1440 px and 375 px
nothing scrolls sideways. A leader reads the same figures with no list behind them."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.cockpit import services
from apps.unions.models import UnionTarget
from tests.factories import (
    PASSWORD,
    EnterpriseFactory,
    SurveyFactory,
    TownFactory,
    UnionFactory,
    user_with_role,
)

from .helpers import follow_menu, login

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
#: Where the screenshots go (`SHOTS_DIR=/tmp/shots` when looking at them by hand).
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts/shots"))


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"cockpit-{name}.png"), full_page=True)


@pytest.fixture
def park(db):
    t1 = TownFactory(code="450211001", name="雒容镇")
    t2 = TownFactory(code="450211002", name="洛埠镇")
    a = EnterpriseFactory(town=t1, industry="C", employees=100)
    EnterpriseFactory(town=t1, industry="F", employees=50)
    c = EnterpriseFactory(town=t2, industry="C", employees=200)
    UnionFactory(enterprises=[a, c], founded_on=TODAY - dt.timedelta(days=800))
    for e, members in ((a, 80), (c, 100)):
        SurveyFactory(enterprise=e, year=TODAY.year, employees=e.employees, union_members=members)
    UnionTarget.objects.update_or_create(
        from_year=TODAY.year, defaults={"coverage": Decimal("60"), "membership_rate": Decimal("85")}
    )
    services.record_months(months=6)
    return t1, t2


def test_the_administrator_reads_the_cockpit_and_drills_down(page, live_url, park):
    t1, _t2 = park
    admin = user_with_role(Role.PARK_ADMIN)
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_url, admin.username, PASSWORD)
    follow_menu(page, "cockpit:index")
    expect(page.get_by_test_id("headline")).to_be_visible()
    coverage = page.get_by_test_id("figure-unions.coverage")
    expect(coverage.get_by_test_id("figure-value")).to_contain_text("66.7 %")
    expect(coverage.get_by_test_id("target-met")).to_be_visible()
    # Every trend chart is drawn (ECharts puts a canvas in its element) and has its table.
    expect(page.locator(".cockpit-trend canvas")).to_have_count(10)
    expect(page.get_by_test_id("trend-table")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "1440")

    # Drill down: a town of the breakdown narrows the cockpit to it.
    page.get_by_test_id("by-town").get_by_role("link", name=t1.name).click()
    expect(page.get_by_test_id("cockpit-scope")).to_contain_text(t1.name)
    expect(page.get_by_test_id("figure-unions.coverage").get_by_test_id("figure-value")).to_contain_text(
        "50.0 %"
    )

    # ...and a figure opens its list.
    page.get_by_test_id("figure-unions.coverage").get_by_test_id("figure-link").click()
    page.wait_for_url("**/unions/figures/**")
    expect(page.locator("h1")).to_be_visible()

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_url("/cockpit/"))
    expect(page.get_by_test_id("headline")).to_be_visible()
    shot(page, "375")
    no_horizontal_scroll(page)


def test_a_leader_reads_the_figures_without_lists(page, live_url, park):
    org = Organisation.objects.create(name="柳东新区管理委员会", kind=Organisation.Kind.PARK)
    leader = user_with_role(Role.LEADER, org)
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_url, leader.username, PASSWORD)
    follow_menu(page, "cockpit:index")
    coverage = page.get_by_test_id("figure-unions.coverage")
    expect(coverage.get_by_test_id("figure-value")).to_contain_text("66.7 %")
    expect(page.get_by_test_id("headline").get_by_test_id("figure-link")).to_have_count(0)
    no_horizontal_scroll(page)
    shot(page, "leader")
