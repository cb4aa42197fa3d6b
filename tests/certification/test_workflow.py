"""The certification application lifecycle (workflow.WORKFLOW): every status × every action,
the roles and API scopes that may act, reasons, and the history and audit trail of each step."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from apps.audit.models import AuditEvent
from apps.certification import services
from apps.certification.models import Application, ItemScore, PublicNotice
from apps.certification.workflow import WORKFLOW
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import principal_for_api_client

from .conftest import build, complete, p, review_all

pytestmark = pytest.mark.django_db

S = Application.Status

#: Actions the enterprise performs; every other action is the park's.
HR_ACTIONS = {"submit", "withdraw"}
#: Actions an API client holding certification:write may perform (the transitions with a scope).
API_ACTIONS = {"start_review", "return", "reject", "propose"}

#: The lifecycle as the issue states it: status → actions possible from it.
EXPECTED = {
    S.DRAFT: {"submit", "withdraw"},
    S.SUBMITTED: {"withdraw", "start_review", "return", "reject"},
    S.UNDER_REVIEW: {"return", "reject", "propose"},
    S.RETURNED: {"submit", "withdraw"},
    S.PROPOSED: {"reject", "publish"},
    S.IN_NOTICE: {"reject", "certify"},
    S.CERTIFIED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}

TABLE = [(status, action) for status in S.values for action in WORKFLOW.transitions]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ready_app(ent_a_old, ent_hr_a, cert_round):
    """A draft of ent_a whose guards all pass (round open, every item reviewed, an ended notice
    without objections), so only the status and the principal decide in the table below."""
    app = build(ent_hr_a, ent_a_old, cert_round)
    ItemScore.objects.filter(application=app).update(review_score=1)
    today = timezone.localdate()
    notice = PublicNotice.objects.create(
        round=cert_round,
        title="公示",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today - dt.timedelta(days=1),
    )
    Application.objects.filter(pk=app.pk).update(notice=notice)
    return app


def in_status(app, status) -> Application:
    Application.objects.filter(pk=app.pk).update(status=status)
    return Application.objects.select_related("round", "notice").get(pk=app.pk)


def api_principal(factory, *scopes, name="district-system"):
    client, _key = factory(name=name, scopes=scopes)
    return principal_for_api_client(client)


def test_expected_table_matches_the_workflow():
    declared = {s: {a for a, t in WORKFLOW.transitions.items() if s in t.sources} for s in S.values}
    assert declared == {str(k): v for k, v in EXPECTED.items()}
    assert set(WORKFLOW.transitions) == {
        "submit",
        "withdraw",
        "start_review",
        "return",
        "reject",
        "propose",
        "publish",
        "certify",
    }


@pytest.mark.parametrize(("status", "action"), TABLE)
def test_every_status_and_action(ready_app, ent_hr_a, cert_admin, status, action):
    app = in_status(ready_app, status)
    t = WORKFLOW.transitions[action]
    principal = p(ent_hr_a) if action in HR_ACTIONS else p(cert_admin)
    refusal = WORKFLOW.refusal(app, t, principal)
    if action in EXPECTED[status]:
        assert refusal is None, refusal
        assert action in [x.action for x in WORKFLOW.available(app, principal)]
    else:
        assert isinstance(refusal, InvalidTransition)
        message = str(refusal)
        assert str(t.label) in message
        assert app.get_status_display() in message
        assert "is not possible while the status is" in message
        with pytest.raises(InvalidTransition):
            WORKFLOW.check(app, action, principal)


@pytest.mark.parametrize(
    ("status", "action"), [(s, a) for s, actions in EXPECTED.items() for a in sorted(actions)]
)
def test_the_wrong_role_is_refused(ready_app, ent_hr_a, cert_admin, status, action):
    """HR may not review, publish or certify; an administrator may not submit or withdraw."""
    app = in_status(ready_app, status)
    wrong = p(cert_admin) if action in HR_ACTIONS else p(ent_hr_a)
    refusal = WORKFLOW.refusal(app, WORKFLOW.transitions[action], wrong)
    assert isinstance(refusal, NotAllowed)
    assert str(WORKFLOW.transitions[action].label) in str(refusal)


@pytest.mark.parametrize(
    ("status", "action"), [(s, a) for s, actions in EXPECTED.items() for a in sorted(actions)]
)
def test_api_clients_need_the_write_scope(ready_app, api_client_factory, status, action):
    app = in_status(ready_app, status)
    t = WORKFLOW.transitions[action]
    reader = api_principal(api_client_factory, "certification:read", name="reader")
    writer = api_principal(api_client_factory, "certification:read", "certification:write", name="writer")
    assert isinstance(WORKFLOW.refusal(app, t, reader), NotAllowed)
    if action in API_ACTIONS:
        assert WORKFLOW.refusal(app, t, writer) is None
    else:
        # Submitting, withdrawing, publishing and certifying are never done by a district system.
        assert isinstance(WORKFLOW.refusal(app, t, writer), NotAllowed)


def test_hr_cannot_start_the_review(ready_app, ent_hr_a):
    app = in_status(ready_app, S.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.start_review(p(ent_hr_a), app)
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    assert not app.history.exists()


def test_an_administrator_cannot_submit(ent_a_old, ent_hr_a, cert_round, cert_admin):
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    with pytest.raises(NotAllowed):
        services.submit(p(cert_admin), app)
    with pytest.raises(NotAllowed):
        services.withdraw(p(cert_admin), app)
    app.refresh_from_db()
    assert app.status == S.DRAFT


def test_a_service_refuses_the_wrong_status_with_409(ready_app, cert_admin):
    with pytest.raises(InvalidTransition) as exc:
        services.start_review(p(cert_admin), ready_app)  # still a draft
    assert exc.value.code == "invalid_transition"
    assert "Start the review" in str(exc.value) and "Draft" in str(exc.value)


def test_api_client_without_scope_is_refused_and_with_it_acts(ready_app, api_client_factory):
    app = in_status(ready_app, S.SUBMITTED)
    reader = api_principal(api_client_factory, "certification:read", name="reader")
    with pytest.raises(NotAllowed) as exc:
        services.start_review(reader, app)
    assert "API client" in str(exc.value)
    with pytest.raises(NotAllowed):
        services.save_review_scores(reader, in_status(app, S.UNDER_REVIEW), {})
    app = in_status(app, S.SUBMITTED)
    writer = api_principal(api_client_factory, "certification:write", name="writer")
    app = services.start_review(writer, app)
    assert app.status == S.UNDER_REVIEW
    row = app.history.get()
    assert row.actor is None and row.actor_label == "api:writer"


@pytest.mark.parametrize("action", ["return", "reject"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_actions_needing_a_reason_refuse_without_one(ready_app, cert_admin, action, reason):
    app = in_status(ready_app, S.UNDER_REVIEW)
    fn = {"return": services.return_for_revision, "reject": services.reject}[action]
    with pytest.raises(DomainError) as exc:
        fn(p(cert_admin), app, reason)
    assert not isinstance(exc.value, (NotAllowed, InvalidTransition))
    assert list(exc.value.fields) == ["reason"]
    assert "Give a reason" in str(exc.value)
    app.refresh_from_db()
    assert app.status == S.UNDER_REVIEW
    assert not app.history.exists()


def _events(app, action):
    return AuditEvent.objects.for_object(app).filter(action=f"certification.{action}")


def test_each_transition_writes_history_and_an_audit_event(
    ent_a_old, ent_hr_a, cert_round, cert_admin, ent_b, ent_hr_b
):
    hr, admin = p(ent_hr_a), p(cert_admin)
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    app = services.submit(hr, app)
    app = services.return_for_revision(admin, app, "请补充工资支付凭证")
    app = services.submit(hr, app)
    app = services.start_review(admin, app)
    app = services.propose(admin, review_all(app, cert_admin))
    services.publish_notice(admin, round=cert_round, applications=[app])
    app.refresh_from_db()
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=app.notice_id).update(
        starts_on=today - dt.timedelta(days=8), ends_on=today - dt.timedelta(days=1)
    )
    services.certify(admin, app)
    app.refresh_from_db()
    assert app.status == S.CERTIFIED

    rows = list(app.history.order_by("at").values_list("action", "from_status", "to_status", "actor_id"))
    assert rows == [
        ("submit", S.DRAFT, S.SUBMITTED, ent_hr_a.pk),
        ("return", S.SUBMITTED, S.RETURNED, cert_admin.pk),
        ("submit", S.RETURNED, S.SUBMITTED, ent_hr_a.pk),
        ("start_review", S.SUBMITTED, S.UNDER_REVIEW, cert_admin.pk),
        ("propose", S.UNDER_REVIEW, S.PROPOSED, cert_admin.pk),
        ("publish", S.PROPOSED, S.IN_NOTICE, cert_admin.pk),
        ("certify", S.IN_NOTICE, S.CERTIFIED, cert_admin.pk),
    ]
    assert app.history.get(action="return").reason == "请补充工资支付凭证"
    for action, n in [("submit", 2), ("return", 1), ("start_review", 1), ("propose", 1), ("publish", 1)]:
        assert _events(app, action).count() == n, action
    certify_event = _events(app, "certify").get()
    assert certify_event.before["status"] == S.IN_NOTICE
    assert certify_event.after["status"] == S.CERTIFIED
    assert _events(app, "return").get().note == "请补充工资支付凭证"

    # Withdraw and reject, on applications of another enterprise.
    ent_b.established_on = ent_a_old.established_on
    ent_b.save()
    other = services.withdraw(p(ent_hr_b), build(ent_hr_b, ent_b, cert_round), "不再申请")
    assert list(other.history.values_list("action", "from_status", "to_status")) == [
        ("withdraw", S.DRAFT, S.WITHDRAWN)
    ]
    assert _events(other, "withdraw").get().note == "不再申请"
    third = complete(build(ent_hr_b, ent_b, cert_round), ent_hr_b)
    third = services.reject(admin, services.submit(p(ent_hr_b), third), "材料虚假")
    assert third.status == S.REJECTED
    assert third.history.get(action="reject").reason == "材料虚假"
    assert _events(third, "reject").get().after["status"] == S.REJECTED
