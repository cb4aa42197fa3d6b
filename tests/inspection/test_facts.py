"""Labour inspection's facts, risk signals and veto candidates (issue 17, apps/inspection/facts.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.inspection import facts
from apps.inspection.models import (
    CreditGrade,
    RectificationOrder,
    SeriousViolation,
    Source,
    WageArrearsListing,
)
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db
_refs = iter(range(1, 10_000))


def today():
    return timezone.localdate()


def days(n):
    return today() - dt.timedelta(days=n)


def order(case, *, issued=10, due=5, result=""):
    return RectificationOrder.objects.create(
        case=case, items=["补发工资"], issued_on=days(issued), due_on=days(-due), result=result
    )


def listing(enterprise, *, listed=30, status=WageArrearsListing.Status.LISTED, removal=""):
    return WageArrearsListing.objects.create(
        enterprise=enterprise,
        listed_on=days(listed),
        decision_reference=f"柳人社拖字〔2026〕{next(_refs)}号",
        expires_on=days(listed) + dt.timedelta(days=3 * 365),
        status=status,
        removal=removal,
    )


def violation(enterprise, *, published=20):
    decided = (published or 0) + 10
    return SeriousViolation.objects.create(
        enterprise=enterprise,
        decided_on=days(decided),
        decision_reference=f"柳人社罚〔2026〕{next(_refs)}号",
        publish_by=days(decided - 20),
        published_on=days(published) if published is not None else None,
        summary="拖欠工资",
    )


def grade(enterprise, year, value):
    return CreditGrade.objects.create(enterprise=enterprise, year=year, grade=value, computed_on=days(5))


def test_facts(ent_a, make_case, english, django_assert_max_num_queries):
    complaint = make_case()
    old = make_case()
    type(old).objects.filter(pk=old.pk).update(received_on=days(400))
    make_case(source=Source.PATROL)  # not a complaint
    order(complaint)
    order(complaint, due=-3)  # past its deadline
    order(complaint, result=RectificationOrder.Result.DONE)  # checked
    current = listing(ent_a)
    violation(ent_a)
    violation(ent_a, published=None)  # decided, not yet published
    violation(ent_a, published=800)  # outside 24 months
    grade(ent_a, 2024, "B")
    grade(ent_a, 2025, "C")
    with django_assert_max_num_queries(1):
        found = {f.code: f for f in facts.enterprise_facts(ent_a, today())}
    assert found["inspection.open_orders"].value == 2
    assert "1 past" in found["inspection.open_orders"].display
    assert found["inspection.arrears_listed"].value is True
    assert found["inspection.arrears_listed"].url == f"/inspection/arrears/{current.pk}/"
    assert "拖欠农民工工资失信联合惩戒对象名单管理暂行办法" in found["inspection.arrears_listed"].source
    assert found["inspection.violations_published"].value == 1
    assert "重大劳动保障违法行为社会公布办法" in found["inspection.violations_published"].source
    assert found["inspection.credit_grade"].value == "C"
    assert found["inspection.complaints"].value == 1
    assert found["inspection.complaints"].permission == "inspection.view_inspectioncase"


def test_facts_of_a_clean_enterprise(ent_b):
    listing(ent_b, status=WageArrearsListing.Status.REMOVED, removal=WageArrearsListing.Removal.EARLY)
    found = {f.code: f.value for f in facts.enterprise_facts(ent_b, today())}
    assert found == {
        "inspection.open_orders": 0,
        "inspection.arrears_listed": False,
        "inspection.violations_published": 0,
        "inspection.credit_grade": None,
        "inspection.complaints": 0,
    }


def test_signals(ent_a, ent_b, make_case, english):
    complaint = make_case()
    make_case(enterprise=ent_b, source=Source.REPORT)
    latest = order(complaint, issued=2)
    order(complaint, issued=20)
    listed = listing(ent_a)
    grade(ent_a, 2024, "A")
    grade(ent_a, 2025, "C")
    grade(ent_b, 2024, "C")
    grade(ent_b, 2025, "B")  # latest is B: no signal
    published = violation(ent_a)
    found = {(s.enterprise_id, s.code): s for s in facts.risk_signals(today())}
    assert set(found) == {
        (ent_a.pk, "inspection.complaint"),
        (ent_a.pk, "inspection.open_order"),
        (ent_a.pk, "inspection.arrears_listed"),
        (ent_a.pk, "inspection.credit_c"),
        (ent_a.pk, "inspection.violation_published"),
    }
    complaint_signal = found[(ent_a.pk, "inspection.complaint")]
    assert complaint_signal.count == 1 and complaint_signal.url == f"/inspection/{complaint.pk}/"
    orders = found[(ent_a.pk, "inspection.open_order")]
    assert orders.count == 2 and orders.ref_id == str(latest.pk) and orders.last_on == days(2)
    assert orders.url == f"/inspection/{complaint.pk}/"
    assert found[(ent_a.pk, "inspection.arrears_listed")].ref_id == str(listed.pk)
    assert found[(ent_a.pk, "inspection.credit_c")].detail == "Credit grade C for 2025"
    assert found[(ent_a.pk, "inspection.violation_published")].ref_id == str(published.pk)
    assert {s.enterprise_id for s in facts.risk_signals(today(), [ent_b.pk])} == set()
    assert len(list(facts.risk_signals(today(), [ent_a.pk]))) == 5


def _queries():
    with CaptureQueriesContext(connection) as ctx:
        list(facts.risk_signals(today()))
    return len(ctx.captured_queries)


def test_signal_queries_do_not_grow_with_enterprises(make_case):
    def add():
        enterprise = EnterpriseFactory()
        order(make_case(enterprise=enterprise))
        listing(enterprise)
        grade(enterprise, 2025, "C")
        violation(enterprise)

    add()
    one = _queries()
    for _i in range(4):
        add()
    assert _queries() == one
    assert len(list(facts.risk_signals(today()))) == 25


def test_veto_candidates(ent_a, ent_b):
    listed = listing(ent_a, listed=100)
    listing(
        ent_b, listed=50, status=WageArrearsListing.Status.REMOVED, removal=WageArrearsListing.Removal.REVOKED
    )  # the decision was revoked: not a candidate
    published = violation(ent_b, published=10)
    violation(ent_b, published=None)  # not published: not yet
    found = list(facts.veto_candidates())
    assert [(c["kind"], c["object_id"]) for c in found] == [
        ("wage_arrears_blacklist", str(listed.pk)),
        ("serious_violation", str(published.pk)),
    ]
    first = found[0]
    assert first["enterprise_id"] == ent_a.pk and first["occurred_on"] == days(100)
    assert first["origin"] == "inspection" and first["object_type"] == "inspection.wagearrearslisting"
    assert listed.decision_reference in first["source"]
    assert found[1]["occurred_on"] == days(10) and found[1]["object_type"] == "inspection.seriousviolation"
    assert [c["kind"] for c in facts.veto_candidates(since=days(20))] == ["serious_violation"]
    assert [c["kind"] for c in facts.veto_candidates(enterprise_ids=[ent_a.pk])] == ["wage_arrears_blacklist"]
