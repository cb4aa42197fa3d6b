"""Who sees which case: mediators their organisations' cases (and follow a transfer), enterprise HR
the cases against their enterprise without applicants' ID numbers or phones, API clients their
area, the anonymous public nothing but their own case with its serial number and access code."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.principal import ANONYMOUS, SYSTEM, principal_for_api_client
from apps.mediation import selectors, services
from apps.mediation.models import Case
from tests.factories import TownFactory, user_with_role

from .conftest import accepted, applicant, p, valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture
def case_x(make_case, med_org):
    """A case against ent_a, routed to med_org (organisation X)."""
    case, _code = make_case(applicants=[applicant(1, name="张三"), applicant(2, name="李四")])
    assert case.organisation == med_org
    return case


@pytest.fixture
def case_y(make_case, ent_b, med_org_b):
    """A case against ent_b, routed to ent_b's committee (organisation Y)."""
    case, _code = make_case(respondent_enterprise=ent_b, applicants=[applicant(3, name="王五")])
    assert case.organisation == med_org_b
    return case


def listed(principal) -> set:
    _fs, qs = selectors.case_list(principal, {})
    return set(qs)


def sees(principal, case) -> bool:
    try:
        selectors.get_case(principal, case.pk)
    except Http404:
        return False
    return True


def test_a_mediator_sees_only_the_cases_of_their_organisation(case_x, case_y, mediator_user, mediator_b_user):
    x, y = p(mediator_user), p(mediator_b_user)
    assert selectors.get_case(x, case_x.pk) == case_x
    with pytest.raises(Http404):
        selectors.get_case(x, case_y.pk)
    with pytest.raises(Http404):
        selectors.get_case(y, case_x.pk)
    assert listed(x) == {case_x} and listed(y) == {case_y}
    assert not selectors.case_detail_queryset(x).filter(pk=case_y.pk).exists()
    assert selectors.figures(x)["cases"] == 1


def test_junk_keys_are_a_404(mediator_user):
    for pk in ("not-a-uuid", "", None, 42, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(Http404):
            selectors.get_case(p(mediator_user), pk)


def test_after_a_transfer_the_case_follows_the_organisation(
    case_x, mediator_user, mediator_b_user, med_org_b
):
    x, y = p(mediator_user), p(mediator_b_user)
    accepted(case_x, mediator_user)
    services.transfer(x, case_x, to_organisation=med_org_b, reason="由企业调解委员会先行调解")
    assert sees(y, case_x) and case_x in listed(y)
    assert not sees(x, case_x) and case_x not in listed(x)
    # ... and X can no longer act on it.
    from apps.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.refuse(x, case_x, "不受理")
    case = accepted(case_x, mediator_b_user)
    assert case.status == Case.Status.IN_MEDIATION and case.organisation == med_org_b


def test_enterprise_hr_sees_only_cases_against_their_enterprise(case_x, case_y, ent_hr_a, ent_hr_b):
    a, b = p(ent_hr_a), p(ent_hr_b)
    assert sees(a, case_x) and not sees(a, case_y)
    assert sees(b, case_y) and not sees(b, case_x)
    assert listed(a) == {case_x} and listed(b) == {case_y}


def test_other_roles_and_the_public_see_nothing(case_x, case_y):
    for role in (Role.UNION_OFFICIAL, Role.INSPECTOR):
        principal = p(user_with_role(role))
        assert listed(principal) == set() and not sees(principal, case_x)
    assert listed(ANONYMOUS) == set() and not sees(ANONYMOUS, case_x)
    assert not Case.objects.visible_to(ANONYMOUS).exists()


def test_park_administrators_and_the_system_see_everything(case_x, case_y, park_admin):
    assert listed(p(park_admin)) == {case_x, case_y}
    assert set(Case.objects.visible_to(SYSTEM)) == {case_x, case_y}


def test_api_clients_see_their_area(case_x, case_y, ent_a, ent_b, api_client_factory):
    everywhere, _ = api_client_factory(name="district", scopes=["mediation:read"])
    assert listed(principal_for_api_client(everywhere)) == {case_x, case_y}
    elsewhere, _ = api_client_factory(name="elsewhere", scopes=["mediation:read"], area=TownFactory())
    principal = principal_for_api_client(elsewhere)
    assert listed(principal) == set()
    assert not sees(principal, case_x) and not sees(principal, case_y)
    town_b, _ = api_client_factory(name="town-b", scopes=["mediation:read"], area=ent_b.town)
    principal = principal_for_api_client(town_b)
    assert listed(principal) == {case_y} and not sees(principal, case_x)


# Applicants' identity ------------------------------------------------------------------------------


def test_hr_never_sees_id_numbers_or_phones(case_x, ent_hr_a):
    rows = selectors.applicant_rows(p(ent_hr_a), case_x)
    assert [r["name"] for r in rows] == ["张三", "李四"]
    assert all(r["id_number"] is None and r["phone"] is None for r in rows)
    assert not selectors.can_see_identity(p(ent_hr_a))
    # Asking to reveal changes nothing and logs nothing.
    rows = selectors.applicant_rows(p(ent_hr_a), case_x, reveal=case_x.applicants.first().pk)
    assert all(r["id_number"] is None and not r["revealed"] for r in rows)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()


def test_a_mediator_sees_masked_numbers_and_reveals_one_with_an_audit_event(case_x, mediator_user):
    pr = p(mediator_user)
    first, second = case_x.applicants.order_by("position")
    rows = selectors.applicant_rows(pr, case_x)
    assert [r["id_number"] for r in rows] == [
        "4502**********" + valid_id_number(1)[-4:],
        "4502**********" + valid_id_number(2)[-4:],
    ]
    assert rows[0]["phone"] == "13807710001"
    assert not any(r["revealed"] for r in rows)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()

    rows = selectors.applicant_rows(pr, case_x, reveal=str(second.pk))
    assert rows[1]["id_number"] == valid_id_number(2) and rows[1]["revealed"]
    assert rows[0]["id_number"].startswith("4502****") and not rows[0]["revealed"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    assert event.object_id == str(second.pk) and event.action == "view_full:id_number"
    assert event.note == case_x.serial


def test_api_clients_need_the_personal_data_scope(case_x, api_client_factory):
    reader, _ = api_client_factory(name="reader", scopes=["mediation:read"])
    rows = selectors.applicant_rows(principal_for_api_client(reader), case_x)
    assert all(r["id_number"] is None and r["phone"] is None for r in rows)
    full, _ = api_client_factory(name="full", scopes=["mediation:read", "personal_data:read"])
    rows = selectors.applicant_rows(principal_for_api_client(full), case_x)
    assert rows[0]["id_number"].startswith("4502****")


def test_the_agreement_pdf_context_has_no_id_numbers(case_x, mediator_user):
    from .conftest import signed_agreement

    case = accepted(case_x, mediator_user)
    signed_agreement(case, mediator_user)
    context = selectors.agreement_pdf_context(case)
    assert [a["name"] for a in context["applicants"]] == ["张三", "李四"]
    text = str(context)
    for a in case.applicants.all():
        assert a.id_number[-8:] not in text and a.phone not in text


# The public tracking page --------------------------------------------------------------------------


def test_tracking_needs_the_serial_number_and_its_code(make_case, ent_a):
    case, code = make_case()
    other, other_code = make_case(applicants=[applicant(9)])
    assert selectors.track(case.serial, code) == case
    assert selectors.track(f" {case.serial.lower()} ", code.lower()) == case
    assert selectors.track(case.serial, other_code) is None or other_code == code
    assert selectors.track(case.serial, "") is None
    assert selectors.track(case.serial, "WRONGCOD") is None
    assert selectors.track("TJ2026-99999", code) is None
    assert selectors.track("", code) is None
    assert selectors.track(None, None) is None
    assert selectors.track(other.serial, other_code) == other


def test_the_public_timeline_names_nobody(make_case, mediator_user, med_org_b):
    case, code = make_case()
    case = accepted(case, mediator_user)
    case = services.transfer(p(mediator_user), case, to_organisation=med_org_b, reason="李调解认为需回避")
    rows = selectors.public_timeline(selectors.track(case.serial, code))
    assert [r["label"] for r in rows] == [
        "Application received",
        "Accept",
        "Transfer to another organisation",
    ]
    assert all(set(r) == {"at", "label", "reason"} for r in rows)
    text = str(rows)
    for name in (mediator_user.full_name, mediator_user.username, "李调解", "system"):
        assert name not in text
    assert all(r["reason"] == "" for r in rows)  # internal reasons stay internal
    assert str(case.decision_due_on) in selectors.next_step(case)


def test_a_refusal_shows_its_reason_to_the_applicant(make_case, mediator_user):
    case, code = make_case()
    services.refuse(p(mediator_user), case, "双方已在仲裁程序中")
    rows = selectors.public_timeline(selectors.track(case.serial, code))
    assert rows[-1]["reason"] == "双方已在仲裁程序中"
    assert "arbitration" in selectors.next_step(Case.objects.get(pk=case.pk))


def test_the_decision_date_is_the_next_step_of_a_new_case(make_case):
    case, code = make_case()
    assert str(case.decision_due_on) in selectors.next_step(case)
    assert case.decision_due_on > TODAY - dt.timedelta(days=1)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"organisation": "not-a-uuid"},
        {"town": "nowhere"},
        {"type": "pizza"},
        {"received_from": "yesterday"},
        {"ordering": "-password"},
        {"collective": "maybe", "overdue": "perhaps", "mine": "x"},
    ],
)
def test_junk_list_parameters_give_an_empty_list_not_an_error(case_x, mediator_user, params):
    _fs, qs = selectors.case_list(p(mediator_user), params)
    assert list(qs) in ([], [case_x])


def test_list_filters_stay_inside_the_scope(case_x, case_y, mediator_user, med_org_b):
    _fs, qs = selectors.case_list(p(mediator_user), {"organisation": str(med_org_b.pk)})
    assert list(qs) == []
    _fs, qs = selectors.case_list(p(mediator_user), {"search": case_y.serial})
    assert list(qs) == []
    _fs, qs = selectors.case_list(p(mediator_user), {"search": case_x.serial.lower()})
    assert list(qs) == [case_x]
