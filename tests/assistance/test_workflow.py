"""The hardship file's lifecycle: threshold, assessment, approval, rejection, yearly review, exit."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.assistance import rules, selectors, services
from apps.assistance.models import HardshipFile, PovertyThreshold
from apps.audit.models import AuditEvent
from apps.contracts.models import Worker
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.personal_data import lookup_hash

from .conftest import TODAY, id_number, p

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_default_threshold_is_policy_data():
    row = selectors.threshold_on(TODAY)
    assert row is not None and row.monthly_income_per_head == Decimal("1000.00")
    assert "全国总工会" in row.source


def test_a_town_threshold_wins_over_the_park(make_file, official_a, ent_a):
    PovertyThreshold.objects.create(
        effective_from=TODAY - dt.timedelta(days=10),
        area=ent_a.town,
        monthly_income_per_head=500,
        source="镇政策",
    )
    file = make_file(size=3, income="1800")  # 600 a head
    file = services.assess(p(official_a), file, assessed_on=TODAY, assessor="王评估")
    assert file.threshold == Decimal("500.00") and file.qualifies is False
    assert file.threshold_source == "镇政策"
    with pytest.raises(DomainError) as exc:
        services.approve(p(official_a), file)
    assert "above the threshold" in str(exc.value) and exc.value.source == "镇政策"
    assert HardshipFile.objects.get(pk=file.pk).status == "assessed"


def test_open_assess_approve(make_file, official_a, ent_a, union_a):
    Worker.objects.create(
        name="张三",
        id_number=id_number(7),
        id_number_hash=lookup_hash(id_number(7)),
        sex="male",
        birth_date=dt.date(1985, 6, 12),
    )
    file = make_file(seed=7, size=4, income="2000")
    assert file.status == "draft" and file.income_per_head == Decimal("500.00")
    assert file.union == union_a and file.worker is not None
    file = services.assess(p(official_a), file, assessed_on=TODAY, assessor="王评估", note="走访核实")
    assert file.status == "assessed" and file.qualifies is True and file.assessor == "王评估"
    file = services.approve(p(official_a), file, approved_on=TODAY)
    assert file.status == "approved" and file.review_due == rules.review_due(TODAY)
    assert [h.action for h in file.history.order_by("at")] == ["create", "assess", "approve"]
    actions = set(AuditEvent.objects.filter(object_id=str(file.pk)).values_list("action", flat=True))
    assert {"assistance.create_hardshipfile", "assistance.assess", "assistance.approve"} <= actions


def test_no_assessment_without_a_threshold(make_file, official_a):
    PovertyThreshold.objects.all().delete()
    file = make_file()
    with pytest.raises(DomainError) as exc:
        services.assess(p(official_a), file, assessed_on=TODAY, assessor="王评估")
    assert exc.value.fields.get("assessed_on")


def test_one_open_file_per_worker(make_file):
    make_file(seed=3)
    with pytest.raises(DomainError) as exc:
        make_file(seed=3)
    assert "id_number" in exc.value.fields


def test_bad_input_is_refused_field_by_field(official_a, ent_a):
    with pytest.raises(DomainError) as exc:
        services.create_file(
            p(official_a),
            enterprise=ent_a,
            name="",
            id_number="123",
            difficulties=[],
            household_size=0,
            household_monthly_income="-1",
        )
    assert set(exc.value.fields) == {
        "name",
        "id_number",
        "difficulties",
        "household_size",
        "household_monthly_income",
    }
    assert not HardshipFile.objects.exists()


def test_reject_needs_a_reason(make_file, official_a):
    file = services.assess(p(official_a), make_file(), assessed_on=TODAY, assessor="王评估")
    with pytest.raises(DomainError):
        services.reject(p(official_a), file, reason="  ")
    file = services.reject(p(official_a), file, reason="收入超标")
    assert file.status == "rejected"
    with pytest.raises(InvalidTransition):
        services.approve(p(official_a), file)


def test_approval_needs_an_assessment(make_file, official_a):
    with pytest.raises(InvalidTransition):
        services.approve(p(official_a), make_file())


def test_yearly_review_moves_the_due_date(approved_file, official_a):
    file = approved_file()
    file = services.review(
        p(official_a), file, reviewed_on=TODAY, household_size=3, household_monthly_income="2400"
    )
    assert file.status == "approved" and file.last_reviewed_on == TODAY
    assert file.income_per_head == Decimal("800.00")
    assert file.review_due > TODAY
    with pytest.raises(DomainError) as exc:
        services.review(p(official_a), file, household_size=1, household_monthly_income="5000")
    assert "close the file" in str(exc.value)


def test_reviews_due_list(approved_file, official_a):
    due = approved_file()
    later = approved_file()
    HardshipFile.objects.filter(pk=due.pk).update(review_due=TODAY - dt.timedelta(days=3))
    listed = list(selectors.reviews_due(p(official_a)))
    assert due in listed and later not in listed
    assert list(selectors.reviews_due(p(official_a), today=TODAY + dt.timedelta(days=370))) == [due, later]


def test_exit_with_reason_and_date(approved_file, official_a):
    file = approved_file()
    with pytest.raises(DomainError):
        services.exit_file(p(official_a), file, reason="")
    file = services.exit_file(p(official_a), file, reason="子女就业，家庭收入提高", exited_on=TODAY)
    assert file.status == "exited" and file.exited_on == TODAY and file.review_due is None
    assert file.exit_reason.startswith("子女就业")
    assert file.history.filter(action="exit", reason__startswith="子女").exists()
    # After the exit a new file may be opened for the same worker.
    assert not selectors.open_file_exists(file.id_number_hash)


def test_hr_and_mediators_may_not_act(make_file, ent_a, ent_hr_a):
    with pytest.raises(NotAllowed):
        make_file(by=ent_hr_a)
