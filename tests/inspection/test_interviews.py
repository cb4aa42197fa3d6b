"""Interviews (约谈): each policy trigger at its boundary, the daily proposal (idempotent, facts
kept with links), the escalation of an order found not rectified, the state × action table, bad
input (a field error, nothing written), permissions and scoping (HR own vs other, an inspector of
another area: 404), and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import SYSTEM
from apps.inspection import rules, services
from apps.inspection.models import (
    InspectionCase,
    InspectionPolicy,
    Interview,
    InterviewHistory,
    RectificationOrder,
    Source,
)
from apps.inspection.selectors import interviews as reads
from apps.inspection.workflow import INTERVIEW_WORKFLOW
from apps.notifications.models import Notification
from tests.factories import EnterpriseFactory

from .conftest import p, worker

pytestmark = pytest.mark.django_db

IS = Interview.Status
T = Interview.Trigger


def today():
    return timezone.localdate()


def complaint(make_case, *, received_on=None, **data):
    data.setdefault("amount_owed", "1000")
    return make_case(received_on=received_on or today(), **data)


def triggers_of(interview):
    return {t["code"] for t in interview.triggers}


def policy(**fields):
    return InspectionPolicy.objects.create(effective_from=today() - dt.timedelta(days=1), **fields)


def with_order(make_case, inspector, **data):
    """A case decided with an order to rectify and in its follow-up."""
    case = make_case(**data)
    me = p(inspector)
    services.accept(me, case)
    services.start_investigation(me, case)
    services.decide(
        me, case, "decide_order", items=["补发工资"], order_due_on=today() + dt.timedelta(days=15)
    )
    services.start_follow_up(me, case)
    return case, case.orders.get()


# The pure rule ------------------------------------------------------------------------------------


def ref(n):
    return rules.RecordRef("inspection_case", str(n), f"JC2026-{n:05d}")


def test_rule_complaints_two_do_not_fire_three_do():
    default = InspectionPolicy(effective_from=dt.date(2000, 1, 1))
    two = rules.InterviewFacts(arrears_complaints=(ref(1), ref(2)))
    three = rules.InterviewFacts(arrears_complaints=(ref(1), ref(2), ref(3)))
    assert rules.interview_triggers(two, default) == []
    (fired,) = rules.interview_triggers(three, default)
    assert fired.code == T.ARREARS_COMPLAINTS
    assert "JC2026-00001、JC2026-00002、JC2026-00003" in fired.facts
    assert "12" in fired.facts and "3" in fired.facts


def test_rule_amount_and_workers_at_their_thresholds():
    default = InspectionPolicy(effective_from=dt.date(2000, 1, 1))
    below = rules.InterviewFacts(amount_owed=Decimal("499999.99"), workers=19, open_cases=(ref(1),))
    at = rules.InterviewFacts(amount_owed=Decimal("500000.00"), workers=20, open_cases=(ref(1),))
    assert rules.interview_triggers(below, default) == []
    fired = {t.code: t for t in rules.interview_triggers(at, default)}
    assert set(fired) == {T.ARREARS_AMOUNT, T.WORKERS}
    assert "500,000.00" in fired[T.ARREARS_AMOUNT].facts and "JC2026-00001" in fired[T.WORKERS].facts


def test_rule_switched_off_with_zero():
    off = InspectionPolicy(
        effective_from=dt.date(2000, 1, 1),
        trigger_arrears_complaints=0,
        trigger_arrears_amount=0,
        trigger_workers=0,
        trigger_collective_dispute=False,
        trigger_order_ignored=False,
    )
    everything = rules.InterviewFacts(
        arrears_complaints=tuple(ref(n) for n in range(9)),
        amount_owed=Decimal("9000000"),
        workers=500,
        open_cases=(ref(1),),
        collective_disputes=(rules.RecordRef("mediation_case", "x", "TJ2026-00001"),),
        orders_not_rectified=(rules.RecordRef("rectification_order", "y", "JC2026-00001-Z1", "1"),),
    )
    assert rules.interview_triggers(everything, off) == []


def test_rule_new_triggers_skip_facts_already_cited():
    fired = rules.interview_triggers(
        rules.InterviewFacts(arrears_complaints=(ref(1), ref(2), ref(3))),
        InspectionPolicy(effective_from=dt.date(2000, 1, 1)),
    )
    cited = {("inspection_case", "1"), ("inspection_case", "2"), ("inspection_case", "3")}
    assert rules.new_triggers(fired, cited) == []
    assert rules.new_triggers(fired, cited - {("inspection_case", "3")}) == fired


def test_window_start():
    assert rules.arrears_window_start(dt.date(2026, 3, 15), 12) == dt.date(2025, 3, 16)


# The daily job ------------------------------------------------------------------------------------


def test_two_complaints_no_proposal_three_proposed_with_facts(make_case, ent_a, inspector, park_admin):
    first = complaint(make_case)
    complaint(make_case)
    assert services.propose_interviews() == 0
    third = complaint(make_case)
    assert services.propose_interviews() == 1
    interview = Interview.objects.get()
    assert interview.enterprise == ent_a and interview.status == IS.PROPOSED
    assert triggers_of(interview) == {T.ARREARS_COMPLAINTS}
    trigger = interview.triggers[0]
    labels = [r["label"] for r in trigger["records"]]
    assert first.serial in labels and third.serial in labels and first.serial in trigger["facts"]
    assert {r["type"] for r in trigger["records"]} == {"inspection_case"}
    assert interview.proposed_by is None and interview.history.get().action == "propose"
    assert AuditEvent.objects.filter(action="inspection.propose_interview").exists()
    # The area's inspectors and the park administrators are told.
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert {inspector.pk, park_admin.pk} <= told


def test_twelve_month_window_edge(make_case):
    start = rules.arrears_window_start(today(), 12)
    complaint(make_case, received_on=start - dt.timedelta(days=1))
    complaint(make_case)
    complaint(make_case)
    assert services.propose_interviews() == 0  # the oldest is one day outside
    complaint(make_case, received_on=start)
    assert services.propose_interviews() == 1


def test_refused_complaints_and_other_matters_do_not_count(make_case, inspector):
    complaint(make_case)
    complaint(make_case)
    complaint(make_case, matters=["hours_overtime"])
    refused = complaint(make_case)
    services.refuse(p(inspector), refused, basis="not_labour_matter", reason="不属于监察事项")
    assert services.propose_interviews() == 0


def test_amount_boundary(make_case, ent_b):
    complaint(make_case, amount_owed="499999.99")
    assert services.propose_interviews() == 0
    complaint(make_case, enterprise=ent_b, amount_owed="500000")
    assert services.propose_interviews() == 1
    interview = Interview.objects.get()
    assert interview.enterprise == ent_b and triggers_of(interview) == {T.ARREARS_AMOUNT}


def test_workers_boundary(make_case, ent_b):
    complaint(make_case, workers_count=19)
    assert services.propose_interviews() == 0
    complaint(make_case, enterprise=ent_b, workers_count=20)
    assert services.propose_interviews() == 1
    assert triggers_of(Interview.objects.get(enterprise=ent_b)) == {T.WORKERS}


def test_closed_cases_do_not_count_towards_sums(make_case, inspector):
    case = complaint(make_case, amount_owed="600000", workers_count=30)
    services.refuse(p(inspector), case, basis="in_arbitration_or_court", reason="已申请仲裁")
    assert services.propose_interviews() == 0


def test_policy_switched_off(make_case):
    policy(trigger_arrears_complaints=0, trigger_arrears_amount=0, trigger_workers=0)
    for _n in range(4):
        complaint(make_case, amount_owed="600000", workers_count=30)
    assert services.propose_interviews() == 0


def test_policy_in_force_is_linked(make_case):
    current = policy(trigger_arrears_complaints=2)
    complaint(make_case)
    complaint(make_case)
    assert services.propose_interviews() == 1
    assert Interview.objects.get().policy == current


def test_idempotent_daily_proposal(make_case):
    for _n in range(3):
        complaint(make_case)
    assert services.propose_interviews() == 1
    assert services.propose_interviews() == 0  # one is open
    assert services.daily()["interviews_proposed"] == 0  # the daily job runs the step
    # Closed (here: not pursued), the same facts do not propose again; a new complaint does.
    interview = Interview.objects.get()
    services.dismiss_interview(SYSTEM, interview, reason="已自行整改")
    assert services.propose_interviews() == 0
    complaint(make_case)
    assert services.propose_interviews() == 1
    assert Interview.objects.count() == 2


def test_facts_are_gathered_in_a_fixed_number_of_queries(make_case, ent_b):
    for enterprise in (None, ent_b):
        for _n in range(3):
            complaint(make_case, **({"enterprise": enterprise} if enterprise else {}))
    with CaptureQueriesContext(connection) as few:
        facts = reads.interview_facts(today(), InspectionPolicy(effective_from=dt.date(2000, 1, 1)))
    assert len(facts) == 2
    assert len(few.captured_queries) <= 8


def test_collective_dispute_in_mediation(ent_a):
    from apps.mediation import services as mediation_services
    from apps.mediation.models import Case as MediationCase

    dispute, _code = mediation_services.register_case(
        SYSTEM,
        channel=MediationCase.Channel.INSPECTION,
        source_reference="T-1",
        applicants=[worker(1), worker(2)],
        types=["remuneration"],
        claims="集体讨薪",
        respondent_enterprise=ent_a,
        town=ent_a.town,
        workers_count=12,
    )
    assert dispute.is_collective
    assert services.propose_interviews() == 1
    interview = Interview.objects.get()
    assert triggers_of(interview) == {T.COLLECTIVE_DISPUTE}
    assert interview.triggers[0]["records"][0]["label"] == dispute.serial


def test_order_not_rectified_fires_in_the_daily_job(make_case, inspector):
    case, order = with_order(make_case, inspector)
    services.record_follow_up(p(inspector), order, result="not_done")
    assert services.propose_interviews() == 1
    interview = Interview.objects.get()
    assert triggers_of(interview) == {T.ORDER_IGNORED}
    assert interview.triggers[0]["records"][0]["case_id"] == str(case.pk)


# The escalation -----------------------------------------------------------------------------------


def test_escalation_from_a_failed_follow_up(make_case, inspector, ent_a):
    case, order = with_order(make_case, inspector)
    services.record_follow_up(
        p(inspector), order, result="not_done", escalation=RectificationOrder.Escalation.INTERVIEW
    )
    interview = Interview.objects.get()
    assert interview.enterprise == ent_a and interview.case == case and interview.order == order
    assert triggers_of(interview) == {T.ORDER_IGNORED} and interview.proposed_by == inspector
    # The daily job does not propose the same facts again.
    assert services.propose_interviews() == 0
    assert Interview.objects.count() == 1


def test_escalation_adds_to_an_open_interview(make_case, inspector):
    services.propose_interview(p(inspector), make_case().enterprise, reason="多次投诉")
    case, order = with_order(make_case, inspector)
    services.record_follow_up(p(inspector), order, result="partly", escalation="interview_proposed")
    interview = Interview.objects.get()
    assert triggers_of(interview) == {T.INSPECTOR, T.ORDER_IGNORED}


def test_escalation_refused_rolls_back_the_follow_up(make_case, inspector):
    """Without a registry enterprise there is no one to interview: the follow-up is not written."""
    case, order = with_order(make_case, inspector, employer_name="未登记的某公司", town=make_case().town)
    with pytest.raises(DomainError):
        services.record_follow_up(p(inspector), order, result="not_done", escalation="interview_proposed")
    order.refresh_from_db()
    assert order.result == "" and not Interview.objects.exists()


# The inspector's proposal and bad input ---------------------------------------------------------------


def test_propose_interview_bad_input_writes_nothing(make_case, inspector, ent_a, ent_b):
    me = p(inspector)
    with pytest.raises(DomainError) as exc:
        services.propose_interview(me, None, reason="")
    assert set(exc.value.fields) == {"enterprise", "reason"}
    other_case = make_case(enterprise=ent_b)
    with pytest.raises(DomainError) as exc:
        services.propose_interview(me, ent_a, case=other_case, reason="x")
    assert "case" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.propose_interview(me, ent_b, reason="x")  # not the inspector's area
    assert "enterprise" in exc.value.fields
    assert not Interview.objects.exists()
    services.propose_interview(me, ent_a, reason="欠薪")
    with pytest.raises(DomainError) as exc:
        services.propose_interview(me, ent_a, reason="again")
    assert "enterprise" in exc.value.fields
    assert Interview.objects.count() == 1


def test_hr_and_union_may_not_propose(ent_a, ent_hr_a, union_official_a):
    for user in (ent_hr_a, union_official_a):
        with pytest.raises(NotAllowed):
            services.propose_interview(p(user), ent_a, reason="x")


# The lifecycle ------------------------------------------------------------------------------------


def _interview(enterprise, status=IS.PROPOSED, **extra):
    return Interview.objects.create(enterprise=enterprise, status=status, proposed_on=today(), **extra)


ALLOWED = {
    IS.PROPOSED: {"send_notice", "dismiss"},
    IS.NOTIFIED: {"record", "dismiss"},
    IS.HELD: {"follow_up"},
    IS.CLOSED: set(),
    IS.DISMISSED: set(),
}


@pytest.mark.parametrize("status", list(ALLOWED))
def test_state_action_table(status, ent_a, inspector, ent_hr_a):
    interview = _interview(ent_a, status)
    assert {t.action for t in INTERVIEW_WORKFLOW.available(interview, p(inspector))} == ALLOWED[status]
    assert INTERVIEW_WORKFLOW.available(interview, p(ent_hr_a)) == []
    for action in set(INTERVIEW_WORKFLOW.transitions) - ALLOWED[status]:
        with pytest.raises(InvalidTransition):
            INTERVIEW_WORKFLOW.check(interview, action, p(inspector))


def test_walk_through_notice_record_follow_up(ent_a, inspector, ent_hr_a):
    me = p(inspector)
    interview = services.propose_interview(me, ent_a, reason="连续欠薪")
    later = timezone.now() + dt.timedelta(days=3)
    interview = services.send_interview_notice(me, interview, scheduled_at=later, place="园区人社局302会议室")
    assert interview.status == IS.NOTIFIED and interview.notified_on == today()
    assert interview.reference.startswith("YT")
    assert Notification.objects.filter(recipient=ent_hr_a).exists()
    interview = services.record_interview(
        me,
        interview,
        held_on=today(),
        attendees="王强（法定代表人）、韦监察",
        representative_attended=True,
        record="企业承认拖欠两个月工资",
        commitments="十日内补发",
        rectify_by=today() + dt.timedelta(days=10),
    )
    assert interview.status == IS.HELD and interview.representative_attended
    interview = services.record_interview_follow_up(me, interview, checked_on=today(), result="done")
    assert interview.status == IS.CLOSED and interview.result == "done"
    actions = list(
        InterviewHistory.objects.filter(subject=interview).order_by("at").values_list("action", flat=True)
    )
    assert actions == ["propose", "send_notice", "record", "follow_up"]
    assert AuditEvent.objects.filter(action="inspection.follow_up").exists()


def test_bad_inputs_are_field_errors_and_write_nothing(ent_a, inspector):
    me = p(inspector)
    interview = services.propose_interview(me, ent_a, reason="欠薪")
    for kwargs, field in (
        ({"scheduled_at": "", "place": "会议室"}, "scheduled_at"),
        ({"scheduled_at": "tomorrow", "place": "会议室"}, "scheduled_at"),
        ({"scheduled_at": timezone.now() - dt.timedelta(hours=1), "place": "会议室"}, "scheduled_at"),
        ({"scheduled_at": timezone.now() + dt.timedelta(days=1), "place": "  "}, "place"),
    ):
        with pytest.raises(DomainError) as exc:
            services.send_interview_notice(me, interview, **kwargs)
        assert field in exc.value.fields
    interview.refresh_from_db()
    assert interview.status == IS.PROPOSED and interview.place == "" and interview.reference == ""
    interview = services.send_interview_notice(
        me, interview, scheduled_at=timezone.now() + dt.timedelta(days=1), place="会议室"
    )
    with pytest.raises(DomainError) as exc:
        services.record_interview(
            me,
            interview,
            held_on=today() + dt.timedelta(days=1),
            attendees="",
            representative_attended=False,
            record="",
            rectify_by="2020-01-01",
        )
    assert {"held_on", "attendees", "record"} <= set(exc.value.fields)
    with pytest.raises(DomainError) as exc:
        services.record_interview(
            me,
            interview,
            held_on=today(),
            attendees="a",
            representative_attended=False,
            record="r",
            rectify_by=today(),
        )
    assert set(exc.value.fields) == {"rectify_by"}
    interview.refresh_from_db()
    assert interview.status == IS.NOTIFIED and interview.held_on is None
    interview = services.record_interview(
        me, interview, held_on=today(), attendees="a", representative_attended=False, record="r"
    )
    with pytest.raises(DomainError) as exc:
        services.record_interview_follow_up(me, interview, checked_on="", result="junk")
    assert {"checked_on", "result"} <= set(exc.value.fields)
    with pytest.raises(DomainError) as exc:
        services.record_interview_follow_up(me, interview, checked_on=today(), result="not_done", note="")
    assert set(exc.value.fields) == {"note"}
    interview.refresh_from_db()
    assert interview.status == IS.HELD


def test_dismiss_needs_a_reason(ent_a, inspector):
    interview = services.propose_interview(p(inspector), ent_a, reason="欠薪")
    with pytest.raises(DomainError):
        services.dismiss_interview(p(inspector), interview, reason=" ")
    interview = services.dismiss_interview(p(inspector), interview, reason="已全部补发")
    assert interview.status == IS.DISMISSED and interview.dismissal_reason == "已全部补发"
    with pytest.raises(InvalidTransition):
        services.dismiss_interview(p(inspector), interview, reason="again")


def test_other_area_inspector_and_hr_may_not_act(ent_a, inspector, far_inspector, ent_hr_a):
    interview = services.propose_interview(p(inspector), ent_a, reason="欠薪")
    with pytest.raises(NotAllowed):
        services.dismiss_interview(p(far_inspector), interview, reason="x")
    with pytest.raises(NotAllowed):
        services.dismiss_interview(p(ent_hr_a), interview, reason="x")
    interview.refresh_from_db()
    assert interview.status == IS.PROPOSED


# Pages --------------------------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(client, ent_a, ent_b, inspector):
    mine = _interview(ent_a)
    other = _interview(ent_b)
    client.force_login(inspector)
    page = client.get(reverse("inspection:interviews")).content.decode()
    assert str(mine.pk) in page and str(other.pk) not in page
    page = client.get(reverse("inspection:interviews"), {"status": "held", "page": "junk"})
    assert page.status_code == 200 and str(mine.pk) not in page.content.decode()


def test_detail_scoping(client, ent_a, ent_b, inspector, far_inspector, ent_hr_a, ent_hr_b, union_official_a):
    interview = _interview(ent_a)
    url = reverse("inspection:interview", args=[interview.pk])
    for user, expected in (
        (inspector, 200),
        (ent_hr_a, 200),
        (union_official_a, 200),
        (far_inspector, 404),
        (ent_hr_b, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.force_login(ent_hr_a)
    assert (
        client.get(reverse("inspection:interview_action", args=[interview.pk, "dismiss"])).status_code == 403
    )
    assert (
        client.post(
            reverse("inspection:interview_action", args=[interview.pk, "dismiss"]), {"reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(far_inspector)
    assert (
        client.post(
            reverse("inspection:interview_action", args=[interview.pk, "dismiss"]), {"reason": "x"}
        ).status_code
        == 404
    )
    interview.refresh_from_db()
    assert interview.status == IS.PROPOSED


def test_detail_shows_the_facts_that_fired_it(client, make_case, inspector, ent_hr_a):
    cases = [complaint(make_case) for _n in range(3)]
    services.propose_interviews()
    interview = Interview.objects.get()
    client.force_login(inspector)
    page = client.get(reverse("inspection:interview", args=[interview.pk])).content.decode()
    assert 'data-testid="interview-triggers"' in page
    for case in cases:
        assert case.serial in page
    assert reverse("inspection:detail", args=[cases[0].pk]) in page
    assert 'data-testid="action-send_notice"' in page and 'data-testid="action-dismiss"' in page
    client.force_login(ent_hr_a)
    page = client.get(reverse("inspection:interview", args=[interview.pk])).content.decode()
    assert cases[0].serial in page and 'data-testid="interview-actions"' not in page


def test_actions_through_the_pages(client, ent_a, inspector):
    interview = _interview(ent_a)
    client.force_login(inspector)
    url = reverse("inspection:interview_action", args=[interview.pk, "send_notice"])
    assert 'data-testid="action-form"' in client.get(url).content.decode()
    response = client.post(url, {"scheduled_at": "junk", "place": ""})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == IS.PROPOSED
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"scheduled_at": when, "place": "302会议室"}).status_code == 302
    interview.refresh_from_db()
    assert interview.status == IS.NOTIFIED
    # An action not possible now says why.
    page = client.get(
        reverse("inspection:interview_action", args=[interview.pk, "follow_up"])
    ).content.decode()
    assert 'data-testid="action-refusal"' in page
    assert client.get(reverse("inspection:interview_action", args=[interview.pk, "junk"])).status_code == 404
    response = client.post(
        reverse("inspection:interview_action", args=[interview.pk, "record"]),
        {
            "held_on": today().isoformat(),
            "attendees": "王强",
            "record": "记录",
            "representative_attended": "on",
        },
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == IS.HELD and interview.representative_attended


def test_propose_page_from_a_case(client, make_case, inspector):
    case = make_case()
    client.force_login(inspector)
    page = client.get(reverse("inspection:detail", args=[case.pk])).content.decode()
    assert 'data-testid="propose-interview"' in page
    url = reverse("inspection:interview_propose") + f"?case={case.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"case": str(case.pk), "enterprise": str(case.enterprise_id), "reason": ""})
    assert response.status_code == 200 and not Interview.objects.exists()
    response = client.post(
        url, {"case": str(case.pk), "enterprise": str(case.enterprise_id), "reason": "多次欠薪"}
    )
    assert response.status_code == 302
    interview = Interview.objects.get()
    assert interview.case == case and triggers_of(interview) == {T.INSPECTOR}


def test_propose_page_is_for_inspectors(client, ent_hr_a):
    client.force_login(ent_hr_a)
    assert client.get(reverse("inspection:interview_propose")).status_code == 403


def test_unknown_pk_is_404(client, inspector):
    client.force_login(inspector)
    assert (
        client.get(reverse("inspection:interview", args=["00000000-0000-0000-0000-000000000000"])).status_code
        == 404
    )


def test_case_status_unchanged_by_interviews(make_case, inspector):
    case = make_case()
    services.propose_interview(p(inspector), case.enterprise, case=case, reason="欠薪")
    case.refresh_from_db()
    assert case.status == InspectionCase.Status.RECEIVED and case.source == Source.COMPLAINT


def test_enterprises_in_other_towns_are_not_in_the_inspectors_list(client, inspector, ent_a):
    far = EnterpriseFactory()
    _interview(far)
    client.force_login(inspector)
    page = client.get(reverse("inspection:interviews")).content.decode()
    assert far.name not in page


# Admin --------------------------------------------------------------------------------------------


@pytest.fixture
def staff_admin(park_admin):
    park_admin.is_staff = True
    park_admin.save()
    return park_admin


def test_the_park_sets_the_triggers_in_the_admin_audited(client, staff_admin, make_case):
    import json

    client.force_login(staff_admin)
    assert client.get(reverse("admin:inspection_inspectionpolicy_changelist")).status_code == 200
    start = today()
    defaults = InspectionPolicy(effective_from=start)
    response = client.post(
        reverse("admin:inspection_inspectionpolicy_add"),
        {
            "effective_from": start.isoformat(),
            "source": "园区劳动保障监察约谈办法（2026）",
            "trigger_arrears_complaints": "2",
            "trigger_arrears_months": "6",
            "trigger_arrears_amount": "300000",
            "trigger_workers": "0",
            "trigger_collective_dispute": "on",
            "checklist": json.dumps(defaults.checklist, ensure_ascii=False),
            "patrol_interval_days": "365",
            "patrol_interval_days_high_risk": "90",
            "written_review_due_month": "5",
            "written_review_due_day": "31",
            "credit_rule": json.dumps(defaults.credit_rule),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy_row = InspectionPolicy.objects.get(effective_from=start)
    assert AuditEvent.objects.filter(
        action="admin.add:inspection.inspectionpolicy", object_id=str(policy_row.pk)
    ).exists()
    # In effect: kept as it was; the daily job uses it (2 complaints now fire).
    url = reverse("admin:inspection_inspectionpolicy_change", args=[policy_row.pk])
    assert client.post(url, {"effective_from": start.isoformat()}).status_code == 403
    complaint(make_case)
    complaint(make_case)
    assert services.propose_interviews() == 1
    assert not Interview.objects.get().policy.trigger_order_ignored


def test_interviews_are_read_only_in_the_admin(client, staff_admin, ent_a):
    interview = _interview(ent_a)
    client.force_login(staff_admin)
    assert client.get(reverse("admin:inspection_interview_changelist")).status_code == 200
    assert client.get(reverse("admin:inspection_interview_change", args=[interview.pk])).status_code == 200
    assert client.get(reverse("admin:inspection_interview_add")).status_code == 403
