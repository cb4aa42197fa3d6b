import datetime as dt
import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from stdnum.cn import uscc

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.core.calendar import on_working_day
from apps.core.principal import principal_for_user
from apps.demo import generators as demo
from apps.demo.users import DEMO_PASSWORD, DEMO_USERS
from apps.inspection import rules as inspection_rules
from apps.inspection import selectors as inspection_selectors
from apps.inspection.models import (
    Attachment,
    CaseHistory,
    CreditGrade,
    Extension,
    InspectionCase,
    Interview,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    RectificationOrder,
    Reporter,
    Source,
    WageArrearsListing,
    WrittenReview,
    WrittenReviewHistory,
)
from apps.inspection.selectors import patrols as patrol_selectors
from apps.inspection.selectors import reviews as review_selectors
from apps.mediation.models import Case as MediationCase

pytestmark = pytest.mark.django_db


INSPECTION_MODELS = (
    InspectionCase,
    CaseHistory,
    Reporter,
    Extension,
    RectificationOrder,
    WageArrearsListing,
    Interview,
    CreditGrade,
    PatrolPlan,
    Patrol,
    PatrolFinding,
    Attachment,
    WrittenReview,
    WrittenReviewHistory,
)


def _counts():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        *(model.objects.count() for model in INSPECTION_MODELS),
    )


def test_seed_demo_builds_the_park_and_is_idempotent(demo_park):
    _assert_inspection_year(demo_park)
    counts = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == counts
    assert "Inspection: nothing new" in out.getvalue()
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    assert enterprises.count() == 200
    assert enterprises.values("area").distinct().count() == 2
    # The foundation's dozen enterprise unions, under the park federation (the unions module's seeder
    # adds more, see tests/demo_park/test_enterprises.py).
    first_twelve = list(enterprises.order_by("name").values_list("name", flat=True)[:12])
    federation = Organisation.objects.get(kind=Organisation.Kind.UNION, name="柳东新区工会联合会")
    assert set(
        Organisation.objects.filter(
            kind=Organisation.Kind.UNION, parent=federation, name__in=[f"{n}工会委员会" for n in first_twelve]
        ).values_list("name", flat=True)
    ) == {f"{n}工会委员会" for n in first_twelve}
    for code in enterprises.values_list("code", flat=True):
        assert uscc.is_valid(code), code
    assert len(set(enterprises.values_list("code", flat=True))) == 200


def test_every_demo_user_logs_in_with_the_documented_password(demo_park, client):
    for username, _name, role, _kind in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.memberships.filter(role=role).exists()
        assert username in demo_park
    assert User.objects.get(username="admin").memberships.get().role == Role.PARK_ADMIN


def test_generated_uscc_and_org_code_check_characters():
    rng = random.Random(1)
    for _ in range(500):
        code = demo.make_uscc(rng)
        assert uscc.is_valid(code)
        assert code.startswith("91450271")
    names = demo.enterprise_names(random.Random(2), 300)
    assert len({n for n, _ in names}) == 300


def _assert_inspection_year(output):
    """The demo park's year of labour inspection (apps/demo/inspection.py)."""
    S, D = InspectionCase.Status, InspectionCase.Decision
    today = timezone.localdate()
    cases = InspectionCase.objects.all()
    assert cases.count() >= 120
    assert f"Inspection: {cases.count()} cases" in output
    # Every source, both channels of complaints, referrals with their references.
    sources = Counter(cases.values_list("source", flat=True))
    assert set(sources) == set(Source.values)
    assert sources[Source.COMPLAINT] >= 40 and min(sources.values()) >= 5
    complaints = cases.filter(source=Source.COMPLAINT)
    channels = InspectionCase.Channel
    assert complaints.filter(channel=channels.ONLINE).count() >= 10
    assert complaints.filter(channel=channels.COUNTER).count() >= 10
    referrals = cases.filter(source=Source.REFERRAL)
    assert not referrals.filter(source_reference="").exists()
    assert referrals.filter(source_reference__startswith="12345-").count() >= 5
    assert referrals.filter(source_reference__startswith="TJ").exists()  # from mediation
    reporters = Reporter.objects.all()
    assert reporters.count() == cases.filter(source=Source.REPORT).count()
    assert 0 < reporters.filter(anonymous=True).count() < reporters.count()
    assert cases.filter(enterprise__isnull=True).count() >= 3  # employers not yet registered
    assert cases.filter(received_on__lt=today - dt.timedelta(days=300)).exists()
    assert not cases.filter(received_on__gt=today).exists()

    # Every status; every decision; every ground for refusal.
    statuses = Counter(cases.values_list("status", flat=True))
    assert set(statuses) == set(S.values)
    assert statuses[S.ARCHIVED] + statuses[S.CLOSED] > cases.count() / 2
    assert set(cases.exclude(decision="").values_list("decision", flat=True)) == set(D.values)
    assert set(cases.filter(status=S.DECIDED).values_list("decision", flat=True)) == set(D.values)
    assert set(cases.exclude(refusal_basis="").values_list("refusal_basis", flat=True)) == set(
        InspectionCase.RefusalBasis.values
    )
    # Received: some due by the next working day, some overdue; overdue investigations; extensions.
    received = cases.filter(status=S.RECEIVED)
    next_working_day = on_working_day(today).date
    assert received.filter(decision_due_on=next_working_day).exists()
    assert received.filter(decision_due_on__lt=today).exists()
    assert cases.filter(status=S.INVESTIGATING, due_on__lt=today).exists()
    assert Extension.objects.filter(status=Extension.Status.APPROVED).count() >= 1
    assert Extension.objects.filter(status=Extension.Status.REQUESTED).count() == 1
    # The clocks are those of the rules, from the dates of the acts.
    for case in cases.prefetch_related("extensions"):
        assert case.decision_due_on == inspection_rules.acceptance_due(case.received_on).date
        if case.accepted_on:
            due = inspection_rules.investigation_due(case.accepted_on).date
            if any(e.status == Extension.Status.APPROVED for e in case.extensions.all()):
                due = inspection_rules.extended_due(due).date
            assert case.due_on == due and case.received_on <= case.accepted_on <= today
    history = CaseHistory.objects.order_by("at")
    assert history.filter(subject__status=S.ARCHIVED, action="archive").count() == statuses[S.ARCHIVED]
    assert history.last().at <= timezone.now()

    # Transfers to mediation: the mediation case is created and linked both ways.
    transferred = cases.filter(mediation_case__isnull=False)
    assert transferred.count() >= 2
    for case in transferred:
        assert case.status == S.CLOSED
        mediation = MediationCase.objects.get(pk=case.mediation_case_id)
        assert (
            mediation.source_reference == case.serial
            and mediation.channel == MediationCase.Channel.INSPECTION
        )

    # 15 orders: some past their deadline, one ignored and escalated to an interview.
    orders = RectificationOrder.objects.all()
    assert orders.count() == 15
    assert orders.filter(result="", due_on__lt=today).count() >= 2
    ignored = orders.get(result=RectificationOrder.Result.NOT_DONE)
    assert ignored.escalation == RectificationOrder.Escalation.INTERVIEW
    assert orders.filter(result=RectificationOrder.Result.DONE).count() >= 4

    # The wage-arrears list: one listed, one removed early on its three conditions.
    listed = WageArrearsListing.objects.get(status=WageArrearsListing.Status.LISTED)
    removed = WageArrearsListing.objects.get(status=WageArrearsListing.Status.REMOVED)
    assert listed.veto_event_id and removed.veto_event_id
    assert removed.removal == WageArrearsListing.Removal.EARLY
    assert not inspection_rules.early_removal_refusals(
        listed_on=removed.listed_on,
        on=removed.removed_on,
        arrears_paid_on=removed.arrears_paid_on,
        pledge_received_on=removed.pledge_received_on,
    )

    # Four interviews in different states, one from the ignored order; credit grades of two years.
    interviews = Interview.objects.all()
    assert interviews.count() == 4
    assert set(interviews.values_list("status", flat=True)) == {"proposed", "notified", "held", "closed"}
    assert interviews.filter(order=ignored).exists()
    assert set(CreditGrade.objects.values_list("year", flat=True)) == {today.year - 1, today.year}
    assert set(CreditGrade.objects.filter(year=today.year).values_list("grade", flat=True)) == {"A", "B", "C"}

    # The demo inspector sees every case and has a day's work on the home page.
    inspector = principal_for_user(User.objects.get(username="inspector"))
    assert InspectionCase.objects.visible_to(inspector).count() == cases.count()
    cards = {
        card["url"].rsplit("?", 1)[-1]: card["value"] for card in inspection_selectors.home_cards(inspector)
    }
    assert cards["status=received"] >= 5 and cards["overdue=true"] >= 3
    assert inspection_selectors.orders_overdue(today, inspector).count() >= 2
    _assert_patrols(output, inspector, today)
    _assert_written_reviews(output, inspector, today)


def _assert_patrols(output, inspector, today):
    """Patrol plans, patrols with a finding on every checklist item, the patrol cases born from
    findings (one with an order the same day), attachments; work on the plan pages today."""
    plans = PatrolPlan.objects.all()
    assert plans.count() == 3
    assert plans.filter(towns__isnull=False).count() == 1
    assert plans.filter(credit_grades=["C"], include_watch_list=True).count() == 1
    assert plans.exclude(industries=[]).count() == 1  # the winter campaign
    patrols = Patrol.objects.all()
    assert 20 <= patrols.count() <= 30
    assert f"{patrols.count()} patrols" in output
    assert not patrols.exclude(status=Patrol.Status.DONE).exists()
    assert not patrols.exclude(inspector__username="inspector").exists()
    assert not patrols.filter(visited_on__gt=today).exists()
    assert patrols.filter(plan__isnull=False).count() >= 10
    for patrol in patrols.prefetch_related("findings"):
        assert {f.item for f in patrol.findings.all()} == {row["code"] for row in patrol.checklist}
        if patrol.plan_id:
            assert patrol.plan.starts_on <= patrol.visited_on <= patrol.plan.ends_on
    findings = PatrolFinding.objects.all()
    result = PatrolFinding.Result
    assert findings.filter(result=result.COMPLIANT).count() > findings.count() * 0.8
    assert findings.filter(result=result.VIOLATION).exclude(note="").count() >= 10
    assert findings.filter(result=result.VIOLATION, case__isnull=True).exists()  # put right on the spot
    # Every patrol case of a registered enterprise comes from a finding (no other patrol cases).
    patrol_cases = InspectionCase.objects.filter(source=Source.PATROL, enterprise__isnull=False)
    linked = findings.filter(case__isnull=False)
    assert linked.count() == patrol_cases.count() >= 10
    for finding in linked.select_related("case", "patrol"):
        assert finding.result == result.VIOLATION
        assert finding.case.source_reference == f"patrol-finding:{finding.pk}"
        assert finding.case.enterprise_id == finding.patrol.enterprise_id
        assert finding.case.received_on == finding.patrol.visited_on
    on_the_spot = linked.filter(case__orders__issued_on=F("patrol__visited_on"))
    assert on_the_spot.count() >= 1
    assert linked.filter(case__orders__isnull=False).count() >= 3
    attachments = Attachment.objects.all()
    assert set(attachments.values_list("content_type", flat=True)) == {"image/jpeg", "application/pdf"}
    # The plan pages have work today: enterprises due, and some overdue (high risk, last patrol
    # more than the interval ago).
    states = Counter()
    for plan in plans:
        for target in patrol_selectors.plan_targets(inspector, plan, today):
            states[patrol_selectors.target_state(target, today)] += 1
    assert states["due"] >= 10 and states["overdue"] >= 1


def _assert_written_reviews(output, inspector, today):
    """Last year's written reviews: accepted, submitted and waiting, returned with a reason,
    drafts, figures changed from the proposal, and late enterprises."""
    year = today.year - 1
    reviews = WrittenReview.objects.filter(year=year)
    statuses = Counter(reviews.values_list("status", flat=True))
    WR = WrittenReview.Status
    if today <= review_selectors.due_on(year).date:  # the filing season is still running
        assert today < dt.date(today.year, 2, 1) or reviews.exists()
        return
    assert statuses[WR.ACCEPTED] >= 80
    assert statuses[WR.ACCEPTED] > reviews.count() / 2
    assert statuses[WR.SUBMITTED] >= 3
    assert statuses[WR.RETURNED] >= 2
    assert statuses[WR.DRAFT] >= 3
    assert not reviews.filter(status=WR.RETURNED, return_reason="").exists()
    # Returned once, corrected and accepted.
    resubmitted = WrittenReviewHistory.objects.filter(subject__status=WR.ACCEPTED, action="return")
    assert resubmitted.exists()
    assert reviews.exclude(changed=[]).count() >= 5
    # Filed by the enterprises' HR; accepted by the inspector; some late.
    for review in reviews.filter(status__in=[WR.SUBMITTED, WR.ACCEPTED]).select_related("submitted_by"):
        assert review_selectors.is_hr_of(principal_for_user(review.submitted_by), review.enterprise)
    assert not reviews.filter(status=WR.ACCEPTED).exclude(reviewed_by__username="inspector").exists()
    assert reviews.filter(submitted_on__gt=F("due_on")).exists()
    assert f"written reviews {year}" in output
    missing = review_selectors.missing_reports(inspector, year, today)
    assert missing.enterprises.count() > 0
    assert missing.late == (today > missing.due.date)
    # The inspector's card "reports to check".
    assert review_selectors.reviews_to_check(inspector).count() == statuses[WR.SUBMITTED]
