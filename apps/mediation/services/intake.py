"""Intake of labour-dispute mediation: the organisations and their mediators (kept by park
administrators), registering an application (staff, district systems, the public form) with its
serial number, clocks and access code, and a new access code for an applicant who lost theirs.

Everything wrong with an application is reported at once, per field (`raise_fields`); the rules
(channels, the collective threshold, the clocks) are in rules.py with their sources, the routing
and the recipients in selectors.py.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Organisation
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core import personal_data
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.principal import ANONYMOUS
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import (
    INTAKE_SCOPE,
    WRITE_SCOPE,
    Applicant,
    Case,
    CaseType,
    MediationOrganisation,
    Mediator,
    SerialCounter,
)
from ..workflow import access_code_refusal
from ._common import _amount, _date, _link, _lock, _require, _text, _today, _user

S = Case.Status


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
    # `updated_at` too: a bulk update skips auto_now, and incremental sync reads it (issue 15).
    Organisation.objects.filter(pk=mo.organisation_id).update(
        name=mo.name, is_active=mo.is_active, updated_at=timezone.now()
    )
    if towns is not None:
        mo.towns.set(towns)
    if enterprises is not None:
        mo.enterprises.set(enterprises)
    audit.record("mediation.update_organisation", mo, before=before, after=audit.snapshot(mo))
    figures_changed(selectors.FIGURES_TOPIC)  # the figures by organisation name it
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


def new_access_code() -> str:
    """A fresh access code for the public tracking page (shown once; only its hash is kept)."""
    return "".join(secrets.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH))


def _next_serial(on: dt.date) -> str:
    """`TJ2026-00042`: prefix, year of receipt, number within the year. Allocated under a row lock
    on the year's counter, so it is unique and never reused."""
    return f"{settings.MEDIATION_SERIAL_PREFIX}{on.year}-{SerialCounter.take(on.year):05d}"


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
    existing_ok: bool = False,
) -> tuple[Case, str | None]:
    """Register an application; returns the case and its access code (shown once, stored hashed).

    Everything wrong is reported at once, per field. Staff register walk-in, phone, court-entrusted
    and inspection cases; district systems court-entrusted, inspection and 12345 hotline cases
    (with `mediation:write` or `mediation:intake`); the public only online applications (through
    `apply_online`).

    One case per (channel, sender's reference) (`Case.Meta`): when one is registered already, the
    call is refused on `source_reference`, or with `existing_ok` (`receive_referral`) that case is
    returned unchanged with the code None (it was given the first time). Two requests racing with
    the same reference leave one case; the later finds it."""
    today = _today()
    if principal.is_api_client:
        if not (principal.has_scope(WRITE_SCOPE) or principal.has_scope(INTAKE_SCOPE)):
            raise NotAllowed(_("The API client needs the “mediation:write” or “mediation:intake” scope."))
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
    reference = _text(source_reference, 60)
    if channel in allowed and reference:
        existing = selectors.case_by_reference(channel, reference)
        if existing is not None:
            return _registered_before(existing, existing_ok)
    if channel in rules.REFERENCE_REQUIRED_CHANNELS and not reference:
        errors["source_reference"] = [_("Enter the work-order number of the referral.")]
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
    code = new_access_code()
    try:
        # A savepoint: the serial's counter and the row go back together if the same (channel,
        # reference) was registered by another request meanwhile (the unique constraint).
        with transaction.atomic():
            case = Case.objects.create(
                serial=_next_serial(received),
                access_code_hash=rules.access_code_hash(code),
                channel=channel,
                form=form,
                oral_record=oral_record,
                court_name=court_name,
                source_reference=reference,
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
                created_by_client=principal.api_client if principal.is_api_client else None,
            )
    except IntegrityError:
        existing = selectors.case_by_reference(channel, reference)
        if existing is None:
            raise
        return _registered_before(existing, existing_ok)
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
    audit.record(
        "mediation.receive", case, after=audit.snapshot(case, exclude=("access_code_hash", "deadline_rank"))
    )
    figures_changed(selectors.FIGURES_TOPIC)
    serial = case.serial
    notify(
        selectors.mediator_users(organisation),
        title=lambda: _("New mediation application %(serial)s") % {"serial": serial},
        body=respondent_name,
        link=_link(case),
    )
    return case, code


def _registered_before(case: Case, existing_ok: bool) -> tuple[Case, None]:
    """The answer when (channel, reference) is registered already: that case, unchanged, for a
    referral sent again (`existing_ok`); a refusal on the reference otherwise (a person typing a
    number twice)."""
    if not existing_ok:
        raise DomainError(
            _("A case with this reference is already registered for this channel."),
            field="source_reference",
            code="duplicate_reference",
        )
    return case, None


def receive_referral(principal, **data) -> tuple[Case, str | None]:
    """A case sent by a district system (court-entrusted, transferred from inspection, a 12345
    hotline referral): `register_case`, idempotent per (channel, reference). Returns the case and
    its access code, or the case registered before with that reference and None (its code was
    returned the first time; the organisation can issue a new one)."""
    return register_case(principal, existing_ok=True, **data)


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
    code = new_access_code()
    case.access_code_hash = rules.access_code_hash(code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    audit.record("mediation.reissue_access_code", case, after={"serial": case.serial}, only_changes=False)
    return code
