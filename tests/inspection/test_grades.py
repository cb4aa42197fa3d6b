"""The yearly credit grade: A/B/C from the platform's records with the policy's rule, the facts
kept with their record and date, idempotent, a constant number of queries whatever the number of
enterprises, a rule change in the policy changing the grade, the daily job, the scoped selector."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.principal import SYSTEM
from apps.inspection import services
from apps.inspection.models import CreditGrade, InspectionPolicy
from apps.inspection.selectors import arrears as arrears_selectors
from tests.factories import EnterpriseFactory

from .conftest import p, travel

pytestmark = pytest.mark.django_db

D = dt.date
MARCH_2 = D(2026, 3, 2)
YEAR_END = D(2026, 12, 31)


def decided(make_case, enterprise, action, **extra):
    case = make_case(enterprise=enterprise)
    services.accept(SYSTEM, case)
    services.start_investigation(SYSTEM, case)
    case.refresh_from_db()
    return services.decide(SYSTEM, case, action, note="柳人社监罚〔2026〕3号", **extra)


def grade_of(enterprise, year=2026) -> CreditGrade:
    return CreditGrade.objects.get(enterprise=enterprise, year=year)


@pytest.fixture
def records(make_case, ent_a, ent_b, park_admin, monkeypatch):
    """ent_a: a penalty recorded on Mar 2; ent_b: an order to rectify issued on Mar 2; ent_c:
    nothing."""
    travel(monkeypatch, MARCH_2)
    penalty = decided(make_case, ent_a, "decide_penalty")
    ordered = decided(make_case, ent_b, "decide_order", items=["补发工资"], order_due_on=D(2026, 3, 31))
    ent_c = EnterpriseFactory(name="柳州丙电子有限公司")
    return {"penalty": penalty, "ordered": ordered, "ent_c": ent_c}


def test_grades_a_b_c_from_the_records_with_their_facts(records, ent_a, ent_b):
    written = services.compute_credit_grades(2026, YEAR_END)
    assert written == CreditGrade.objects.filter(year=2026).count() >= 3
    a, b, c = grade_of(ent_a), grade_of(ent_b), grade_of(records["ent_c"])
    assert (a.grade, b.grade, c.grade) == ("C", "B", "A")
    assert [(f["code"], f["record"], f["on"]) for f in a.facts] == [
        ("penalty_recorded", records["penalty"].serial, "2026-03-02")
    ]
    assert a.facts[0]["label"]
    order = records["ordered"].orders.get()
    assert [(f["code"], f["record"], f["on"]) for f in b.facts] == [
        ("order_to_rectify", order.reference or records["ordered"].serial, "2026-03-02")
    ]
    assert c.facts == [] and c.computed_on == YEAR_END and c.policy is None  # the defaults: no policy row


def test_computing_again_changes_nothing_and_follows_new_records(records, ent_b, monkeypatch):
    first = services.compute_credit_grades(2026, YEAR_END)
    before = dict(CreditGrade.objects.values_list("enterprise_id", "grade"))
    assert services.compute_credit_grades(2026, YEAR_END) == first
    assert dict(CreditGrade.objects.values_list("enterprise_id", "grade")) == before
    assert CreditGrade.objects.count() == first
    # The order is found not carried out at the follow-up: C, with both facts kept.
    travel(monkeypatch, D(2026, 4, 2))
    case = records["ordered"]
    services.start_follow_up(SYSTEM, case)
    services.record_follow_up(SYSTEM, case.orders.get(), result="not_done", escalation="interview_proposed")
    services.compute_credit_grades(2026, YEAR_END)
    grade = grade_of(ent_b)
    assert grade.grade == "C"
    assert {f["code"] for f in grade.facts} == {"order_to_rectify", "order_not_rectified"}


def test_the_facts_of_another_year_do_not_count(records, ent_a):
    services.compute_credit_grades(2025, D(2025, 12, 31))
    assert grade_of(ent_a, 2025).grade == "A" and grade_of(ent_a, 2025).facts == []


def test_listing_and_publication_give_c(park_admin, ent_a, ent_b, monkeypatch):
    travel(monkeypatch, D(2026, 11, 2))
    services.list_wage_arrears(
        p(park_admin), enterprise=ent_a, listed_on=D(2025, 6, 1), decision_reference="柳人社失信〔2025〕2号"
    )
    services.record_serious_violation(
        p(park_admin),
        enterprise=ent_b,
        decided_on=D(2026, 9, 25),
        decision_reference="柳人社监罚〔2026〕7号",
        summary="拖欠工资",
        published_on=D(2026, 10, 20),
    )
    services.compute_credit_grades(2026, YEAR_END)
    # Listed in 2025 and still on the list in 2026: a fact of 2026 too.
    a, b = grade_of(ent_a), grade_of(ent_b)
    assert a.grade == b.grade == "C"
    assert [(f["code"], f["record"], f["on"]) for f in a.facts] == [
        ("wage_arrears_listed", "柳人社失信〔2025〕2号", "2025-06-01")
    ]
    assert [(f["code"], f["record"], f["on"]) for f in b.facts] == [
        ("serious_violation_published", "柳人社监罚〔2026〕7号", "2026-10-20")
    ]


def test_a_rule_change_in_the_policy_changes_the_grade(park_admin, ent_a, monkeypatch):
    travel(monkeypatch, D(2026, 11, 2))
    services.list_wage_arrears(
        p(park_admin), enterprise=ent_a, listed_on=D(2026, 6, 1), decision_reference="柳人社失信〔2026〕5号"
    )
    services.compute_credit_grades(2026, YEAR_END)
    assert grade_of(ent_a).grade == "C"
    policy = InspectionPolicy.objects.create(
        effective_from=D(2026, 1, 1),
        credit_rule={
            "grades": [["C", ["penalty_recorded"]], ["B", ["wage_arrears_listed", "order_to_rectify"]]],
            "default": "A",
        },
    )
    services.compute_credit_grades(2026, YEAR_END)
    grade = grade_of(ent_a)
    assert (grade.grade, grade.policy) == ("B", policy)
    assert grade.facts[0]["code"] == "wage_arrears_listed"  # the same facts, another rule


def _queries(year: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        services.compute_credit_grades(year, YEAR_END)
    return len(ctx.captured_queries)


def test_the_queries_do_not_grow_with_the_enterprises(records, make_case):
    few = _queries(2026)
    for _ in range(15):
        make_case(enterprise=EnterpriseFactory())
    EnterpriseFactory.create_batch(10)
    assert _queries(2026) == few <= 12


def test_the_daily_job_grades_the_current_year(records, ent_a, monkeypatch):
    travel(monkeypatch, D(2026, 6, 1))
    done = services.daily(D(2026, 6, 1))
    assert done["credit_grades"] >= 3
    assert grade_of(ent_a).grade == "C" and grade_of(ent_a).computed_on == D(2026, 6, 1)


def test_an_enterprises_grades_are_scoped(records, ent_a, inspector, far_inspector, ent_hr_a, ent_hr_b):
    services.compute_credit_grades(2026, YEAR_END)
    assert [g.grade for g in arrears_selectors.credit_grades_of(p(inspector), ent_a)] == ["C"]
    assert [g.grade for g in arrears_selectors.credit_grades_of(p(ent_hr_a), ent_a)] == ["C"]
    assert not arrears_selectors.credit_grades_of(p(far_inspector), ent_a).exists()
    assert not arrears_selectors.credit_grades_of(p(ent_hr_b), ent_a).exists()
