"""The public complaint form (no account): a worker files a complaint (投诉) about their own
employer, or anyone files a report (举报) of a violation, online.

The case is registered through `intake.register_case` (serial number, clocks, the worker's
protected ID number, the confidential reporter), then marked as received online with an access
code for the tracking page: the code is shown once and only its keyed hash is kept
(`rules.access_code_hash`), as mediation does for its online applications.

Who writes: the public has no account, so the write is made by the platform itself (`SYSTEM`, the
principal of the platform's own writes), while the audit trail records the anonymous request and
its client address. Mediation's online application is the same idea (`apply_online` with the
anonymous principal); inspection's `register_case` accepts no anonymous principal, and this
function is the only door through which the public reaches it: it takes only the public form's
fields, sets the source to complaint or report and the channel to online itself.

Everything wrong is reported at once, per field, with the public form's field names; nothing is
written when anything is wrong (one transaction; `register_case` runs in a savepoint that is
rolled back when this module's own checks failed).
"""

from __future__ import annotations

import secrets
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.principal import SYSTEM
from apps.enterprises.services import normalize_uscc
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import InspectionCase, Source
from ..selectors import public as public_selectors
from ..workflow import HANDLE, holds
from . import intake

#: Value of the "not in the list" option of the employer select.
OTHER = "other"
#: The two kinds of public submission.
KINDS = (Source.COMPLAINT, Source.REPORT)
#: The longest text each field takes (the columns' sizes); longer is an error, not cut.
LIMITS = {
    "name": 50,
    "id_number": 30,
    "phone": 30,
    "contact": 200,
    "employer_name": 200,
    "employer_code": 30,
    "employer_address": 200,
    "facts": 8000,
}


class _Invalid(Exception):
    """Rolls back the savepoint of `register_case` when this module's own checks failed."""


def new_access_code() -> str:
    """A fresh access code for the tracking page (shown once; only its hash is kept)."""
    return "".join(secrets.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH))


def _str(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _error(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _enterprise(value, errors: dict):
    """The registry enterprise chosen (by its id), None for "not in the list" or nothing."""
    value = _str(getattr(value, "pk", value))
    if not value or value == OTHER:
        return None
    try:
        pk = uuid.UUID(value)
    except ValueError:
        found = None
    else:
        found = public_selectors.public_enterprises().filter(pk=pk).first()
    if found is None:
        _error(errors, "employer", _("Choose the company from the list, or “Not in the list”."))
    return found


def _town(value, errors: dict):
    """The town chosen (by its id) for an employer not in the registry; None when none was."""
    value = _str(getattr(value, "pk", value))
    if not value:
        return None
    try:
        pk = uuid.UUID(value)
    except ValueError:
        found = None
    else:
        found = public_selectors.public_towns().filter(pk=pk).first()
    if found is None:
        _error(errors, "town", _("Choose the town or sub-district from the list."))
    return found


#: `register_case`'s error keys → the public form's fields.
_FIELD_MAP = {
    "source": "kind",
    "workers": "name",
    "workers.0.name": "name",
    "workers.0.id_number": "id_number",
    "workers.0.phone": "phone",
    "reporter": "name",
    "reporter.name": "name",
    "reporter.id_number": "id_number",
    "reporter.phone": "phone",
    "received_on": "__all__",
}


def _merge(errors: dict, exc: DomainError, employer_field: str) -> None:
    for key, messages in (exc.fields or {"__all__": [exc.message]}).items():
        field = employer_field if key == "employer_name" else _FIELD_MAP.get(key, key)
        for message in messages:
            text = f"{message} ({exc.source})" if exc.source else message
            if text not in errors.get(field, []):
                _error(errors, field, text)


@transaction.atomic
def submit_complaint(data: dict, *, client_address: str) -> tuple[InspectionCase, str]:
    """Register a complaint or a report sent through the public form; returns the case and its
    access code (to show once). `data` holds the public form's fields: kind (complaint or
    report), name, id_number, phone, anonymous, contact, employer (a registry enterprise's id or
    "other"), employer_name, employer_code, employer_address, town, matters, facts,
    amount_owed, workers_count, violation_ended_on, consent. Raises DomainError with per-field
    messages (nothing written) when anything is wrong."""
    data = data if isinstance(data, dict) else {}
    errors: dict[str, list] = {}

    kind = _str(data.get("kind")) or Source.COMPLAINT
    if kind not in KINDS:
        _error(errors, "kind", _("Choose complaint or report."))
        kind = Source.COMPLAINT
    texts = {}
    for field, limit in LIMITS.items():
        value = data.get(field)
        if value is not None and not isinstance(value, str | int):
            _error(errors, field, _("Enter this field as text."))
            value = ""
        texts[field] = _str(value)
        if len(texts[field]) > limit:
            _error(errors, field, _("Shorten this to at most %(n)s characters.") % {"n": limit})
    anonymous = kind == Source.REPORT and data.get("anonymous") in (True, "on", "true", "1", 1)
    if data.get("anonymous") in (True, "on", "true", "1", 1) and kind == Source.COMPLAINT:
        _error(
            errors,
            "anonymous",
            _(
                "A complaint is made by the worker concerned, who gives their name. To stay anonymous, "
                "choose a report."
            ),
        )
    if not anonymous and data.get("consent") not in (True, "on", "true", "1", 1):
        _error(
            errors,
            "consent",
            _("Agree to the use of your personal information as described, so the case can be handled."),
        )

    if kind == Source.COMPLAINT:
        # The worker concerned must be reachable and identified (劳动保障监察条例 art. 9).
        if not texts["id_number"]:
            _error(errors, "id_number", _("Enter your ID card number."))
        if not texts["phone"]:
            _error(errors, "phone", _("Enter your phone number so the inspector can reach you."))

    enterprise = _enterprise(data.get("employer"), errors)
    employer_field = "employer_name" if _str(data.get("employer")) == OTHER else "employer"
    town = None if enterprise else _town(data.get("town"), errors)
    code = ""
    if texts["employer_code"] and not enterprise and "employer_code" not in errors:
        try:
            code = normalize_uscc(texts["employer_code"])
        except DomainError as exc:
            # What is wrong with the code, without the standard's number (GB 32100-2015, the
            # error's `source`): a worker typed it (issue 20).
            _error(errors, "employer_code", exc.message)
    if not texts["facts"]:
        _error(errors, "facts", _("Tell us briefly what happened."))

    person = {"name": texts["name"], "id_number": texts["id_number"], "phone": texts["phone"]}
    kwargs = {
        "source": kind,
        "enterprise": enterprise,
        "employer_name": "" if enterprise else texts["employer_name"],
        "employer_code": "" if enterprise else code,
        "employer_address": texts["employer_address"],
        "town": town,
        "matters": data.get("matters") if isinstance(data.get("matters"), list | tuple) else [],
        "facts": texts["facts"],
        "amount_owed": data.get("amount_owed") if data.get("amount_owed") not in (None, "") else 0,
        "workers_count": data.get("workers_count"),
        "violation_ended_on": data.get("violation_ended_on"),
    }
    if kind == Source.COMPLAINT:
        kwargs["workers"] = [{**person, "is_complainant": True}]
    else:
        kwargs["workers"] = []
        kwargs["reporter"] = {**person, "anonymous": anonymous, "contact": texts["contact"]}
    if isinstance(data.get("matters"), str):
        kwargs["matters"] = [data["matters"]]

    case = None
    try:
        with transaction.atomic():  # a savepoint: rolled back when anything above was wrong
            case, _created = intake.register_case(SYSTEM, channel=InspectionCase.Channel.ONLINE, **kwargs)
            if errors:
                raise _Invalid
    except _Invalid:
        case = None
    except DomainError as exc:
        case = None
        _merge(errors, exc, employer_field)
    if case is None and not errors:  # pragma: no cover - register_case always says why
        errors["__all__"] = [_("The case could not be registered.")]
    raise_fields(errors)

    access_code = new_access_code()
    case.access_code_hash = rules.access_code_hash(access_code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    audit.record(
        "inspection.submit_online",
        case,
        after={"serial": case.serial, "source": case.source, "channel": case.channel},
        note=f"public form; client address {client_address or '?'}",
        only_changes=False,
    )
    # The brigade of the area hears of it at once (5 working days to accept or refuse run from today).
    serial, due = case.serial, case.decision_due_on
    notify(
        list(selectors.inspector_users(case)),
        title=lambda: (
            _("New online %(kind)s %(serial)s: accept or refuse by %(date)s")
            % {"kind": case.get_source_display(), "serial": serial, "date": due}
        ),
        body=lambda: str(rules.ACCEPTANCE_PERIOD.source),
        link=reverse("inspection:detail", args=[case.pk]),
    )
    return case, access_code


@transaction.atomic
def issue_access_code(principal, case: InspectionCase) -> str:
    """A new access code for the tracking page: for a complainant or reporter who lost theirs (the
    old one stops working) or who complained at the counter. Staff give it after checking who asks.
    Audited; shown once."""
    if not holds(principal, HANDLE):
        raise NotAllowed(_("Your role may not give access codes."))
    if not InspectionCase.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is outside your area."))
    case = InspectionCase.objects.select_for_update().get(pk=case.pk)
    if case.source not in (Source.COMPLAINT, Source.REPORT):
        raise DomainError(_("Only a complaint or a report is followed on the public tracking page."))
    code = new_access_code()
    case.access_code_hash = rules.access_code_hash(code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    audit.record("inspection.issue_access_code", case, after={"serial": case.serial}, only_changes=False)
    return code
