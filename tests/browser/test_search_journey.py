"""Journey (issue 20, search across modules): the park administrator types a mediation case's
serial into the navbar's box and opens the case from the results. An enterprise's HR types the ID
number of another enterprise's worker and finds nothing (the page says what it searched, shows the
number masked and never puts it in the address), then their own worker's and opens the worker's
contracts. At 1280 and 1440 px the box sits in the menu bar; at 375 px it lives in the collapsed
menu, and no page of the journey scrolls sideways.
Screenshots: $SHOTS_DIR/search-*.png (test-artifacts/shots by default).

The records are real: enterprises and users from the factories, the contracts and the cases
through the services.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.contracts import services as contracts
from apps.contracts.models import ContractPolicy
from apps.core.personal_data import mask_id_number, with_check_character
from apps.core.principal import SYSTEM
from apps.mediation import services as mediation
from apps.mediation.models import MediationOrganisation
from tests.factories import PASSWORD, EnterpriseFactory, TownFactory, user_with_role

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
#: Where the screenshots go (`SHOTS_DIR=/tmp/shots` when looking at them by hand).
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts/shots"))
OWN_WORKER = with_check_character("45020519900307011")
OTHER_WORKER = with_check_character("45020519880512022")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"search-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


def row(enterprise, n: int, name: str, id_number: str) -> dict:
    return {
        "enterprise_uscc": enterprise.uscc,
        "worker_name": name,
        "worker_id_number": id_number,
        "worker_phone": f"1380771{n:04d}",
        "contract_number": f"HT-{n:05d}",
        "kind": "fixed_term",
        "employment_start": "2026-01-01",
        "start": "2026-01-01",
        "end": "2028-12-31",
        "probation_end": "2026-03-31",
        "job": "装配工",
        "monthly_pay": "4500",
        "signed_on": "2026-01-01",
    }


@pytest.fixture
def park(db):
    """Two enterprises with their HR and a worker each; a mediation case against the first; the
    park administrator. The contract policy a flush may have removed is put back."""
    ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )
    town = TownFactory(name="雒容镇")
    own = EnterpriseFactory(name="柳州恒达机械制造有限公司", town=town)
    other = EnterpriseFactory(name="柳州远航汽车配件有限公司", town=town)
    user_with_role(Role.ENTERPRISE_HR, own.organisation, username="hr1")
    user_with_role(Role.ENTERPRISE_HR, other.organisation, username="hr2")
    user_with_role(Role.PARK_ADMIN, username="admin1")
    contracts.file_batch(SYSTEM, [row(own, 1, "韦秀兰", OWN_WORKER), row(other, 2, "覃建国", OTHER_WORKER)])
    mediation.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[town]
    )
    case, _code = mediation.apply_online(
        applicants=[
            {
                "name": "蓝海涛",
                "id_number": with_check_character("45020519950101033"),
                "phone": "13877205678",
                "job": "装配工",
                "employed_from": dt.date(2022, 3, 1),
            }
        ],
        consent=True,
        respondent_enterprise=own,
        types=["remuneration"],
        claims="支付拖欠工资 12000 元",
        amount_claimed="12000",
    )
    return {"case": case, "own": own, "other": other}


def search_from_navbar(page, text: str) -> None:
    box = page.get_by_test_id("nav-search").locator("input[name='q']")
    if not box.is_visible():  # a narrow screen: the box is in the collapsed menu
        page.locator(".navbar-toggler").click()
        expect(page.locator("#nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # opened, not sliding
        expect(box).to_be_visible()
        shot(page, f"menu-{page.viewport_size['width']}")
    box.fill(text)
    box.press("Enter")
    page.wait_for_load_state()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "375"])
def test_the_park_finds_a_case_by_its_serial_and_opens_it(page, live_url, park, size):
    case = park["case"]
    page.set_viewport_size(size)
    login(page, live_url, "admin1", PASSWORD)
    if size == DESKTOP:
        # The box fits in the administrator's menu bar from 1280 px up (one line, no sideways scroll).
        for width in (1280, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            expect(page.get_by_test_id("nav-search")).to_be_visible()
            no_horizontal_scroll(page)
            page.screenshot(path=str(SHOTS / f"search-navbar-{width}.png"))
        page.set_viewport_size(size)
    search_from_navbar(page, case.serial.lower())
    # A search that is not an ID number lands on an address that can be kept.
    expect(page).to_have_url(re.compile(rf"/search/\?q={case.serial}$", re.I))
    hits = page.get_by_test_id("search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text(case.serial)
    no_horizontal_scroll(page)
    shot(page, f"admin-serial-{size['width']}")
    hits.first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    expect(page.locator("main")).to_contain_text(case.serial)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "375"])
def test_hr_finds_their_own_worker_by_id_number_and_never_another_enterprises(page, live_url, park, size):
    page.set_viewport_size(size)
    login(page, live_url, "hr1", PASSWORD)

    # Another enterprise's worker: nothing, said as such, the number masked and out of the address.
    search_from_navbar(page, OTHER_WORKER)
    expect(page).to_have_url(re.compile(r"/search/$"))
    expect(page.get_by_test_id("search-results")).to_be_visible()
    expect(page.get_by_test_id("search-hit")).to_have_count(0)
    expect(page.get_by_test_id("search-no-results")).to_be_visible()
    expect(page.get_by_test_id("search-empty")).to_be_visible()
    expect(page.locator("main")).to_contain_text(mask_id_number(OTHER_WORKER))
    expect(page.locator("body")).not_to_contain_text(OTHER_WORKER)
    assert OTHER_WORKER not in page.url
    no_horizontal_scroll(page)
    shot(page, f"hr-other-worker-{size['width']}")

    # Their own worker: found, masked, and opens the worker's contracts.
    search_from_navbar(page, OWN_WORKER)
    hits = page.get_by_test_id("search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text("韦秀兰")
    expect(hits.first).to_contain_text(mask_id_number(OWN_WORKER))
    expect(page.locator("body")).not_to_contain_text(OWN_WORKER)
    no_horizontal_scroll(page)
    shot(page, f"hr-own-worker-{size['width']}")
    hits.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/contracts/\?id_token="))
    assert OWN_WORKER not in page.url
    expect(page.locator("main")).to_contain_text("韦秀兰")
    expect(page.locator("main")).not_to_contain_text("覃建国")

    # Both searches are in the audit trail, without the numbers.
    events = AuditEvent.objects.filter(action="search.id_number", actor__username="hr1")
    assert [e.after["hits"] for e in events.order_by("occurred_at")] == [0, 1]
    assert not any(OWN_WORKER in str(e.after) or OTHER_WORKER in str(e.after) for e in events)
