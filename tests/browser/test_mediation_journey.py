"""Journey: labour-dispute mediation from a worker's public application to an archived case.

A worker without an account applies online (first forgetting the consent to the use of personal
data, which the form asks for), keeps the serial number and access code shown once, and tracks the
case. The mediator of the township organisation covering the enterprise's town finds the case,
accepts it, records a session, drafts the agreement, records its signatures, closes the case with
the agreement (its PDF is generated), records the payment and archives the case. The worker sees
the archived case and its timeline; the respondent's HR sees the agreement and the timeline but
never the worker's ID number or phone.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import override
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.core.personal_data import with_check_character
from apps.core.principal import SYSTEM
from apps.documents.models import GeneratedDocument
from apps.documents.services import render_and_store
from apps.mediation import rules, selectors, services
from apps.mediation.models import Agreement, Case, MediationOrganisation, Mediator
from tests.factories import PASSWORD, EnterpriseFactory, user_with_role

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = "张三"
PHONE = "13807712345"
JOB = "装配工"
CLAIMS = "支付拖欠的 2026 年 8-9 月工资 12000 元"
MEDIATOR = "李调解"


def valid_id_number(seed: int = 1, birth: str = "19900307") -> str:
    """A resident ID number with a correct check character (GB 11643-1999), as
    tests/mediation/conftest.py makes them."""
    return with_check_character(f"450205{birth}{seed % 1000:03d}")


ID_NUMBER = valid_id_number(17)


def zh(text) -> str:
    """A (lazy) string as the default UI language renders it, translated or not yet."""
    with override("zh-hans"):
        return str(text)


def zh_label(action: str) -> str:
    """The label of a history action on the timelines, in the default UI language."""
    with override("zh-hans"):
        return str(selectors.action_labels()[action])


def zh_next_step(case: Case) -> str:
    with override("zh-hans"):
        return str(selectors.next_step(case))


def track(page, live_url, serial: str, code: str) -> None:
    page.goto(live_url("/mediation/track/"))
    form = page.get_by_test_id("track-form")
    form.locator("input[name='serial']").fill(serial)
    form.locator("input[name='code']").fill(code)
    page.get_by_test_id("track-submit").click()


def case_status(page):
    return page.get_by_test_id("case-status")


def test_worker_application_to_archived_case(page, live_url):
    today = timezone.localdate()
    enterprise = EnterpriseFactory(name="柳州明辉机械制造有限公司")
    other = EnterpriseFactory(name="柳州远航汽车配件有限公司")  # a second choice in the list
    organisation = services.create_organisation(
        SYSTEM,
        name="雒容镇劳动争议调解中心",
        kind=MediationOrganisation.Kind.TOWN,
        towns=[enterprise.town],
    )
    mediator_user = user_with_role(
        Role.MEDIATOR, organisation.organisation, username="med1", full_name=MEDIATOR
    )
    mediator = services.save_mediator(
        SYSTEM,
        Mediator(organisation=organisation, user=mediator_user, name=MEDIATOR, specialities=["remuneration"]),
    )
    user_with_role(Role.ENTERPRISE_HR, enterprise.organisation, username="hr1")

    # 1. The worker applies online, first without the consent: the form says so and keeps the rest.
    page.goto(live_url("/mediation/apply/"))
    form = page.get_by_test_id("apply-form")
    form.locator("input[name='name']").fill(WORKER)
    form.locator("input[name='phone']").fill(PHONE)
    form.locator("input[name='id_number']").fill(ID_NUMBER)
    form.locator("input[name='job']").fill(JOB)
    employer = form.locator("select[name='employer']")
    expect(employer.locator(f"option[value='{other.pk}']")).to_have_text(other.name)
    employer.select_option(str(enterprise.pk))
    form.locator("input[name='types'][value='remuneration']").check()
    form.locator("textarea[name='claims']").fill(CLAIMS)
    form.locator("input[name='amount_claimed']").fill("12000")
    page.get_by_test_id("apply-submit").click()

    expect(page.get_by_test_id("form-errors")).to_be_visible()
    consent = page.locator("[data-field='consent']")
    expect(consent.locator(".invalid-feedback")).to_have_count(1)
    assert Case.objects.count() == 0
    form = page.get_by_test_id("apply-form")
    expect(form.locator("input[name='name']")).to_have_value(WORKER)
    expect(form.locator("input[name='id_number']")).to_have_value(ID_NUMBER)
    expect(form.locator("select[name='employer']")).to_have_value(str(enterprise.pk))
    expect(form.locator("input[name='types'][value='remuneration']")).to_be_checked()
    expect(form.locator("textarea[name='claims']")).to_have_value(CLAIMS)

    consent.locator("input[name='consent']").check()
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("apply-done")).to_be_visible()
    serial = page.get_by_test_id("serial").inner_text().strip()
    code = page.get_by_test_id("access-code").inner_text().strip()
    case = Case.objects.get(serial=serial)
    assert re.fullmatch(r"[A-Z]+\d{4}-\d{5}", serial)
    assert code and rules.check_access_code(case, code)
    assert (case.channel, case.status, case.organisation_id) == (
        Case.Channel.ONLINE,
        Case.Status.RECEIVED,
        organisation.pk,
    )
    assert (case.respondent_enterprise_id, case.amount_claimed, case.is_collective) == (
        enterprise.pk,
        Decimal("12000"),
        False,
    )
    assert list(case.types.values_list("code", flat=True)) == ["remuneration"]
    applicant = case.applicants.get()
    assert (applicant.name, applicant.id_number, applicant.phone) == (WORKER, ID_NUMBER, PHONE)

    # The code is shown only once.
    page.reload()
    expect(page.get_by_test_id("apply-already-shown")).to_be_visible()
    expect(page.get_by_test_id("access-code")).to_have_count(0)

    # 2. The worker tracks the case: received, and what comes next; a wrong code finds nothing.
    track(page, live_url, serial, code)
    expect(page.get_by_test_id("track-serial")).to_have_text(serial)
    expect(page.get_by_test_id("track-status")).to_have_text(zh(Case.Status.RECEIVED.label))
    expect(page.get_by_test_id("next-step")).to_contain_text(zh_next_step(case))
    expect(page.get_by_test_id("public-timeline").locator("li")).to_have_count(1)
    expect(page.get_by_test_id("public-timeline")).to_contain_text(zh_label("receive"))
    wrong = "".join("A" if c != "A" else "B" for c in code)
    track(page, live_url, serial, wrong)
    expect(page.get_by_test_id("track-not-found")).to_be_visible()
    expect(page.get_by_test_id("track-result")).to_have_count(0)

    # 3. The mediator finds the case (not collective) in the list and accepts it for themselves.
    login(page, live_url, "med1", PASSWORD)
    page.goto(live_url("/mediation/"))
    row = page.locator(f"[data-testid='case-row'][data-serial='{serial}']")
    expect(row).to_have_count(1)
    filters = page.get_by_test_id("case-filter")
    filters.get_by_test_id("case-search").fill(serial)
    filters.locator("select[name='collective']").select_option("true")
    page.get_by_test_id("case-filter-submit").click()
    expect(page).to_have_url(re.compile(r"collective=true"))
    expect(page.get_by_test_id("case-row")).to_have_count(0)
    filters.locator("select[name='collective']").select_option("false")
    page.get_by_test_id("case-filter-submit").click()
    expect(page).to_have_url(re.compile(r"collective=false"))
    expect(page.get_by_test_id("case-row")).to_have_count(1)
    expect(row).to_contain_text(enterprise.name)
    expect(row.get_by_test_id("status-received")).to_be_visible()
    expect(row).not_to_have_class(re.compile(r"\btable-warning\b"))
    row.get_by_test_id("case-link").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    expect(page.get_by_test_id("case-serial")).to_have_text(serial)
    expect(case_status(page)).to_have_attribute("data-status", "received")
    expect(page.get_by_test_id("collective")).to_have_count(0)
    expect(page.get_by_test_id("id-number")).to_contain_text("*")  # masked for the mediator too
    expect(page.get_by_test_id("applicants")).to_contain_text(PHONE)

    page.get_by_test_id("action-accept").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/action/accept/$"))
    action_form = page.get_by_test_id("action-form")
    expect(action_form.locator("select[name='organisation']")).to_have_value(str(organisation.pk))
    action_form.locator("select[name='mediator']").select_option(str(mediator.pk))
    page.get_by_test_id("confirm-accept").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    expect(case_status(page)).to_have_attribute("data-status", "in_mediation")
    expect(page.get_by_test_id("case-mediator")).to_contain_text(MEDIATOR)

    # A session.
    page.get_by_test_id("work-session").click()
    session_form = page.get_by_test_id("work-form-session")
    session_form.locator("select[name='mode']").select_option("in_person")
    session_form.locator("textarea[name='attendees']").fill(f"{WORKER}、企业人事王经理、{MEDIATOR}")
    session_form.locator("textarea[name='notes']").fill("双方同意分两个月结清工资，后协商一次付清。")
    page.get_by_test_id("work-submit").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/(#sessions)?$"))
    expect(page.get_by_test_id("session-row")).to_have_count(1)

    # The agreement: one item, wages of 12000 within ten days.
    due_on = today + dt.timedelta(days=10)
    page.get_by_test_id("work-agreement").click()
    agreement_form = page.get_by_test_id("agreement-form")
    agreement_form.locator("textarea[name='result']").fill("被申请人同意支付拖欠的工资 12000 元。")
    item = page.get_by_test_id("item-row").first
    item.locator("select[name='items-0-kind']").select_option("wages")
    item.locator("input[name='items-0-description']").fill("支付 2026 年 8-9 月工资")
    item.locator("input[name='items-0-amount']").fill("12000")
    item.locator("input[name='items-0-due_on']").fill(due_on.isoformat())
    page.get_by_test_id("agreement-save").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/(#agreement)?$"))
    items = page.get_by_test_id("agreement-items")
    expect(items.locator("tbody tr")).to_have_count(1)
    expect(items.locator("tbody tr")).to_contain_text(due_on.isoformat())
    expect(items.locator("tbody tr")).to_contain_text(re.compile(r"12,?000\.00"))
    # A draft: not in force until the parties, the mediator and the seal have signed.
    expect(page.get_by_test_id("agreement-effective")).to_have_count(0)

    # The four signatures, today: in force.
    page.get_by_test_id("work-signatures").click()
    signatures = page.get_by_test_id("work-form-signatures")
    for name in ("applicant_signed_on", "respondent_signed_on", "mediator_signed_on", "sealed_on"):
        signatures.locator(f"input[name='{name}']").fill(today.isoformat())
    page.get_by_test_id("work-submit").click()
    expect(page.get_by_test_id("agreement-effective")).to_contain_text(today.isoformat())
    expect(page.get_by_test_id("work-agreement")).to_have_count(0)  # the text is fixed once signed

    # Close with the agreement; its PDF is generated (eagerly in tests, on commit).
    page.get_by_test_id("action-close_agreement").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/action/close_agreement/$"))
    page.get_by_test_id("confirm-close_agreement").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    expect(case_status(page)).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("outcome-agreement")).to_be_visible()
    expect(page.get_by_test_id("follow-up-payment_order")).to_be_visible()
    agreement = Agreement.objects.select_related("document").get(case=case)
    assert agreement.document is not None
    if agreement.document.status != GeneratedDocument.Status.READY:
        render_and_store(agreement.document_id)
        page.reload()
    document = GeneratedDocument.objects.get(pk=agreement.document_id)
    assert document.status == GeneratedDocument.Status.READY
    pdf_link = page.get_by_test_id("agreement-pdf")
    expect(pdf_link).to_be_visible()
    response = page.request.get(live_url(pdf_link.get_attribute("href")))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert response.headers["x-content-sha256"] == document.sha256

    # 4. The payment of 12000: performed. Then the case is archived and read-only.
    page.get_by_test_id("work-payment").click()
    payment_form = page.get_by_test_id("work-form-payment")
    expect(payment_form.locator("input[name='paid_on']")).to_have_value(today.isoformat())
    payment_form.locator("input[name='amount']").fill("12000")
    page.get_by_test_id("work-submit").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/(#agreement)?$"))
    expect(page.get_by_test_id("performance")).to_have_text(zh(Agreement.Performance.PERFORMED.label))
    expect(page.get_by_test_id("payments").locator("li")).to_have_count(2)  # the payment and the total

    page.get_by_test_id("action-archive").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/action/archive/$"))
    page.get_by_test_id("confirm-archive").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    expect(case_status(page)).to_have_attribute("data-status", "archived")
    expect(page.get_by_test_id("archived-note")).to_contain_text(today.isoformat())
    expect(page.get_by_test_id("case-actions")).to_have_count(0)
    expect(page.locator("[data-testid^='action-'], [data-testid^='work-']")).to_have_count(0)
    expect(page.get_by_test_id("reissue-code")).to_have_count(0)
    case.refresh_from_db()
    assert (case.status, case.outcome, case.agreed_amount, case.archived_on) == (
        Case.Status.ARCHIVED,
        Case.Outcome.AGREEMENT,
        Decimal("12000"),
        today,
    )

    # 5. The worker tracks the archived case: its timeline and the next step about the agreement.
    page.context.clear_cookies()
    track(page, live_url, serial, code)
    expect(page.get_by_test_id("track-status")).to_have_text(zh(Case.Status.ARCHIVED.label))
    expect(page.get_by_test_id("track-result")).to_contain_text(zh(Case.Outcome.AGREEMENT.label))
    expect(page.get_by_test_id("next-step")).to_contain_text(zh_next_step(case))
    steps = page.get_by_test_id("public-timeline").locator("li")
    expect(steps).to_have_count(4)
    expect(steps).to_contain_text(
        [zh_label("receive"), zh_label("accept"), zh_label("close_agreement"), zh_label("archive")]
    )
    expect(page.get_by_test_id("track-result")).not_to_contain_text(MEDIATOR)

    # 6. The respondent's HR sees the agreement and the timeline, never the ID number or phone.
    login(page, live_url, "hr1", PASSWORD)
    page.goto(live_url("/mediation/"))
    row = page.locator(f"[data-testid='case-row'][data-serial='{serial}']")
    expect(row.get_by_test_id("status-archived")).to_be_visible()
    row.get_by_test_id("case-link").click()
    expect(page).to_have_url(re.compile(rf"/mediation/{case.pk}/$"))
    expect(page.get_by_test_id("agreement-items").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("agreement-effective")).to_contain_text(today.isoformat())
    # The agreement PDF names the applicants with their ID numbers: not for HR (issue 18).
    expect(page.get_by_test_id("agreement-pdf")).to_have_count(0)
    expect(page.get_by_test_id("agreement-pdf-withheld")).to_be_visible()
    expect(page.get_by_test_id("history-row")).to_have_count(4)
    expect(page.get_by_test_id("applicant-row")).to_contain_text(WORKER)
    expect(page.get_by_test_id("id-number")).to_have_count(0)
    expect(page.get_by_test_id("reveal-id")).to_have_count(0)
    expect(page.get_by_test_id("applicants")).not_to_contain_text("4502")
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    expect(page.get_by_test_id("sessions")).not_to_contain_text(WORKER)  # attendees are the mediators' file
    html = page.content()
    masked = ID_NUMBER[:4] + "*" * (len(ID_NUMBER) - 8) + ID_NUMBER[-4:]
    for secret in (ID_NUMBER, masked, PHONE):
        assert secret not in html
    # Revealing through the URL changes nothing for HR.
    page.goto(live_url(f"/mediation/{case.pk}/?reveal={applicant.pk}"))
    expect(page.get_by_test_id("case-serial")).to_have_text(serial)
    html = page.content()
    assert ID_NUMBER not in html and masked not in html and PHONE not in html
