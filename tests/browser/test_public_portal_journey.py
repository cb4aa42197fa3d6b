"""Journey (issue 20, the public portal): someone without an account opens `/`, on a phone (375 px)
and on a desktop screen (1440 px). From the portal they verify a certificate by typing its number
(with spaces and in lower case, as people do) and see it valid; open the certification public
notice, whose table is a list of cards on the phone with the objection button in view; track a
mediation case with a wrong code and are told whom to call (the organisations with their phones);
and open the directory of mediation organisations. No page scrolls sideways. The staff sign-in
leads to the login form.

The records are real rows: the default certification rule set, a round, a certificate and a
running notice of two enterprises with long names; two mediation organisations with their
phones and an enterprise's own committee (never named to the public as whom to call)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from apps.accounts.models import Organisation
from apps.certification.default_rules import create_default
from apps.certification.models import (
    Application,
    Category,
    Certificate,
    Item,
    Level,
    PublicNotice,
    Round,
    RuleSet,
    VetoRule,
)
from apps.core.principal import SYSTEM
from apps.mediation import services as mediation
from apps.mediation.models import MediationOrganisation
from apps.unions.models import Union
from tests.factories import EnterpriseFactory, TownFactory, UnionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_SIZE = {"width": 375, "height": 812}
DESKTOP_SIZE = {"width": 1440, "height": 900}
SHOTS = Path("/tmp/shots")  # noqa: S108 - where the journey's screenshots are looked at
CERTIFIED = "柳州市恒达汽车零部件制造有限公司"
NOTICED = ["广西柳州东城精密机械设备制造股份有限公司", "柳州市鑫源新能源汽车配件有限责任公司"]
PARK_ORG = "柳东新区劳动人事争议调解委员会"
PARK_PHONE = "0772-3999999"
TOWN_ORG = "雒容镇劳动争议调解中心"
TOWN_PHONE = "0772-3111111"
COMMITTEE = "柳州市鑫源新能源汽车配件有限责任公司劳动争议调解委员会"
FEDERATION = "柳东新区总工会"
FEDERATION_PHONE = "0772-2888888"
BRIGADE = "柳东新区劳动保障监察大队"


def zh(text) -> str:
    """A message id as the default UI language renders it, translated or not yet."""
    with override("zh-hans"):
        return gettext(text)


def no_horizontal_scroll(page) -> None:
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways: {scroll} px wide in a {client} px window"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}.png"), full_page=True)


@pytest.fixture
def public_records(db):
    """A valid certificate, a running notice of two enterprises, the mediation organisations."""
    today = timezone.localdate()
    rule_set = RuleSet.objects.order_by("version").first() or create_default(
        RuleSet, Level, VetoRule, Category, Item, region=settings.PARK_NAME, year=today.year
    )
    cert_round = Round.objects.create(
        rule_set=rule_set,
        name=f"{today.year}年度",
        year=today.year,
        opens_on=today - dt.timedelta(days=90),
        closes_on=today + dt.timedelta(days=30),
    )
    level = rule_set.levels.get(code="AA")
    holder = EnterpriseFactory(name=CERTIFIED)
    application = Application.objects.create(
        round=cert_round, rule_set=rule_set, enterprise=holder, target_level=level, status="certified"
    )
    issued = today - dt.timedelta(days=30)
    cert = Certificate.objects.create(
        number=f"HX{today.year}-AA-0007",
        application=application,
        enterprise=holder,
        level=level,
        round=cert_round,
        issuer=rule_set.issuer,
        issued_on=issued,
        valid_until=issued + dt.timedelta(days=1095),
    )
    notice = PublicNotice.objects.create(
        round=cert_round,
        title=f"{settings.PARK_NAME}{today.year}年度劳动关系和谐企业拟认定名单公示",
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=5),
    )
    for name in NOTICED:
        Application.objects.create(
            round=cert_round,
            rule_set=rule_set,
            enterprise=EnterpriseFactory(name=name),
            target_level=level,
            proposed_level=level,
            status=Application.Status.IN_NOTICE,
            notice=notice,
        )
    town = TownFactory(name="雒容镇")
    mediation.create_organisation(
        SYSTEM,
        name=PARK_ORG,
        kind=MediationOrganisation.Kind.ARBITRATION,
        phone=PARK_PHONE,
        address="柳州市柳东新区文昌路88号政务服务中心三楼",
    )
    mediation.create_organisation(
        SYSTEM,
        name=TOWN_ORG,
        kind=MediationOrganisation.Kind.TOWN,
        towns=[town],
        phone=TOWN_PHONE,
        address="柳州市柳东新区雒容镇人民政府一楼",
    )
    mediation.create_organisation(
        SYSTEM,
        name=COMMITTEE,
        kind=MediationOrganisation.Kind.ENTERPRISE,
        phone="0772-3555555",
        address="柳东新区车园横路6号",
    )
    UnionFactory(name=FEDERATION, kind=Union.Kind.FEDERATION, chair_phone=FEDERATION_PHONE)
    Organisation.objects.create(name=BRIGADE, kind=Organisation.Kind.INSPECTION)
    return {"cert": cert, "notice": notice}


@pytest.mark.parametrize("size", [PHONE_SIZE, DESKTOP_SIZE], ids=["375", "1440"])
def test_a_visitor_without_an_account_uses_the_portal(page, live_url, public_records, size):
    cert = public_records["cert"]
    width = size["width"]
    page.set_viewport_size(size)

    # 1. `/` is the portal: the services, the certificate check, the staff sign-in.
    page.goto(live_url("/"))
    expect(page.get_by_test_id("portal")).to_be_visible()
    expect(page.locator("h1")).to_have_text(zh("Labour relations services"))
    for testid in (
        "portal-mediation-apply",
        "portal-mediation-track",
        "portal-inspection-complain",
        "portal-inspection-track",
        "portal-legalaid-apply",
        "portal-legalaid-track",
        "portal-notice-link",
        "portal-verify-number",
        "portal-directory-link",
        "staff-login",
    ):
        expect(page.get_by_test_id(testid)).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    no_horizontal_scroll(page)
    shot(page, f"{width}-home")

    # 2. Verifies the certificate by typing its number, spaced and in lower case: it is valid.
    typed = " " + cert.number.lower().replace("-", " - ") + " "
    page.get_by_test_id("portal-verify-number").fill(typed)
    page.get_by_test_id("portal-verify-submit").click()
    expect(page).to_have_url(re.compile(re.escape(f"/verify/{cert.number}") + "$"))
    expect(page.get_by_test_id("verify-state")).to_have_attribute("data-state", "valid")
    expect(page.get_by_test_id("verify-enterprise")).to_have_text(CERTIFIED)
    expect(page.get_by_test_id("verify-number")).to_have_text(cert.number)
    no_horizontal_scroll(page)
    shot(page, f"{width}-verified")

    # A number that cannot be one is a form error on /verify/, not an error page.
    page.get_by_test_id("verify-again").click()
    expect(page.get_by_test_id("verify-form")).to_be_visible()
    page.locator("input[name='number']").fill("HX/2026/?")
    page.get_by_test_id("verify-submit").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("input[name='number']")).to_have_attribute("aria-invalid", "true")
    no_horizontal_scroll(page)
    shot(page, f"{width}-verify-error")

    # 3. Back to the portal from the public page's header; the public notice.
    page.get_by_test_id("portal-link").click()
    expect(page.get_by_test_id("portal")).to_be_visible()
    page.get_by_test_id("portal-notice-link").click()
    expect(page).to_have_url(re.compile(r"/certification/public/notice/$"))
    rows = page.get_by_test_id("notice-row")
    expect(rows).to_have_count(2)
    for index, name in enumerate(NOTICED):
        row = rows.nth(index)
        expect(row.get_by_test_id("notice-enterprise")).to_have_text(name)
        # The objection button is on screen, inside the window, without scrolling sideways.
        button = row.get_by_test_id("object-link")
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
        # The name is on whole lines: its box is wider than a few characters.
        name_box = row.get_by_test_id("notice-enterprise").bounding_box()
        assert name_box["width"] > 150, name_box
    if width < 768:
        # A card per enterprise: the column headings are hidden, the cells stacked.
        expect(page.get_by_test_id("notice-table").locator("thead")).not_to_be_in_viewport()
        first = rows.nth(0).get_by_test_id("notice-enterprise").bounding_box()
        uscc = rows.nth(0).get_by_test_id("notice-uscc").bounding_box()
        assert uscc["y"] > first["y"] + first["height"] - 1, (first, uscc)
    no_horizontal_scroll(page)
    shot(page, f"{width}-notice")
    rows.nth(0).get_by_test_id("object-link").click()
    expect(page).to_have_url(re.compile(r"/objection/$"))
    no_horizontal_scroll(page)

    # 4. Tracks a mediation case with a wrong code: told whom to call, with their phones.
    page.goto(live_url("/"))
    page.get_by_test_id("portal-mediation-track").click()
    expect(page).to_have_url(re.compile(r"/mediation/track/$"))
    page.locator("input[name='serial']").fill("TJ2026-00042")
    page.locator("input[name='code']").fill("WRONG234")
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("track-not-found")).to_be_visible()
    whom = page.get_by_test_id("whom-to-call")
    expect(whom).to_be_visible()
    expect(whom.get_by_test_id("whom-to-call-organisation")).to_have_count(2)
    expect(whom).to_contain_text(PARK_ORG)
    expect(whom).to_contain_text(TOWN_ORG)
    expect(whom.locator(f"a[href='tel:{PARK_PHONE}']")).to_be_visible()
    expect(whom.locator(f"a[href='tel:{TOWN_PHONE}']")).to_be_visible()
    expect(whom).not_to_contain_text(COMMITTEE)
    no_horizontal_scroll(page)
    shot(page, f"{width}-track-wrong-code")

    # 5. The directory of mediation organisations: all three, with address and phone.
    whom.get_by_test_id("directory-link").click()
    expect(page).to_have_url(re.compile(r"/mediation/organisations/public/$"))
    orgs = page.get_by_test_id("directory-organisation")
    expect(orgs).to_have_count(3)
    expect(orgs.nth(0)).to_contain_text(PARK_ORG)
    expect(orgs.nth(0).get_by_test_id("directory-phone")).to_have_text(PARK_PHONE)
    expect(orgs.nth(0).get_by_test_id("directory-address")).to_contain_text("文昌路88号")
    expect(orgs.nth(2)).to_contain_text(COMMITTEE)
    no_horizontal_scroll(page)
    shot(page, f"{width}-directory")

    # 6. The labour-inspection and legal-aid tracking pages say whom to call too.
    for name, listed, phone in (("inspection", BRIGADE, "12333"), ("legalaid", FEDERATION, FEDERATION_PHONE)):
        page.goto(live_url("/"))
        page.get_by_test_id(f"portal-{name}-track").click()
        page.locator("input[name='serial']").fill("XX2026-00042")
        page.locator("input[name='code']").fill("WRONG234")
        page.get_by_test_id("track-submit").click()
        expect(page.get_by_test_id("track-not-found")).to_be_visible()
        whom = page.get_by_test_id("whom-to-call")
        expect(whom).to_contain_text(listed)
        expect(whom.locator(f"a[href='tel:{phone}']")).to_be_visible()
        no_horizontal_scroll(page)
        shot(page, f"{width}-{name}-track")

    # 7. The other public pages of the portal fit too.
    for testid in ("portal-mediation-apply", "portal-inspection-complain", "portal-legalaid-apply"):
        page.goto(live_url("/"))
        page.get_by_test_id(testid).click()
        expect(page.locator("h1")).to_be_visible()
        no_horizontal_scroll(page)

    # 8. Staff sign in from the portal.
    page.goto(live_url("/"))
    page.get_by_test_id("staff-login").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("input[name='password']")).to_be_visible()
