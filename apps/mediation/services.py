"""Writes of labour-dispute mediation: intake, the lifecycle actions, sessions, extensions,
agreements and their follow-ups, referrals, documents and the daily deadline job.

Every rule from law names its source (rules.py). State changes go through
`apps.audit.history.transition` with the table in workflow.py (row lock, history, audit), so two
mediators accepting the same case at once leave exactly one result.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Organisation
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.audit.history import transition
from apps.core import personal_data
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.principal import ANONYMOUS
from apps.core.uploads import check_upload
from apps.documents.services import request_document
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from . import rules, selectors
from .models import (
    Agreement,
    AgreementItem,
    Applicant,
    Case,
    CaseDocument,
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
from .workflow import (
    CLOSING_OUTCOMES,
    WORKFLOW,
    access_code_refusal,
    agreement_pdf_refusal,
    check_work,
)

S = Case.Status


# Helpers ------------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _amount(value, field: str, errors: dict, *, allow_zero=True) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
        if not amount.is_finite():  # "NaN" passes quantize, then fails every comparison
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount in yuan, e.g. 12000.50."))
        return Decimal("0")
    if amount < 0 or (not allow_zero and amount == 0):
        errors.setdefault(field, []).append(_("The amount must be more than zero."))
    elif amount > rules.MAX_AMOUNT:
        errors.setdefault(field, []).append(_("The amount is too large."))
    return amount


def _date(
    value, field: str, errors: dict, *, required=False, not_after: dt.date | None = None
) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("Enter a date."))
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):  # e.g. a number from a JSON body
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None
    if not_after is not None and value > not_after:
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
    return value


def _new_access_code() -> str:
    return "".join(secrets.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH))


def _next_serial(on: dt.date) -> str:
    """`TJ2026-00042`: prefix, year of receipt, number within the year. Allocated under a row lock
    on the year's counter, so it is unique and never reused."""
    counter, _created = SerialCounter.objects.get_or_create(year=on.year)
    counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.MEDIATION_SERIAL_PREFIX}{on.year}-{counter.last:05d}"


def _link(case: Case) -> str:
    return reverse("mediation:detail", args=[case.pk])


def _require(principal, perm: str, case: Case | None = None) -> None:
    if principal.is_system:
        return
    if principal.is_api_client:
        if not principal.has_scope("mediation:write"):
            raise NotAllowed(_("The API client needs the “mediation:write” scope."))
    elif principal.user is None or not principal.user.has_perm(perm):
        raise NotAllowed(_("Your role may not do this."))
    if case is not None and not Case.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not handled by your organisation."))


def _require_scope(principal, case: Case) -> None:
    """The lifecycle actions act only on a case the principal sees (the table checks role and
    state, not scope): a mediator of another organisation is refused even if they call the
    service with the case."""
    if not Case.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not handled by your organisation."))


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


# Organisations and mediators ----------------------------------------------------------------------


@transaction.atomic
def create_organisation(principal, *, name: str, kind: str, area=None, towns=(), enterprises=(), **fields):
    """A mediation organisation with its `accounts.Organisation` (for memberships and scoping)."""
    if not principal.is_park_admin:
        raise NotAllowed(_("Only park administrators register mediation organisations."))
    name = _text(name, 200)
    errors = {}
    if not name:
        errors["name"] = [_("Enter the name.")]
    if kind not in MediationOrganisation.Kind.values:
        errors["kind"] = [_("Choose the kind of organisation.")]
    raise_fields(errors)
    org = Organisation.objects.create(name=name, kind=Organisation.Kind.MEDIATION, area=area)
    mo = MediationOrganisation.objects.create(organisation=org, name=name, kind=kind, **fields)
    mo.towns.set(towns)
    mo.enterprises.set(enterprises)
    audit.record("mediation.create_organisation", mo, after=audit.snapshot(mo))
    return mo


@transaction.atomic
def update_organisation(principal, mo: MediationOrganisation, **fields) -> MediationOrganisation:
    """Change an organisation; its `accounts.Organisation` keeps the same name and active flag."""
    if not principal.is_park_admin:
        raise NotAllowed(_("Only park administrators change mediation organisations."))
    before = audit.snapshot(mo)
    towns, enterprises = fields.pop("towns", None), fields.pop("enterprises", None)
    for key, value in fields.items():
        setattr(mo, key, value)
    mo.save()
    Organisation.objects.filter(pk=mo.organisation_id).update(name=mo.name, is_active=mo.is_active)
    if towns is not None:
        mo.towns.set(towns)
    if enterprises is not None:
        mo.enterprises.set(enterprises)
    audit.record("mediation.update_organisation", mo, before=before, after=audit.snapshot(mo))
    return mo


@transaction.atomic
def save_mediator(principal, mediator: Mediator) -> Mediator:
    """Add or change a mediator. A mediator with a user account gets the mediator membership of
    the organisation (which is what lets them see its cases)."""
    if not principal.is_park_admin:
        raise NotAllowed(_("Only park administrators keep the roster of mediators."))
    codes = [c for c in (mediator.specialities or []) if c in rules.DisputeType.values]
    mediator.specialities = codes
    existing = Mediator.objects.filter(pk=mediator.pk).first()
    before = audit.snapshot(existing) if existing else None
    mediator.save()
    if mediator.user_id:
        Membership.objects.get_or_create(
            user_id=mediator.user_id,
            organisation_id=mediator.organisation.organisation_id,
            role=Role.MEDIATOR,
        )
    audit.record("mediation.save_mediator", mediator, before=before, after=audit.snapshot(mediator))
    return mediator


# Intake -------------------------------------------------------------------------------------------


def _clean_applicants(
    rows, errors: dict, *, require_id: bool, require_phone: bool, today: dt.date
) -> list[dict]:
    cleaned = []
    if not rows:
        errors.setdefault("applicants", []).append(_("Enter at least one applicant."))
        return cleaned
    if len(rows) > rules.MAX_APPLICANTS:
        errors.setdefault("applicants", []).append(
            _("List at most %(n)s applicants; enter the others as the number of workers involved.")
            % {"n": rules.MAX_APPLICANTS}
        )
        return cleaned
    seen = set()
    for index, row in enumerate(rows):
        prefix = f"applicants.{index}."
        name = _text(row.get("name"), 50)
        if not name:
            errors.setdefault(prefix + "name", []).append(_("Enter the applicant's name."))
        id_number = _text(row.get("id_number"), 30)
        if id_number:
            try:
                id_number = personal_data.validate_id_number(id_number)
            except ValidationError as exc:
                errors.setdefault(prefix + "id_number", []).append(exc.messages[0])
            else:
                if id_number in seen:
                    errors.setdefault(prefix + "id_number", []).append(_("The same ID number appears twice."))
                seen.add(id_number)
        elif require_id:
            errors.setdefault(prefix + "id_number", []).append(_("Enter the ID number."))
        phone, phone_problem = personal_data.check_phone(row.get("phone"))
        if phone_problem:
            errors.setdefault(prefix + "phone", []).append(phone_problem)
        elif not phone and require_phone:
            errors.setdefault(prefix + "phone", []).append(
                _("Enter a phone number so the mediator can reach you.")
            )
        start = _date(row.get("employed_from"), prefix + "employed_from", errors, not_after=today)
        end = _date(row.get("employed_until"), prefix + "employed_until", errors, not_after=today)
        if start and end and end < start:
            errors.setdefault(prefix + "employed_until", []).append(
                _("The employment cannot end before it started.")
            )
        cleaned.append(
            {
                "name": name,
                "id_number": id_number if isinstance(id_number, str) else "",
                "phone": phone[:30],
                "employer": _text(row.get("employer"), 200),
                "job": _text(row.get("job"), 100),
                "employed_from": start,
                "employed_until": end,
                "is_representative": bool(row.get("is_representative")),
                "lost_job": bool(row.get("lost_job")),
            }
        )
    return cleaned


@transaction.atomic
def register_case(
    principal,
    *,
    channel: str,
    applicants: list[dict],
    types: list[str],
    claims: str,
    respondent_enterprise: Enterprise | None = None,
    respondent_name: str = "",
    respondent_uscc: str = "",
    respondent_contact: str = "",
    respondent_phone: str = "",
    respondent_address: str = "",
    town=None,
    facts: str = "",
    amount_claimed=0,
    workers_count: int | None = None,
    common_claim: bool = True,
    infringed_on=None,
    form: str = Case.Form.WRITTEN,
    oral_record: str = "",
    court_name: str = "",
    source_reference: str = "",
    organisation: MediationOrganisation | None = None,
    received_on=None,
    consent: bool = False,
) -> tuple[Case, str]:
    """Register an application; returns the case and its access code (shown once, stored hashed).

    Everything wrong is reported at once, per field. Staff register walk-in, phone, court-entrusted
    and inspection cases; district systems court-entrusted and inspection cases; the public only
    online applications (through `apply_online`)."""
    today = _today()
    if principal.is_api_client:
        if not principal.has_scope("mediation:write"):
            raise NotAllowed(_("The API client needs the “mediation:write” scope."))
        allowed = rules.API_CHANNELS
    elif principal.is_authenticated:
        if not principal.is_system and not principal.user.has_perm("mediation.register_case"):
            raise NotAllowed(_("Your role may not register mediation cases."))
        allowed = rules.STAFF_CHANNELS
    else:
        allowed = (Case.Channel.ONLINE,)
    errors: dict[str, list] = {}
    if channel not in allowed:
        errors["channel"] = [
            _("Choose one of: %(channels)s.")
            % {"channels": "、".join(str(Case.Channel(c).label) for c in allowed)}
        ]
    online = channel == Case.Channel.ONLINE
    if online and not consent:
        errors["consent"] = [
            _("Agree to the processing of your personal data so the application can be handled.")
        ]
    cleaned = _clean_applicants(applicants, errors, require_id=online, require_phone=online, today=today)
    type_codes = list(dict.fromkeys(t for t in (types or []) if t))
    if not type_codes:
        errors["types"] = [_("Choose at least one kind of dispute.")]
    elif any(t not in rules.DisputeType.values for t in type_codes):
        errors["types"] = [_("Choose kinds of dispute from the list.")]
    claims = _text(claims, 4000)
    if not claims:
        errors["claims"] = [_("Say what you ask for.")]
    amount = _amount(amount_claimed, "amount_claimed", errors)
    try:
        workers = int(workers_count) if workers_count not in (None, "") else len(cleaned) or 1
    except (TypeError, ValueError):
        workers = 0
    if workers < max(1, len(cleaned)):
        errors["workers_count"] = [
            _("The number of workers involved cannot be less than the %(n)s applicants listed.")
            % {"n": len(cleaned) or 1}
        ]
    elif workers > 100000:
        errors["workers_count"] = [_("Enter a realistic number of workers.")]
    collective = rules.is_collective(workers, common_claim)
    representatives = sum(1 for a in cleaned if a["is_representative"])
    if representatives and not collective:
        errors.setdefault("applicants", []).append(_("Only a collective dispute elects representatives."))
    elif representatives and not rules.REPRESENTATIVES_MIN <= representatives <= rules.REPRESENTATIVES_MAX:
        errors.setdefault("applicants", []).append(
            _("A collective dispute elects %(min)s to %(max)s representatives (%(source)s).")
            % {
                "min": rules.REPRESENTATIVES_MIN,
                "max": rules.REPRESENTATIVES_MAX,
                "source": rules.COLLECTIVE_SOURCE,
            }
        )
    infringed = _date(infringed_on, "infringed_on", errors, not_after=today)
    # The public form is received today; staff and district systems give the day it arrived.
    received = today if online else (_date(received_on, "received_on", errors, not_after=today) or today)
    if form not in Case.Form.values or (online and form != Case.Form.WRITTEN):
        errors["form"] = [_("Choose written or oral.")]
    oral_record = _text(oral_record, 4000)
    if form == Case.Form.ORAL and not oral_record:
        errors["oral_record"] = [
            _(
                "Record the applicant, the matters in dispute, the reasons and the time on the spot (%(source)s)."
            )
            % {"source": rules.ORAL_APPLICATION_SOURCE}
        ]
    court_name = _text(court_name, 100)
    if channel == Case.Channel.COURT and not court_name:
        errors["court_name"] = [_("Enter the court that entrusted the case.")]
    if respondent_enterprise is not None:
        respondent_name = respondent_enterprise.name
        respondent_uscc = respondent_enterprise.uscc
        town = respondent_enterprise.town
        respondent_address = respondent_address or respondent_enterprise.address
    respondent_name = _text(respondent_name, 200)
    if not respondent_name:
        errors["respondent_name"] = [_("Enter the employer the dispute is with.")]
    respondent_phone, phone_problem = personal_data.check_phone(respondent_phone)
    if phone_problem:
        errors["respondent_phone"] = [phone_problem]
    if organisation is not None and not organisation.is_active:
        errors["organisation"] = [_("This organisation no longer takes cases.")]
    if principal.is_api_client and principal.area_ids and getattr(town, "pk", None) not in principal.area_ids:
        # Such a client sees only the cases of its area (Case.visible_to): it sends only those.
        errors["town"] = [_("Choose a town of your system's area.")]
    raise_fields(errors)

    organisation = organisation or selectors.route(respondent_enterprise, town)
    decision_due, due = rules.clocks(received, channel)
    code = _new_access_code()
    case = Case.objects.create(
        serial=_next_serial(received),
        access_code_hash=rules.access_code_hash(code),
        channel=channel,
        form=form,
        oral_record=oral_record,
        court_name=court_name,
        source_reference=_text(source_reference, 60),
        respondent_enterprise=respondent_enterprise,
        respondent_name=respondent_name,
        respondent_uscc=_text(respondent_uscc, 18).upper(),
        respondent_contact=_text(respondent_contact, 50),
        respondent_phone=respondent_phone[:30],
        respondent_address=_text(respondent_address, 200),
        town=town,
        claims=claims,
        facts=_text(facts, 8000),
        amount_claimed=amount,
        workers_count=workers,
        common_claim=bool(common_claim),
        is_collective=collective,
        infringed_on=infringed,
        organisation=organisation,
        received_on=received,
        clock_starts_on=received,
        decision_due_on=decision_due,
        due_on=due,
        consent_at=timezone.now() if consent else None,
        created_by=_user(principal),
    )
    CaseType.objects.bulk_create([CaseType(case=case, code=t) for t in type_codes])
    Applicant.objects.bulk_create(
        [
            Applicant(
                case=case,
                position=i,
                id_number_hash=personal_data.lookup_hash(a["id_number"]) if a["id_number"] else "",
                **a,
            )
            for i, a in enumerate(cleaned)
        ]
    )
    case.history.create(
        action="receive",
        from_status="",
        to_status=S.RECEIVED,
        actor=_user(principal),
        actor_label=principal.label,
    )
    audit.record("mediation.receive", case, after=audit.snapshot(case, exclude=("access_code_hash",)))
    serial = case.serial
    notify(
        selectors.mediator_users(organisation),
        title=lambda: _("New mediation application %(serial)s") % {"serial": serial},
        body=respondent_name,
        link=_link(case),
    )
    return case, code


def apply_online(**data) -> tuple[Case, str]:
    """A worker's application through the public form (no account)."""
    return register_case(ANONYMOUS, channel=Case.Channel.ONLINE, form=Case.Form.WRITTEN, **data)


@transaction.atomic
def reissue_access_code(principal, case: Case) -> str:
    """A new access code for an applicant who lost theirs (the old one stops working). Staff
    give it to the applicant after checking who they are."""
    _require(principal, "mediation.accept_case", case)
    case = _lock(case)
    refusal = access_code_refusal(case)
    if refusal is not None:
        raise refusal
    code = _new_access_code()
    case.access_code_hash = rules.access_code_hash(code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    audit.record("mediation.reissue_access_code", case, after={"serial": case.serial}, only_changes=False)
    return code


# Lifecycle ----------------------------------------------------------------------------------------


def _check_organisation_for(principal, organisation: MediationOrganisation) -> None:
    if principal.sees_everything or principal.is_api_client:
        return
    if organisation.organisation_id not in principal.organisation_ids(Role.MEDIATOR):
        raise DomainError(
            _("You can only accept cases for your own organisation; transfer it instead."),
            field="organisation",
        )


@transaction.atomic
def accept(
    principal, case: Case, *, mediator: Mediator, organisation: MediationOrganisation | None = None
) -> Case:
    """Accept the case for an organisation and assign a mediator of it."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "accept", principal)
    organisation = organisation or locked.organisation
    errors = {}
    if organisation is None:
        errors["organisation"] = [_("Choose the organisation that takes the case.")]
    elif not organisation.is_active:
        errors["organisation"] = [_("This organisation no longer takes cases.")]
    if mediator is None:
        errors["mediator"] = [_("Assign a mediator.")]
    elif organisation is not None and (mediator.organisation_id != organisation.pk or not mediator.is_active):
        errors["mediator"] = [_("Choose an active mediator of %(org)s.") % {"org": organisation.name}]
    raise_fields(errors)
    _check_organisation_for(principal, organisation)
    case = transition(
        locked,
        WORKFLOW,
        "accept",
        principal,
        changes={"organisation": organisation, "mediator": mediator, "accepted_on": _today()},
    )
    serial = case.serial
    notify(
        [mediator.user] if mediator.user_id else [],
        title=lambda: _("Case %(serial)s is assigned to you") % {"serial": serial},
        link=_link(case),
    )
    notify(
        selectors.hr_users(case),
        title=lambda: (
            _("A mediation case against your enterprise was accepted: %(serial)s") % {"serial": serial}
        ),
        body=lambda: _("The mediator will contact you. Deadline: %(date)s.") % {"date": case.due_on},
        link=_link(case),
    )
    return case


@transaction.atomic
def refuse(principal, case: Case, reason: str) -> Case:
    """Not accepted (e.g. not a labour dispute, or a party does not agree to mediation); the
    applicant is told why on the tracking page."""
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "refuse", principal, reason=reason, changes={"closed_on": _today()})


@transaction.atomic
def transfer(principal, case: Case, *, to_organisation: MediationOrganisation, reason: str) -> Case:
    """Send the case to another organisation (e.g. from an enterprise committee to the regional
    one). The new organisation receives it today: its 3-working-day decision and the mediation
    period run from today (LDMAL art. 14 counts from the organisation's receipt)."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "transfer", principal)
    if to_organisation is None or not to_organisation.is_active:
        raise DomainError(_("Choose an active organisation."), field="to_organisation")
    if to_organisation.pk == locked.organisation_id:
        raise DomainError(
            _("The case is already with %(org)s.") % {"org": to_organisation.name}, field="to_organisation"
        )
    today = _today()
    decision_due, due = rules.clocks(today, locked.channel)
    Transfer.objects.create(
        case=locked,
        from_organisation=locked.organisation,
        to_organisation=to_organisation,
        transferred_on=today,
        reason=(reason or "").strip()[:2000],
    )
    case = transition(
        locked,
        WORKFLOW,
        "transfer",
        principal,
        reason=reason,
        changes={
            "organisation": to_organisation,
            "mediator": None,
            "accepted_on": None,
            "clock_starts_on": today,
            "decision_due_on": decision_due,
            "due_on": due,
            "decision_reminded_on": None,
            "overdue_notified_on": None,
        },
    )
    serial = case.serial
    notify(
        selectors.mediator_users(to_organisation),
        title=lambda: _("Case %(serial)s was transferred to your organisation") % {"serial": serial},
        body=reason,
        link=_link(case),
    )
    return case


@transaction.atomic
def extend(
    principal,
    case: Case,
    *,
    new_due_on,
    applicant_consent_on,
    respondent_consent_on,
    consent_record: str,
) -> Case:
    """Extend the mediation period; both parties' consent must be recorded (LDMAL art. 14;
    企业劳动争议协商调解规定 art. 26: at most 15 days in all, except court-entrusted cases)."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "extend", principal)
    today = _today()
    errors: dict = {}
    new_due = _date(new_due_on, "new_due_on", errors, required=True)
    a_on = _date(applicant_consent_on, "applicant_consent_on", errors, required=True, not_after=today)
    r_on = _date(respondent_consent_on, "respondent_consent_on", errors, required=True, not_after=today)
    consent_record = _text(consent_record, 4000)
    if not consent_record:
        errors["consent_record"] = [_("Say how each party consented (signed note, recorded call...).")]
    for field, value in (("applicant_consent_on", a_on), ("respondent_consent_on", r_on)):
        if value and value < locked.received_on:
            errors.setdefault(field, []).append(_("Consent cannot predate the application."))
    if new_due and new_due <= locked.due_on:
        # A past date is fine: extensions are often recorded after the parties agreed.
        errors.setdefault("new_due_on", []).append(
            _("The new deadline must be after the current one (%(date)s).") % {"date": locked.due_on}
        )
    elif new_due and not locked.is_court_entrusted:
        limit = rules.base_due_on(locked) + dt.timedelta(days=rules.MAX_EXTENSION_DAYS)
        if new_due > limit:
            errors.setdefault("new_due_on", []).append(
                _(
                    "With both parties' consent the period may be extended by at most %(days)s days, to %(date)s."
                )
                % {"days": rules.MAX_EXTENSION_DAYS, "date": limit}
            )
    raise_fields(errors, source=rules.EXTENSION_SOURCE)
    Extension.objects.create(
        case=locked,
        previous_due_on=locked.due_on,
        new_due_on=new_due,
        applicant_consent_on=a_on,
        respondent_consent_on=r_on,
        consent_record=consent_record,
        recorded_by=_user(principal),
    )
    return transition(
        locked,
        WORKFLOW,
        "extend",
        principal,
        reason=_("Extended to %(date)s with both parties' consent.") % {"date": new_due},
        changes={"due_on": new_due, "overdue_notified_on": None},
    )


@transaction.atomic
def close(principal, case: Case, action: str, *, reason: str = "") -> Case:
    """Close the case with the outcome of `action` (workflow.CLOSING_OUTCOMES). Closing with the
    agreement fixes the agreed amount, opens the follow-ups and queues the agreement PDF."""
    if action not in CLOSING_OUTCOMES:
        raise DomainError(_("Unknown way of closing."), field="action")
    _require_scope(principal, case)
    outcome = CLOSING_OUTCOMES[action]
    changes = {"outcome": outcome, "outcome_note": (reason or "").strip()[:4000], "closed_on": _today()}
    if outcome == Case.Outcome.AGREEMENT:
        total = AgreementItem.objects.filter(agreement__case=case).aggregate(s=Sum("amount"))["s"] or Decimal(
            "0"
        )
        changes["agreed_amount"] = total
    case = transition(case, WORKFLOW, action, principal, reason=reason, changes=changes)
    if outcome == Case.Outcome.AGREEMENT:
        _open_follow_ups(case.agreement)
        request_agreement_pdf(case, principal)
    serial, label = case.serial, case.get_outcome_display
    notify(
        selectors.hr_users(case),
        title=lambda: (
            _("Mediation case %(serial)s closed: %(outcome)s") % {"serial": serial, "outcome": label()}
        ),
        link=_link(case),
    )
    return case


def _open_follow_ups(agreement: Agreement) -> None:
    """Deadlines that start when the agreement takes effect: joint request for arbitration
    confirmation (15 days), judicial confirmation (30 days); a payment order is possible for
    wages, work-injury medical costs, economic compensation or damages (LDMAL art. 16)."""
    start = agreement.effective_on
    FollowUp.objects.get_or_create(
        agreement=agreement,
        kind=FollowUp.Kind.ARBITRATION_CONFIRMATION,
        defaults={"due_on": rules.ARBITRATION_CONFIRMATION_PERIOD.due(start).date},
    )
    FollowUp.objects.get_or_create(
        agreement=agreement,
        kind=FollowUp.Kind.JUDICIAL_CONFIRMATION,
        defaults={"due_on": rules.JUDICIAL_CONFIRMATION_PERIOD.due(start).date},
    )
    if rules.payment_order_eligible(agreement):
        FollowUp.objects.get_or_create(
            agreement=agreement, kind=FollowUp.Kind.PAYMENT_ORDER, defaults={"due_on": None}
        )


def perform(principal, case: Case, action: str, *, reason: str = "") -> Case:
    """Perform a table action that needs no form of its own (refuse, archive, closing...)."""
    if action in CLOSING_OUTCOMES:
        return close(principal, case, action, reason=reason)
    if action == "refuse":
        return refuse(principal, case, reason)
    if action == "archive":
        return archive(principal, case)
    raise DomainError(_("This action needs its own form."), field="action")


@transaction.atomic
def archive(principal, case: Case) -> Case:
    """Archive: the case becomes read-only with its documents and timeline."""
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "archive", principal, changes={"archived_on": _today()})


# Work on an open case -----------------------------------------------------------------------------


@transaction.atomic
def record_session(principal, case: Case, *, held_at, mode: str, attendees: str, notes: str = "") -> Session:
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "session")
    errors: dict = {}
    if not isinstance(held_at, dt.datetime):
        errors["held_at"] = [_("Enter the date and time of the session.")]
    else:
        if timezone.is_naive(held_at):
            held_at = timezone.make_aware(held_at)
        if held_at > timezone.now() + dt.timedelta(minutes=5):
            errors["held_at"] = [_("Record a session once it has taken place.")]
        elif timezone.localtime(held_at).date() < case.received_on:
            errors["held_at"] = [_("The session cannot predate the application.")]
    if mode not in Session.Mode.values:
        errors["mode"] = [_("Choose in person, video or phone.")]
    attendees = _text(attendees, 2000)
    if not attendees:
        errors["attendees"] = [_("List who attended.")]
    raise_fields(errors)
    session = Session.objects.create(
        case=case,
        held_at=held_at,
        mode=mode,
        attendees=attendees,
        notes=_text(notes, 8000),
        recorded_by=_user(principal),
    )
    audit.record("mediation.record_session", session, after=audit.snapshot(session))
    return session


@transaction.atomic
def save_agreement(principal, case: Case, *, result: str, items: list[dict]) -> Agreement:
    """Draft or redraft the agreement: the result and its items (what, amount, by when, how).
    Once anyone has signed, the text is fixed."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "agreement")
    agreement = Agreement.objects.filter(case=case).first()
    errors: dict = {}
    result = _text(result, 8000)
    if not result:
        errors["result"] = [_("Write the result the parties agreed on.")]
    cleaned = []
    if not items:
        errors["items"] = [_("Enter at least one item: what is to be done, by when and how.")]
    for i, row in enumerate(items or []):
        prefix = f"items.{i}."
        kind = row.get("kind")
        if kind not in AgreementItem.Kind.values:
            errors.setdefault(prefix + "kind", []).append(_("Choose the kind of item."))
        description = _text(row.get("description"), 300)
        if not description:
            errors.setdefault(prefix + "description", []).append(_("Describe the obligation."))
        amount = _amount(row.get("amount"), prefix + "amount", errors)
        due_on = _date(row.get("due_on"), prefix + "due_on", errors, required=True)
        if due_on and due_on < case.received_on:
            errors.setdefault(prefix + "due_on", []).append(
                _("The performance date cannot predate the application.")
            )
        method = row.get("method") or AgreementItem.Method.TRANSFER
        if method not in AgreementItem.Method.values:
            errors.setdefault(prefix + "method", []).append(_("Choose how it is performed."))
        cleaned.append(
            {
                "kind": kind,
                "description": description,
                "amount": amount,
                "due_on": due_on,
                "method": method,
                "position": i,
            }
        )
    raise_fields(errors, source=rules.AGREEMENT_SOURCE)
    before = audit.snapshot(agreement) if agreement else None
    if agreement is None:
        agreement = Agreement.objects.create(case=case, result=result)
    else:
        agreement.result = result
        agreement.save()
        agreement.items.all().delete()
    AgreementItem.objects.bulk_create([AgreementItem(agreement=agreement, **row) for row in cleaned])
    audit.record(
        "mediation.save_agreement",
        agreement,
        before=before,
        after={**audit.snapshot(agreement), "items": audit._json_safe(cleaned)},
    )
    return agreement


@transaction.atomic
def record_signatures(
    principal,
    case: Case,
    *,
    applicant_signed_on=None,
    respondent_signed_on=None,
    mediator_signed_on=None,
    sealed_on=None,
) -> Agreement:
    """Record who signed or sealed the agreement and when; in force when all four are there (LDMAL art. 14)."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "signatures")
    agreement = Agreement.objects.get(case=case)
    today = _today()
    errors: dict = {}
    values = {}
    for field, value in (
        ("applicant_signed_on", applicant_signed_on),
        ("respondent_signed_on", respondent_signed_on),
        ("mediator_signed_on", mediator_signed_on),
        ("sealed_on", sealed_on),
    ):
        day = _date(value, field, errors, not_after=today)
        if day and day < case.received_on:
            errors.setdefault(field, []).append(_("A signature cannot predate the application."))
        values[field] = day
    raise_fields(errors, source=rules.AGREEMENT_SOURCE)
    before = audit.snapshot(agreement)
    for field, value in values.items():
        setattr(agreement, field, value)
    agreement.effective_on = max(values.values()) if agreement.is_signed else None
    agreement.save()
    audit.record("mediation.record_signatures", agreement, before=before, after=audit.snapshot(agreement))
    return agreement


def _agreement_after_close(principal, case: Case, work: str) -> Agreement:
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, work)
    return Agreement.objects.select_for_update().get(case=case)


@transaction.atomic
def record_payment(principal, case: Case, *, amount, paid_on, note: str = "") -> Payment:
    """Record performance: an amount paid under the agreement. The agreement counts as performed
    once the payments reach the agreed amount."""
    agreement = _agreement_after_close(principal, case, "payment")
    errors: dict = {}
    amount = _amount(amount, "amount", errors, allow_zero=False)
    paid = _date(paid_on, "paid_on", errors, required=True, not_after=_today())
    if paid and agreement.effective_on and paid < agreement.case.received_on:
        errors.setdefault("paid_on", []).append(_("The payment cannot predate the application."))
    raise_fields(errors)
    payment = Payment.objects.create(
        agreement=agreement, amount=amount, paid_on=paid, note=_text(note, 300), recorded_by=_user(principal)
    )
    total_paid = agreement.payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    agreed = agreement.case.agreed_amount
    before = agreement.performance
    agreement.performance = (
        Agreement.Performance.PERFORMED if total_paid >= agreed else Agreement.Performance.PARTLY
    )
    agreement.save(update_fields=["performance", "updated_at"])
    audit.record(
        "mediation.record_payment",
        payment,
        after={**audit.snapshot(payment), "performance": agreement.performance, "performance_before": before},
    )
    return payment


@transaction.atomic
def set_performance(principal, case: Case, performance: str, note: str = "") -> Agreement:
    """Mark the agreement as performed (e.g. a non-monetary item done) or not performed (the
    worker may apply for arbitration, or for a payment order where LDMAL art. 16 allows)."""
    agreement = _agreement_after_close(principal, case, "performance")
    if performance not in (Agreement.Performance.PERFORMED, Agreement.Performance.NOT_PERFORMED):
        raise DomainError(_("Choose performed or not performed."), field="performance")
    before = audit.snapshot(agreement)
    agreement.performance = performance
    agreement.save(update_fields=["performance", "updated_at"])
    audit.record(
        "mediation.set_performance",
        agreement,
        before=before,
        after=audit.snapshot(agreement),
        note=_text(note, 500),
    )
    return agreement


@transaction.atomic
def update_follow_up(
    principal, follow_up: FollowUp, *, status: str, done_on=None, note: str = ""
) -> FollowUp:
    case = follow_up.agreement.case
    _require(principal, "mediation.mediate_case", case)
    check_work(_lock(case), "follow_up")
    errors: dict = {}
    if status not in FollowUp.Status.values:
        errors["status"] = [_("Choose a status.")]
    done = _date(done_on, "done_on", errors, required=status == FollowUp.Status.DONE, not_after=_today())
    raise_fields(errors)
    before = audit.snapshot(follow_up)
    follow_up.status, follow_up.done_on, follow_up.note = status, done, _text(note, 2000)
    follow_up.save()
    audit.record("mediation.update_follow_up", follow_up, before=before, after=audit.snapshot(follow_up))
    return follow_up


@transaction.atomic
def add_referral(
    principal, case: Case, *, applicant: Applicant, service: str, referred_on, note: str = ""
) -> Referral:
    """Refer an applicant who lost the job in the dispute to employment services (seed 003)."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "referral")
    errors: dict = {}
    if applicant is None or applicant.case_id != case.pk:
        errors["applicant"] = [_("Choose an applicant of this case.")]
    service = _text(service, 200)
    if not service:
        errors["service"] = [_("Name the employment service.")]
    day = _date(referred_on, "referred_on", errors, required=True, not_after=_today())
    raise_fields(errors)
    if not applicant.lost_job:
        applicant.lost_job = True
        applicant.save(update_fields=["lost_job", "updated_at"])
    referral = Referral.objects.create(
        case=case, applicant=applicant, service=service, referred_on=day, note=_text(note, 300)
    )
    audit.record("mediation.add_referral", referral, after=audit.snapshot(referral))
    return referral


@transaction.atomic
def record_referral_result(
    principal, referral: Referral, *, result: str, result_on=None, note: str = ""
) -> Referral:
    _require(principal, "mediation.mediate_case", referral.case)
    check_work(_lock(referral.case), "referral")
    errors: dict = {}
    if result not in Referral.Result.values:
        errors["result"] = [_("Choose the result.")]
    day = _date(
        result_on, "result_on", errors, required=result != Referral.Result.PENDING, not_after=_today()
    )
    if day and day < referral.referred_on:
        errors.setdefault("result_on", []).append(_("The result cannot predate the referral."))
    raise_fields(errors)
    before = audit.snapshot(referral)
    referral.result, referral.result_on = result, day
    referral.note = _text(note, 300) or referral.note
    referral.save()
    audit.record("mediation.record_referral_result", referral, before=before, after=audit.snapshot(referral))
    return referral


@transaction.atomic
def add_document(principal, case: Case, *, uploaded, title: str) -> CaseDocument:
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "document")
    title = _text(title, 200)
    if not title:
        raise DomainError(_("Give the document a title."), field="title")
    content_type, sha256, size = check_upload(uploaded, max_bytes=rules.DOCUMENT_MAX_BYTES)
    doc = CaseDocument(
        case=case,
        title=title,
        content_type=content_type,
        sha256=sha256,
        size=size,
        uploaded_by=_user(principal),
    )
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(content_type, "bin")
    uploaded.name = f"{secrets.token_hex(12)}.{extension}"
    doc.file = uploaded
    doc.save()
    audit.record("mediation.add_document", doc, after=audit.snapshot(doc))
    return doc


@transaction.atomic
def regenerate_agreement_pdf(principal, case: Case):
    """Generate the agreement PDF again when there is none or its rendering failed (the case
    cannot be archived without it)."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    refusal = agreement_pdf_refusal(case)
    if refusal is not None:
        raise refusal
    return request_agreement_pdf(case, principal)


def request_agreement_pdf(case: Case, principal):
    """Queue the agreement PDF (Chinese, rendered by Celery, stored with its SHA-256)."""
    agreement = Agreement.objects.get(case=case)
    doc = request_document(
        kind="mediation_agreement",
        title=_("Mediation agreement %(serial)s") % {"serial": case.serial},
        template_name="mediation/pdf/agreement.html",
        context=selectors.agreement_pdf_context(case),
        owner=agreement,
        created_by=_user(principal),
        language="zh-hans",
    )
    agreement.document = doc
    agreement.save(update_fields=["document", "updated_at"])
    return doc


# The daily job ------------------------------------------------------------------------------------


def flag_overdue(today: dt.date | None = None) -> dict:
    """Daily (Celery beat): remind organisations of applications not decided within 3 working
    days and flag cases past their mediation deadline, notifying the mediator, the organisation
    and the park administrators once per deadline. Idempotent."""
    today = today or _today()
    reminded = flagged = 0
    undecided = Case.objects.filter(
        status=S.RECEIVED, decision_due_on__lt=today, decision_reminded_on__isnull=True
    ).select_related("organisation")
    for case in undecided:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, decision_reminded_on__isnull=True).update(
                decision_reminded_on=today
            ):
                continue
            serial, due = case.serial, case.decision_due_on
            notify(
                list(selectors.mediator_users(case.organisation)) + list(selectors.park_admins()),
                title=lambda serial=serial, due=due: (
                    _("Decide on mediation application %(serial)s: it was due by %(date)s")
                    % {"serial": serial, "date": due}
                ),
                body=lambda: str(rules.DECISION_PERIOD.source),
                link=_link(case),
            )
            reminded += 1
    overdue = Case.objects.filter(
        status=S.IN_MEDIATION, due_on__lt=today, overdue_notified_on__isnull=True
    ).select_related("organisation", "mediator__user")
    for case in overdue:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=today
            ):
                continue
            audit.record("mediation.flag_overdue", case, after={"due_on": case.due_on.isoformat()})
            serial, due = case.serial, case.due_on
            recipients = list(selectors.mediator_users(case.organisation)) + list(selectors.park_admins())
            if case.mediator and case.mediator.user:
                recipients.append(case.mediator.user)
            notify(
                recipients,
                title=lambda serial=serial, due=due: (
                    _("Mediation case %(serial)s passed its deadline of %(date)s")
                    % {"serial": serial, "date": due}
                ),
                body=lambda: (
                    _(
                        "Either party may now apply for arbitration (%(source)s). Close the case as timed out, "
                        "or record an extension both parties agreed to."
                    )
                    % {"source": rules.MEDIATION_PERIOD.source}
                ),
                link=_link(case),
            )
            flagged += 1
    return {"reminded": reminded, "flagged": flagged}
