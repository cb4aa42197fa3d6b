"""Journey (issue 17, "one park, one picture"): the park administrator opens the risk watch list,
finds the enterprise at risk and why (workers without a written contract, disputes), follows it to
its dossier (risk card, contract book), and reviews its certification application with the
platform's facts beside the self-scores: 6/6 for "contracts signed 100 %" is flagged against the
book's 91.7 %. At 375 px the watch list and the dossier do not scroll sideways; the enterprise's HR
opening the dossier is told the risk section is "not visible to your role", never "no records".

The records are real: contracts filed through the contracts services, disputes registered through
mediation's, the application built, completed and submitted through certification's, and the risk
computed by the risk service.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.certification import services as certification
from apps.certification.default_rules import create_default
from apps.certification.models import Application, Category, Item, Level, Round, RuleSet, VetoRule
from apps.contracts import services as contracts
from apps.contracts.models import ContractPolicy
from apps.core.facts import signal_kinds
from apps.core.principal import SYSTEM, principal_for_user
from apps.enterprises.selectors import DOSSIER_ORDER
from apps.mediation import services as mediation
from apps.mediation.models import Case, MediationOrganisation
from apps.risk import services as risk
from apps.risk.models import EnterpriseRisk, RiskPolicy
from apps.risk.models import Level as RiskLevel
from tests.certification.conftest import build, complete
from tests.contracts.conftest import row
from tests.factories import PASSWORD, EnterpriseFactory, TownFactory, user_with_role
from tests.mediation.conftest import applicant

from .helpers import follow_menu, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_SIZE = {"width": 375, "height": 812}
NAME = "柳州恒达机械制造有限公司"
OTHER = "柳州顺通物流有限公司"

#: 12 employees in the registry; 9 workers with a clean contract in force and 2 whose contract
#: was written 3 months after work started (in force, but "without a written contract after one
#: month", 劳动合同法第十条、第八十二条): 11 of 12 = 91.7 %.
EMPLOYEES = 12
CLEAN, LATE = 9, 2
RATE = "91.7"
#: Signals and their points with the default policy: 2 workers without a written contract (5 each),
#: 2 disputes in 12 months (5 each), 1 of them collective (15): 35 = "warning" (25-49).
SCORE = 35


def zh(text) -> str:
    """A message id or a lazy string as the default UI language renders it, translated or not yet."""
    with override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


def label(code: str) -> str:
    return zh(signal_kinds()[code].label)


def p(user):
    return principal_for_user(user)


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


def section(page, key: str):
    """A section (card) of the dossier, by its key (`data-section`)."""
    return page.locator(f"[data-testid='dossier'] section[data-section='{key}']")


def defaults() -> RuleSet:
    """The data of the migrations an earlier transactional test may have flushed: the contract
    policy, the risk policy v1 and the default certification rule set (with its fact mapping)."""
    ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )
    if not RiskPolicy.objects.exists():
        RiskPolicy.objects.create(
            version=1, valid_from=dt.date(2020, 1, 1), watch_from=10, warning_from=25, serious_from=50
        )
    rule_set = RuleSet.objects.filter(version=1).order_by("year").first()
    if rule_set is None:
        rule_set = create_default(
            RuleSet, Level, VetoRule, Category, Item, region=settings.PARK_NAME, year=2026
        )
    assert rule_set.categories.get(items__code="signing").items.get(code="signing").fact_code == (
        "contracts.signing_rate"
    )
    return rule_set


def dispute(enterprise, n: int, **extra) -> Case:
    case, _code = mediation.register_case(
        SYSTEM,
        channel=Case.Channel.WALK_IN,
        applicants=[applicant(n)],
        types=["remuneration"],
        claims="支付拖欠工资 12000 元",
        amount_claimed="12000",
        respondent_enterprise=enterprise,
        **extra,
    )
    return case


@pytest.fixture
def park(db):
    """The enterprise at risk (with HR and an application under review), a second one on the watch
    list with a lower score, and the park administrator; the risk computed by the risk service."""
    today = timezone.localdate()
    rule_set = defaults()
    town = TownFactory(name="雒容镇")
    enterprise = EnterpriseFactory(
        name=NAME, town=town, employees=EMPLOYEES, established_on=dt.date(2015, 3, 1)
    )
    other = EnterpriseFactory(name=OTHER, town=town)
    admin = user_with_role(Role.PARK_ADMIN, username="admin1")
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise.organisation, username="hr1")

    # The contract book: 9 clean three-year contracts signed 4 months ago, 2 of them written three
    # months after work started.
    start = today - dt.timedelta(days=120)
    terms = {
        "probation_end": "",
        "employment_start": start.isoformat(),
        "start": start.isoformat(),
        "signed_on": start.isoformat(),
        "end": (start + dt.timedelta(days=3 * 365)).isoformat(),
    }
    late = {**terms, "employment_start": (start - dt.timedelta(days=90)).isoformat()}
    rows = [row(enterprise, n, **terms) for n in range(1, CLEAN + 1)]
    rows += [row(enterprise, n, **late) for n in range(CLEAN + 1, CLEAN + LATE + 1)]
    result = contracts.file_batch(p(hr), rows)
    assert not result.errors, result.errors
    assert len(result.created) == CLEAN + LATE

    # Disputes: a single one and a collective one against the enterprise; two against the other.
    mediation.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[town]
    )
    dispute(enterprise, 1)
    assert dispute(enterprise, 2, workers_count=12, common_claim=True).is_collective
    dispute(other, 3)
    dispute(other, 4)

    # The certification application: HR gives itself full points (6/6 on signing), submits; the
    # park administrator starts the review.
    cert_round = Round.objects.create(
        rule_set=rule_set,
        name=f"{today.year}年度",
        year=today.year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )
    app = complete(build(hr, enterprise, cert_round), hr, score_ratio=Decimal("1"))
    app = certification.submit(p(hr), app)
    app = certification.start_review(p(admin), app)
    assert app.status == Application.Status.UNDER_REVIEW

    risk.recompute(today, [enterprise.pk, other.pk])
    mine = EnterpriseRisk.objects.get(enterprise=enterprise)
    assert (mine.score, mine.level) == (SCORE, RiskLevel.WARNING)
    assert EnterpriseRisk.objects.get(enterprise=other).level == RiskLevel.WATCH
    return {"enterprise": enterprise, "other": other, "admin": admin, "hr": hr, "application": app}


def test_watch_list_to_dossier_to_review_with_the_facts(page, live_url, park):
    enterprise, app = park["enterprise"], park["application"]

    # 1. The administrator opens the watch list from the menu: the enterprise is first, "warning".
    login(page, live_url, "admin1", PASSWORD)
    follow_menu(page, "risk:list")
    expect(page).to_have_url(re.compile(r"/risk/$"))
    rows = page.get_by_test_id("risk-row")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first).to_have_attribute("data-enterprise", str(enterprise.pk))
    expect(first).to_have_attribute("data-level", RiskLevel.WARNING)
    expect(first).to_contain_text(NAME)
    expect(first.locator("td").nth(1)).to_have_text(str(SCORE))
    # ... and why: the workers without a written contract, the disputes.
    why = first.locator("td").nth(4)
    expect(why).to_contain_text(label("contracts.without_contract"))
    expect(why).to_contain_text(label("mediation.dispute"))
    expect(why).to_contain_text(label("mediation.collective_dispute"))
    expect(rows.nth(1)).to_have_attribute("data-level", RiskLevel.WATCH)
    # The administrator's menu (grouped into dropdowns) fits: the page does not scroll sideways.
    no_horizontal_scroll(page)

    # 2. The enterprise's risk: each signal with its records and points.
    first.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/risk/{enterprise.pk}/$"))
    expect(page.get_by_test_id("risk-score")).to_contain_text(str(SCORE))
    signals = page.get_by_test_id("risk-signal")
    expect(signals).to_have_count(3)
    for code, count, points in (
        ("contracts.without_contract", LATE, 10),
        ("mediation.dispute", 2, 10),
        ("mediation.collective_dispute", 1, 15),
    ):
        signal = page.locator(f"[data-testid='risk-signal'][data-code='{code}']")
        expect(signal.locator("td").nth(0)).to_contain_text(label(code))
        expect(signal.locator("td").nth(1)).to_have_text(str(count))
        expect(signal.locator("td").nth(3)).to_have_text(f"+{points}")
    # The record behind "without a written contract" is the contract book's list (the admin may open it).
    expect(
        page.locator("[data-code='contracts.without_contract'] [data-testid='risk-signal-link']")
    ).to_have_attribute("href", f"/contracts/book/{enterprise.pk}/without_contract/")

    # 3. Its dossier: every section in order, the risk card, the contract book.
    page.get_by_test_id("risk-dossier-link").click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.pk}/#risk$"))
    expect(page.get_by_test_id("enterprise-name")).to_have_text(NAME)
    sections = page.locator("[data-testid='dossier'] section[data-section]")
    expect(sections).to_have_count(len(DOSSIER_ORDER))
    assert [s.get_attribute("data-section") for s in sections.all()] == [key for key, _ in DOSSIER_ORDER]
    expect(page.locator("[data-testid='dossier'] [data-hidden]")).to_have_count(0)
    card = section(page, "risk")
    expect(card).to_contain_text(str(SCORE))
    expect(card).to_contain_text(label("contracts.without_contract"))
    expect(card.get_by_test_id("dossier-risk-link")).to_have_attribute("href", f"/risk/{enterprise.pk}/")
    book = page.get_by_test_id("dossier-contracts-section")
    expect(book.get_by_test_id("figure-without_contract")).to_have_attribute("data-value", str(LATE))
    expect(book.get_by_test_id("figure-in_force")).to_have_attribute("data-value", str(CLEAN + LATE))
    expect(book.get_by_test_id("figure-signing_rate")).to_contain_text(RATE)
    expect(section(page, "contracts").locator("[data-dossier-empty]")).to_have_count(0)
    expect(section(page, "disputes").locator("[data-dossier-empty]")).to_have_count(0)

    # 4. The application under review, from the dossier's certification section.
    applications = page.get_by_test_id("dossier-applications")
    expect(applications).to_contain_text(zh(Application.Status.UNDER_REVIEW.label))
    applications.locator(f"a[href='/certification/{app.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/certification/{app.pk}/$"))
    page.get_by_test_id("action-score").click()
    expect(page).to_have_url(re.compile(rf"/certification/{app.pk}/review/$"))

    # The self-score 6/6 on "contracts signed 100 %" beside the book's 91.7 %: flagged.
    signing = page.get_by_test_id("review-item-signing")
    expect(signing).to_have_class(re.compile(r"\btable-danger\b"))
    # The reviewer's score stays readable beside the new column.
    assert signing.locator("input[name^='item_']").first.bounding_box()["width"] >= 60
    no_horizontal_scroll(page)
    expect(signing.locator("td").nth(1).locator("strong")).to_have_text(re.compile(r"^6(\.0+)?$"))
    fact = signing.get_by_test_id("fact-signing")
    expect(fact).to_have_attribute("data-state", "disagree")
    expect(fact.get_by_test_id("fact-disagrees")).to_be_visible()
    expect(fact.get_by_test_id("fact-display")).to_contain_text(f"{RATE} %")
    expect(fact.get_by_test_id("fact-message")).to_contain_text(RATE)
    # Where the self-score agrees with the records the row is not flagged (no mass incident: 3/3).
    incident = page.get_by_test_id("review-item-no_incident")
    expect(incident).not_to_have_class(re.compile(r"\btable-danger\b"))
    expect(incident.get_by_test_id("fact-no_incident")).to_have_attribute("data-state", "agree")
    # The facts beside the scores: the panel holds the book's and mediation's figures too.
    panel = page.get_by_test_id("facts-panel")
    expect(panel.get_by_test_id("facts-disagreements")).to_be_visible()
    for code in ("contracts.signing_rate", "contracts.without_contract", "mediation.disputes"):
        expect(panel.get_by_test_id(f"fact-label-{code}")).to_be_visible()
    expect(panel.locator("[data-testid='fact-label-contracts.without_contract'] + dd")).to_contain_text(
        str(LATE)
    )
    expect(panel.locator("[data-testid='fact-label-mediation.disputes'] + dd")).to_contain_text("2")


def test_on_a_phone_the_watch_list_and_the_dossier_fit(page, live_url, park):
    enterprise = park["enterprise"]
    page.set_viewport_size(PHONE_SIZE)
    login(page, live_url, "admin1", PASSWORD)

    page.goto(live_url("/risk/"))
    row = page.get_by_test_id("risk-row").first
    expect(row).to_have_attribute("data-enterprise", str(enterprise.pk))
    no_horizontal_scroll(page)
    row.get_by_role("link", name=NAME).click()
    expect(page.get_by_test_id("risk-explanation")).to_be_visible()
    no_horizontal_scroll(page)

    page.get_by_test_id("risk-dossier-link").click()
    expect(section(page, "risk")).to_contain_text(str(SCORE))
    expect(page.get_by_test_id("dossier-contracts-section")).to_be_visible()
    no_horizontal_scroll(page)


def test_hr_sees_the_risk_section_as_not_visible_never_as_empty(page, live_url, park):
    enterprise = park["enterprise"]
    page.set_viewport_size(PHONE_SIZE)
    login(page, live_url, "hr1", PASSWORD)
    assert page.request.get(live_url("/risk/")).status == 403

    page.goto(live_url(f"/enterprises/{enterprise.pk}/"))
    expect(page.get_by_test_id("enterprise-name")).to_have_text(NAME)
    no_horizontal_scroll(page)
    risk_card = section(page, "risk")
    expect(risk_card).to_have_attribute("data-hidden", "true")
    expect(risk_card).to_contain_text(zh("Not visible to your role."))
    expect(risk_card).not_to_contain_text(zh("No records yet."))
    expect(risk_card.locator("[data-dossier-empty]")).to_have_count(0)
    # Every hidden section says so, and none says "No records yet."
    hidden = page.locator("[data-testid='dossier'] section[data-hidden='true']")
    for s in hidden.all():
        expect(s.locator("[data-dossier-hidden]")).to_have_count(1)
        expect(s).not_to_contain_text(zh("No records yet."))
    # HR's own modules are there, with their records.
    expect(
        page.get_by_test_id("dossier-contracts-section").get_by_test_id("figure-without_contract")
    ).to_have_attribute("data-value", str(LATE))
    expect(page.get_by_test_id("dossier-applications")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(zh("No records yet."))
