"""Journey: harmony certification from HR's self-evaluation to a verified certificate.

HR scores a small form (two categories, three items) with a PDF for the item that needs one,
puts the self-evaluation group together (first short of the 2/3 rule, which the check lists with
its source, then meeting it), records the disclosure, and submits. The park administrator reviews,
proposes and publishes the public notice; anyone sees it on the public page. When the notice has
ended the daily job certifies the enterprise; HR finds the certificate, and anyone can verify it.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy, override
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.certification import rules, services
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
from apps.certification.selectors import VERIFY_LABELS
from apps.core.principal import SYSTEM
from apps.documents.models import GeneratedDocument
from apps.documents.services import render_and_store
from tests.factories import PASSWORD, EnterpriseFactory, user_with_role

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: The small scoring form: category → items (code, criterion, max. points, evidence required).
FORM = [
    (
        "contracts",
        "劳动合同与工资",
        [("signing", "依法签订书面劳动合同", "40", True), ("wages", "按月足额支付工资", "30", False)],
    ),
    ("dialogue", "民主管理", [("congress", "建立职工代表大会制度", "30", False)]),
]
SELF_SCORES = {"signing": "38", "wages": "28", "congress": "28"}  # 94
REVIEW_SCORES = {"signing": "36", "wages": "27", "congress": "27"}  # 90: level A (cut-off 80)


def zh(text) -> str:
    """A (lazy) string as the default UI language renders it, translated or not yet."""
    with override("zh-hans"):
        return str(text)


def small_rule_set() -> RuleSet:
    """A new version of the default rule set whose scoring form is FORM (totalling 100)."""
    base = RuleSet.objects.order_by("version").first()
    if base is None:  # an earlier transactional test flushed the rule set of migration 0002
        base = create_default(RuleSet, Level, VetoRule, Category, Item, region=settings.PARK_NAME, year=2026)
    rule_set = services.new_rule_set_version(SYSTEM, base)
    rule_set.categories.all().delete()
    for c_order, (code, name, items) in enumerate(FORM):
        category = Category.objects.create(rule_set=rule_set, order=c_order, code=code, name=name)
        for i_order, (i_code, text, points, evidence) in enumerate(items):
            Item.objects.create(
                category=category,
                order=i_order,
                code=i_code,
                text=text,
                max_points=Decimal(points),
                evidence_required=evidence,
            )
    assert rules.rule_set_problems(rule_set) == []
    return rule_set


def fill_member(page, index: int, name: str, role: str) -> None:
    row = page.get_by_test_id("member-row").nth(index)
    row.locator("input[name$='-name']").fill(name)
    row.locator("select[name$='-role']").select_option(role)


def test_hr_self_evaluation_to_a_verified_certificate(page, live_url, tmp_path):
    today = timezone.localdate()
    rule_set = small_rule_set()
    round_ = Round.objects.create(
        rule_set=rule_set,
        name=f"{today.year}年度",
        year=today.year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )
    enterprise = EnterpriseFactory(
        name="柳州和谐机械制造有限公司", established_on=dt.date(2015, 1, 1), employees=120
    )
    user_with_role(Role.ENTERPRISE_HR, enterprise.organisation, username="hr1")
    user_with_role(Role.PARK_ADMIN, username="admin1")
    evidence = tmp_path / "劳动合同签订台账.pdf"
    evidence.write_bytes(PDF_BYTES)

    # 1. HR starts the self-evaluation: round and level A.
    login(page, live_url, "hr1", PASSWORD)
    page.goto(live_url("/certification/"))
    page.get_by_test_id("start-self-evaluation").click()
    expect(page.get_by_test_id("create-enterprise")).to_have_text(enterprise.name)
    form = page.get_by_test_id("create-form")
    form.locator("select[name='round']").select_option(str(round_.pk))
    form.locator("select[name='target_level']").select_option("A")
    page.get_by_test_id("create-submit").click()
    app = Application.objects.get(enterprise=enterprise)
    assert (app.round_id, app.target_level.code) == (round_.pk, "A")

    # One step per category: the scores, and the PDF for the item that needs evidence.
    for code, _name, items in FORM:
        expect(page).to_have_url(re.compile(rf"/certification/{app.pk}/self-evaluation/{code}/$"))
        for i_code, _text, _points, needs_evidence in items:
            fieldset = page.get_by_test_id(f"item-{i_code}")
            fieldset.locator("input[name^='item_']").fill(SELF_SCORES[i_code])
            fieldset.locator("textarea[name^='note_']").fill("见附件")
            if needs_evidence:
                fieldset.locator("input[type='file']").set_input_files(str(evidence))
        page.get_by_test_id("save-next").click()
    expect(page).to_have_url(re.compile(r"/self-evaluation/group/$"))
    assert app.evidence.get().original_name == evidence.name
    for code, _name, _items in FORM:
        expect(page.get_by_test_id(f"step-done-{code}")).to_be_visible()

    # The group, first 2 representatives and 2 managers: the live share says the 2/3 is not met.
    share = page.get_by_test_id("group-share")
    fill_member(page, 0, "李工会", "union_rep")
    fill_member(page, 1, "张经理", "management")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("member-row")).to_have_count(4)  # two filled, two empty
    fill_member(page, 2, "王代表", "worker_rep")
    fill_member(page, 3, "赵主管", "management")
    expect(page.get_by_test_id("group-share-text")).to_contain_text("(50%)")
    expect(page.get_by_test_id("group-share-verdict")).to_have_text(zh(gettext_lazy("not met")))
    expect(share).to_have_class(re.compile(r"\balert-warning\b"))
    page.get_by_test_id("save-next").click()

    # The disclosure: posted under 厂务公开 from 20 days ago to yesterday.
    expect(page).to_have_url(re.compile(r"/self-evaluation/disclosure/$"))
    page.get_by_test_id("method-posted").check()
    page.locator("input[name='posted_from']").fill((today - dt.timedelta(days=20)).isoformat())
    page.locator("input[name='posted_to']").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_test_id("save-next").click()

    # Check and submit: the group is the only problem, listed with the rule's source.
    expect(page).to_have_url(re.compile(r"/self-evaluation/submit/$"))
    problems = page.get_by_test_id("submission-problems")
    expect(problems.locator("dt")).to_have_count(1)
    expect(page.get_by_test_id("problem-group")).to_be_visible()
    expect(page.get_by_test_id("problem-messages-group")).to_contain_text(zh(rules.SOURCE_PROGRAMME))
    expect(page.get_by_test_id("problem-messages-group")).to_contain_text("2/3")
    expect(page.get_by_test_id("submit-application")).to_be_disabled()

    # Two more worker representatives: 4 of 6 meets the 2/3, live.
    page.get_by_test_id("step-group").click()
    expect(page.get_by_test_id("member-row")).to_have_count(6)
    fill_member(page, 4, "陈代表", "worker_rep")
    fill_member(page, 5, "刘代表", "union_rep")
    expect(page.get_by_test_id("group-share-text")).to_contain_text("(67%)")
    expect(page.get_by_test_id("group-share-verdict")).to_have_text(zh(gettext_lazy("met")))
    expect(share).to_have_class(re.compile(r"\balert-success\b"))
    page.get_by_test_id("save-next").click()
    expect(page).to_have_url(re.compile(r"/self-evaluation/disclosure/$"))
    expect(page.get_by_test_id("posted-days")).to_contain_text("20")
    page.get_by_test_id("step-submit").click()

    expect(page.get_by_test_id("ready-to-submit")).to_be_visible()
    expect(page.get_by_test_id("submission-problems")).to_have_count(0)
    expect(page.get_by_test_id("self-total")).to_contain_text("94")
    page.get_by_test_id("submit-application").click()
    expect(page).to_have_url(re.compile(rf"/certification/{app.pk}/$"))
    status = page.get_by_test_id("application-status")
    expect(status.get_by_test_id("status-submitted")).to_have_text(zh(Application.Status.SUBMITTED.label))
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    assert app.self_score == Decimal("94")

    # 2. The administrator reviews from the queue, scores each item and proposes.
    page.context.clear_cookies()
    login(page, live_url, "admin1", PASSWORD)
    page.goto(live_url("/certification/"))
    row = page.get_by_test_id("application-row").filter(has_text=enterprise.name)
    expect(row.get_by_test_id("status-submitted")).to_be_visible()
    row.get_by_test_id("application-link").click()
    page.get_by_test_id("action-start_review").click()
    expect(page).to_have_url(re.compile(rf"/certification/{app.pk}/review/$"))
    for i_code, score in REVIEW_SCORES.items():
        page.get_by_test_id(f"review-item-{i_code}").locator("input[name^='item_']").fill(score)
    page.get_by_test_id("save-review-scores").click()
    expect(page.get_by_test_id("reviewed-score")).to_have_text("90.0")
    expect(page.get_by_test_id("level-reached")).to_have_text("A")
    page.get_by_test_id("action-propose").click()
    expect(page).to_have_url(re.compile(rf"/certification/{app.pk}/$"))
    expect(status.get_by_test_id("status-proposed")).to_have_text(zh(Application.Status.PROPOSED.label))
    expect(page.get_by_test_id("proposed-level")).to_contain_text("(A)")

    # 3. ... and publishes the public notice with this application.
    ends_on, _estimated = rules.notice_period(rule_set, today)
    page.get_by_test_id("action-publish").click()
    expect(page.get_by_test_id("notice-preview")).to_contain_text(ends_on.isoformat())
    page.locator(f"input[name='applications'][value='{app.pk}']").check()
    page.get_by_test_id("notice-publish").click()
    expect(page).to_have_url(re.compile(r"/certification/notices/$"))
    expect(page.locator(".alert-success[role='alert']")).to_contain_text(ends_on.isoformat())
    notice_row = page.get_by_test_id("notice-row")
    expect(notice_row).to_have_count(1)
    expect(notice_row.get_by_test_id("notice-period")).to_contain_text(
        f"{today.isoformat()} – {ends_on.isoformat()}"
    )
    notice = PublicNotice.objects.get()
    assert list(notice.applications.values_list("pk", flat=True)) == [app.pk]

    # 4. Anyone sees the enterprise, its USCC and level A on the public notice.
    page.context.clear_cookies()
    page.goto(live_url("/certification/public/notice/"))
    listed = page.get_by_test_id("public-notice").get_by_test_id("notice-row")
    expect(listed).to_have_count(1)
    expect(listed.get_by_test_id("notice-enterprise")).to_have_text(enterprise.name)
    expect(listed.get_by_test_id("notice-uscc")).to_have_text(enterprise.uscc)
    expect(listed.get_by_test_id("notice-level")).to_have_text("A")

    # 5. Time passes: the notice has ended and the daily job certifies the enterprise.
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=1)
    )
    assert services.close_notices() == {"certified": 1, "rejected": 0, "waiting": 0}
    cert = Certificate.objects.select_related("document").get(application=app)
    if cert.document.status != GeneratedDocument.Status.READY:
        render_and_store(cert.document_id)
    document = GeneratedDocument.objects.get(pk=cert.document_id)
    assert document.status == GeneratedDocument.Status.READY
    assert re.fullmatch(r"[0-9a-f]{64}", document.sha256)

    # 6. HR finds the certificate and its number on the application.
    login(page, live_url, "hr1", PASSWORD)
    page.goto(live_url("/certification/"))
    page.get_by_test_id("application-row").filter(has_text=enterprise.name).get_by_test_id(
        "application-link"
    ).click()
    expect(status.get_by_test_id("status-certified")).to_be_visible()
    link = page.get_by_test_id("certificate-link")
    expect(link).to_contain_text(cert.number)
    link.click()
    expect(page.get_by_test_id("certificate-facts")).to_contain_text(cert.number)
    expect(page.get_by_test_id("certificate-state")).to_have_attribute("data-state", "valid")
    expect(page.get_by_test_id("certificate-sha")).to_have_text(document.sha256)

    # 7. Anyone verifies it: valid, the enterprise, the SHA-256 of the issued PDF.
    page.context.clear_cookies()
    page.goto(live_url(f"/verify/{cert.number}"))
    state = page.get_by_test_id("verify-state")
    expect(state).to_have_attribute("data-state", "valid")
    expect(state).to_have_text(zh(VERIFY_LABELS["valid"]))
    expect(page.get_by_test_id("verify-number")).to_have_text(cert.number)
    expect(page.get_by_test_id("verify-enterprise")).to_have_text(enterprise.name)
    expect(page.get_by_test_id("verify-sha256")).to_have_text(document.sha256)
