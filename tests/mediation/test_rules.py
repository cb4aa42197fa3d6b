"""Rules of the application and the agreement: the collective threshold (LDMAL art. 7) and its
representatives, the limitation warning (art. 27, with the unpaid-wage exception), intake
validation field by field, serial numbers, access codes, encrypted ID numbers, and what follows
an agreement (follow-ups, payment order, performance, referrals)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.calendar import on_working_day
from apps.core.errors import DomainError, NotAllowed
from apps.core.personal_data import lookup_hash
from apps.core.principal import ANONYMOUS, SYSTEM, principal_for_api_client
from apps.mediation import rules, selectors, services
from apps.mediation.models import (
    Agreement,
    Applicant,
    Case,
    CaseHistory,
    FollowUp,
    Referral,
    SerialCounter,
)
from apps.notifications.models import Notification

from .conftest import accepted, applicant, p, signed_agreement, valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = dt.date
TODAY = timezone.localdate()


def register(ent, principal=SYSTEM, *, applicants=None, **data):
    data.setdefault("channel", Case.Channel.WALK_IN)
    data.setdefault("types", ["remuneration"])
    data.setdefault("claims", "支付拖欠工资")
    data.setdefault("amount_claimed", "12000")
    if "respondent_name" not in data:
        data.setdefault("respondent_enterprise", ent)
    rows = applicants if applicants is not None else [applicant(1)]
    return services.register_case(principal, applicants=rows, **data)


def workers(n, *, representatives=0, start=1):
    return [applicant(start + i, is_representative=i < representatives) for i in range(n)]


# Collective disputes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "common", "collective"),
    [(1, True, False), (9, True, False), (10, True, True), (10, False, False), (250, True, True)],
)
def test_the_collective_threshold(ent_a, count, common, collective):
    case, _code = register(ent_a, applicants=[applicant(1)], workers_count=count, common_claim=common)
    assert case.is_collective is collective
    assert case.workers_count == count
    assert rules.is_collective(count, common) is collective
    assert rules.COLLECTIVE_THRESHOLD == 10


def test_the_number_of_workers_defaults_to_the_applicants(ent_a):
    case, _code = register(ent_a, applicants=workers(10), workers_count=None)
    assert case.workers_count == 10 and case.is_collective
    case, _code = register(ent_a, applicants=workers(9, start=20), workers_count="")
    assert case.workers_count == 9 and not case.is_collective


@pytest.mark.parametrize("n", [3, 4, 5])
def test_a_collective_case_elects_three_to_five_representatives(ent_a, n):
    case, _code = register(ent_a, applicants=workers(6, representatives=n), workers_count=40)
    assert case.is_collective
    assert case.applicants.filter(is_representative=True).count() == n


@pytest.mark.parametrize(
    ("n", "count", "common"),
    [(2, 40, True), (6, 40, True), (1, 9, True), (3, 9, True), (3, 40, False)],
)
def test_representatives_outside_the_rule_are_refused(ent_a, n, count, common):
    with pytest.raises(DomainError) as exc:
        register(ent_a, applicants=workers(7, representatives=n), workers_count=count, common_claim=common)
    assert list(exc.value.fields) == ["applicants"]
    message = str(exc.value)
    if count >= 10 and common:
        assert "3 to 5 representatives" in message and "劳动争议调解仲裁法第七条" in message
    else:
        assert "Only a collective dispute" in message
    assert not Case.objects.exists()


def test_the_list_is_most_urgent_first_collective_first_among_equal_deadlines(
    make_case, mediator_user, ent_a
):
    """Issue 20 (collective disputes used to lead, archived ones above overdue open cases): the
    nearest deadline first, a collective dispute first among cases due the same day (LDMAL art. 7),
    decided cases last."""
    pr = p(mediator_user)
    soon, _ = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=10))
    big, _ = make_case(channel=Case.Channel.WALK_IN, workers_count=30)
    later, _ = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=1))
    big2, _ = make_case(
        channel=Case.Channel.WALK_IN, workers_count=12, received_on=TODAY - dt.timedelta(days=5)
    )
    plain_today, _ = make_case(channel=Case.Channel.WALK_IN)
    done, _ = make_case(
        channel=Case.Channel.WALK_IN, workers_count=10, received_on=TODAY - dt.timedelta(days=30)
    )
    Case.objects.filter(pk=done.pk).update(status=Case.Status.ARCHIVED)
    _fs, qs = selectors.case_list(pr, {})
    listed = list(qs)
    # (Which of these fall due the same day depends on today's weekday: the decision is due
    # 3 working days after receipt. The order's properties hold on any day.)
    assert listed[0] == soon and listed[-1] == done  # the most overdue first, the archived last
    ranks = [case.deadline_rank for case in listed]
    assert ranks == sorted(ranks, reverse=True)
    for one, other in zip(listed, listed[1:], strict=False):
        if one.deadline_rank == other.deadline_rank:
            assert one.is_collective >= other.is_collective
    assert listed.index(big2) < listed.index(later) and listed.index(big) < listed.index(plain_today)
    # An explicit ordering replaces the default one.
    _fs, qs = selectors.case_list(pr, {"ordering": "-workers_count"})
    assert list(qs)[:2] == [big, big2]
    _fs, qs = selectors.case_list(pr, {"collective": "true"})
    assert set(qs) == {big, big2, done}


# Limitation ----------------------------------------------------------------------------------------

RECEIVED = D(2026, 10, 15)


@pytest.mark.parametrize(
    ("infringed", "level"),
    [
        (D(2025, 9, 15), "past"),  # 13 months
        (D(2025, 10, 14), "past"),  # one year and a day
        (D(2025, 10, 15), "near"),  # the last day
        (D(2025, 10, 30), "near"),  # 11.5 months
        (D(2025, 11, 13), "near"),  # 29 days left
        # Saturday 14 November 2026 is a rest day: the year ends on Monday 16 November
        # (民法典 art. 203), 32 days left.
        (D(2025, 11, 14), None),
        (D(2025, 11, 15), None),  # 31 days left, also moved to Monday
        (D(2026, 4, 15), None),  # 6 months
        (None, None),
    ],
)
def test_the_limitation_warning(ent_a, infringed, level):
    case, _code = register(ent_a, types=["dismissal"], infringed_on=infringed, received_on=RECEIVED)
    warning = rules.limitation(case)
    if level is None:
        assert warning is None
        return
    assert warning["level"] == level
    assert warning["ends_on"] == on_working_day(D(infringed.year + 1, infringed.month, infringed.day)).date
    assert warning["source"] == "劳动争议调解仲裁法第二十七条；民法典第二百零三条"
    assert str(warning["ends_on"]) in warning["message"]
    assert "For wages" not in warning["message"]


def test_unpaid_wages_while_still_employed_have_no_limit(ent_a):
    case, _code = register(
        ent_a,
        types=["remuneration"],
        infringed_on=D(2025, 9, 15),
        received_on=RECEIVED,
        applicants=[applicant(1, employed_until=None)],
    )
    assert rules.limitation(case) is None
    case, _code = register(ent_a, types=["remuneration"], received_on=RECEIVED, applicants=[applicant(2)])
    assert rules.limitation(case) is None


def test_unpaid_wages_run_from_the_end_of_the_employment(ent_a):
    case, _code = register(
        ent_a,
        types=["remuneration"],
        infringed_on=D(2025, 3, 1),
        received_on=RECEIVED,
        applicants=[applicant(1, employed_until=D(2025, 9, 15))],
    )
    warning = rules.limitation(case)
    assert warning["level"] == "past" and warning["ends_on"] == D(2026, 9, 15)
    assert (
        "For wages owed during employment the year runs from the end of the employment." in warning["message"]
    )

    case, _code = register(
        ent_a,
        types=["remuneration"],
        received_on=RECEIVED,
        applicants=[applicant(2, employed_until=D(2025, 10, 30))],
    )
    warning = rules.limitation(case)
    assert warning["level"] == "near" and "For wages" in warning["message"]

    # One applicant is still employed: the year has not started for the group.
    case, _code = register(
        ent_a,
        types=["remuneration"],
        received_on=RECEIVED,
        applicants=[applicant(3, employed_until=D(2025, 9, 15)), applicant(4)],
    )
    assert rules.limitation(case) is None


def test_wages_and_another_claim_warn_on_the_other_claim(ent_a):
    case, _code = register(
        ent_a,
        types=["remuneration", "dismissal"],
        infringed_on=D(2025, 9, 15),
        received_on=RECEIVED,
        applicants=[applicant(1)],
    )
    warning = rules.limitation(case)
    assert warning["level"] == "past" and "For wages" not in warning["message"]


# Intake validation ---------------------------------------------------------------------------------


def bad_id(n=1):
    good = valid_id_number(n)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


TOMORROW = TODAY + dt.timedelta(days=1)

#: (what is wrong, changes to a valid registration, the field key of the error)
BAD_INPUT = [
    ("bad check digit", {"applicants": [applicant(1, id_number=bad_id())]}, "applicants.0.id_number"),
    (
        "ID number format",
        {"applicants": [applicant(1, id_number="45020519900307")]},
        "applicants.0.id_number",
    ),
    (
        "duplicated ID number",
        {"applicants": [applicant(1), applicant(2, id_number=valid_id_number(1).lower())]},
        "applicants.1.id_number",
    ),
    ("no applicants", {"applicants": []}, "applicants"),
    ("no name", {"applicants": [applicant(1, name="  ")]}, "applicants.0.name"),
    ("bad phone", {"applicants": [applicant(1, phone="12345")]}, "applicants.0.phone"),
    (
        "end before start",
        {"applicants": [applicant(1, employed_from=D(2024, 5, 1), employed_until=D(2024, 4, 30))]},
        "applicants.0.employed_until",
    ),
    (
        "employed from the future",
        {"applicants": [applicant(1, employed_from=TOMORROW)]},
        "applicants.0.employed_from",
    ),
    (
        "employment ends in the future",
        {"applicants": [applicant(1, employed_until=TOMORROW)]},
        "applicants.0.employed_until",
    ),
    ("junk date", {"applicants": [applicant(1, employed_from="2024-13-01")]}, "applicants.0.employed_from"),
    (
        "a number for a date",
        {"applicants": [applicant(1, employed_from=20240101)]},
        "applicants.0.employed_from",
    ),
    ("infringed in the future", {"infringed_on": TOMORROW}, "infringed_on"),
    ("infringed junk", {"infringed_on": "last spring"}, "infringed_on"),
    ("received in the future", {"received_on": TOMORROW}, "received_on"),
    ("no types", {"types": []}, "types"),
    ("only empty types", {"types": ["", None]}, "types"),
    ("unknown type", {"types": ["remuneration", "overtime_pizza"]}, "types"),
    ("no claims", {"claims": "   "}, "claims"),
    ("negative amount", {"amount_claimed": "-1"}, "amount_claimed"),
    ("huge amount", {"amount_claimed": "1000000000000"}, "amount_claimed"),
    ("absurd amount", {"amount_claimed": "1e40"}, "amount_claimed"),
    ("junk amount", {"amount_claimed": "一万二"}, "amount_claimed"),
    ("not a number", {"amount_claimed": "NaN"}, "amount_claimed"),
    ("infinite amount", {"amount_claimed": "Infinity"}, "amount_claimed"),
    (
        "fewer workers than applicants",
        {"applicants": [applicant(1), applicant(2)], "workers_count": 1},
        "workers_count",
    ),
    ("zero workers", {"workers_count": 0}, "workers_count"),
    ("junk workers", {"workers_count": "ten"}, "workers_count"),
    ("absurd workers", {"workers_count": 10**7}, "workers_count"),
    ("oral without record", {"form": Case.Form.ORAL, "oral_record": " "}, "oral_record"),
    ("unknown form", {"form": "telepathy"}, "form"),
    ("court without court name", {"channel": Case.Channel.COURT}, "court_name"),
    ("unknown channel", {"channel": "carrier_pigeon"}, "channel"),
    ("online by staff", {"channel": Case.Channel.ONLINE}, "channel"),
    ("no respondent", {"respondent_enterprise": None, "respondent_name": " "}, "respondent_name"),
    ("bad respondent phone", {"respondent_phone": "abc"}, "respondent_phone"),
]


def assert_nothing_written():
    assert not Case.objects.exists()
    assert not Applicant.objects.exists()
    assert not CaseHistory.objects.exists()
    assert not SerialCounter.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mediation.receive").exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [pytest.param(c, f, id=label) for label, c, f in BAD_INPUT])
def test_bad_input_is_refused_per_field_and_writes_nothing(ent_a, mediator_user, changes, field):
    data = {"received_on": TODAY - dt.timedelta(days=2), **changes}
    with pytest.raises(DomainError) as exc:
        register(ent_a, **data)
    assert not isinstance(exc.value, NotAllowed)
    assert field in exc.value.fields, exc.value.fields
    assert all(exc.value.fields[field])
    assert str(exc.value)
    assert_nothing_written()


def test_every_error_is_reported_at_once(ent_a, mediator_user):
    with pytest.raises(DomainError) as exc:
        register(
            ent_a,
            applicants=[applicant(1, id_number=bad_id()), applicant(2, phone="1")],
            types=[],
            claims="",
            amount_claimed="abc",
        )
    assert {"applicants.0.id_number", "applicants.1.phone", "types", "claims", "amount_claimed"} <= set(
        exc.value.fields
    )
    assert_nothing_written()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": False}, "consent"),
        ({"applicants": [applicant(1, id_number="")]}, "applicants.0.id_number"),
        ({"applicants": [applicant(1, phone="")]}, "applicants.0.phone"),
        ({"channel": Case.Channel.WALK_IN}, "channel"),
    ],
)
def test_the_public_form_needs_consent_an_id_number_and_a_phone(ent_a, mediator_user, changes, field):
    data = {
        "applicants": [applicant(1)],
        "types": ["remuneration"],
        "claims": "支付拖欠工资",
        "respondent_enterprise": ent_a,
        "consent": True,
        **changes,
    }
    channel = data.pop("channel", Case.Channel.ONLINE)
    with pytest.raises(DomainError) as exc:
        services.register_case(ANONYMOUS, channel=channel, **data)
    assert field in exc.value.fields
    assert_nothing_written()


def test_an_online_application_records_consent(ent_a, mediator_user):
    case, _code = services.apply_online(
        applicants=[applicant(1)],
        types=["remuneration"],
        claims="支付工资",
        respondent_enterprise=ent_a,
        consent=True,
    )
    assert case.consent_at is not None and case.channel == Case.Channel.ONLINE
    assert case.created_by is None
    assert Notification.objects.filter(recipient=mediator_user).count() == 1


def test_staff_registration_needs_the_permission(ent_a, ent_hr_a, mediator_user):
    with pytest.raises(NotAllowed):
        register(ent_a, p(ent_hr_a))
    assert_nothing_written()
    case, _code = register(ent_a, p(mediator_user), form=Case.Form.ORAL, oral_record="口头申请，现场记录")
    assert case.created_by == mediator_user and case.form == Case.Form.ORAL


def test_api_clients_register_only_court_and_inspection_cases(ent_a, api_client_factory):
    reader, _ = api_client_factory(name="reader", scopes=["mediation:read"])
    with pytest.raises(NotAllowed):
        register(ent_a, principal_for_api_client(reader), channel=Case.Channel.COURT, court_name="柳江区法院")
    writer = principal_for_api_client(api_client_factory(name="writer", scopes=["mediation:write"])[0])
    for channel in (Case.Channel.WALK_IN, Case.Channel.PHONE, Case.Channel.ONLINE):
        with pytest.raises(DomainError) as exc:
            register(ent_a, writer, channel=channel)
        assert "channel" in exc.value.fields
    assert_nothing_written()
    case, _code = register(
        ent_a,
        writer,
        channel=Case.Channel.COURT,
        court_name="柳江区法院",
        source_reference="(2026)桂0206民诉前调1号",
    )
    assert case.channel == Case.Channel.COURT and case.due_on == case.received_on + dt.timedelta(days=30)
    case, _code = register(ent_a, writer, channel=Case.Channel.INSPECTION, applicants=[applicant(2)])
    assert case.history.get().actor_label == "api:writer"


def test_an_inactive_organisation_takes_no_case(ent_a, med_org):
    services.update_organisation(SYSTEM, med_org, is_active=False)
    with pytest.raises(DomainError) as exc:
        register(ent_a, organisation=med_org)
    assert list(exc.value.fields) == ["organisation"]
    assert_nothing_written()
    # Nor is an application routed to it.
    case, _code = register(ent_a)
    assert case.organisation is None


def test_a_respondent_outside_the_park(med_org):
    case, _code = register(
        None,
        respondent_name="  广西某劳务派遣有限公司 ",
        respondent_phone="0772-1234567",
        applicants=[applicant(1)],
    )
    assert case.respondent_enterprise is None and case.respondent_name == "广西某劳务派遣有限公司"
    assert case.organisation is None  # no town, no enterprise: the park routes it


# Serial numbers and access codes -------------------------------------------------------------------


def test_serial_numbers_are_unique_sequential_per_year(ent_a):
    serials = [
        register(ent_a, received_on=D(2026, 3, 1), applicants=[applicant(1)])[0].serial,
        register(ent_a, received_on=D(2026, 3, 2), applicants=[applicant(2)])[0].serial,
        register(ent_a, received_on=D(2025, 12, 31), applicants=[applicant(3)])[0].serial,
        register(ent_a, received_on=D(2026, 1, 1), applicants=[applicant(4)])[0].serial,
    ]
    assert serials == ["TJ2026-00001", "TJ2026-00002", "TJ2025-00001", "TJ2026-00003"]
    assert all(re.fullmatch(r"TJ\d{4}-\d{5}", s) for s in serials)
    assert dict(SerialCounter.objects.values_list("year", "last")) == {2025: 1, 2026: 3}


def test_a_failed_registration_uses_no_serial_number(ent_a):
    register(ent_a, received_on=D(2026, 3, 1))
    with pytest.raises(DomainError):
        register(ent_a, received_on=D(2026, 3, 1), claims="")
    assert register(ent_a, received_on=D(2026, 3, 1))[0].serial == "TJ2026-00002"


def test_access_codes_are_stored_only_as_a_hash(ent_a):
    case, code = register(ent_a)
    assert len(code) == rules.ACCESS_CODE_LENGTH == 8
    assert set(code) <= set(rules.ACCESS_CODE_ALPHABET)
    assert case.access_code_hash == rules.access_code_hash(code) and code not in case.access_code_hash
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM mediation_case WHERE id = %s", [case.pk])
        row = cur.fetchone()
    assert not any(code in str(value) for value in row)
    assert not AuditEvent.objects.filter(after__icontains=code).exists()
    assert rules.check_access_code(case, code)
    assert rules.check_access_code(case, f" {code[:4].lower()}-{code[4:]} ")  # as read out on the phone
    assert not rules.check_access_code(case, code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert not rules.check_access_code(case, "")
    other, other_code = register(ent_a, applicants=[applicant(2)])
    assert not rules.check_access_code(case, other_code) or other_code == code


def test_the_database_holds_no_readable_id_number(ent_a, mediator_user):
    number = valid_id_number(7)
    case, _code = register(ent_a, applicants=[applicant(7, id_number=number.lower())])
    a = case.applicants.get()
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash FROM mediation_applicant WHERE id = %s", [a.pk])
        raw_token, raw_hash = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM mediation_applicant WHERE id_number LIKE %s OR id_number_hash LIKE %s",
            [f"%{number[-8:]}%", f"%{number[-8:]}%"],
        )
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM audit_auditevent WHERE after::text LIKE %s", [f"%{number[-8:]}%"])
        assert cur.fetchone()[0] == 0
    assert number not in raw_token and number not in raw_hash
    assert Applicant.objects.get(pk=a.pk).id_number == number  # normalised to upper case
    assert Applicant.objects.get(id_number_hash=lookup_hash(number)) == a


# The agreement and what follows it -----------------------------------------------------------------


@pytest.fixture
def case10(make_case, mediator_user):
    """In mediation, received 10 days ago."""
    case, _code = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=10))
    return accepted(case, mediator_user)


@pytest.mark.parametrize(
    ("kind", "payment_order"),
    [("wages", True), ("injury_medical", True), ("compensation", True), ("damages", True), ("other", False)],
)
def test_follow_ups_and_the_payment_order(case10, mediator_user, kind, payment_order):
    on = case10.received_on + dt.timedelta(days=2)
    agreement = signed_agreement(case10, mediator_user, kind=kind, on=on)
    assert agreement.effective_on == on
    case = services.close(p(mediator_user), case10, "close_agreement")
    due = dict(case.agreement.follow_ups.values_list("kind", "due_on"))
    expected = {
        FollowUp.Kind.ARBITRATION_CONFIRMATION: rules.ARBITRATION_CONFIRMATION_PERIOD.due(on).date,
        FollowUp.Kind.JUDICIAL_CONFIRMATION: rules.JUDICIAL_CONFIRMATION_PERIOD.due(on).date,
    }
    if payment_order:
        expected[FollowUp.Kind.PAYMENT_ORDER] = None
    assert due == expected
    assert rules.payment_order_eligible(case.agreement) is payment_order
    assert {"wages", "injury_medical", "compensation", "damages"} == rules.PAYMENT_ORDER_KINDS


def test_an_other_item_with_a_wage_item_is_eligible(case10, mediator_user):
    pr = p(mediator_user)
    services.save_agreement(
        pr,
        case10,
        result="双方和解",
        items=[
            {"kind": "other", "description": "出具离职证明", "amount": "0", "due_on": TODAY},
            {"kind": "compensation", "description": "经济补偿", "amount": "3000", "due_on": TODAY},
        ],
    )
    services.record_signatures(
        pr,
        case10,
        applicant_signed_on=TODAY,
        respondent_signed_on=TODAY,
        mediator_signed_on=TODAY,
        sealed_on=TODAY,
    )
    case = services.close(pr, case10, "close_agreement")
    assert case.agreed_amount == Decimal("3000")
    assert case.agreement.follow_ups.filter(kind=FollowUp.Kind.PAYMENT_ORDER).exists()


def test_the_agreement_text_is_fixed_once_anyone_signed(case10, mediator_user):
    pr = p(mediator_user)
    items = [{"kind": "wages", "description": "工资", "amount": "8000", "due_on": TODAY}]
    services.save_agreement(pr, case10, result="初稿", items=items)
    services.save_agreement(pr, case10, result="修改稿", items=[*items, {**items[0], "amount": "100"}])
    assert Agreement.objects.get(case=case10).items.count() == 2
    services.record_signatures(pr, case10, applicant_signed_on=TODAY)
    with pytest.raises(DomainError) as exc:
        services.save_agreement(pr, case10, result="篡改", items=[{**items[0], "amount": "1"}])
    assert exc.value.code == "signed"
    agreement = Agreement.objects.get(case=case10)
    assert agreement.result == "修改稿" and agreement.items.count() == 2


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"kind": "bonus"}, "items.0.kind"),
        ({"description": " "}, "items.0.description"),
        ({"amount": "-5"}, "items.0.amount"),
        ({"amount": "NaN"}, "items.0.amount"),
        ({"due_on": None}, "items.0.due_on"),
        ({"due_on": "2026-02-30"}, "items.0.due_on"),
        ({"due_on": D(2020, 1, 1)}, "items.0.due_on"),
        ({"method": "bitcoin"}, "items.0.method"),
    ],
)
def test_bad_agreement_items_are_refused(case10, mediator_user, item, field):
    row = {"kind": "wages", "description": "工资", "amount": "8000", "due_on": TODAY, **item}
    with pytest.raises(DomainError) as exc:
        services.save_agreement(p(mediator_user), case10, result="结果", items=[row])
    assert field in exc.value.fields
    assert not Agreement.objects.filter(case=case10).exists()


def test_signatures_cannot_predate_the_application_or_lie_ahead(case10, mediator_user):
    signed_agreement(case10, mediator_user)
    for field, day in [
        ("applicant_signed_on", case10.received_on - dt.timedelta(days=1)),
        ("sealed_on", TODAY + dt.timedelta(days=1)),
    ]:
        with pytest.raises(DomainError) as exc:
            services.record_signatures(p(mediator_user), case10, **{field: day})
        assert list(exc.value.fields) == [field]


def test_payments_record_performance(case10, mediator_user):
    pr = p(mediator_user)
    signed_agreement(case10, mediator_user, amount="12000")
    case = services.close(pr, case10, "close_agreement")
    assert case.agreed_amount == Decimal("12000")
    assert case.agreement.performance == Agreement.Performance.PENDING
    services.record_payment(pr, case, amount="4000", paid_on=TODAY)
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.PARTLY
    services.record_payment(pr, case, amount="7999.99", paid_on=TODAY)
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.PARTLY
    services.record_payment(pr, case, amount="0.01", paid_on=TODAY)
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.PERFORMED
    assert case.agreement.payments.count() == 3
    for amount, paid_on, field in [
        ("0", TODAY, "amount"),
        ("-1", TODAY, "amount"),
        ("abc", TODAY, "amount"),
        ("NaN", TODAY, "amount"),
        ("10", TODAY + dt.timedelta(days=1), "paid_on"),
        ("10", None, "paid_on"),
        ("10", "soon", "paid_on"),
    ]:
        with pytest.raises(DomainError) as exc:
            services.record_payment(pr, case, amount=amount, paid_on=paid_on)
        assert field in exc.value.fields
    assert case.agreement.payments.count() == 3


def test_a_payment_below_the_agreed_amount_is_partly(case10, mediator_user):
    pr = p(mediator_user)
    signed_agreement(case10, mediator_user, amount="12000")
    case = services.close(pr, case10, "close_agreement")
    services.record_payment(pr, case, amount="11999.99", paid_on=TODAY)
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.PARTLY
    services.set_performance(pr, case, Agreement.Performance.NOT_PERFORMED, note="企业拒不履行")
    assert Agreement.objects.get(case=case).performance == Agreement.Performance.NOT_PERFORMED
    with pytest.raises(DomainError) as exc:
        services.set_performance(pr, case, "pending")
    assert list(exc.value.fields) == ["performance"]


def test_performance_only_for_a_case_closed_with_an_agreement(case10, mediator_user):
    pr = p(mediator_user)
    case = services.close(pr, case10, "close_no_agreement", reason="分歧较大")
    with pytest.raises(DomainError) as exc:
        services.record_payment(pr, case, amount="10", paid_on=TODAY)
    assert exc.value.code == "no_agreement"


def test_a_referral_is_for_an_applicant_of_the_case(case10, make_case, mediator_user):
    pr = p(mediator_user)
    other, _ = make_case(channel=Case.Channel.WALK_IN, applicants=[applicant(500)])
    stranger = other.applicants.get()
    with pytest.raises(DomainError) as exc:
        services.add_referral(
            pr,
            case10,
            applicant=stranger,
            kind="job_matching",
            provider="柳东新区就业服务中心",
            referred_on=TODAY,
        )
    assert list(exc.value.fields) == ["applicant"]
    with pytest.raises(DomainError) as exc:
        services.add_referral(
            pr,
            case10,
            applicant=None,
            kind="job_matching",
            provider="柳东新区就业服务中心",
            referred_on=TODAY,
        )
    assert "applicant" in exc.value.fields
    assert not Referral.objects.exists()
    assert Applicant.objects.get(pk=stranger.pk).lost_job is False

    own = case10.applicants.get()
    referral = services.add_referral(
        pr, case10, applicant=own, kind="job_matching", provider="柳东新区就业服务中心", referred_on=TODAY
    )
    assert Applicant.objects.get(pk=own.pk).lost_job is True
    with pytest.raises(DomainError) as exc:
        services.record_referral_result(
            pr, referral, result=Referral.Result.EMPLOYED, result_on=TODAY - dt.timedelta(days=1)
        )
    assert list(exc.value.fields) == ["result_on"]
    referral = services.record_referral_result(pr, referral, result=Referral.Result.EMPLOYED, result_on=TODAY)
    assert referral.result == Referral.Result.EMPLOYED
