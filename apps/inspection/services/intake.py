"""Registering an inspection case from any source (complaint, report, patrol, written review,
campaign, referral) with its serial number, clocks, workers concerned and, for a report, the
confidential reporter. Referrals are idempotent on (source, reference).

Everything wrong is reported at once, per field (`raise_fields`); the rules (the clocks, the
2-year limitation) are in rules.py with their sources.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core import personal_data
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.models import Area
from apps.enterprises.models import Enterprise

from .. import rules, selectors
from ..models import InspectionCase, InspectionSerialCounter, Reporter, Source, Worker
from ._common import _amount, _date, _require, _text, _today, _user

S = InspectionCase.Status


def _next_serial(on: dt.date) -> str:
    """`JC2026-00042`: prefix, year of receipt, number within the year. Allocated under a row lock
    on the year's counter, so it is unique and never reused."""
    return f"{settings.INSPECTION_SERIAL_PREFIX}{on.year}-{InspectionSerialCounter.take(on.year):05d}"


def _id_number(value, field: str, errors: dict, seen: set) -> str:
    value = _text(value, 30)
    if not value:
        return ""
    try:
        value = personal_data.validate_id_number(value)
    except ValidationError as exc:
        errors.setdefault(field, []).append(exc.messages[0])
        return ""
    if value in seen:
        errors.setdefault(field, []).append(_("The same ID number appears twice."))
    seen.add(value)
    return value


def _clean_workers(rows, errors: dict, *, required: bool) -> list[dict]:
    rows = rows or []
    if not isinstance(rows, list | tuple):
        errors.setdefault("workers", []).append(_("List the workers concerned."))
        return []
    if required and not rows:
        errors.setdefault("workers", []).append(
            _("A complaint is made by the worker concerned: enter at least one worker.")
        )
    if len(rows) > rules.MAX_WORKERS:
        errors.setdefault("workers", []).append(
            _("List at most %(n)s workers; enter the others as the number of workers concerned.")
            % {"n": rules.MAX_WORKERS}
        )
        return []
    cleaned, seen = [], set()
    for index, row in enumerate(rows):
        prefix = f"workers.{index}."
        if not isinstance(row, dict):
            errors.setdefault(prefix + "name", []).append(_("Enter the worker's name."))
            continue
        name = _text(row.get("name"), 50)
        if not name:
            errors.setdefault(prefix + "name", []).append(_("Enter the worker's name."))
        id_number = _id_number(row.get("id_number"), prefix + "id_number", errors, seen)
        phone, problem = personal_data.check_phone(row.get("phone"))
        if problem:
            errors.setdefault(prefix + "phone", []).append(problem)
        cleaned.append(
            {
                "name": name,
                "id_number": id_number,
                "phone": phone[:30],
                "is_complainant": bool(row.get("is_complainant", index == 0 and required)),
            }
        )
    return cleaned


def _clean_reporter(data, errors: dict) -> dict | None:
    if not data:
        return None
    if not isinstance(data, dict):
        errors["reporter"] = [_("Enter the reporter's details or leave them out.")]
        return None
    anonymous = bool(data.get("anonymous"))
    name = _text(data.get("name"), 50)
    id_number = _id_number(data.get("id_number"), "reporter.id_number", errors, set())
    phone, problem = personal_data.check_phone(data.get("phone"))
    if problem:
        errors["reporter.phone"] = [problem]
    if not anonymous and not (name or phone):
        errors["reporter.name"] = [_("Enter the reporter's name or phone, or mark the report anonymous.")]
    return {
        "anonymous": anonymous,
        "name": "" if anonymous else name,
        "id_number": "" if anonymous else id_number,
        "phone": phone[:30],
        "contact": _text(data.get("contact"), 200),
    }


def _channel(principal, source: str) -> str:
    """How a case came in when the caller does not say: sent by another system through the API; a
    complaint or report entered by staff was made at the counter (or by phone); anything else was
    recorded on the platform."""
    if principal.is_api_client:
        return InspectionCase.Channel.API
    if source in (Source.COMPLAINT, Source.REPORT):
        return InspectionCase.Channel.COUNTER
    return InspectionCase.Channel.PLATFORM


@transaction.atomic
def register_case(
    principal,
    *,
    source: str,
    employer_name: str = "",
    enterprise: Enterprise | None = None,
    employer_code: str = "",
    employer_address: str = "",
    town: Area | None = None,
    matters=(),
    facts: str = "",
    amount_owed=0,
    workers_count=None,
    workers=None,
    reporter=None,
    violation_ended_on=None,
    received_on=None,
    source_reference: str = "",
    channel: str = "",
) -> tuple[InspectionCase, bool]:
    """Register a case; returns (case, created). A referral or any case sent again with the same
    (source, reference) returns the case already registered, unchanged (idempotent).

    A complaint names at least one worker concerned; a report may carry its reporter (kept apart,
    confidential). The enterprise comes from the registry, or the employer is named and linked
    later. The clocks start from the day of receipt: 5 working days to accept or refuse."""
    _require(principal, "inspection.register_case")
    today = _today()
    errors: dict[str, list] = {}
    if source not in Source.values:
        errors["source"] = [_("Choose the source of the case.")]
    reference = _text(source_reference, 60)
    existing = selectors.existing_by_reference(source, reference)
    if existing is not None:
        return existing, False
    codes = list(dict.fromkeys(m for m in (matters or []) if m))
    if not codes:
        errors["matters"] = [_("Choose at least one matter.")]
    elif any(c not in rules.MATTERS for c in codes):
        errors["matters"] = [_("Choose matters from the list.")]
    if enterprise is not None:
        employer_name = enterprise.name
        employer_code = enterprise.uscc
        town = enterprise.town
        employer_address = employer_address or enterprise.address
    employer_name = _text(employer_name, 200)
    if not employer_name:
        errors["employer_name"] = [_("Enter the employer, or choose it from the registry.")]
    if town is None:
        errors["town"] = [_("Choose the town or sub-district of the employer.")]
    elif principal.is_api_client and principal.area_ids and town.pk not in principal.area_ids:
        errors["town"] = [_("Choose a town of your system's area.")]
    cleaned = _clean_workers(workers, errors, required=source in rules.SOURCES_NEEDING_A_WORKER)
    reporter_data = _clean_reporter(reporter, errors)
    if reporter_data is not None and source != Source.REPORT:
        errors["reporter"] = [_("Only a report has a reporter; a complaint names the workers concerned.")]
    amount = _amount(amount_owed, "amount_owed", errors)
    try:
        count = int(workers_count) if workers_count not in (None, "") else max(1, len(cleaned))
    except (TypeError, ValueError):
        count = 0
    if count < max(1, len(cleaned)):
        errors["workers_count"] = [
            _("The number of workers concerned cannot be less than the %(n)s workers listed.")
            % {"n": max(1, len(cleaned))}
        ]
    elif count > 100000:
        errors["workers_count"] = [_("Enter a realistic number of workers.")]
    received = _date(received_on, "received_on", errors, not_after=today) or today
    ended = _date(violation_ended_on, "violation_ended_on", errors, not_after=today)
    raise_fields(errors)

    try:
        with transaction.atomic():
            case = InspectionCase.objects.create(
                serial=_next_serial(received),
                source=source,
                source_reference=reference,
                enterprise=enterprise,
                employer_name=employer_name,
                employer_code=_text(employer_code, 18).upper(),
                employer_address=_text(employer_address, 200),
                town=town,
                matters=codes,
                facts=_text(facts, 8000),
                amount_owed=amount,
                workers_count=count,
                violation_ended_on=ended,
                received_on=received,
                decision_due_on=rules.acceptance_due(received).date,
                channel=channel or _channel(principal, source),
                created_by=_user(principal),
            )
    except IntegrityError:
        # The same (source, reference) registered at the same moment by another request.
        existing = selectors.existing_by_reference(source, reference)
        if existing is None:
            raise
        return existing, False
    Worker.objects.bulk_create(
        [
            Worker(
                case=case,
                position=i,
                id_number_hash=personal_data.lookup_hash(w["id_number"]) if w["id_number"] else "",
                **w,
            )
            for i, w in enumerate(cleaned)
        ]
    )
    if reporter_data is not None:
        Reporter.objects.create(
            case=case,
            id_number_hash=personal_data.lookup_hash(reporter_data["id_number"])
            if reporter_data["id_number"]
            else "",
            **reporter_data,
        )
    case.history.create(
        action="receive",
        from_status="",
        to_status=S.RECEIVED,
        actor=_user(principal),
        actor_label=principal.label,
    )
    audit.record("inspection.receive", case, after=audit.snapshot(case))
    return case, True


@transaction.atomic
def link_enterprise(principal, case: InspectionCase, *, uscc: str) -> InspectionCase:
    """Link a case registered against an employer not in the registry to its registry record once
    the park has registered it, found by its unified social credit code: the employer's name, code
    and town then come from the registry (the case may move to the brigade of that town). Audited."""
    _require(principal, "inspection.handle_case")
    if not InspectionCase.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is outside your area."))
    locked = InspectionCase.objects.select_for_update().get(pk=case.pk)
    if locked.enterprise_id is not None:
        raise DomainError(
            _("The case is already linked to the registry's %(name)s.") % {"name": locked.employer_name},
            field="uscc",
        )
    code = _text(uscc, 18).upper()
    enterprise = (
        Enterprise.objects.visible_to(principal).filter(uscc=code).select_related("town").first()
        if code
        else None
    )
    if enterprise is None:
        raise DomainError(
            _("No enterprise of the registry you work on has this unified social credit code."), field="uscc"
        )
    before = audit.snapshot(locked)
    locked.enterprise = enterprise
    locked.employer_name = enterprise.name
    locked.employer_code = enterprise.uscc
    locked.employer_address = locked.employer_address or enterprise.address
    locked.town = enterprise.town
    locked.save(
        update_fields=[
            "enterprise",
            "employer_name",
            "employer_code",
            "employer_address",
            "town",
            "updated_at",
        ]
    )
    audit.record("inspection.link_enterprise", locked, before=before, after=audit.snapshot(locked))
    return locked
