import threading

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.audit import history
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import principal_for_api_client, principal_for_user
from apps.core.workflow import Transition, Workflow
from tests.factories import user_with_role
from tests.testapp.models import Case

pytestmark = pytest.mark.django_db


def at_most_nine_workers(case, principal):
    return "collective disputes go to the regional committee" if case.workers >= 10 else None


WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "accept",
            {"received"},
            "accepted",
            "Accept",
            permission="audit.view_auditevent",
            scope="mediation:write",
            guard=at_most_nine_workers,
        ),
        Transition(
            "refuse", {"received"}, "refused", "Refuse", permission="audit.view_auditevent", needs_reason=True
        ),
        Transition("close", {"accepted"}, "closed", "Close"),
    ],
)


@pytest.fixture
def admin_p(park_admin):
    return principal_for_user(park_admin)


@pytest.fixture
def hr_p(hr_a):
    return principal_for_user(hr_a)


# Every state x action, for a principal with the permission: allowed or refused.
@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        ("received", "accept", True),
        ("received", "refuse", True),
        ("received", "close", False),
        ("accepted", "accept", False),
        ("accepted", "refuse", False),
        ("accepted", "close", True),
        ("refused", "accept", False),
        ("refused", "refuse", False),
        ("refused", "close", False),
        ("closed", "accept", False),
        ("closed", "refuse", False),
        ("closed", "close", False),
    ],
)
def test_state_action_table(admin_p, state, action, allowed):
    case = Case(title="t", status=state)
    assert (action in [t.action for t in WORKFLOW.available(case, admin_p)]) is allowed
    if allowed:
        assert WORKFLOW.check(case, action, admin_p).action == action
    else:
        with pytest.raises(InvalidTransition):
            WORKFLOW.check(case, action, admin_p)


def test_permission_and_scope_refusals_say_why(hr_p, api_client_factory):
    case = Case(title="t", status="received")
    with pytest.raises(NotAllowed, match="Accept"):
        WORKFLOW.check(case, "accept", hr_p)
    assert [t.action for t in WORKFLOW.available(case, hr_p)] == []
    client, _ = api_client_factory(scopes=["mediation:write"])
    p = principal_for_api_client(client)
    assert WORKFLOW.check(case, "accept", p).action == "accept"
    with pytest.raises(NotAllowed):
        WORKFLOW.check(case, "refuse", p)  # no scope declared: not for API clients


def test_guard_gives_its_reason(admin_p):
    case = Case(title="t", status="received", workers=10)
    with pytest.raises(InvalidTransition, match="collective"):
        WORKFLOW.check(case, "accept", admin_p)
    assert [t.action for t in WORKFLOW.available(case, admin_p)] == ["refuse"]


def test_unknown_action(admin_p):
    with pytest.raises(InvalidTransition):
        WORKFLOW.check(Case(title="t"), "explode", admin_p)


def test_transition_writes_status_history_and_audit(admin_p, park_admin):
    case = Case.objects.create(title="劳动报酬争议")
    case = history.transition(case, WORKFLOW, "accept", admin_p)
    assert Case.objects.get(pk=case.pk).status == "accepted"
    [h] = case.history.all()
    assert (h.from_status, h.to_status, h.action, h.actor_id) == (
        "received",
        "accepted",
        "accept",
        park_admin.pk,
    )
    event = AuditEvent.objects.get(action="testapp.accept")
    assert event.before == {"status": "received"} and event.after == {"status": "accepted"}


def test_reason_required(admin_p):
    case = Case.objects.create(title="t")
    with pytest.raises(DomainError) as exc:
        history.transition(case, WORKFLOW, "refuse", admin_p, reason="  ")
    assert exc.value.field == "reason"
    assert Case.objects.get(pk=case.pk).status == "received"
    assert not case.history.exists()


def test_refused_transition_writes_nothing(hr_p):
    case = Case.objects.create(title="t")
    with pytest.raises(NotAllowed):
        history.transition(case, WORKFLOW, "accept", hr_p)
    assert not case.history.exists()
    assert not AuditEvent.objects.filter(object_id=str(case.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_at_once_leave_exactly_one_result():
    admin1 = principal_for_user(user_with_role(Role.PARK_ADMIN))
    admin2 = principal_for_user(user_with_role(Role.PARK_ADMIN))
    case = Case.objects.create(title="并发")
    barrier = threading.Barrier(2)
    results = []

    def act(principal):
        try:
            barrier.wait()
            history.transition(Case.objects.get(pk=case.pk), WORKFLOW, "accept", principal)
            results.append("ok")
        except InvalidTransition:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(p,)) for p in (admin1, admin2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["ok", "refused"]
    assert case.history.count() == 1
