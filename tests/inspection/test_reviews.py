"""The written review (书面审查, 劳动保障监察条例 art. 14): the yearly report prefilled from the
yearly survey and the contract book, the HR's changes marked, every figure checked (a refusal
writes nothing), submit only when complete, the accept / return table, scoping (another
enterprise's HR, another area's inspector: 404), the missing list with a due day moved past a
holiday, weekly reminders and a report turned into a case."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.contracts.models import LabourContract
from apps.contracts.models import Worker as ContractWorker
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.personal_data import lookup_hash
from apps.inspection import rules, services
from apps.inspection.models import (
    InspectionCase,
    InspectionPolicy,
    Source,
    WrittenReview,
    WrittenReviewHistory,
)
from apps.inspection.selectors import reviews as selectors
from apps.inspection.workflow import WRITTEN_REVIEW_WORKFLOW
from apps.notifications.models import Notification
from tests.factories import SurveyFactory

from .conftest import p, travel, valid_id_number

pytestmark = pytest.mark.django_db

WR = WrittenReview.Status
YEAR = 2025
FULL = {
    "headcount": "120",
    "contracts_signed": "118",
    "wages_paid_on_time": "yes",
    "lowest_monthly_wage": "2300.00",
    "average_weekly_hours": "42.5",
    "social_insurance_insured": "115",
}


@pytest.fixture(autouse=True)
def _in_2026(monkeypatch):
    """The report of 2025 is filed in 2026 (due 31 May, a Sunday: 1 June)."""
    travel(monkeypatch, dt.date(2026, 3, 2))


def contract(enterprise, n, *, start, end=None, terminated_on=None, status="in_force", **extra):
    number = valid_id_number(n)
    worker = ContractWorker.objects.create(
        name=f"工人{n}",
        id_number=number,
        id_number_hash=lookup_hash(number),
        sex="male",
        birth_date=dt.date(1990, 3, 7),
    )
    extra.setdefault("kind", "open_ended" if end is None else "fixed_term")
    return LabourContract.objects.create(
        enterprise=enterprise,
        worker=worker,
        employment_start=start,
        start=start,
        end=end,
        terminated_on=terminated_on,
        status=status,
        job="装配工",
        signed_on=start,
        **extra,
    )


@pytest.fixture
def book(ent_a):
    """ent_a's contract book on 31 December 2025: three workers under contract (one part-time),
    two of them with social insurance; the lowest full-time monthly pay is 2100."""
    contract(ent_a, 1, start=dt.date(2024, 1, 1), monthly_pay=Decimal("3000"), social_insurance=True)
    contract(
        ent_a,
        2,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 12, 31),
        status="expired",
        monthly_pay=Decimal("2100"),
        social_insurance=False,
    )
    contract(
        ent_a,
        3,
        start=dt.date(2025, 1, 1),
        terminated_on=dt.date(2025, 6, 30),
        status="terminated",
        monthly_pay=Decimal("1500"),
    )
    contract(ent_a, 4, start=dt.date(2026, 1, 5), monthly_pay=Decimal("1000"))
    contract(ent_a, 5, start=dt.date(2025, 5, 1), kind="part_time", monthly_pay=Decimal("800"))


@pytest.fixture
def survey(ent_a):
    return SurveyFactory(enterprise=ent_a, year=YEAR, employees=120, contract_signing_rate=Decimal("90"))


@pytest.fixture
def review(ent_a, ent_hr_a, survey, book):
    return services.start_written_review(p(ent_hr_a), ent_a, YEAR)


def submitted(review, hr):
    services.save_written_review(p(hr), review, FULL)
    return services.submit_written_review(p(hr), review)


# The due day -----------------------------------------------------------------------------------------------


def test_due_day_from_the_policy_moves_past_a_rest_day_or_holiday():
    defaults = InspectionPolicy(effective_from=dt.date(2000, 1, 1))
    # 31 May 2026 is a Sunday: the last day is Monday 1 June (Civil Code art. 203).
    assert rules.written_review_due(YEAR, defaults).date == dt.date(2026, 6, 1)
    # 1 May 2026 is Labour Day (1-5 May): Wednesday 6 May.
    may_day = InspectionPolicy(
        effective_from=dt.date(2000, 1, 1), written_review_due_month=5, written_review_due_day=1
    )
    assert rules.written_review_due(YEAR, may_day).date == dt.date(2026, 5, 6)
    # A day the month does not have is its last day (30 April, a working day).
    april = InspectionPolicy(
        effective_from=dt.date(2000, 1, 1), written_review_due_month=4, written_review_due_day=31
    )
    assert rules.written_review_due(YEAR, april).date == dt.date(2026, 4, 30)


# The prefill -----------------------------------------------------------------------------------------------


def test_prefill_from_the_survey_and_the_contract_book(review):
    assert review.status == WR.DRAFT and review.due_on == dt.date(2026, 6, 1)
    assert review.headcount == 120 and review.prefill["headcount"]["source"] == "survey"
    # Workers 1, 2 (ends on 31 December) and 5 (part-time); not 3 (terminated) nor 4 (2026).
    assert review.contracts_signed == 3 and review.prefill["contracts_signed"]["source"] == "contract_book"
    assert review.social_insurance_insured == 2
    # The lowest full-time pay in force on 31 December (the part-time 800 does not count).
    assert review.lowest_monthly_wage == Decimal("2100.00")
    assert review.wages_paid_on_time is None and review.average_weekly_hours is None
    assert "wages_paid_on_time" not in review.prefill and review.changed == []
    for entry in review.prefill.values():
        assert selectors.source_label(entry)
    assert "2025" in selectors.source_label(review.prefill["headcount"])
    assert "2025-12-31" in selectors.source_label(review.prefill["contracts_signed"])


def test_prefill_falls_back_to_the_registry_and_the_survey_signing_rate(ent_a, ent_b):
    SurveyFactory(enterprise=ent_b, year=YEAR, employees=50, contract_signing_rate=Decimal("90"))
    prefill = selectors.prefill_for(ent_b, YEAR)
    assert prefill["contracts_signed"] == {
        "value": 45,
        "source": "survey_signing_rate",
        "detail": {"year": YEAR, "rate": "90.00"},
    }
    assert "lowest_monthly_wage" not in prefill
    # No survey for the year: the registry's current employees, said so.
    prefill = selectors.prefill_for(ent_a, YEAR)
    assert prefill == {"headcount": {"value": ent_a.employees, "source": "registry", "detail": {}}}


# Start -----------------------------------------------------------------------------------------------------


def test_start_is_idempotent_and_open_to_the_hr_and_the_areas_inspector(
    review, ent_a, ent_hr_a, ent_hr_b, inspector, far_inspector
):
    assert services.start_written_review(p(ent_hr_a), ent_a, "2025") == review
    assert services.start_written_review(p(inspector), ent_a, YEAR) == review
    assert WrittenReview.objects.count() == 1
    assert WrittenReviewHistory.objects.filter(subject=review, action="start").count() == 1
    for outsider in (ent_hr_b, far_inspector):
        with pytest.raises(NotAllowed):
            services.start_written_review(p(outsider), ent_a, 2024)
    for year in ("2026", "1999", "junk", None):
        with pytest.raises(DomainError) as refused:
            services.start_written_review(p(ent_hr_a), ent_a, year)
        assert "year" in refused.value.fields
    assert WrittenReview.objects.count() == 1


# Save: the changes marked, every refusal ---------------------------------------------------------------------


def test_changes_from_the_platforms_values_are_marked(review, ent_hr_a):
    review = services.save_written_review(p(ent_hr_a), review, {**FULL, "contracts_signed": "3"})
    assert review.headcount == 120 and review.lowest_monthly_wage == Decimal("2300.00")
    assert review.changed == ["lowest_monthly_wage", "social_insurance_insured"]
    assert review.wages_paid_on_time is True and review.average_weekly_hours == Decimal("42.5")
    # Back to the platform's value: no longer marked. A field left out keeps its value.
    review = services.save_written_review(p(ent_hr_a), review, {"lowest_monthly_wage": "2100"})
    assert review.changed == ["social_insurance_insured"] and review.headcount == 120
    assert AuditEvent.objects.filter(action="inspection.save_written_review").count() == 2


@pytest.mark.parametrize(
    "data,field",
    [
        ({"headcount": "-1"}, "headcount"),
        ({"headcount": "abc"}, "headcount"),
        ({"headcount": "1.5"}, "headcount"),
        ({"headcount": True}, "headcount"),
        ({"headcount": "99999999"}, "headcount"),
        ({"contracts_signed": "-3"}, "contracts_signed"),
        ({"contracts_signed": "121"}, "contracts_signed"),
        ({"headcount": "2"}, "contracts_signed"),
        ({"social_insurance_insured": "121"}, "social_insurance_insured"),
        ({"social_insurance_insured": "x"}, "social_insurance_insured"),
        ({"average_weekly_hours": "84.1"}, "average_weekly_hours"),
        ({"average_weekly_hours": "-1"}, "average_weekly_hours"),
        ({"average_weekly_hours": "Infinity"}, "average_weekly_hours"),
        ({"lowest_monthly_wage": "-0.01"}, "lowest_monthly_wage"),
        ({"lowest_monthly_wage": "NaN"}, "lowest_monthly_wage"),
        ({"lowest_monthly_wage": "1e12"}, "lowest_monthly_wage"),
        ({"wages_paid_on_time": "maybe"}, "wages_paid_on_time"),
    ],
)
def test_every_bad_figure_is_refused_on_its_field_and_nothing_is_written(review, ent_hr_a, data, field):
    before = {f: getattr(review, f) for f in rules.WRITTEN_REVIEW_FIELDS}
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.save_written_review(p(ent_hr_a), review, {**data, "note": "不应写入"})
    assert field in refused.value.fields
    review.refresh_from_db()
    assert {f: getattr(review, f) for f in rules.WRITTEN_REVIEW_FIELDS} == before
    assert review.note == "" and AuditEvent.objects.count() == events


def test_hours_bounds_are_inclusive(review, ent_hr_a):
    for hours in ("0", "84"):
        review = services.save_written_review(p(ent_hr_a), review, {"average_weekly_hours": hours})
        assert review.average_weekly_hours == Decimal(hours)


def test_only_the_enterprises_hr_save_and_only_a_draft_or_returned_report(
    review, ent_hr_b, inspector, ent_hr_a
):
    for other in (ent_hr_b, inspector):
        with pytest.raises(NotAllowed):
            services.save_written_review(p(other), review, {"headcount": "1"})
    submitted(review, ent_hr_a)
    with pytest.raises(InvalidTransition):
        services.save_written_review(p(ent_hr_a), review, {"headcount": "119"})
    review.refresh_from_db()
    assert review.headcount == 120


# Submit, accept, return ------------------------------------------------------------------------------------


def test_an_incomplete_report_is_not_submitted(review, ent_hr_a, inspector):
    with pytest.raises(InvalidTransition) as refused:
        services.submit_written_review(p(ent_hr_a), review)
    assert str(WrittenReview._meta.get_field("average_weekly_hours").verbose_name) in str(refused.value)
    review.refresh_from_db()
    assert review.status == WR.DRAFT and review.submitted_on is None
    review = submitted(review, ent_hr_a)
    assert review.status == WR.SUBMITTED and review.submitted_on == dt.date(2026, 3, 2)
    assert review.submitted_by == ent_hr_a
    assert Notification.objects.filter(recipient=inspector, link__contains=str(review.pk)).exists()


@pytest.mark.parametrize(
    "status,allowed",
    [
        (WR.DRAFT, set()),
        (WR.SUBMITTED, {"accept", "return"}),
        (WR.RETURNED, set()),
        (WR.ACCEPTED, set()),
    ],
)
def test_the_inspectors_actions_by_status(review, inspector, status, allowed):
    WrittenReview.objects.filter(pk=review.pk).update(status=status)
    review.refresh_from_db()
    assert {t.action for t in selectors.available_actions(review, p(inspector))} == allowed


@pytest.mark.parametrize(
    "status,allowed",
    [(WR.DRAFT, {"submit"}), (WR.RETURNED, {"submit"}), (WR.SUBMITTED, set()), (WR.ACCEPTED, set())],
)
def test_the_hrs_actions_by_status(review, ent_hr_a, status, allowed):
    services.save_written_review(p(ent_hr_a), review, FULL)
    WrittenReview.objects.filter(pk=review.pk).update(status=status)
    review.refresh_from_db()
    assert {t.action for t in WRITTEN_REVIEW_WORKFLOW.available(review, p(ent_hr_a))} == allowed


def test_return_then_correct_resubmit_and_accept(review, ent_hr_a, inspector, far_inspector):
    review = submitted(review, ent_hr_a)
    with pytest.raises(NotAllowed):
        services.accept_written_review(p(ent_hr_a), review)
    with pytest.raises(NotAllowed):
        services.accept_written_review(p(far_inspector), review)
    with pytest.raises(DomainError) as refused:
        services.return_written_review(p(inspector), review, reason="  ")
    assert "reason" in refused.value.fields
    review = services.return_written_review(p(inspector), review, reason="参保人数与社保记录不符")
    assert review.status == WR.RETURNED and review.return_reason == "参保人数与社保记录不符"
    assert Notification.objects.filter(recipient=ent_hr_a, body__contains="参保人数").exists()
    services.save_written_review(p(ent_hr_a), review, {"social_insurance_insured": "110"})
    review = services.submit_written_review(p(ent_hr_a), review)
    assert review.status == WR.SUBMITTED and review.return_reason == ""
    review = services.accept_written_review(p(inspector), review)
    assert review.status == WR.ACCEPTED and review.reviewed_by == inspector
    with pytest.raises(InvalidTransition):
        services.accept_written_review(p(inspector), review)
    actions = list(
        WrittenReviewHistory.objects.filter(subject=review).order_by("at").values_list("action", flat=True)
    )
    assert actions == ["start", "submit", "return", "submit", "accept"]


# Scoping in the pages --------------------------------------------------------------------------------------


def test_pages_are_scoped_to_the_enterprise_and_the_area(
    client, review, ent_hr_a, ent_hr_b, inspector, far_inspector
):
    url = reverse("inspection:review_detail", args=[review.pk])
    for outsider in (ent_hr_b, far_inspector):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, FULL).status_code == 404
        listing = client.get(reverse("inspection:reviews")).content.decode()
        assert url not in listing
    client.force_login(far_inspector)
    assert client.post(reverse("inspection:review_accept", args=[review.pk])).status_code == 404
    client.force_login(inspector)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="review-form"' not in page.content.decode()
    # The inspector reads but does not fill in the enterprise's report.
    assert client.post(url, FULL).status_code == 403
    client.force_login(ent_hr_a)
    assert 'data-testid="review-form"' in client.get(url).content.decode()
    # HR do not review (the permission), nor see the missing list.
    assert client.post(reverse("inspection:review_accept", args=[review.pk])).status_code == 403
    assert client.get(reverse("inspection:reviews_missing")).status_code == 403


def test_hr_journey_start_fill_in_and_submit(client, ent_a, ent_hr_a, survey, book):
    client.force_login(ent_hr_a)
    page = client.get(reverse("inspection:reviews")).content.decode()
    assert 'data-testid="start-review"' in page
    response = client.post(reverse("inspection:review_start"), {"year": str(YEAR)})
    review = WrittenReview.objects.get(enterprise=ent_a, year=YEAR)
    url = reverse("inspection:review_detail", args=[review.pk])
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert 'data-testid="prefill-headcount"' in page and 'data-prefill="120"' in page
    assert 'data-testid="changed-headcount"' in page and "d-none" in page
    # Junk: a field error, nothing written.
    response = client.post(url, {**FULL, "headcount": "-5", "save": "1"})
    assert response.status_code == 200 and 'data-testid="error-headcount"' in response.content.decode()
    review.refresh_from_db()
    assert review.average_weekly_hours is None
    # Saved with a change: the mark shows.
    response = client.post(url, {**FULL, "headcount": "125", "save": "1"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'class="badge text-bg-warning" data-changed-for="headcount"' in page
    response = client.post(url, {**FULL, "headcount": "125", "submit": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == WR.SUBMITTED and review.changed[0] == "headcount"
    # Submitted: read-only for the HR, the change still marked.
    page = client.get(url).content.decode()
    assert 'data-testid="review-form"' not in page and 'data-testid="changed-headcount"' in page


def test_inspector_list_filters_and_junk(client, review, ent_hr_a, inspector):
    submitted(review, ent_hr_a)
    client.force_login(inspector)
    url = reverse("inspection:reviews")
    assert str(review.pk) in client.get(url, {"year": YEAR, "status": "submitted"}).content.decode()
    assert str(review.pk) not in client.get(url, {"status": "accepted"}).content.decode()
    for junk in ({"year": "x"}, {"status": "nope", "page": "-1"}, {"late": "on", "year": "99999"}):
        assert client.get(url, junk).status_code == 200
    page = client.get(url, {"late": "on"}).content.decode()
    assert str(review.pk) not in page  # submitted in March, due in June
    response = client.post(reverse("inspection:review_accept", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == WR.ACCEPTED


def test_return_page_needs_a_reason(client, review, ent_hr_a, inspector):
    submitted(review, ent_hr_a)
    client.force_login(inspector)
    url = reverse("inspection:review_return", args=[review.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    review.refresh_from_db()
    assert review.status == WR.SUBMITTED
    assert client.post(url, {"reason": "工时数据缺少考勤依据"}).status_code == 302
    review.refresh_from_db()
    assert review.status == WR.RETURNED


# Missing reports and reminders -----------------------------------------------------------------------------


def test_missing_list_is_late_only_after_a_due_day_moved_past_the_holiday(
    client, monkeypatch, ent_a, ent_b, ent_hr_a, inspector
):
    InspectionPolicy.objects.create(
        effective_from=dt.date(2026, 1, 1), written_review_due_month=5, written_review_due_day=1
    )
    principal = p(inspector)
    on_holiday = selectors.missing_reports(principal, YEAR, dt.date(2026, 5, 1))
    assert on_holiday.due.date == dt.date(2026, 5, 6) and not on_holiday.late
    assert list(on_holiday.enterprises) == [ent_a]  # ent_b is another area's
    assert not selectors.missing_reports(principal, YEAR, dt.date(2026, 5, 6)).late
    late = selectors.missing_reports(principal, YEAR, dt.date(2026, 5, 7))
    assert late.late and list(late.enterprises) == [ent_a]
    # A draft is still missing (shown as started); a submitted report is not.
    review = services.start_written_review(p(ent_hr_a), ent_a, YEAR)
    row = selectors.missing_reports(principal, YEAR, dt.date(2026, 5, 7)).enterprises.get()
    assert row.review_status == WR.DRAFT and row.review_id == review.pk
    submitted(review, ent_hr_a)
    assert not selectors.missing_reports(principal, YEAR, dt.date(2026, 5, 7)).enterprises.exists()
    # The page, on the day after the moved due day.
    WrittenReview.objects.all().delete()
    travel(monkeypatch, dt.date(2026, 5, 7))
    client.force_login(inspector)
    page = client.get(reverse("inspection:reviews_missing"), {"year": "junk"}).content.decode()
    assert 'data-testid="missing-row"' in page and ent_a.name in page and ent_b.name not in page
    assert "2026-05-06" in page


def test_reminders_start_30_days_before_and_repeat_once_a_week(ent_a, ent_b, ent_hr_a, survey):
    # Due 1 June 2026 (31 May is a Sunday): reminders from 2 May. ent_b has no HR user.
    assert services.remind_written_reviews(dt.date(2026, 5, 1)) == 0
    assert services.remind_written_reviews(dt.date(2026, 5, 2)) == 1
    review = WrittenReview.objects.get(enterprise=ent_a, year=YEAR)
    assert review.status == WR.DRAFT and review.reminded_on == dt.date(2026, 5, 2)
    assert review.headcount == 120  # the draft opened for them is prefilled
    assert Notification.objects.filter(recipient=ent_hr_a).count() == 1
    assert services.remind_written_reviews(dt.date(2026, 5, 3)) == 0
    assert services.remind_written_reviews(dt.date(2026, 5, 8)) == 0
    assert services.remind_written_reviews(dt.date(2026, 5, 9)) == 1
    # Late: still weekly.
    assert services.remind_written_reviews(dt.date(2026, 6, 10)) == 1
    assert Notification.objects.filter(recipient=ent_hr_a).count() == 3
    assert not WrittenReview.objects.filter(enterprise=ent_b).exists()
    services.save_written_review(p(ent_hr_a), review, FULL)
    services.submit_written_review(p(ent_hr_a), review)
    assert services.remind_written_reviews(dt.date(2026, 6, 30)) == 0


# A report turned into a case -------------------------------------------------------------------------------


def test_a_reports_findings_become_one_case(client, review, ent_a, ent_hr_a, inspector):
    with pytest.raises(InvalidTransition):
        services.review_to_case(p(inspector), review, matters=["no_written_contract"], facts="")
    services.save_written_review(p(ent_hr_a), review, {**FULL, "contracts_signed": "100"})
    review = services.submit_written_review(p(ent_hr_a), review)
    matters = {f.matter for f in selectors.findings(review)}
    assert matters == {"no_written_contract", "social_insurance"}
    with pytest.raises(NotAllowed):
        services.review_to_case(p(ent_hr_a), review, matters=["no_written_contract"], facts="")
    with pytest.raises(DomainError) as refused:
        services.review_to_case(p(inspector), review, matters=[], facts="")
    assert "matters" in refused.value.fields
    case = services.review_to_case(
        p(inspector), review, matters=["no_written_contract"], facts="20 人未签合同"
    )
    assert case.source == Source.WRITTEN_REVIEW and case.enterprise == ent_a and case.workers_count == 20
    assert services.review_to_case(p(inspector), review, matters=["other"], facts="") == case
    assert InspectionCase.objects.count() == 1
    client.force_login(inspector)
    page = client.get(reverse("inspection:review_detail", args=[review.pk])).content.decode()
    assert 'data-testid="review-case-link"' in page and case.serial in page
    assert (
        'data-testid="case-exists"'
        in client.get(reverse("inspection:review_case", args=[review.pk])).content.decode()
    )


def test_the_case_page_registers_from_the_form(client, review, ent_hr_a, inspector):
    services.save_written_review(p(ent_hr_a), review, {**FULL, "wages_paid_on_time": "no"})
    services.submit_written_review(p(ent_hr_a), review)
    client.force_login(inspector)
    url = reverse("inspection:review_case", args=[review.pk])
    page = client.get(url).content.decode()
    # The findings propose the matters: wages not paid on time → wage arrears.
    assert re.search(r'value="wage_arrears"[^>]*checked', page)
    assert not re.search(r'value="child_labour"[^>]*checked', page)
    response = client.post(url, {"matters": ["wage_arrears"], "facts": "2025 年 11 月工资延期发放"})
    case = InspectionCase.objects.get(source=Source.WRITTEN_REVIEW)
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspection:detail", args=[case.pk]
    )
    assert case.matters == ["wage_arrears"]


def test_inspectors_home_card_counts_reports_to_check(review, ent_hr_a, inspector, far_inspector):
    from apps.inspection import selectors as inspection_selectors

    submitted(review, ent_hr_a)
    cards = {c["url"]: c["value"] for c in inspection_selectors.home_cards(p(inspector))}
    assert cards[reverse("inspection:reviews") + "?status=submitted"] == 1
    cards = {c["url"]: c["value"] for c in inspection_selectors.home_cards(p(far_inspector))}
    assert cards[reverse("inspection:reviews") + "?status=submitted"] == 0
