"""The state × action table of an inspection case, walked through the services, and who may do
each action."""

import datetime as dt

import pytest

from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.inspection import services
from apps.inspection.models import Extension, InspectionCase, RectificationOrder
from apps.inspection.workflow import WORKFLOW

from .conftest import p

pytestmark = pytest.mark.django_db

S = InspectionCase.Status
DECIDE = {"decide_no_violation", "decide_order", "decide_penalty", "decide_police"}


def in_status(make_case, inspector, name):
    """A case brought to `name` through the services (the names add the decision where it matters)."""
    case = make_case()
    me = p(inspector)
    if name == "received":
        return case
    if name == "refused":
        return services.refuse(me, case, basis="not_labour_matter", reason="不属于劳动保障监察事项")
    case = services.accept(me, case)
    if name == "accepted":
        return case
    case = services.start_investigation(me, case)
    if name == "investigating":
        return case
    if name in ("decided_order", "follow_up", "follow_up_checked"):
        case = services.decide(
            me,
            case,
            "decide_order",
            items=["补发拖欠工资"],
            order_due_on=case.received_on + dt.timedelta(days=15),
        )
        if name == "decided_order":
            return case
        case = services.start_follow_up(me, case)
        if name == "follow_up_checked":
            services.record_follow_up(me, case.orders.get(), result="done")
        return case
    case = services.decide(me, case, "decide_no_violation")
    if name == "decided":
        return case
    case = services.close(me, case)
    if name == "closed":
        return case
    return services.archive(me, case)


EXPECTED = {
    "received": {"accept", "refuse", "transfer_to_mediation"},
    "refused": {"archive"},
    "accepted": {"start_investigation", "transfer_to_mediation"},
    "investigating": DECIDE | {"transfer_to_mediation"},
    "decided": {"close"},
    "decided_order": {"start_follow_up"},
    "follow_up": set(),
    "follow_up_checked": {"close"},
    "closed": {"archive"},
    "archived": set(),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_state_by_action_table(name, make_case, inspector, park_admin):
    case = InspectionCase.objects.prefetch_related("orders", "extensions").get(
        pk=in_status(make_case, inspector, name).pk
    )
    for user in (inspector, park_admin):
        assert {t.action for t in WORKFLOW.available(case, p(user))} == EXPECTED[name], (name, user)
    # Every other action is refused, each with a reason.
    for action in set(WORKFLOW.transitions) - EXPECTED[name]:
        assert WORKFLOW.refusal(case, WORKFLOW.get(action), p(park_admin)) is not None, (name, action)


def test_hr_and_union_officials_may_do_nothing(make_case, inspector, ent_hr_a, union_official_a):
    case = in_status(make_case, inspector, "investigating")
    for user in (ent_hr_a, union_official_a):
        assert WORKFLOW.available(case, p(user)) == []
        with pytest.raises((NotAllowed, InvalidTransition)):
            services.decide(p(user), case, "decide_no_violation")


def test_every_state_is_reached_and_history_and_audit_follow(make_case, inspector):
    case = in_status(make_case, inspector, "archived")
    assert [h.action for h in case.history.order_by("at")] == [
        "receive",
        "accept",
        "start_investigation",
        "decide_no_violation",
        "close",
        "archive",
    ]
    assert case.archived_on and case.closed_on and case.decided_on and case.accepted_on
    actions = set(AuditEvent.objects.for_object(case).values_list("action", flat=True))
    assert {"inspection.receive", "inspection.accept", "inspection.archive"} <= actions
    assert WORKFLOW.states() == set(S.values)


def test_an_action_in_the_wrong_state_is_refused(make_case, inspector):
    case = in_status(make_case, inspector, "accepted")
    with pytest.raises(InvalidTransition):
        services.accept(p(inspector), case)
    with pytest.raises(InvalidTransition):
        services.close(p(inspector), case)


def test_refusal_needs_a_ground_and_a_reason_and_names_the_rule(make_case, inspector, english):
    case = make_case()
    with pytest.raises(DomainError) as error:
        services.refuse(p(inspector), case, basis="", reason="x")
    assert error.value.fields == {"refusal_basis": [error.value.message]}
    with pytest.raises(DomainError) as error:
        services.refuse(p(inspector), case, basis="time_barred", reason="  ")
    assert "reason" in error.value.fields
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    case = services.refuse(p(inspector), case, basis="time_barred", reason="违法行为已于三年前终了")
    assert case.refusal_basis == "time_barred"
    assert "劳动保障监察条例第二十条" in case.history.get(action="refuse").reason


def test_accept_starts_the_60_working_day_clock(make_case, inspector):
    from apps.inspection import rules

    case = services.accept(p(inspector), make_case())
    assert case.accepted_on == case.received_on
    assert case.due_on == rules.investigation_due(case.accepted_on).date
    assert case.inspector == inspector


def test_an_order_needs_items_and_a_future_deadline(make_case, inspector):
    case = in_status(make_case, inspector, "investigating")
    with pytest.raises(DomainError) as error:
        services.decide(p(inspector), case, "decide_order", items=["", "  "], order_due_on=case.received_on)
    assert set(error.value.fields) == {"items", "order_due_on"}
    with pytest.raises(DomainError) as error:
        services.decide(p(inspector), case, "decide_order", items="not a list", order_due_on="junk")
    assert set(error.value.fields) == {"items", "order_due_on"}
    assert not RectificationOrder.objects.exists()
    case.refresh_from_db()
    assert case.status == S.INVESTIGATING


def test_penalty_and_police_need_a_note(make_case, inspector):
    case = in_status(make_case, inspector, "investigating")
    with pytest.raises(DomainError) as error:
        services.decide(p(inspector), case, "decide_penalty")
    assert "note" in error.value.fields
    case = services.decide(p(inspector), case, "decide_police", note="柳公(刑)移字〔2026〕12号")
    assert case.decision == "transferred_to_police"


def test_follow_up_results_and_escalation(make_case, inspector):
    case = in_status(make_case, inspector, "follow_up")
    order = case.orders.get()
    with pytest.raises(DomainError) as error:
        services.record_follow_up(p(inspector), order, result="done", escalation="penalty_recorded")
    assert "escalation" in error.value.fields
    with pytest.raises(DomainError):
        services.record_follow_up(p(inspector), order, result="maybe")
    order = services.record_follow_up(
        p(inspector), order, result="not_done", escalation="interview_proposed", note="未整改"
    )
    assert (order.result, order.escalation) == ("not_done", "interview_proposed")
    with pytest.raises(InvalidTransition):
        services.record_follow_up(p(inspector), order, result="done")
    case = services.close(p(inspector), case)
    assert case.status == S.CLOSED


def test_one_extension_requested_by_the_inspector_and_approved_by_the_park(make_case, inspector, park_admin):
    from apps.inspection import rules

    case = in_status(make_case, inspector, "investigating")
    due = case.due_on
    # Nothing to approve before a request.
    with pytest.raises(InvalidTransition):
        services.approve_extension(p(park_admin), case)
    with pytest.raises(DomainError) as error:
        services.request_extension(p(inspector), case, reason=" ")
    assert "reason" in error.value.fields
    services.request_extension(p(inspector), case, reason="涉及 80 名工人，需调取银行流水")
    with pytest.raises(InvalidTransition):
        services.request_extension(p(inspector), case, reason="again")
    # The inspector may not approve it.
    with pytest.raises(NotAllowed):
        services.approve_extension(p(inspector), case)
    case = services.approve_extension(p(park_admin), case)
    assert case.due_on == rules.extended_due(due).date
    assert case.status == S.INVESTIGATING
    assert case.history.filter(action="extend").count() == 1
    # Only one extension: a second request names the rule.
    with pytest.raises(InvalidTransition) as error:
        services.request_extension(p(inspector), case, reason="再延一次")
    assert "劳动保障监察条例第十七条" in str(error.value)


def test_a_rejected_extension_may_be_asked_again(make_case, inspector, park_admin):
    case = in_status(make_case, inspector, "investigating")
    services.request_extension(p(inspector), case, reason="证据未齐")
    with pytest.raises(DomainError):
        services.reject_extension(p(park_admin), case, note="")
    services.reject_extension(p(park_admin), case, note="理由不充分")
    services.request_extension(p(inspector), case, reason="新增 30 名工人投诉")
    assert list(case.extensions.order_by("created_at").values_list("status", flat=True)) == [
        Extension.Status.REJECTED,
        Extension.Status.REQUESTED,
    ]
