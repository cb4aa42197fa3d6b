"""Patrols (日常巡视检查): the plan's targets (town, industry, credit grade, the watch-list
stand-in) with their due dates (the high-risk interval for C grades and watch-list enterprises),
the record of a visit (every checklist item, the checklist of the policy in force that day),
attachments typed by content and size-limited and served only to those who see the patrol, a
violation turned into a case or a case with an order in one step (idempotent), the phone page and
the query count of the target list."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.roles import ROLE_PERMISSIONS, Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.inspection import rules, services
from apps.inspection.models import (
    Attachment,
    CreditGrade,
    InspectionCase,
    InspectionPolicy,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    RectificationOrder,
    Source,
    default_checklist,
)
from apps.inspection.selectors import patrols as selectors
from tests.conftest import RUN_DAY
from tests.factories import EnterpriseFactory
from tests.perf import queries_of

from .conftest import p

pytestmark = pytest.mark.django_db

TODAY = RUN_DAY
CODES = [row["code"] for row in default_checklist()]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def patroller(inspector):
    """An inspector of ent_a's area: the role carries `inspection.handle_patrol`."""
    return inspector


@pytest.fixture
def far(far_inspector):
    return far_inspector


def all_findings(result="compliant", **overrides):
    return [{"item": code, "result": overrides.get(code, result), "note": ""} for code in CODES]


def patrol_of(enterprise, visited_on, *, status=Patrol.Status.DONE):
    return Patrol.objects.create(
        enterprise=enterprise, status=status, planned_on=visited_on, visited_on=visited_on
    )


def grade(enterprise, year, value):
    return CreditGrade.objects.create(enterprise=enterprise, year=year, grade=value, computed_on=TODAY)


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# Plan targets -----------------------------------------------------------------------------------------


@pytest.fixture
def targets_setup(ent_a, ent_b, patroller):
    """ent_a (industry C, grade A, patrolled 100 days ago), a retailer (industry F), a C-grade
    manufacturer patrolled 100 days ago (A the year before), a manufacturer never patrolled; ent_b
    in another town."""
    town = ent_a.town
    retailer = EnterpriseFactory(town=town, industry="F", name="柳州零售有限公司")
    risky = EnterpriseFactory(town=town, industry="C", name="柳州风险制造有限公司")
    fresh = EnterpriseFactory(town=town, industry="C", name="柳州新设制造有限公司")
    grade(ent_a, TODAY.year - 1, "A")
    grade(risky, TODAY.year - 2, "A")
    grade(risky, TODAY.year - 1, "C")
    patrol_of(ent_a, TODAY - dt.timedelta(days=100))
    patrol_of(risky, TODAY - dt.timedelta(days=100))
    patrol_of(risky, TODAY - dt.timedelta(days=400))
    patrol_of(ent_b, TODAY - dt.timedelta(days=500))
    return {"retailer": retailer, "risky": risky, "fresh": fresh}


def make_plan(principal, **kwargs):
    data = {
        "name": "2026 年日常巡查",
        "starts_on": TODAY - dt.timedelta(days=5),
        "ends_on": TODAY + dt.timedelta(days=200),
    }
    data.update(kwargs)
    return services.create_plan(principal, **data)


def test_plan_targets_by_town_and_industry_with_due_dates(patroller, ent_a, ent_b, targets_setup):
    risky, fresh = targets_setup["risky"], targets_setup["fresh"]
    plan = make_plan(p(patroller), towns=[ent_a.town], industries=["C"])
    rows = list(selectors.plan_targets(p(patroller), plan, TODAY))
    # Due first: the C grade's 90-day interval has run out, the new one is due from the plan's start,
    # ent_a's 365 days have not.
    assert [r.pk for r in rows] == [risky.pk, fresh.pk, ent_a.pk]
    by_pk = {r.pk: r for r in rows}
    assert by_pk[risky.pk].latest_grade == "C" and by_pk[risky.pk].high_risk
    assert by_pk[risky.pk].last_patrol_on == TODAY - dt.timedelta(days=100)
    assert by_pk[risky.pk].next_due_on == TODAY - dt.timedelta(days=10)
    assert selectors.target_state(by_pk[risky.pk], TODAY) == "overdue"
    assert by_pk[fresh.pk].last_patrol_on is None and by_pk[fresh.pk].next_due_on == plan.starts_on
    assert selectors.target_state(by_pk[fresh.pk], TODAY) == "due"
    assert by_pk[ent_a.pk].next_due_on == TODAY + dt.timedelta(days=265)
    assert selectors.target_state(by_pk[ent_a.pk], TODAY) == "later"
    assert ent_b.pk not in by_pk and targets_setup["retailer"].pk not in by_pk


def test_plan_targets_by_grade_and_watch_list_use_the_policy(patroller, ent_a, targets_setup, make_case):
    risky = targets_setup["risky"]
    InspectionPolicy.objects.create(
        effective_from=TODAY - dt.timedelta(days=30),
        patrol_interval_days=200,
        patrol_interval_days_high_risk=30,
    )
    plan = make_plan(p(patroller), credit_grades=["C"])
    assert [r.pk for r in selectors.plan_targets(p(patroller), plan, TODAY)] == [risky.pk]
    # The watch-list stand-in: an open inspection case puts ent_a on it, with the high-risk interval.
    make_case()
    plan = make_plan(p(patroller), credit_grades=["C"], include_watch_list=True)
    rows = {r.pk: r for r in selectors.plan_targets(p(patroller), plan, TODAY)}
    assert set(rows) == {risky.pk, ent_a.pk}
    assert rows[ent_a.pk].on_watch and rows[ent_a.pk].high_risk
    assert rows[ent_a.pk].next_due_on == TODAY - dt.timedelta(days=70)
    assert rows[risky.pk].next_due_on == TODAY - dt.timedelta(days=70)


def test_another_area_sees_none_of_the_plans_targets(patroller, far, ent_a, targets_setup):
    plan = make_plan(p(patroller), towns=[ent_a.town])
    assert not selectors.visible_plans(p(far)).filter(pk=plan.pk).exists()
    assert list(selectors.plan_targets(p(far), plan, TODAY)) == []


def test_create_plan_refuses_bad_input_and_other_areas_towns(patroller, ent_b):
    with pytest.raises(DomainError) as exc:
        services.create_plan(
            p(patroller),
            name="",
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
            towns=[ent_b.town],
            industries=["Q9"],
            credit_grades=["D"],
        )
    assert set(exc.value.fields) == {"name", "ends_on", "towns", "industries", "credit_grades"}
    assert not PatrolPlan.objects.exists()


def test_only_inspectors_and_park_administrators_plan_patrols(client, ent_hr_a, union_official_a, park_admin):
    assert "inspection.handle_patrol" in ROLE_PERMISSIONS[Role.INSPECTOR]
    for user in (ent_hr_a, union_official_a):
        with pytest.raises(NotAllowed):
            make_plan(p(user))
        client.force_login(user)
        assert client.get(reverse("inspection:patrols")).status_code == 403
    assert make_plan(p(park_admin)).created_by == park_admin


# Recording a patrol -----------------------------------------------------------------------------------


def test_record_a_patrol(patroller, ent_a):
    patrol = services.record_patrol(
        p(patroller),
        ent_a,
        visited_on=TODAY,
        findings=all_findings(contracts="violation"),
        summary="抽查 20 份劳动合同",
    )
    assert patrol.status == Patrol.Status.DONE and patrol.visited_on == TODAY
    assert patrol.checklist == default_checklist() and patrol.inspector == patroller
    findings = {f.item: f for f in patrol.findings.all()}
    assert list(findings) == CODES or set(findings) == set(CODES)
    assert findings["contracts"].result == "violation" and findings["contracts"].item_label == "劳动合同订立"
    assert AuditEvent.objects.filter(action="inspection.record_patrol").exists()


def test_the_checklist_is_the_one_in_force_on_the_day_of_the_visit(patroller, ent_a):
    InspectionPolicy.objects.create(
        effective_from=TODAY - dt.timedelta(days=10),
        checklist=[
            {"code": "contracts", "label": "劳动合同"},
            {"code": "safety_training", "label": "岗前培训"},
        ],
    )
    old = services.record_patrol(
        p(patroller), ent_a, visited_on=TODAY - dt.timedelta(days=20), findings=all_findings()
    )
    assert old.findings.count() == len(CODES)
    new = services.record_patrol(
        p(patroller),
        ent_a,
        visited_on=TODAY,
        findings=[
            {"item": "contracts", "result": "compliant"},
            {"item": "safety_training", "result": "not_checked"},
        ],
    )
    assert [row["code"] for row in new.checklist] == ["contracts", "safety_training"]
    assert new.findings.count() == 2


@pytest.mark.parametrize(
    ("findings", "field"),
    [
        (all_findings() + [{"item": "free_lunch", "result": "compliant"}], "findings"),
        (all_findings()[1:], "findings.contracts"),
        ([*all_findings()[:-1], {"item": CODES[-1], "result": "maybe"}], f"findings.{CODES[-1]}"),
        ([*all_findings(), all_findings()[0]], "findings.contracts"),
        ("junk", "findings"),
    ],
    ids=["unknown item", "missing item", "bad result", "twice", "junk"],
)
def test_record_refuses_bad_findings_and_writes_nothing(patroller, ent_a, findings, field):
    with pytest.raises(DomainError) as exc:
        services.record_patrol(p(patroller), ent_a, visited_on=TODAY, findings=findings)
    assert field in exc.value.fields
    assert not Patrol.objects.exists() and not PatrolFinding.objects.exists()


def test_record_refuses_a_future_visit(patroller, ent_a):
    with pytest.raises(DomainError) as exc:
        services.record_patrol(
            p(patroller), ent_a, visited_on=TODAY + dt.timedelta(days=1), findings=all_findings()
        )
    assert "visited_on" in exc.value.fields
    assert not Patrol.objects.exists()


def test_record_outside_the_inspectors_area(client, patroller, ent_b):
    with pytest.raises(NotAllowed):
        services.record_patrol(p(patroller), ent_b, visited_on=TODAY, findings=all_findings())
    client.force_login(patroller)
    url = reverse("inspection:patrol_create")
    assert client.get(url, {"enterprise": ent_b.pk}).status_code == 404
    assert client.get(url, {"enterprise": "junk"}).status_code == 404
    assert not Patrol.objects.exists()


def test_record_completes_the_planned_patrol(patroller, ent_a):
    plan = make_plan(p(patroller))
    planned = Patrol.objects.create(enterprise=ent_a, plan=plan, planned_on=TODAY)
    patrol = services.record_patrol(p(patroller), ent_a, visited_on=TODAY, findings=all_findings(), plan=plan)
    assert patrol.pk == planned.pk and Patrol.objects.count() == 1
    with pytest.raises(DomainError) as exc:
        services.record_patrol(
            p(patroller), ent_a, visited_on=TODAY - dt.timedelta(days=30), findings=all_findings(), plan=plan
        )
    assert "visited_on" in exc.value.fields


# Attachments ------------------------------------------------------------------------------------------


@pytest.fixture
def violation(patroller, ent_a):
    patrol = services.record_patrol(
        p(patroller),
        ent_a,
        visited_on=TODAY,
        findings=all_findings(wages_on_time="violation"),
    )
    finding = patrol.findings.get(item="wages_on_time")
    PatrolFinding.objects.filter(pk=finding.pk).update(note="8 月工资推迟到 9 月 25 日发放")
    finding.refresh_from_db()
    return finding


def test_attachment_typed_by_content_and_size_limited(patroller, violation, monkeypatch):
    photo = services.add_attachment(p(patroller), violation, upload("工资表.jpg", JPEG))
    assert photo.content_type == "image/jpeg" and photo.size == len(JPEG) and len(photo.sha256) == 64
    assert services.add_attachment(p(patroller), violation, upload("记录.pdf", PDF, "application/pdf"))
    with pytest.raises(DomainError) as exc:
        services.add_attachment(p(patroller), violation, upload("现场.jpg", b"just some text, not a photo"))
    assert "file" in exc.value.fields
    monkeypatch.setattr(rules, "PATROL_ATTACHMENT_MAX_BYTES", 100)
    with pytest.raises(DomainError) as exc:
        services.add_attachment(p(patroller), violation, upload("大图.jpg", JPEG))
    assert "file" in exc.value.fields
    assert Attachment.objects.count() == 2


def test_download_is_scoped(client, patroller, far, violation, ent_hr_a, park_admin):
    photo = services.add_attachment(p(patroller), violation, upload("工资表.jpg", JPEG))
    url = reverse("inspection:patrol_attachment", args=[photo.pk])
    assert not url.startswith("/media/")
    client.force_login(patroller)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == JPEG
    assert response["Content-Disposition"].startswith("attachment")
    for other in (far, ent_hr_a):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(park_admin)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_attachment_page_refuses_a_fake_photo(client, patroller, violation):
    client.force_login(patroller)
    url = reverse("inspection:patrol_attachment_add", args=[violation.pk])
    response = client.post(url, {"file": upload("现场.jpg", b"text pretending to be a photo")}, follow=True)
    assert response.status_code == 200 and not Attachment.objects.exists()
    response = client.post(url, {"file": upload("现场.jpg", JPEG)})
    assert response.status_code == 302 and Attachment.objects.count() == 1


# A finding turned into a case --------------------------------------------------------------------------


def test_finding_to_case_in_one_step_and_idempotent(patroller, violation):
    case = services.finding_to_case(p(patroller), violation)
    assert case.source == Source.PATROL and case.status == InspectionCase.Status.RECEIVED
    assert case.matters == ["wage_arrears"] and case.enterprise == violation.patrol.enterprise
    assert "8 月工资推迟" in case.facts
    violation.refresh_from_db()
    assert violation.case == case
    again = services.finding_to_case(p(patroller), violation)
    assert again.pk == case.pk and InspectionCase.objects.count() == 1


def test_finding_to_case_with_an_order(patroller, violation):
    due = TODAY + dt.timedelta(days=15)
    case = services.finding_to_case(
        p(patroller), violation, with_order=True, items=["补发 8 月工资", "按月足额支付"], order_due_on=due
    )
    assert case.status == InspectionCase.Status.DECIDED
    assert case.decision == InspectionCase.Decision.ORDER_TO_RECTIFY and case.accepted_on == TODAY
    order = RectificationOrder.objects.get(case=case)
    assert order.items == ["补发 8 月工资", "按月足额支付"] and order.due_on == due
    assert [h.action for h in case.history.order_by("at")] == [
        "receive",
        "accept",
        "start_investigation",
        "decide_order",
    ]
    assert services.finding_to_case(p(patroller), violation, with_order=True).pk == case.pk


def test_finding_to_case_with_a_bad_order_writes_nothing(patroller, violation):
    with pytest.raises(DomainError) as exc:
        services.finding_to_case(p(patroller), violation, with_order=True, items=[], order_due_on=TODAY)
    assert {"items", "order_due_on"} <= set(exc.value.fields)
    violation.refresh_from_db()
    assert violation.case is None and not InspectionCase.objects.exists()


def test_only_a_violation_becomes_a_case_and_only_in_scope(patroller, far, violation):
    compliant = violation.patrol.findings.get(item="contracts")
    with pytest.raises(DomainError):
        services.finding_to_case(p(patroller), compliant)
    with pytest.raises(NotAllowed):
        services.finding_to_case(p(far), violation)
    assert not InspectionCase.objects.exists()


def test_finding_case_pages(client, patroller, far, violation):
    client.force_login(far)
    url = reverse("inspection:patrol_finding_case", args=[violation.pk])
    assert client.post(url).status_code == 404
    client.force_login(patroller)
    page = client.get(reverse("inspection:patrol", args=[violation.patrol_id])).content.decode()
    assert 'data-testid="to-case"' in page and 'data-testid="to-case-order"' in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"with_order": "True", "items": "", "order_due_on": "2026-99-99"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not InspectionCase.objects.exists()
    due = (TODAY + dt.timedelta(days=10)).isoformat()
    response = client.post(
        url, {"with_order": "True", "items": "补发工资\n建立工资台账", "order_due_on": due}
    )
    case = InspectionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspection:detail", args=[case.pk]
    )
    assert case.orders.get().items == ["补发工资", "建立工资台账"]
    assert client.post(url).status_code == 302 and InspectionCase.objects.count() == 1


# Pages -------------------------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def test_the_phone_page_renders_without_inline_script_or_style(client, patroller, ent_a):
    client.force_login(patroller)
    html = client.get(reverse("inspection:patrol_create"), {"enterprise": ent_a.pk}).content.decode()
    assert html.count('data-testid="checklist-card"') == len(CODES)
    assert 'accept="image/*"' in html and "capture=" in html and 'type="radio"' in html
    assert 'name="viewport"' in html
    assert not INLINE_SCRIPT.search(html) and " style=" not in html


def test_record_page_saves_findings_and_photos_all_or_nothing(client, patroller, ent_a):
    client.force_login(patroller)
    url = reverse("inspection:patrol_create")
    data = {"enterprise": str(ent_a.pk), "visited_on": TODAY.isoformat(), "summary": "例行巡查"}
    data.update({f"result_{code}": "compliant" for code in CODES})
    data["result_hours_overtime"] = "violation"
    data["note_hours_overtime"] = "车间排班表显示每日工作 11 小时"
    # A "photo" that is text: nothing at all is saved, the page says why.
    bad = dict(data, photo_hours_overtime=upload("排班.jpg", b"not an image"))
    response = client.post(url, bad)
    assert response.status_code == 200 and not Patrol.objects.exists()
    # A missing item: the card shows the error.
    missing = {k: v for k, v in data.items() if k != "result_contracts"}
    response = client.post(url, missing)
    assert 'data-testid="error-contracts"' in response.content.decode() and not Patrol.objects.exists()
    response = client.post(url, dict(data, photo_hours_overtime=upload("排班.jpg", JPEG)))
    patrol = Patrol.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspection:patrol", args=[patrol.pk]
    )
    finding = patrol.findings.get(item="hours_overtime")
    assert finding.result == "violation" and finding.attachments.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "车间排班表" in page and 'data-testid="attachment-link"' in page


def test_plan_pages(client, patroller, far, ent_a, targets_setup):
    client.force_login(patroller)
    response = client.post(
        reverse("inspection:patrol_plan_create"),
        {"name": "", "starts_on": TODAY.isoformat(), "ends_on": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not PatrolPlan.objects.exists()
    response = client.post(
        reverse("inspection:patrol_plan_create"),
        {
            "name": "柳东 C 类企业",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=90)).isoformat(),
            "towns": [str(ent_a.town_id)],
            "industries": ["C"],
        },
    )
    plan = PatrolPlan.objects.get()
    assert response.status_code == 302 and list(plan.towns.all()) == [ent_a.town]
    page = client.get(reverse("inspection:patrol_plan", args=[plan.pk])).content.decode()
    assert page.count('data-testid="target-row"') == 3 and 'data-state="overdue"' in page
    assert "柳东 C 类企业" in client.get(reverse("inspection:patrols")).content.decode()
    assert client.get(reverse("inspection:patrols"), {"view": "patrols", "page": "x"}).status_code == 200
    client.force_login(far)
    assert client.get(reverse("inspection:patrol_plan", args=[plan.pk])).status_code == 404


def test_patrol_pages_are_scoped(client, patroller, far, violation, ent_hr_a):
    url = reverse("inspection:patrol", args=[violation.patrol_id])
    client.force_login(far)
    assert client.get(url).status_code == 404
    client.force_login(ent_hr_a)
    assert client.get(url).status_code in (403, 404)
    client.force_login(patroller)
    assert client.get(url).status_code == 200


def test_no_query_per_row_on_the_plan_target_list(client, patroller, ent_a):
    plan = make_plan(p(patroller), towns=[ent_a.town])
    client.force_login(patroller)
    url = reverse("inspection:patrol_plan", args=[plan.pk])
    queries_of(client, url)  # the session and the permissions are cached by the first request
    few = queries_of(client, url)
    for n in range(8):
        ent = EnterpriseFactory(town=ent_a.town, industry="C")
        grade(ent, TODAY.year - 1, "C" if n % 2 else "A")
        patrol_of(ent, TODAY - dt.timedelta(days=30 * n))
    assert queries_of(client, url) == few
    assert client.get(url).content.decode().count('data-testid="target-row"') == 9
