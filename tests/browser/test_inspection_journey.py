"""Journey: labour inspection from a worker's online complaint to the interview of the employer.

A worker without an account files a wage-arrears complaint on a phone (375 px: no horizontal
scroll), first with a wrong ID number and without the consent to the use of personal data (both
refused in the UI language, nothing written), keeps the serial number and access code shown once
and tracks the case. The inspector of the brigade covering the enterprise's town (1440 px) finds
the case, accepts it, investigates and orders the enterprise to rectify (a deadline of today is
refused; the order's PDF is generated). The deadline passes; the follow-up check finds the order
not carried out and escalates: an interview (约谈) is proposed with the facts that fired it, and
the inspector sends its notice (PDF). The enterprise's HR, told in their inbox, sees the order on
the case page and the interview notice, can download both PDFs, cannot act, and never sees the
complainant's ID number or phone; another enterprise's HR finds nothing. The worker's tracking
page shows the progress, and nothing about people.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override, pgettext_lazy
from playwright.sync_api import expect

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.api.throttling import PublicFormThrottle, PublicLookupThrottle
from apps.core.personal_data import with_check_character
from apps.documents.models import GeneratedDocument
from apps.documents.services import render_and_store
from apps.inspection import rules
from apps.inspection.models import InspectionCase, Interview, RectificationOrder, Source
from apps.inspection.selectors import interviews as interview_reads
from apps.inspection.selectors import public as public_selectors
from apps.inspection.views_public import InspectionComplaintThrottle
from apps.notifications.models import Notification
from tests.factories import PASSWORD, EnterpriseFactory, user_with_role

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

S = InspectionCase.Status
PHONE_SIZE = {"width": 375, "height": 812}
DESKTOP_SIZE = {"width": 1440, "height": 900}

WORKER = "张三"
PHONE = "13807712345"
ID_NUMBER = with_check_character("45020519900307017")
FACTS = "公司从 2026 年 8 月起没有发工资，车间 3 个人都被拖欠。"
INSPECTOR = "韦监察"
ITEMS = ["支付拖欠的 2026 年 8-9 月工资 12000 元", "按月足额支付工资"]
PLACE = "雒容镇劳动保障监察中队会议室"


def wrong_check_character(number: str) -> str:
    """The same ID number with a wrong check character (GB 11643-1999)."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def zh(text) -> str:
    """A message id or a lazy string as the default UI language renders it, translated or not yet."""
    with override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


@pytest.fixture(autouse=True)
def generous(monkeypatch):
    """The public forms' budgets per client address live in Redis across runs: large enough here
    (the throttle itself is tested in tests/inspection/test_public.py)."""
    rates = {
        **PublicFormThrottle.THROTTLE_RATES,
        "inspection_complaint": "1000/hour",
        "public_lookup": "1000/hour",
    }
    for throttle in (InspectionComplaintThrottle, PublicLookupThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


def no_horizontal_scroll(page, size=PHONE_SIZE) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= size["width"], f"{page.url} scrolls sideways at {size['width']} px ({width} px wide)"


def track(page, live_url, serial: str, code: str) -> None:
    page.goto(live_url("/inspection/track/"))
    form = page.get_by_test_id("track-form")
    form.locator("input[name='serial']").fill(serial)
    form.locator("input[name='code']").fill(code)
    page.get_by_test_id("track-submit").click()


def field_error(page, name: str):
    return page.locator(f"[data-field='{name}'] .invalid-feedback")


def assert_pdf(page, live_url, link, document: GeneratedDocument) -> None:
    response = page.request.get(live_url(link.get_attribute("href")))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert response.headers["x-content-sha256"] == document.sha256


def ready(document_id) -> GeneratedDocument:
    """The document, rendered (eagerly on commit in tests; rendered here if the queue was skipped)."""
    document = GeneratedDocument.objects.get(pk=document_id)
    if document.status != GeneratedDocument.Status.READY:
        render_and_store(document.pk)
        document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY
    return document


def test_complaint_to_order_to_interview(page, live_url):
    today = timezone.localdate()
    enterprise = EnterpriseFactory(name="柳州明辉机械制造有限公司")
    other = EnterpriseFactory(name="柳州远航汽车配件有限公司")
    brigade = Organisation.objects.create(
        name="雒容镇劳动保障监察中队", kind=Organisation.Kind.INSPECTION, area=enterprise.town
    )
    user_with_role(Role.INSPECTOR, brigade, username="insp1", full_name=INSPECTOR)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise.organisation, username="hr1")
    user_with_role(Role.ENTERPRISE_HR, other.organisation, username="hr2")

    # 1. The worker, on a phone, without an account: a wrong ID number and no consent first.
    page.set_viewport_size(PHONE_SIZE)
    page.goto(live_url("/inspection/complain/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("privacy-notice")).to_be_visible()
    no_horizontal_scroll(page)
    form = page.get_by_test_id("complain-form")
    expect(form.locator("input[name='kind'][value='complaint']")).to_be_checked()
    form.locator("input[name='name']").fill(WORKER)
    form.locator("input[name='phone']").fill(PHONE)
    form.locator("input[name='id_number']").fill(wrong_check_character(ID_NUMBER))
    employer = form.locator("select[name='employer']")
    expect(employer.locator(f"option[value='{other.pk}']")).to_have_text(other.name)
    employer.select_option(str(enterprise.pk))
    form.locator("input[name='employer_address']").fill("雒容镇工业园 8 号")
    form.locator("input[name='matters'][value='wage_arrears']").check()
    form.locator("textarea[name='facts']").fill(FACTS)
    form.locator("input[name='amount_owed']").fill("12000")
    form.locator("input[name='workers_count']").fill("3")
    page.get_by_test_id("complain-submit").click()

    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("form-errors")).to_contain_text(
        zh("Your case has not been sent yet. Please correct the items marked below.")
    )
    expect(field_error(page, "consent")).to_have_text(
        zh("Agree to the use of your personal information as described, so the case can be handled.")
    )
    expect(field_error(page, "id_number")).to_have_count(1)
    expect(field_error(page, "phone")).to_have_count(0)
    assert InspectionCase.objects.count() == 0
    form = page.get_by_test_id("complain-form")  # what was typed is kept
    expect(form.locator("input[name='name']")).to_have_value(WORKER)
    expect(form.locator("select[name='employer']")).to_have_value(str(enterprise.pk))
    expect(form.locator("input[name='matters'][value='wage_arrears']")).to_be_checked()
    expect(form.locator("textarea[name='facts']")).to_have_value(FACTS)
    no_horizontal_scroll(page)

    form.locator("input[name='id_number']").fill(ID_NUMBER)
    form.locator("input[name='consent']").check()
    page.get_by_test_id("complain-submit").click()
    expect(page.get_by_test_id("complain-done")).to_be_visible()
    no_horizontal_scroll(page)
    serial = page.get_by_test_id("serial").inner_text().strip()
    code = page.get_by_test_id("access-code").inner_text().strip()
    assert re.fullmatch(r"JC\d{4}-\d{5}", serial)
    case = InspectionCase.objects.get(serial=serial)
    assert rules.check_access_code(case, code)
    assert (case.source, case.channel, case.status, case.enterprise_id, case.town_id) == (
        Source.COMPLAINT,
        InspectionCase.Channel.ONLINE,
        S.RECEIVED,
        enterprise.pk,
        enterprise.town_id,
    )
    assert (case.matters, case.amount_owed, case.workers_count) == (["wage_arrears"], Decimal("12000"), 3)
    complainant = case.workers.get()
    assert (complainant.name, complainant.id_number, complainant.phone) == (WORKER, ID_NUMBER, PHONE)
    assert complainant.is_complainant

    # The code is shown once only.
    page.reload()
    expect(page.get_by_test_id("complain-already-shown")).to_be_visible()
    expect(page.get_by_test_id("access-code")).to_have_count(0)

    # The worker tracks the case: received, to be accepted or refused by a date.
    track(page, live_url, serial, code)
    expect(page.get_by_test_id("track-serial")).to_have_text(serial)
    expect(page.get_by_test_id("track-status")).to_have_text(zh(S.RECEIVED.label))
    expect(page.get_by_test_id("track-result")).to_contain_text(case.decision_due_on.isoformat())
    expect(page.get_by_test_id("next-step")).to_contain_text(zh(public_selectors.next_step(case)))
    no_horizontal_scroll(page)
    wrong = "".join("A" if c != "A" else "B" for c in code)
    track(page, live_url, serial, wrong)
    expect(page.get_by_test_id("track-not-found")).to_be_visible()
    expect(page.get_by_test_id("track-result")).to_have_count(0)

    # 2. The inspector of the town's brigade, on a desktop, finds the case among those received.
    page.set_viewport_size(DESKTOP_SIZE)
    login(page, live_url, "insp1", PASSWORD)
    page.goto(live_url("/inspection/"))
    page.get_by_test_id("case-filter").locator("select[name='status']").select_option(S.RECEIVED)
    page.get_by_test_id("case-filter").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"status=received"))
    row = page.locator(f"[data-testid='case-row'][data-serial='{serial}']")
    expect(row).to_contain_text(enterprise.name)
    expect(row).to_contain_text(zh(S.RECEIVED.label))
    expect(row).to_contain_text(case.decision_due_on.isoformat())
    row.get_by_test_id("case-link").click()
    expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/$"))
    expect(page.get_by_test_id("case-status")).to_have_text(zh(S.RECEIVED.label))
    expect(page.get_by_test_id("case-facts")).to_contain_text(FACTS)
    expect(page.get_by_test_id("workers")).to_contain_text(ID_NUMBER)  # the inspector may see it
    expect(page.get_by_test_id("clocks")).to_contain_text(rules.ACCEPTANCE_PERIOD.source)
    no_horizontal_scroll(page, DESKTOP_SIZE)

    def act(action: str, expected_status) -> None:
        page.get_by_test_id(f"action-{action}").click()
        expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/action/{action}/$"))
        page.get_by_test_id(f"confirm-{action}").click()
        expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/$"))
        expect(page.get_by_test_id("case-status")).to_have_text(zh(expected_status.label))

    act("accept", S.ACCEPTED)
    act("start_investigation", S.INVESTIGATING)

    # The decision: an order to rectify. A deadline of today is refused, nothing written.
    due_on = today + dt.timedelta(days=15)
    page.get_by_test_id("action-decide_order").click()
    action_form = page.get_by_test_id("action-form")
    action_form.locator("textarea[name='items']").fill("\n".join(ITEMS))
    action_form.locator("input[name='order_due_on']").fill(today.isoformat())
    action_form.locator("textarea[name='note']").fill("经调查，该公司拖欠 3 名劳动者工资。")
    page.get_by_test_id("confirm-decide_order").click()
    expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/action/decide_order/$"))
    expect(page.get_by_test_id("action-form")).to_contain_text(
        zh("The deadline to rectify is a day after today.")
    )
    assert not RectificationOrder.objects.filter(case=case).exists()
    action_form = page.get_by_test_id("action-form")
    expect(action_form.locator("textarea[name='items']")).to_have_value("\n".join(ITEMS))
    action_form.locator("input[name='order_due_on']").fill(due_on.isoformat())
    page.get_by_test_id("confirm-decide_order").click()
    expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/$"))
    expect(page.get_by_test_id("case-status")).to_have_text(zh(S.DECIDED.label))
    expect(page.get_by_test_id("case-facts")).to_contain_text(
        zh(InspectionCase.Decision.ORDER_TO_RECTIFY.label)
    )
    order_card = page.get_by_test_id("order")
    expect(order_card).to_have_count(1)
    expect(order_card).to_contain_text(due_on.isoformat())
    expect(order_card.locator("li")).to_have_text(ITEMS)
    order = RectificationOrder.objects.get(case=case)
    assert (order.items, order.issued_on, order.due_on, order.result) == (ITEMS, today, due_on, "")

    # The order's PDF (rendered by Celery: eagerly, on commit, in tests), numbered on the way.
    page.get_by_test_id("order-generate").click()
    expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/$"))
    order.refresh_from_db()
    assert order.reference == f"{serial}-Z1"
    order_doc = ready(interview_reads.latest_document(order).pk)
    page.reload()
    expect(page.get_by_test_id("order-pdf")).to_contain_text(order.reference)
    assert_pdf(page, live_url, page.get_by_test_id("order-download"), order_doc)

    act("start_follow_up", S.FOLLOW_UP)

    # 3. Time passes: the order's deadline is behind us (moved in the database: a test's shortcut).
    RectificationOrder.objects.filter(pk=order.pk).update(
        issued_on=today - dt.timedelta(days=30), due_on=today - dt.timedelta(days=2)
    )
    InspectionCase.objects.filter(pk=case.pk).update(decided_on=today - dt.timedelta(days=30))
    page.reload()
    expect(page.get_by_test_id("order")).to_contain_text((today - dt.timedelta(days=2)).isoformat())

    # The follow-up check: not carried out; escalated to an interview, in the same step.
    page.get_by_test_id("action-record_follow_up").click()
    action_form = page.get_by_test_id("action-form")
    action_form.locator("select[name='result']").select_option(RectificationOrder.Result.NOT_DONE)
    action_form.locator("select[name='escalation']").select_option(RectificationOrder.Escalation.INTERVIEW)
    action_form.locator("textarea[name='note']").fill("复查时工资仍未支付，公司未提交整改报告。")
    page.get_by_test_id("confirm-record_follow_up").click()
    expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/$"))
    expect(page.get_by_test_id("order")).to_contain_text(zh(RectificationOrder.Result.NOT_DONE.label))
    expect(page.get_by_test_id("order")).to_contain_text(zh(RectificationOrder.Escalation.INTERVIEW.label))
    expect(page.get_by_test_id("action-record_follow_up")).to_have_count(0)
    case_interviews = page.get_by_test_id("case-interviews").locator("li")
    expect(case_interviews).to_have_count(1)
    expect(case_interviews).to_contain_text(zh(Interview.Status.PROPOSED.label))
    order.refresh_from_db()
    assert (order.result, order.escalation, order.checked_on) == (
        RectificationOrder.Result.NOT_DONE,
        RectificationOrder.Escalation.INTERVIEW,
        today,
    )
    interview = Interview.objects.get(enterprise=enterprise)
    assert (interview.status, interview.case_id, interview.order_id) == (
        Interview.Status.PROPOSED,
        case.pk,
        order.pk,
    )
    assert [t["code"] for t in interview.triggers] == [Interview.Trigger.ORDER_IGNORED]

    # The inspector's home page lists the proposal on the worklist (issue 20); its list says why;
    # its page, the facts.
    page.goto(live_url("/"))
    proposed = page.get_by_test_id("worklist").locator("[data-key='inspection.interviews_proposed']")
    expect(proposed.get_by_test_id("worklist-link")).to_contain_text("1")
    proposed.get_by_test_id("worklist-link").click()
    expect(page).to_have_url(re.compile(r"/inspection/interviews/\?status=proposed$"))
    interview_row = page.get_by_test_id("interview-row")
    expect(interview_row).to_have_count(1)
    expect(interview_row).to_contain_text(enterprise.name)
    expect(interview_row).to_contain_text(zh(Interview.Trigger.ORDER_IGNORED.label))
    expect(interview_row).to_contain_text(zh(Interview.Status.PROPOSED.label))
    interview_row.get_by_test_id("interview-link").click()
    expect(page).to_have_url(re.compile(rf"/inspection/interviews/{interview.pk}/$"))
    expect(page.get_by_test_id("interview-status")).to_have_text(zh(Interview.Status.PROPOSED.label))
    triggers = page.get_by_test_id("interview-triggers")
    expect(triggers).to_contain_text(zh(Interview.Trigger.ORDER_IGNORED.label))
    expect(triggers).to_contain_text(zh(rules.explain_trigger("order_ignored", {"count": 1})))
    expect(triggers).to_contain_text(order.reference)  # the order and the case that fired it
    expect(triggers).to_contain_text(serial)
    expect(page.get_by_test_id("interview-order")).to_contain_text(order.reference)
    no_horizontal_scroll(page, DESKTOP_SIZE)

    # The inspector sends the notice: a time after now and a place; the notice PDF follows.
    scheduled_at = timezone.localtime() + dt.timedelta(days=7)
    scheduled_at = scheduled_at.replace(hour=9, minute=30, second=0, microsecond=0)
    page.get_by_test_id("action-send_notice").click()
    expect(page).to_have_url(re.compile(rf"/inspection/interviews/{interview.pk}/action/send_notice/$"))
    action_form = page.get_by_test_id("action-form")
    action_form.locator("input[name='scheduled_at']").fill(scheduled_at.strftime("%Y-%m-%dT%H:%M"))
    action_form.locator("input[name='place']").fill(PLACE)
    page.get_by_test_id("confirm-send_notice").click()
    expect(page).to_have_url(re.compile(rf"/inspection/interviews/{interview.pk}/$"))
    expect(page.get_by_test_id("interview-status")).to_have_text(zh(Interview.Status.NOTIFIED.label))
    reference = f"{serial}-{rules.INTERVIEW_REFERENCE_SUFFIX}1"
    expect(page.get_by_test_id("interview-reference")).to_have_text(reference)
    expect(page.get_by_test_id("interview-facts")).to_contain_text(scheduled_at.strftime("%Y-%m-%d %H:%M"))
    expect(page.get_by_test_id("interview-facts")).to_contain_text(PLACE)
    interview.refresh_from_db()
    assert (interview.status, interview.reference, interview.place, interview.notified_on) == (
        Interview.Status.NOTIFIED,
        reference,
        PLACE,
        today,
    )
    notice_doc = ready(interview_reads.latest_document(interview).pk)
    page.reload()
    assert_pdf(page, live_url, page.get_by_test_id("notice-download"), notice_doc)

    # 4. The enterprise's HR: told in the inbox, they open the interview notice ...
    page.context.clear_cookies()
    login(page, live_url, "hr1", PASSWORD)
    told = Notification.objects.get(recipient=hr, link=f"/inspection/interviews/{interview.pk}/")
    page.goto(live_url("/inbox/"))
    page.get_by_role("button", name=told.title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/inspection/interviews/{interview.pk}/$"))
    expect(page.get_by_test_id("interview-status")).to_have_text(zh(Interview.Status.NOTIFIED.label))
    expect(page.get_by_test_id("interview-reference")).to_have_text(reference)
    expect(page.get_by_test_id("interview-facts")).to_contain_text(scheduled_at.strftime("%Y-%m-%d %H:%M"))
    expect(page.get_by_test_id("interview-facts")).to_contain_text(PLACE)
    expect(page.get_by_test_id("interview-triggers")).to_contain_text(
        zh(rules.explain_trigger("order_ignored", {"count": 1}))
    )
    expect(page.get_by_test_id("interview-actions")).to_have_count(0)  # HR read; they do not act
    no_horizontal_scroll(page, DESKTOP_SIZE)  # HR's menu fits at 1440 px (one inspection entry)
    expect(page.get_by_test_id("notice-generate")).to_have_count(0)
    assert_pdf(page, live_url, page.get_by_test_id("notice-download"), notice_doc)
    expect(page.get_by_test_id("interview-order")).to_contain_text(order.reference)
    assert_pdf(
        page, live_url, page.get_by_test_id("interview-order").get_by_test_id("order-download"), order_doc
    )
    response = page.goto(live_url(f"/inspection/interviews/{interview.pk}/action/dismiss/"))
    assert response.status == 403
    interview.refresh_from_db()
    assert interview.status == Interview.Status.NOTIFIED

    # ... and the case, now that it carries an order: the order and its PDF, no ID number or phone.
    page.goto(live_url("/inspection/"))
    row = page.locator(f"[data-testid='case-row'][data-serial='{serial}']")
    expect(row).to_have_count(1)
    row.get_by_test_id("case-link").click()
    expect(page).to_have_url(re.compile(rf"/inspection/{case.pk}/$"))
    expect(page.get_by_test_id("case-status")).to_have_text(zh(S.FOLLOW_UP.label))
    order_card = page.get_by_test_id("order")
    expect(order_card.locator("li")).to_have_text(ITEMS)
    expect(order_card).to_contain_text(order.reference)
    expect(order_card).to_contain_text(zh(RectificationOrder.Result.NOT_DONE.label))
    assert_pdf(page, live_url, order_card.get_by_test_id("order-download"), order_doc)
    expect(page.get_by_test_id("order-generate")).to_have_count(0)
    expect(page.get_by_test_id("case-actions")).to_have_count(0)
    expect(page.get_by_test_id("workers")).to_contain_text(WORKER)
    html = page.content()
    assert ID_NUMBER not in html and PHONE not in html
    assert ID_NUMBER[6:14] not in html  # not even the birth date (what masking hides)

    # Another enterprise's HR finds neither the case nor the interview.
    page.context.clear_cookies()
    login(page, live_url, "hr2", PASSWORD)
    for path in (f"/inspection/{case.pk}/", f"/inspection/interviews/{interview.pk}/"):
        response = page.goto(live_url(path))
        assert response.status == 404, path
    page.goto(live_url("/inspection/interviews/"))
    expect(page.get_by_test_id("interview-row")).to_have_count(0)

    # 5. The worker, on the phone again, tracks the case: the follow-up check, and nothing about people.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE_SIZE)
    case.refresh_from_db()
    track(page, live_url, serial, code)
    expect(page.get_by_test_id("track-status")).to_have_text(zh(S.FOLLOW_UP.label))
    expect(page.get_by_test_id("next-step")).to_contain_text(zh(public_selectors.next_step(case)))
    result = page.get_by_test_id("track-result")
    received = pgettext_lazy("inspection milestone", "Received")
    for label in (received, "Accepted", "Decided", "Follow-up check started"):
        expect(result).to_contain_text(zh(label))
    expect(result).to_contain_text(case.decided_on.isoformat())
    no_horizontal_scroll(page)
    html = page.content()
    for secret in (ID_NUMBER, PHONE, WORKER, INSPECTOR, FACTS, PLACE):
        assert secret not in html
