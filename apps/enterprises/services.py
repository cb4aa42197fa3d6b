"""Writes of the enterprise registry: one function per business action, each in a transaction
with its audit event. Pages, the API and the Excel import all call these, so the rules below are
the only ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc as uscc_mod
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from apps.accounts.models import Organisation
from apps.audit import services as audit
from apps.core.errors import DomainError, NotAllowed
from apps.core.models import Area

from .choices import Industry, Ownership, Status
from .models import Enterprise, EnterpriseSurvey

#: GB 32100-2015 法人和其他组织统一社会信用代码编码规则: 18 characters, the last a check character.
USCC_SOURCE = gettext_lazy("GB 32100-2015 unified social credit code")

#: Fields only the park (administrators, district systems) may change: the identity of the
#: enterprise and its registry status. Enterprise HR keep the rest of their own profile.
CONTROLLED_FIELDS = ("uscc", "status")

EDITABLE_FIELDS = (
    "uscc",
    "name",
    "legal_representative",
    "address",
    "town",
    "industry",
    "ownership",
    "established_on",
    "employees",
    "status",
    "contact_name",
    "contact_phone",
    "contact_email",
)
REQUIRED_FIELDS = ("uscc", "name", "town", "industry", "ownership")

SURVEY_FIELDS = (
    "employees",
    "union_members",
    "women",
    "migrant_workers",
    "has_union",
    "contract_signing_rate",
    "collective_contract",
    "wage_bargaining",
    "workers_congress",
    "mediation_committee",
)


def normalize_uscc(value) -> str:
    """Upper-case, without spaces or separators; raises DomainError(field="uscc") saying what is
    wrong: length, characters, or the check character."""
    raw = uscc_mod.compact(str(value or "")) if value else ""
    if not raw:
        raise DomainError(_("The unified social credit code is required."), field="uscc")
    try:
        return uscc_mod.validate(raw)
    except InvalidLength:
        message = _("A unified social credit code has 18 characters; “%(code)s” has %(n)d.") % {
            "code": raw,
            "n": len(raw),
        }
    except InvalidChecksum:
        message = _("The check character of “%(code)s” is wrong: it should be “%(check)s”.") % {
            "code": raw,
            "check": uscc_mod.calc_check_digit(raw[:17]) if len(raw) == 18 else "?",
        }
    except (InvalidFormat, InvalidComponent):
        message = _("“%(code)s” contains characters a unified social credit code cannot have.") % {
            "code": raw
        }
    except ValidationError:  # pragma: no cover - any other stdnum complaint
        message = _("“%(code)s” is not a valid unified social credit code.") % {"code": raw}
    raise DomainError(message, field="uscc", source=USCC_SOURCE)


def _existing_with_uscc(uscc: str, exclude_pk=None):
    qs = Enterprise.objects.filter(uscc=uscc)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def duplicate_uscc_error(existing: Enterprise) -> DomainError:
    return DomainError(
        _("The unified social credit code %(code)s is already registered to “%(name)s”.")
        % {"code": existing.uscc, "name": existing.name},
        field="uscc",
        code="duplicate",
    )


def validate_enterprise(data: dict, *, instance: Enterprise | None = None) -> dict:
    """Check a full or partial set of registry fields; return them cleaned. Collects every field
    error into one DomainError(fields=...) so a form or an import row shows them all at once."""
    errors: dict[str, list] = {}
    cleaned = {}
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            continue
        if isinstance(value, str):
            value = value.strip()
        try:
            cleaned[name] = _clean_field(name, value)
        except DomainError as exc:
            messages = exc.fields.get(name) or [exc.message]
            if exc.source:
                messages = [f"{m} ({exc.source})" for m in messages]
            errors.setdefault(name, []).extend(messages)
    if instance is None:
        for name in REQUIRED_FIELDS:
            if name not in errors and cleaned.get(name) in (None, ""):
                errors.setdefault(name, []).append(_("This field is required."))
    if "uscc" in cleaned and "uscc" not in errors:
        existing = _existing_with_uscc(cleaned["uscc"], exclude_pk=instance.pk if instance else None)
        if existing:
            errors["uscc"] = [duplicate_uscc_error(existing).message]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first if len(errors) == 1 else _("Some fields are invalid."), fields=errors)
    return cleaned


def _clean_field(name, value):
    if name == "uscc":
        return normalize_uscc(value)
    if name in ("name",) and not value:
        raise DomainError(_("This field is required."), field=name)
    if name == "town":
        if value is None or value == "":
            raise DomainError(_("This field is required."), field=name)
        if not isinstance(value, Area) or value.kind != Area.Kind.TOWN:
            raise DomainError(_("Choose a town or sub-district."), field=name)
        return value
    if name == "industry" and value not in Industry.values:
        raise DomainError(_("Choose an industry section A–T (GB/T 4754-2017)."), field=name)
    if name == "ownership" and value not in Ownership.values:
        raise DomainError(_("Choose an ownership type."), field=name)
    if name == "status" and value not in Status.values:
        raise DomainError(_("Choose a status."), field=name)
    if name == "established_on" and value is not None:
        if not isinstance(value, dt.date):
            raise DomainError(_("Enter a date."), field=name)
        if value > timezone.localdate():
            raise DomainError(_("The date established cannot be in the future."), field=name)
        if value.year < 1900:
            raise DomainError(_("Enter a date after 1900."), field=name)
    if name == "employees":
        if value is None or value == "":
            return 0
        if not isinstance(value, int) or value < 0:
            raise DomainError(_("Enter a whole number, 0 or more."), field=name)
    if value is None and name not in ("established_on",):
        return ""
    return value


def _require_write(principal, enterprise: Enterprise | None, fields) -> None:
    """Who may write: park administrators; district systems with `enterprises:write`; enterprise
    HR on their own enterprise, except the fields the park controls."""
    if principal.is_api_client:
        if not principal.has_scope("enterprises:write"):
            raise NotAllowed(
                _("The API client lacks the scope “%(scope)s”.") % {"scope": "enterprises:write"}
            )
        return
    user = principal.user
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    if enterprise is None:
        if not user.has_perm("enterprises.add_enterprise"):
            raise NotAllowed(_("Only park administrators register enterprises."))
        return
    if not user.has_perm("enterprises.change_enterprise"):
        raise NotAllowed(_("Your role does not allow editing enterprises."))
    if principal.is_park_admin:
        return
    if enterprise.organisation_id not in principal.organisation_ids("enterprise_hr"):
        raise NotAllowed(_("You may edit only your own enterprise."))
    blocked = [f for f in fields if f in CONTROLLED_FIELDS]
    if blocked and not user.has_perm("enterprises.change_enterprise_controlled_fields"):
        raise DomainError(
            _("Only the park administration may change the credit code and the status."),
            fields={f: [_("Only the park administration may change this field.")] for f in blocked},
            code="not_allowed",
        )


def _check_api_area(principal, town: Area | None) -> None:
    if (
        principal.is_api_client
        and principal.area_ids
        and town is not None
        and town.pk not in principal.area_ids
    ):
        raise DomainError(_("This town is outside the API client's area."), field="town")


def _sync_organisation(enterprise: Enterprise, org: Organisation | None = None) -> Organisation:
    org = org or enterprise.organisation
    org.name, org.code, org.area = enterprise.name, enterprise.uscc, enterprise.town
    org.is_active = enterprise.status == Status.OPERATING
    return org


@transaction.atomic
def create_enterprise(principal, **data) -> Enterprise:
    """Register an enterprise and its organisation (to which HR users are then added)."""
    _require_write(principal, None, data.keys())
    cleaned = validate_enterprise(data)
    _check_api_area(principal, cleaned.get("town"))
    cleaned.setdefault("status", Status.OPERATING)
    org = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, code=cleaned["uscc"]).first()
    if org is not None and hasattr(org, "enterprise"):  # pragma: no cover - caught as duplicate above
        raise duplicate_uscc_error(org.enterprise)
    enterprise = Enterprise(**cleaned)
    org = _sync_organisation(enterprise, org or Organisation(kind=Organisation.Kind.ENTERPRISE))
    org.save()
    enterprise.organisation = org
    enterprise.save()
    audit.record("enterprises.create", enterprise, after=audit.snapshot(enterprise))
    return enterprise


@transaction.atomic
def update_enterprise(principal, enterprise: Enterprise, **changes) -> Enterprise:
    """Change registry fields. Status is one of these fields, not a workflow: the registry records
    a fact (operating, moved out, closed) that the park learns from the market regulator."""
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    changed = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS and getattr(locked, k) != v}
    if not changed:
        return locked
    _require_write(principal, locked, changed.keys())
    cleaned = validate_enterprise(changed, instance=locked)
    if "town" in cleaned:
        _check_api_area(principal, cleaned["town"])
    before = audit.snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.save()
    _sync_organisation(locked).save()
    audit.record("enterprises.update", locked, before=before, after=audit.snapshot(locked))
    return locked


def validate_survey(data: dict, *, enterprise: Enterprise | None = None) -> dict:
    """Check a yearly survey; every field error at once."""
    errors: dict[str, list] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    year = data.get("year")
    this_year = timezone.localdate().year
    if not isinstance(year, int):
        err("year", _("Enter the survey year."))
    elif year < 2000 or year > this_year:
        err("year", _("The survey year must be between 2000 and %(year)d.") % {"year": this_year})
    cleaned = {"year": year}
    for name in ("employees", "union_members", "women", "migrant_workers"):
        value = data.get(name, 0 if name != "employees" else None)
        if value is None or value == "":
            if name == "employees":
                err(name, _("This field is required."))
                continue
            value = 0
        if not isinstance(value, int) or value < 0:
            err(name, _("Enter a whole number, 0 or more."))
            continue
        cleaned[name] = value
    employees = cleaned.get("employees")
    if employees is not None:
        labels = {
            "union_members": _("Union members cannot outnumber employees."),
            "women": _("Women workers cannot outnumber employees."),
            "migrant_workers": _("Migrant workers cannot outnumber employees."),
        }
        for name, message in labels.items():
            if cleaned.get(name, 0) > employees:
                err(name, message)
    rate = data.get("contract_signing_rate")
    if rate not in (None, ""):
        try:
            rate = Decimal(str(rate)).quantize(Decimal("0.01"))
        except ArithmeticError:
            err("contract_signing_rate", _("Enter a percentage between 0 and 100."))
        else:
            if rate < 0 or rate > 100:
                err("contract_signing_rate", _("Enter a percentage between 0 and 100."))
            cleaned["contract_signing_rate"] = rate
    else:
        cleaned["contract_signing_rate"] = None
    for name in (
        "has_union",
        "collective_contract",
        "wage_bargaining",
        "workers_congress",
        "mediation_committee",
    ):
        cleaned[name] = bool(data.get(name, False))
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first if len(errors) == 1 else _("Some fields are invalid."), fields=errors)
    return cleaned


def _require_survey_write(principal, enterprise: Enterprise) -> None:
    if principal.is_api_client:
        if not principal.has_scope("enterprises:write"):
            raise NotAllowed(
                _("The API client lacks the scope “%(scope)s”.") % {"scope": "enterprises:write"}
            )
        return
    user = principal.user
    if user is None or not user.has_perm("enterprises.add_enterprisesurvey"):
        raise NotAllowed(_("Your role does not allow recording surveys."))
    if not principal.is_park_admin and enterprise.organisation_id not in principal.organisation_ids(
        "enterprise_hr"
    ):
        raise NotAllowed(_("You may record surveys only for your own enterprise."))


@transaction.atomic
def record_survey(principal, enterprise: Enterprise, **data) -> EnterpriseSurvey:
    """Create or replace the survey of one year. The survey of the most recent year becomes the
    enterprise's latest survey and its employee count the registry's."""
    _require_survey_write(principal, enterprise)
    cleaned = validate_survey(data, enterprise=enterprise)
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    survey = EnterpriseSurvey.objects.filter(enterprise=locked, year=cleaned["year"]).first()
    before = audit.snapshot(survey) if survey else None
    if survey is None:
        survey = EnterpriseSurvey(enterprise=locked, **cleaned)
    else:
        for name, value in cleaned.items():
            setattr(survey, name, value)
    survey.save()
    audit.record("enterprises.record_survey", survey, before=before, after=audit.snapshot(survey))
    latest = locked.surveys.order_by("-year").first()
    if locked.latest_survey_id != latest.pk or latest.pk == survey.pk:
        ent_before = audit.snapshot(locked, fields=("latest_survey", "employees"))
        locked.latest_survey = latest
        locked.employees = latest.employees
        locked.save(update_fields=["latest_survey", "employees", "updated_at"])
        audit.record(
            "enterprises.update",
            locked,
            before=ent_before,
            after=audit.snapshot(locked, fields=("latest_survey", "employees")),
            note="latest survey",
        )
    return survey
