"""The demo park's mediation (seed_demo): organisations and mediators, a few hundred cases in every
status and outcome, what the demo mediator and HR user see, serial numbers, the tracking demo, the
figures, data the services accept — and a second run that creates nothing."""

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.core import personal_data
from apps.core.principal import SYSTEM, principal_for_user
from apps.enterprises.models import Enterprise
from apps.mediation import rules, selectors, services
from apps.mediation.models import (
    Agreement,
    Applicant,
    Case,
    CaseHistory,
    CaseType,
    Extension,
    FollowUp,
    MediationOrganisation,
    Mediator,
    Payment,
    Referral,
    SerialCounter,
    Session,
    Transfer,
)
from apps.mediation.workflow import WORKFLOW

S = Case.Status
K = MediationOrganisation.Kind
MODELS = (
    MediationOrganisation,
    Mediator,
    Case,
    CaseHistory,
    CaseType,
    Applicant,
    Session,
    Extension,
    Transfer,
    Agreement,
    FollowUp,
    Payment,
    Referral,
    SerialCounter,
)
TRACKING = re.compile(r"Mediation: tracking demo (TJ\d{4}-\d{5}) / ([A-Z0-9]{8})")


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _user(username):
    user = User.objects.get(username=username)
    return user, principal_for_user(user)


def test_organisations_cases_in_every_state_and_who_sees_them(demo_park):
    today = timezone.localdate()
    assert "Mediation: 10 organisations" in demo_park

    # Organisations of every kind, each with mediators; a few mediators no longer active.
    kinds = Counter(MediationOrganisation.objects.values_list("kind", flat=True))
    assert set(kinds) == set(K.values)
    assert kinds[K.TOWN] == 2 and 3 <= kinds[K.ENTERPRISE] <= 5
    district = MediationOrganisation.objects.get(name="柳东新区劳动人事争议调解委员会")
    assert district.kind == K.ARBITRATION and district.towns.count() == 2
    for mo in MediationOrganisation.objects.prefetch_related("mediators", "enterprises", "towns"):
        assert 2 <= len(mo.mediators.all()) <= 4, mo
        assert mo.organisation.name == mo.name
        if mo.kind == K.ENTERPRISE:
            (enterprise,) = mo.enterprises.all()
            assert mo.name == f"{enterprise.name}劳动争议调解委员会"
        if mo.kind == K.INDUSTRY:
            assert mo.enterprises.count() >= 3
        if mo.kind == K.TOWN:
            assert [t.name for t in mo.towns.all()] == [mo.name.removesuffix("劳动争议调解委员会")]
    assert 2 <= Mediator.objects.filter(is_active=False).count() <= 4
    assert all(
        set(m.specialities) <= set(rules.DisputeType.values) and m.specialities
        for m in Mediator.objects.all()
    )
    assert Mediator.objects.filter(user__isnull=False).count() == 1

    # Cases over the last 18 months, in every status and with every outcome.
    cases = Case.objects.all()
    assert 240 <= cases.count() <= 280
    assert cases.order_by("received_on").first().received_on >= today - dt.timedelta(days=550)
    assert set(cases.values_list("status", flat=True)) == set(S.values)
    assert set(cases.exclude(outcome="").values_list("outcome", flat=True)) == set(Case.Outcome.values)
    closed = cases.filter(status=S.CLOSED)
    assert set(closed.values_list("outcome", flat=True)) == set(Case.Outcome.values)
    assert cases.filter(status=S.ARCHIVED).count() > cases.count() * 0.7
    assert set(cases.values_list("channel", flat=True)) == set(Case.Channel.values)
    assert not cases.filter(status__in=[S.RECEIVED, S.IN_MEDIATION], outcome__gt="").exists()
    assert not cases.filter(status=S.CLOSED, outcome="").exists()
    refused_then_archived = cases.filter(status=S.ARCHIVED, outcome="")
    assert refused_then_archived.exists()
    assert refused_then_archived.count() == refused_then_archived.filter(history__action="refuse").count()

    # Open ones: overdue decisions, overdue and extended mediation, court-entrusted with 30 days.
    received = cases.filter(status=S.RECEIVED)
    assert received.filter(decision_due_on__lt=today).exists()
    assert received.filter(decision_due_on__gte=today).exists()
    mediating = cases.filter(status=S.IN_MEDIATION)
    assert mediating.filter(due_on__lt=today).exists()
    assert mediating.filter(due_on__gte=today).exists()
    assert mediating.filter(extensions__isnull=False).exists()
    court = mediating.filter(channel=Case.Channel.COURT)
    assert court.count() >= 2
    assert all(c.due_on >= rules.COURT_MEDIATION_PERIOD.due(c.clock_starts_on).date for c in court)
    assert Transfer.objects.count() >= 2 and Referral.objects.exclude(result=Referral.Result.PENDING).exists()

    # Collective disputes: 10 to 60 workers, 3 to 5 representatives listed.
    collective = cases.filter(is_collective=True)
    assert 8 <= collective.count() <= 12
    for case in collective.prefetch_related("applicants"):
        assert 10 <= case.workers_count <= 60
        reps = [a for a in case.applicants.all() if a.is_representative]
        assert rules.REPRESENTATIVES_MIN <= len(reps) == case.applicants.count() <= rules.REPRESENTATIVES_MAX

    # Dispute types: wages first, then dismissal and compensation.
    types = Counter(CaseType.objects.values_list("code", flat=True))
    assert types.most_common(1)[0][0] == rules.DisputeType.REMUNERATION
    assert types[rules.DisputeType.DISMISSAL] > types[rules.DisputeType.INJURY_MEDICAL] > 0
    # Respondents: mostly operating registry enterprises, some employers outside the park.
    outside = cases.filter(respondent_enterprise__isnull=True)
    assert 0 < outside.count() < cases.count() * 0.25
    assert (
        not cases.exclude(respondent_enterprise=None)
        .exclude(respondent_enterprise__status="operating")
        .exists()
    )

    # The demo mediator sees the district's cases, some of them assigned to them, open ones too.
    mediator, as_mediator = _user("mediator")
    seen = Case.objects.visible_to(as_mediator)
    assert set(seen.values_list("organisation", flat=True)) == {district.pk}
    mine = seen.filter(mediator__user=mediator)
    assert mine.count() >= 10
    assert {S.IN_MEDIATION, S.CLOSED, S.ARCHIVED} <= set(mine.values_list("status", flat=True))
    assert seen.filter(status=S.RECEIVED).exists()
    assert mine.filter(status=S.IN_MEDIATION, due_on__lt=today).exists()
    assert Mediator.objects.get(user=mediator).organisation == district

    # The demo HR user sees only (and all) the cases against their enterprise, without identities.
    hr, as_hr = _user("hr")
    hr_org = Membership.objects.get(user=hr, role=Role.ENTERPRISE_HR).organisation
    theirs = Case.objects.visible_to(as_hr)
    assert 5 <= theirs.count() == Case.objects.filter(respondent_enterprise__organisation=hr_org).count()
    assert len(set(theirs.values_list("status", flat=True))) >= 4
    case = theirs.first()
    assert all(
        row["id_number"] is None and row["phone"] is None for row in selectors.applicant_rows(as_hr, case)
    )

    # The demo union official (issue 18): their union runs its enterprise's committee, whose cases
    # they see and work; every enterprise committee is run by its enterprise's union.
    _official, as_union = _user("union")
    run = MediationOrganisation.objects.filter(union__organisation_id__in=as_union.organisation_ids())
    assert run.count() == 1 and run.get().kind == K.ENTERPRISE
    union_cases = Case.objects.visible_to(as_union)
    assert union_cases.exists() and set(union_cases.values_list("organisation", flat=True)) == {run.get().pk}
    assert not MediationOrganisation.objects.filter(kind=K.ENTERPRISE, union__isnull=True).exists()
    assert Referral.objects.exclude(kind=Referral.Kind.OTHER).count() == Referral.objects.count() > 0
    assert selectors.figures(SYSTEM)["referrals"]["referred"] == Referral.objects.count()

    # Figures in the ballpark of seed 000 (256 cases, 755 workers, 9.79 million yuan).
    figures = selectors.figures(SYSTEM)
    assert 650 <= figures["workers"] <= 900
    assert Decimal("8500000") <= figures["claimed"] <= Decimal("11000000")
    assert 0 < figures["agreed"] < figures["claimed"]
    assert 45 <= figures["agreement_share"] <= 75
    assert figures["overdue"] >= 4 and figures["collective"] == collective.count()
    assert 3 <= figures["average_days_to_close"] <= 30
    assert len(figures["by_month"]) >= 18


def test_the_data_is_what_the_services_would_have_written(demo_park):
    today = timezone.localdate()
    now = timezone.now()
    cases = list(
        Case.objects.prefetch_related(
            "history", "applicants", "sessions", "extensions", "transfers", "agreement__items", "types"
        ).select_related("agreement")
    )
    for case in cases:
        history = sorted(case.history.all(), key=lambda h: h.at)
        # A history row for every transition, in order, allowed by the table, never in the future.
        assert history[0].action == "receive" and history[0].to_status == S.RECEIVED
        status = S.RECEIVED
        for h in history[1:]:
            t = WORKFLOW.get(h.action)
            assert h.from_status == status and status in t.sources and h.to_status == t.target, case
            status = h.to_status
            assert h.actor_label
        assert status == case.status
        assert history[-1].at <= now and timezone.localtime(history[0].at).date() == case.received_on
        # Clocks as rules.clocks computes them from the current organisation's receipt.
        decision_due, due = rules.clocks(case.clock_starts_on, case.channel)
        assert case.decision_due_on == decision_due
        extensions = list(case.extensions.all())
        assert case.due_on == (extensions[-1].new_due_on if extensions else due)
        for ext in extensions:
            assert ext.applicant_consent_on and ext.respondent_consent_on and ext.consent_record
            if not case.is_court_entrusted:
                assert (ext.new_due_on - due).days <= rules.MAX_EXTENSION_DAYS
        assert case.clock_starts_on == max(
            [case.received_on] + [t.transferred_on for t in case.transfers.all()]
        )
        # Dates in order.
        assert case.received_on <= today and case.infringed_on < case.received_on
        if case.accepted_on:
            assert case.clock_starts_on <= case.accepted_on <= today
        if case.status in (S.RECEIVED, S.IN_MEDIATION):
            assert case.closed_on is None and case.archived_on is None
        else:
            assert case.received_on <= case.closed_on < today
        if case.status == S.ARCHIVED:
            assert case.closed_on <= case.archived_on < today
        else:
            assert case.archived_on is None
        assert (case.mediator is not None) == (case.accepted_on is not None)
        if case.mediator:
            assert case.mediator.organisation_id == case.organisation_id
        for session in case.sessions.all():
            assert case.received_on <= timezone.localtime(session.held_at).date() < today
            if case.closed_on:
                assert session.held_at <= history[-1].at
        # Collective flag, applicants with valid ID numbers and phones.
        assert case.is_collective == rules.is_collective(case.workers_count, case.common_claim)
        assert case.workers_count >= len(case.applicants.all()) >= 1
        for a in case.applicants.all():
            assert personal_data.validate_id_number(a.id_number) == a.id_number
            assert a.id_number_hash == personal_data.lookup_hash(a.id_number)
            assert personal_data.PHONE_RE.match(a.phone)
            assert a.employed_until is None or a.employed_from < a.employed_until <= case.received_on
        assert case.amount_claimed > 0 and case.claims
        if case.form == Case.Form.ORAL:
            assert case.oral_record
        if case.channel == Case.Channel.COURT:
            assert case.court_name and case.source_reference
        # Agreements: signed, agreed amount = the items, archived ones performed or not.
        if case.outcome == Case.Outcome.AGREEMENT:
            agreement = case.agreement
            assert agreement.is_signed and agreement.effective_on == case.closed_on
            assert case.agreed_amount == sum(i.amount for i in agreement.items.all()) > 0
            if case.status == S.ARCHIVED:
                assert agreement.performance in (
                    Agreement.Performance.PERFORMED,
                    Agreement.Performance.NOT_PERFORMED,
                )
        else:
            assert case.agreed_amount == 0 and not Agreement.objects.filter(case=case).exists()

    # Payments: never more than agreed, performed ones paid in full, none in the future.
    paid = defaultdict(Decimal)
    for payment in Payment.objects.select_related("agreement__case"):
        assert payment.agreement.case.closed_on <= payment.paid_on <= today
        paid[payment.agreement_id] += payment.amount
    for agreement in Agreement.objects.select_related("case"):
        assert paid[agreement.pk] <= agreement.case.agreed_amount
        if agreement.performance == Agreement.Performance.PERFORMED:
            assert paid[agreement.pk] == agreement.case.agreed_amount
        kinds = set(agreement.follow_ups.values_list("kind", flat=True))
        assert {FollowUp.Kind.ARBITRATION_CONFIRMATION, FollowUp.Kind.JUDICIAL_CONFIRMATION} <= kinds
        assert (FollowUp.Kind.PAYMENT_ORDER in kinds) == rules.payment_order_eligible(agreement)
    assert FollowUp.objects.filter(status=FollowUp.Status.DONE).exists()
    assert set(Agreement.objects.values_list("performance", flat=True)) == set(Agreement.Performance.values)

    # Two recent agreements have their PDF: the mediator can archive such a case now.
    mediator, as_mediator = _user("mediator")
    ready = Case.objects.filter(
        status=S.CLOSED,
        agreement__document__status="ready",
        agreement__performance=Agreement.Performance.PERFORMED,
    )
    assert ready.count() == 2
    case = ready.filter(mediator__user=mediator).get()
    assert "archive" in [t.action for t in selectors.available_actions(case, as_mediator)]
    assert services.archive(as_mediator, case).status == S.ARCHIVED

    # The services take the open demo cases further.
    overdue = Case.objects.get(
        status=S.RECEIVED, organisation__organisation__memberships__user=mediator, decision_due_on__lt=today
    )
    accepted = services.accept(as_mediator, overdue, mediator=Mediator.objects.get(user=mediator))
    assert accepted.status == S.IN_MEDIATION
    late = Case.objects.filter(status=S.IN_MEDIATION, mediator__user=mediator, due_on__lt=today).first()
    assert services.close(as_mediator, late, "close_timed_out").outcome == Case.Outcome.TIMED_OUT


def test_serials_tracking_and_a_second_run(demo_park):
    today = timezone.localdate()
    prefix = settings.MEDIATION_SERIAL_PREFIX

    # Serial numbers run 1, 2, 3... per year of receipt, in order of receipt.
    by_year = defaultdict(list)
    for serial, received_on in Case.objects.order_by("received_on", "serial").values_list(
        "serial", "received_on"
    ):
        assert re.fullmatch(rf"{prefix}{received_on.year}-\d{{5}}", serial)
        by_year[received_on.year].append(int(serial[-5:]))
    for year, numbers in by_year.items():
        assert numbers == list(range(1, len(numbers) + 1)), year
        assert SerialCounter.objects.get(year=year).last == len(numbers)

    # The well-known tracking case: its code opens it, another does not.
    match = TRACKING.search(demo_park)
    assert match, demo_park
    serial, code = match.groups()
    assert serial == f"{prefix}{today.year}-00001" or today.month <= 2
    assert set(code) <= set(rules.ACCESS_CODE_ALPHABET)
    case = selectors.track(serial, code)
    assert case is not None and case.serial == serial
    assert selectors.track(serial, "ABCDEFGH") is None
    assert len(selectors.public_timeline(case)) >= 2

    # A second run creates nothing and says so.
    before = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == before
    assert "Mediation: nothing new" in out.getvalue()
    assert TRACKING.search(out.getvalue()).groups() == (serial, code)

    # The next case continues the year's sequence.
    enterprise = Enterprise.objects.filter(status="operating").first()
    new, _code = services.register_case(
        SYSTEM,
        channel=Case.Channel.WALK_IN,
        applicants=[{"name": "张三", "phone": "13800000000"}],
        types=["remuneration"],
        claims="支付拖欠工资 3000 元",
        respondent_enterprise=enterprise,
    )
    assert new.serial == f"{prefix}{today.year}-{len(by_year[today.year]) + 1:05d}"
