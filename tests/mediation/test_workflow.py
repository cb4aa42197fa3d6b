"""The mediation case lifecycle (workflow.WORKFLOW): every status × every action performed through
the services, the roles and API scopes that may act, the guards, and the history and audit trail
each step leaves."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import SYSTEM, principal_for_api_client
from apps.documents.models import GeneratedDocument
from apps.mediation import rules, selectors, services
from apps.mediation.models import Agreement, Case, CaseHistory, Extension, Transfer
from apps.mediation.workflow import (
    CLOSING_OUTCOMES,
    WORK_STATUSES,
    WORKFLOW,
    agreement_pdf_refusal,
    can_generate_agreement_pdf,
    can_reissue_access_code,
    work_allowed,
    work_refusal,
)
from tests.factories import user_with_role

from .conftest import accepted, applicant, mediator_of, p, signed_agreement, travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = Case.Status
TODAY = timezone.localdate()
#: The cases of the table were received this long ago, so the mediation period (15 days) has run
#: out and every guard of an open case passes: only the status and the principal decide.
RECEIVED_DAYS_AGO = 20

#: The lifecycle as the issue states it: status → actions possible from it.
EXPECTED = {
    S.RECEIVED: {"accept", "refuse", "transfer", "withdraw", "respondent_refused"},
    S.IN_MEDIATION: {
        "transfer",
        "extend",
        "close_agreement",
        "close_no_agreement",
        "close_timed_out",
        "withdraw",
        "respondent_refused",
        "refer_arbitration",
        "refer_court",
    },
    S.REFUSED: {"archive"},
    S.CLOSED: {"archive"},
    S.ARCHIVED: set(),
}

TABLE = [(status, action) for status in S.values for action in WORKFLOW.transitions]


@pytest.fixture
def build(make_case, mediator_user):
    """Build a case of ent_a in a status, through the services only."""

    def make(status) -> Case:
        received = TODAY - dt.timedelta(days=RECEIVED_DAYS_AGO)
        case, _code = make_case(channel=Case.Channel.WALK_IN, received_on=received)
        if status == S.RECEIVED:
            return case
        if status == S.REFUSED:
            return services.refuse(p(mediator_user), case, "不属于劳动争议")
        case = accepted(case, mediator_user)
        if status == S.IN_MEDIATION:
            signed_agreement(case, mediator_user)
            return Case.objects.get(pk=case.pk)
        case = services.close(p(mediator_user), case, "close_no_agreement", reason="双方差距过大")
        if status == S.CLOSED:
            return case
        return services.archive(p(mediator_user), case)

    return make


def act(case, action, user, other_org, principal=None) -> Case:
    """Perform `action` through its service, with valid input."""
    pr = principal or p(user)
    if action == "accept":
        return services.accept(pr, case, mediator=mediator_of(user))
    if action == "refuse":
        return services.refuse(pr, case, "不属于劳动争议")
    if action == "transfer":
        return services.transfer(pr, case, to_organisation=other_org, reason="移交企业调解委员会")
    if action == "extend":
        return services.extend(
            pr,
            case,
            new_due_on=case.due_on + dt.timedelta(days=10),
            applicant_consent_on=TODAY,
            respondent_consent_on=TODAY,
            consent_record="双方签字同意延长",
        )
    if action == "archive":
        return services.archive(pr, case)
    assert action in CLOSING_OUTCOMES
    # A district system passes on the applicant's own withdrawal (issue 15; rules.WITHDRAW_SOURCE).
    return services.close(pr, case, action, reason="调解结束", applicant_request=action == "withdraw")


def events(case, action):
    return AuditEvent.objects.for_object(case).filter(action=f"mediation.{action}")


def test_expected_table_matches_the_workflow():
    declared = {s: {a for a, t in WORKFLOW.transitions.items() if s in t.sources} for s in S.values}
    assert declared == {str(k): v for k, v in EXPECTED.items()}
    assert WORKFLOW.states() == set(S.values)
    assert set(CLOSING_OUTCOMES) == {a for a, t in WORKFLOW.transitions.items() if t.target == S.CLOSED}
    assert set(CLOSING_OUTCOMES.values()) == set(Case.Outcome.values)


def test_the_table_builds_a_case_in_every_status(build):
    for status in S.values:
        case = build(status)
        assert case.status == status
        assert Case.objects.get(pk=case.pk).status == status


@pytest.mark.parametrize(("status", "action"), TABLE)
def test_every_status_and_action(build, mediator_user, med_org_b, status, action):
    case = build(status)
    history = list(case.history.values_list("pk", flat=True))
    audited = events(case, action).count()
    t = WORKFLOW.transitions[action]
    offered = [x.action for x in selectors.available_actions(case, p(mediator_user))]
    if action in EXPECTED[status]:
        assert action in offered
        done = act(case, action, mediator_user, med_org_b)
        assert done.status == t.target
        assert Case.objects.get(pk=case.pk).status == t.target
        rows = case.history.exclude(pk__in=history)
        assert [(h.action, h.from_status, h.to_status) for h in rows] == [(action, status, t.target)]
        assert rows.get().actor == mediator_user
        assert events(case, action).count() == audited + 1
        event = events(case, action).order_by("-occurred_at").first()
        if status != t.target:  # the event records the changes only
            assert event.before["status"] == status and event.after["status"] == t.target
        if action in CLOSING_OUTCOMES:
            assert done.outcome == CLOSING_OUTCOMES[action]
            assert done.closed_on == TODAY
    else:
        assert action not in offered
        with pytest.raises(InvalidTransition) as exc:
            act(case, action, mediator_user, med_org_b)
        message = str(exc.value)
        assert exc.value.code == "invalid_transition"
        assert str(t.label) in message
        assert case.get_status_display() in message
        assert "is not possible while the status is" in message
        # A refused action writes nothing.
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.status == status
        assert list(fresh.history.values_list("pk", flat=True)) == history
        assert events(case, action).count() == audited
        assert not Transfer.objects.filter(case=case).exists()
        assert not Extension.objects.filter(case=case).exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.INSPECTOR])
@pytest.mark.parametrize("action", ["accept", "refuse", "withdraw", "close_no_agreement", "transfer"])
def test_the_wrong_roles_are_refused(build, mediator_user, med_org_b, ent_hr_a, role, action):
    """HR of the respondent (who sees the case), a union official and an inspector may not act."""
    status = S.RECEIVED if action in ("accept", "refuse") else S.IN_MEDIATION
    case = build(status)
    user = ent_hr_a if role == Role.ENTERPRISE_HR else user_with_role(role)
    if role == Role.ENTERPRISE_HR:
        assert selectors.get_case(p(user), case.pk) == case
        assert selectors.available_actions(case, p(user)) == []
    n = case.history.count()
    with pytest.raises(NotAllowed) as exc:
        act(case, action, mediator_user, med_org_b, principal=p(user))
    assert exc.value.code == "not_allowed"
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == status and fresh.history.count() == n
    assert not events(case, action).exists()


def test_a_mediator_of_another_organisation_cannot_act_on_the_case(build, mediator_b_user, med_org_b):
    """The services check the scope too, not only the role: a mediator of Y (who gets a 404 on the
    page) cannot accept, refuse, extend or close a case of X by calling the service."""
    received = build(S.RECEIVED)
    in_mediation = build(S.IN_MEDIATION)
    closed = build(S.CLOSED)
    pr = p(mediator_b_user)
    attempts = [
        (received, lambda c: services.accept(pr, c, mediator=mediator_of(mediator_b_user))),
        (
            received,
            lambda c: services.accept(pr, c, mediator=mediator_of(mediator_b_user), organisation=med_org_b),
        ),
        (received, lambda c: services.refuse(pr, c, "不受理")),
        (received, lambda c: services.transfer(pr, c, to_organisation=med_org_b, reason="我方接收")),
        (in_mediation, lambda c: services.close(pr, c, "withdraw", reason="撤回")),
        (in_mediation, lambda c: services.close(pr, c, "close_agreement")),
        (
            in_mediation,
            lambda c: services.extend(
                pr,
                c,
                new_due_on=c.due_on + dt.timedelta(days=5),
                applicant_consent_on=TODAY,
                respondent_consent_on=TODAY,
                consent_record="同意",
            ),
        ),
        (closed, lambda c: services.archive(pr, c)),
    ]
    for case, attempt in attempts:
        before = (case.status, case.history.count())
        with pytest.raises(NotAllowed):
            attempt(case)
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.status, fresh.history.count()) == before


def test_a_mediator_accepts_only_into_their_own_organisation(
    build, mediator_user, med_org_b, mediator_b_user
):
    case = build(S.RECEIVED)
    with pytest.raises(DomainError):  # the organisation is form input: a field error
        services.accept(p(mediator_user), case, mediator=mediator_of(mediator_b_user), organisation=med_org_b)
    with pytest.raises(DomainError) as exc:
        services.accept(p(mediator_user), case, mediator=mediator_of(mediator_b_user))
    assert list(exc.value.fields) == ["mediator"]
    assert Case.objects.get(pk=case.pk).status == S.RECEIVED
    assert not case.history.filter(action="accept").exists()


def api(api_client_factory, *scopes, name="district-system", area=None):
    client, _key = api_client_factory(name=name, scopes=scopes, area=area)
    return principal_for_api_client(client)


@pytest.mark.parametrize("action", ["accept", "refuse", "withdraw"])
def test_api_clients_need_the_write_scope(build, mediator_user, med_org_b, api_client_factory, action):
    case = build(S.RECEIVED)
    reader = api(api_client_factory, "mediation:read", name="reader")
    assert selectors.available_actions(case, reader) == []
    with pytest.raises(NotAllowed) as exc:
        act(case, action, mediator_user, med_org_b, principal=reader)
    assert "API client" in str(exc.value)
    assert Case.objects.get(pk=case.pk).status == S.RECEIVED
    assert not events(case, action).exists()

    writer = api(api_client_factory, "mediation:read", "mediation:write", name="writer")
    assert action in [t.action for t in selectors.available_actions(case, writer)]
    done = act(case, action, mediator_user, med_org_b, principal=writer)
    assert done.status == WORKFLOW.transitions[action].target
    row = case.history.get(action=action)
    assert row.actor is None and row.actor_label == "api:writer"
    assert events(case, action).count() == 1


def test_an_api_client_without_write_scope_cannot_close_or_archive(build, api_client_factory):
    reader = api(api_client_factory, "mediation:read", "personal_data:read", name="reader")
    case = build(S.IN_MEDIATION)
    with pytest.raises(NotAllowed):
        services.close(reader, case, "close_no_agreement", reason="无法达成")
    closed = build(S.CLOSED)
    with pytest.raises(NotAllowed):
        services.archive(reader, closed)
    assert Case.objects.get(pk=case.pk).status == S.IN_MEDIATION
    assert Case.objects.get(pk=closed.pk).status == S.CLOSED


@pytest.mark.parametrize(
    "action",
    ["refuse", "close_no_agreement", "withdraw", "respondent_refused", "refer_arbitration", "refer_court"],
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_actions_needing_a_reason_refuse_without_one(build, mediator_user, action, reason):
    status = S.RECEIVED if action == "refuse" else S.IN_MEDIATION
    case = build(status)
    n = case.history.count()
    with pytest.raises(DomainError) as exc:
        services.perform(p(mediator_user), case, action, reason=reason)
    assert not isinstance(exc.value, (NotAllowed, InvalidTransition))
    assert list(exc.value.fields) == ["reason"]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == status and fresh.history.count() == n and fresh.outcome == ""


def test_transfer_needs_a_reason_and_another_active_organisation(build, mediator_user, med_org, med_org_b):
    case = build(S.RECEIVED)
    for to, reason, field in [
        (med_org_b, "", "reason"),
        (med_org, "移交", "to_organisation"),
        (None, "移交", "to_organisation"),
    ]:
        with pytest.raises(DomainError) as exc:
            services.transfer(p(mediator_user), case, to_organisation=to, reason=reason)
        assert list(exc.value.fields) == [field]
    services.update_organisation(SYSTEM, med_org_b, is_active=False)
    with pytest.raises(DomainError) as exc:
        services.transfer(p(mediator_user), case, to_organisation=med_org_b, reason="移交")
    assert list(exc.value.fields) == ["to_organisation"]
    assert not Transfer.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).organisation == med_org


def test_unknown_actions_are_refused(build, mediator_user):
    case = build(S.IN_MEDIATION)
    with pytest.raises(DomainError) as exc:
        services.close(p(mediator_user), case, "close_happily")
    assert list(exc.value.fields) == ["action"]
    with pytest.raises(DomainError):
        services.perform(p(mediator_user), case, "accept")
    with pytest.raises(InvalidTransition):
        WORKFLOW.check(case, "reopen", p(mediator_user))
    assert Case.objects.get(pk=case.pk).status == S.IN_MEDIATION


def test_each_transition_writes_one_history_row_and_one_audit_event(
    make_case, mediator_user, mediator_b_user, med_org, med_org_b, django_capture_on_commit_callbacks
):
    """A case that goes the long way: received, transferred, accepted, transferred back, accepted,
    extended, closed with the agreement and archived."""
    case, _code = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=3))
    assert events(case, "receive").count() == 1
    case = services.transfer(p(mediator_user), case, to_organisation=med_org_b, reason="企业内部先行调解")
    case = accepted(case, mediator_b_user)
    case = services.transfer(p(mediator_b_user), case, to_organisation=med_org, reason="调解委员会回避")
    case = accepted(case, mediator_user)
    case = services.extend(
        p(mediator_user),
        case,
        new_due_on=case.due_on + dt.timedelta(days=5),
        applicant_consent_on=TODAY,
        respondent_consent_on=TODAY,
        consent_record="双方签字同意",
    )
    signed_agreement(case, mediator_user)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.close(p(mediator_user), case, "close_agreement")
    services.record_payment(p(mediator_user), case, amount="12000", paid_on=TODAY)
    case = services.archive(p(mediator_user), case)

    rows = list(case.history.order_by("at").values_list("action", "from_status", "to_status", "actor_id"))
    m, b = mediator_user.pk, mediator_b_user.pk
    assert rows == [
        ("receive", "", S.RECEIVED, None),
        ("transfer", S.RECEIVED, S.RECEIVED, m),
        ("accept", S.RECEIVED, S.IN_MEDIATION, b),
        ("transfer", S.IN_MEDIATION, S.RECEIVED, b),
        ("accept", S.RECEIVED, S.IN_MEDIATION, m),
        ("extend", S.IN_MEDIATION, S.IN_MEDIATION, m),
        ("close_agreement", S.IN_MEDIATION, S.CLOSED, m),
        ("archive", S.CLOSED, S.ARCHIVED, m),
    ]
    for action, n in [("transfer", 2), ("accept", 2), ("extend", 1), ("close_agreement", 1), ("archive", 1)]:
        assert events(case, action).count() == n, action
    assert case.history.get(action="transfer", actor=mediator_user).reason == "企业内部先行调解"
    assert events(case, "close_agreement").get().after["outcome"] == Case.Outcome.AGREEMENT
    assert case.transfers.count() == 2 and case.extensions.count() == 1
    assert CaseHistory.objects.filter(subject=case).count() == len(rows)


# Guards ------------------------------------------------------------------------------------------


def in_mediation(make_case, user, **data) -> Case:
    case, _code = make_case(**data)
    return accepted(case, user)


def test_close_agreement_waits_for_every_signature(make_case, mediator_user):
    case = in_mediation(make_case, mediator_user)
    pr = p(mediator_user)

    def refused(fragment):
        with pytest.raises(InvalidTransition) as exc:
            services.close(pr, case, "close_agreement")
        assert fragment in str(exc.value)
        assert "close_agreement" not in [t.action for t in selectors.available_actions(case, pr)]
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.status == S.IN_MEDIATION and fresh.outcome == ""
        assert not events(case, "close_agreement").exists()

    refused("Draft the agreement")
    services.save_agreement(
        pr,
        case,
        result="被申请人支付工资",
        items=[{"kind": "wages", "description": "工资", "amount": "8000", "due_on": TODAY}],
    )
    refused(rules.AGREEMENT_SOURCE)
    assert rules.AGREEMENT_SOURCE == "劳动争议调解仲裁法第十四条"
    # Three of four is not enough: the organisation's seal is missing.
    services.record_signatures(
        pr, case, applicant_signed_on=TODAY, respondent_signed_on=TODAY, mediator_signed_on=TODAY
    )
    refused("劳动争议调解仲裁法第十四条")
    services.record_signatures(
        pr,
        case,
        applicant_signed_on=TODAY,
        respondent_signed_on=TODAY,
        mediator_signed_on=TODAY,
        sealed_on=TODAY,
    )
    case = Case.objects.get(pk=case.pk)
    assert "close_agreement" in [t.action for t in selectors.available_actions(case, pr)]
    case = services.close(pr, case, "close_agreement")
    assert case.outcome == Case.Outcome.AGREEMENT and case.agreed_amount == 8000


def test_close_timed_out_only_after_the_deadline(make_case, mediator_user, monkeypatch):
    case = in_mediation(make_case, mediator_user)
    pr = p(mediator_user)
    assert case.due_on == case.received_on + dt.timedelta(days=15)
    for day in (TODAY, case.due_on - dt.timedelta(days=1), case.due_on):
        travel(monkeypatch, day)
        with pytest.raises(InvalidTransition) as exc:
            services.close(pr, case, "close_timed_out")
        assert str(case.due_on) in str(exc.value) and rules.MEDIATION_PERIOD.source in str(exc.value)
        assert "close_timed_out" not in [t.action for t in selectors.available_actions(case, pr)]
    assert Case.objects.get(pk=case.pk).status == S.IN_MEDIATION
    assert not events(case, "close_timed_out").exists()

    day_after = case.due_on + dt.timedelta(days=1)
    travel(monkeypatch, day_after)
    assert "close_timed_out" in [t.action for t in selectors.available_actions(case, pr)]
    case = services.close(pr, case, "close_timed_out")
    assert case.status == S.CLOSED and case.outcome == Case.Outcome.TIMED_OUT
    assert case.closed_on == day_after


def test_an_agreement_case_is_archived_after_performance_and_its_pdf(
    make_case, mediator_user, django_capture_on_commit_callbacks
):
    pr = p(mediator_user)
    case = in_mediation(make_case, mediator_user)
    signed_agreement(case, mediator_user, amount="12000")
    case = services.close(pr, case, "close_agreement")  # the PDF is queued, not rendered yet

    def refused(fragment):
        with pytest.raises(InvalidTransition) as exc:
            services.archive(pr, case)
        assert fragment in str(exc.value)
        assert Case.objects.get(pk=case.pk).status == S.CLOSED
        assert not events(case, "archive").exists()

    refused("Record whether the agreement was performed")
    services.record_payment(pr, case, amount="5000", paid_on=TODAY)
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.PARTLY
    refused("Record whether the agreement was performed")
    services.record_payment(pr, case, amount="7000", paid_on=TODAY)
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.PERFORMED
    refused("PDF is not ready")

    with django_capture_on_commit_callbacks(execute=True):
        services.request_agreement_pdf(case, pr)
    agreement = Agreement.objects.select_related("document").get(case=case)
    assert agreement.document.status == GeneratedDocument.Status.READY
    case = services.archive(pr, Case.objects.get(pk=case.pk))
    assert case.status == S.ARCHIVED and case.archived_on == TODAY


def test_refused_and_closed_cases_without_agreement_archive_directly(build, mediator_user):
    for status in (S.REFUSED, S.CLOSED):
        case = services.archive(p(mediator_user), build(status))
        assert case.status == S.ARCHIVED


def test_an_archived_case_is_read_only(build, mediator_user):
    case = build(S.ARCHIVED)
    pr = p(mediator_user)
    assert selectors.available_actions(case, pr) == []
    with pytest.raises(DomainError) as exc:
        services.record_session(pr, case, held_at=timezone.now(), mode="phone", attendees="双方")
    assert exc.value.code == "archived"
    with pytest.raises(DomainError) as exc:
        services.save_agreement(pr, case, result="x", items=[])
    assert exc.value.code == "archived"


def test_the_system_principal_passes_roles_but_not_the_state_table(build):
    case = build(S.CLOSED)
    with pytest.raises(InvalidTransition):
        services.close(SYSTEM, case, "withdraw", reason="撤回")
    case = services.archive(SYSTEM, case)
    row = case.history.get(action="archive")
    assert row.actor is None and row.actor_label == "system"


def test_an_applicant_row_for_each_test_case_is_valid():
    """The helper ID numbers pass the check digit (else the table would test the wrong thing)."""
    from apps.core.personal_data import validate_id_number

    for n in (1, 2, 999):
        validate_id_number(applicant(n)["id_number"])


# Work besides the lifecycle: one table answers the page's buttons and the services' refusals ------


def _refused_code(call) -> str | None:
    try:
        call()
    except DomainError as exc:
        return exc.code
    return None


def test_the_work_table_answers_the_buttons_and_the_services_alike(make_case, mediator_user, ent_hr_a):
    pr, hr = p(mediator_user), p(ent_hr_a)
    case, _code = make_case()
    assert work_allowed(case, pr) == {"document"}
    assert work_allowed(case, hr) == set()  # the respondent's HR never works on the case
    assert can_reissue_access_code(case, pr) and not can_reissue_access_code(case, hr)
    assert not can_generate_agreement_pdf(case, pr)

    case = accepted(case, mediator_user)
    assert work_allowed(case, pr) == {"session", "agreement", "referral", "document"}
    # Signatures need a drafted agreement: the button is absent and the service refuses alike.
    assert work_refusal(case, "signatures").code == "no_agreement"
    assert _refused_code(lambda: services.record_signatures(pr, case, applicant_signed_on=TODAY)) == (
        "no_agreement"
    )
    signed_agreement(case, mediator_user)
    case = selectors.get_case(pr, case.pk)
    # Once signed, the agreement's text is fixed (LDMAL art. 14).
    assert work_allowed(case, pr) == {"session", "signatures", "referral", "document"}
    assert work_refusal(case, "agreement").code == "signed"
    assert _refused_code(lambda: services.save_agreement(pr, case, result="改", items=[])) == "signed"
    # Performance is recorded only after closing with the agreement.
    assert work_refusal(case, "payment").code == "invalid_state"
    assert _refused_code(lambda: services.record_payment(pr, case, amount="1", paid_on=TODAY)) == (
        "invalid_state"
    )

    services.close(pr, case, "close_agreement")
    case = selectors.get_case(pr, case.pk)
    assert work_allowed(case, pr) == {"referral", "document", "payment", "performance", "follow_up"}
    assert not can_generate_agreement_pdf(case, pr)  # its PDF is being generated
    assert work_refusal(case, "session").code == "invalid_state"
    GeneratedDocument.objects.filter(pk=case.agreement.document_id).update(
        status=GeneratedDocument.Status.FAILED
    )
    case = selectors.get_case(pr, case.pk)
    assert can_generate_agreement_pdf(case, pr) and not can_generate_agreement_pdf(case, hr)


def test_work_on_a_case_closed_without_agreement_and_on_an_archived_one(build, mediator_user):
    pr = p(mediator_user)
    case = build(S.CLOSED)
    assert work_allowed(case, pr) == {"referral", "document"}
    assert work_refusal(case, "performance").code == "no_agreement"
    assert _refused_code(lambda: services.set_performance(pr, case, "performed")) == "no_agreement"
    assert agreement_pdf_refusal(case).code == "no_agreement"
    case = services.archive(pr, case)
    assert work_allowed(case, pr) == set()
    assert {work_refusal(case, work).code for work in WORK_STATUSES} == {"archived"}
    assert not can_reissue_access_code(case, pr)
    assert _refused_code(lambda: services.reissue_access_code(pr, case)) == "archived"
