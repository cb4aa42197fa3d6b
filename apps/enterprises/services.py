"""Writes of the enterprise registry: one function per business action, each in a transaction
with its audit event. Pages, the API and the Excel import all call these, so the rules below are
the only ones."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_mod
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from apps.accounts.models import Organisation
from apps.audit import services as audit
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, NotAllowed
from apps.core.models import Area
from apps.core.principal import Role
from apps.documents.services import request_document

from . import selectors
from .choices import Industry, Ownership, Status
from .models import Enterprise, EnterpriseSurvey

#: The dossier's PDF template (selectors.DOSSIER_PDF_KIND).
DOSSIER_PDF_TEMPLATE = "enterprises/pdf/dossier.html"

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


def validate_enterprise(
    data: dict, *, instance: Enterprise | None = None, registered: Mapping[str, Enterprise] | None = None
) -> dict:
    """Check a full or partial set of registry fields; return them cleaned. Collects every field
    error into one DomainError(fields=...) so a form or an import row shows them all at once.

    The code must not be registered to another enterprise: looked up in the database, or, for a
    bulk write that loaded them once for every row (`register_in_bulk`), in `registered`
    ({code: enterprise})."""
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
        exclude_pk = instance.pk if instance else None
        if registered is None:
            existing = _existing_with_uscc(cleaned["uscc"], exclude_pk=exclude_pk)
        else:
            existing = registered.get(cleaned["uscc"])
            existing = existing if existing is not None and existing.pk != exclude_pk else None
        if existing:
            errors["uscc"] = [duplicate_uscc_error(existing).message]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first if len(errors) == 1 else _("Some fields are invalid."), fields=errors)
    return cleaned


#: The codes of the choices, as sets (TextChoices.values builds a new list at every call).
_INDUSTRIES = frozenset(Industry.values)
_OWNERSHIPS = frozenset(Ownership.values)
_STATUSES = frozenset(Status.values)


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
    if name == "industry" and (not isinstance(value, str) or value not in _INDUSTRIES):
        raise DomainError(_("Choose an industry section A–T (GB/T 4754-2017)."), field=name)
    if name == "ownership" and (not isinstance(value, str) or value not in _OWNERSHIPS):
        raise DomainError(_("Choose an ownership type."), field=name)
    if name == "status" and (not isinstance(value, str) or value not in _STATUSES):
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


# --- Many rows at once: the import's confirmation ----------------------------------------------------

#: Rows per query of a bulk write (look-ups, inserts, updates, audit): the queries of a confirmation
#: grow with the number of chunks, not of rows.
BULK_CHUNK = 1000
ENTERPRISE_PART, SURVEY_PART = "enterprise", "survey"


class RowRefused(DomainError):
    """A row of `register_in_bulk` was refused, so nothing was written: `index` of the row in the
    list given, `part` "enterprise" or "survey", and the refusal itself in `error` (the same
    DomainError the single-row service raises)."""

    def __init__(self, index: int, part: str, error: DomainError):
        super().__init__(error.message, code=error.code, source=error.source, fields=error.fields)
        self.index, self.part, self.error = index, part, error


def _update_in_bulk(model, objs, fields) -> None:
    """Write `fields` of `objs` by primary key, one UPDATE ... FROM (VALUES ...) per BULK_CHUNK
    objects: what QuerySet.bulk_update does, without building a CASE WHEN per field and object
    (which made it the slowest part of a confirmation). Like bulk_update, no signals, no save()."""
    if not objs:
        return
    qn = connection.ops.quote_name
    targets = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    columns = ", ".join(qn(f.column) for f in targets)
    # Cast to the column's type without its length ("varchar", not "varchar(200)"): a cast would
    # cut a value too long, the assignment refuses it as save() would.
    first = "(" + ", ".join(f"%s::{f.db_type(connection).split('(')[0]}" for f in targets) + ")"
    other = "(" + ", ".join(["%s"] * len(targets)) + ")"
    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in targets[1:])
    pk = qn(targets[0].column)
    # Only quoted names and placeholders are formatted into the statement; values are parameters.
    update = f"UPDATE {qn(model._meta.db_table)} AS t SET {assignments}"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(objs):
            values = ", ".join([first] + [other] * (len(chunk) - 1))
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in targets
            ]
            cursor.execute(f"{update} FROM (VALUES {values}) AS v ({columns}) WHERE t.{pk} = v.{pk}", params)


def _chunks(items):
    items, size = list(items), BULK_CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def register_in_bulk(principal, rows, *, note: str = "registry import") -> dict:
    """Register and update many enterprises with their yearly surveys in one transaction: row
    after row what `create_enterprise` or `update_enterprise` and then `record_survey` do, with
    their rules and permission checks, in a few queries per chunk of BULK_CHUNK rows instead of a
    dozen per row.

    `rows`: [{"enterprise": {field: value}, "survey": {field: value} or None, "uscc": code}] with
    the values the single-row services take (`town` an Area); "uscc" names the enterprise when its
    fields do not carry the code. A row whose code is registered (now, or by an earlier row)
    updates that enterprise with the fields it carries; otherwise its fields register one (with its
    organisation, or taking over the enterprise organisation that already has the code). A survey
    creates or replaces that year's survey; the most recent survey becomes the enterprise's latest
    survey and its employee count the registry's.

    All or nothing: a refusal raises RowRefused naming the row. Audit: one event per written
    enterprise and per written survey (`note` says where they come from); the event of an update
    or a replaced survey holds {"before": ..., "after": ...} of the fields that changed.

    Returns {"created": n, "updated": n, "surveys": n}, counted by rows."""
    figures_changed("enterprises")  # bulk writes send no signal: the registry's figures are computed again
    bulk = _Bulk(principal, rows, note)
    bulk.load()
    for index, row in enumerate(rows):
        bulk.apply(index, row)
    try:
        with transaction.atomic():  # a savepoint: a refusal of the database leaves the rest usable
            bulk.write()
    except DatabaseError as exc:
        index = bulk.row_of(exc)
        if index is not None:
            raise RowRefused(index, ENTERPRISE_PART, DomainError(_("The database refused the row."))) from exc
        # Not a row the error names (a deadlock, a value the database will not take...): write the
        # rows one by one, which names the row the database refuses, or writes them all.
        return _register_row_by_row(principal, rows)
    return bulk.result


class _Bulk:
    """The state of one `register_in_bulk`: everything read once, changed in memory row after row
    as the single-row services would, then written in bulk."""

    def __init__(self, principal, rows, note):
        self.principal, self.rows, self.note = principal, rows, note
        self.codes: list[str] = []  # the normalised code of each row
        self.by_code: dict[str, Enterprise] = {}  # registered, then also those this batch registers
        self.orgs: dict[str, Organisation] = {}  # enterprise organisations with the code of a new row
        self.surveys: dict[tuple, EnterpriseSurvey] = {}  # (enterprise id, year)
        self.latest: dict = {}  # enterprise id -> its survey of the most recent year
        self.before: dict = {}  # id -> audit snapshot of a registered enterprise or survey as read
        self.created: dict = {}  # id -> new Enterprise
        self.changed: dict = {}  # id -> registered Enterprise written
        self.fields: set[str] = set()  # fields of registered enterprises to write
        self.synced: dict = {}  # id -> registered Organisation kept in step
        self.relatest: set = set()  # ids of enterprises whose latest survey was set
        self.new_surveys: dict = {}
        self.replaced_surveys: dict = {}
        self.result = {"created": 0, "updated": 0, "surveys": 0}

    # Reading --------------------------------------------------------------------------------------

    def load(self) -> None:
        for index, row in enumerate(self.rows):
            try:
                self.codes.append(
                    normalize_uscc((row.get("enterprise") or {}).get("uscc") or row.get("uscc"))
                )
            except DomainError as exc:
                raise RowRefused(index, ENTERPRISE_PART, exc) from exc
        codes = sorted(set(self.codes))
        for chunk in _chunks(codes):
            # Locked as update_enterprise and record_survey lock them.
            query = Enterprise.objects.select_for_update(of=("self",)).select_related("organisation", "town")
            self.by_code.update((e.uscc, e) for e in query.filter(uscc__in=chunk))
        new_codes = [c for c in codes if c not in self.by_code]
        for chunk in _chunks(new_codes):
            query = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, code__in=chunk)
            self.orgs.update((o.code, o) for o in query.select_related("enterprise"))
        with_survey = {c for c, row in zip(self.codes, self.rows, strict=True) if row.get("survey")}
        by_id = {e.pk: e for c, e in self.by_code.items() if c in with_survey}
        years = {row["survey"].get("year") for row in self.rows if row.get("survey")}
        years = [y for y in years if isinstance(y, int)]
        for chunk in _chunks(sorted(by_id, key=str)):
            if years:
                for s in EnterpriseSurvey.objects.filter(enterprise_id__in=chunk, year__in=years):
                    s.enterprise = by_id[s.enterprise_id]
                    self.surveys[(s.enterprise_id, s.year)] = s
            query = EnterpriseSurvey.objects.filter(enterprise_id__in=chunk).order_by(
                "enterprise_id", "-year"
            )
            for s in query.distinct("enterprise_id"):
                s.enterprise = by_id[s.enterprise_id]
                self.latest[s.enterprise_id] = self.surveys.get((s.enterprise_id, s.year), s)

    # Applying each row in memory ------------------------------------------------------------------

    def apply(self, index: int, row: dict) -> None:
        code = self.codes[index]
        enterprise = self.by_code.get(code)
        try:
            if enterprise is None:
                enterprise = self._create(code, dict(row.get("enterprise") or {}))
                self.result["created"] += 1
            else:
                self._update(enterprise, dict(row.get("enterprise") or {}))
                self.result["updated"] += 1
        except DomainError as exc:
            raise RowRefused(index, ENTERPRISE_PART, exc) from exc
        if row.get("survey"):
            try:
                self._survey(enterprise, dict(row["survey"]))
            except DomainError as exc:
                raise RowRefused(index, SURVEY_PART, exc) from exc
            self.result["surveys"] += 1

    def _remember(self, obj) -> None:
        if not obj._state.adding and obj.pk not in self.before:
            self.before[obj.pk] = audit.snapshot(obj)

    def _create(self, code: str, data: dict) -> Enterprise:
        """create_enterprise, in memory."""
        _require_write(self.principal, None, data.keys())
        cleaned = validate_enterprise(data, registered=self.by_code)
        _check_api_area(self.principal, cleaned.get("town"))
        cleaned.setdefault("status", Status.OPERATING)
        org = self.orgs.get(code)
        if org is not None and hasattr(org, "enterprise"):  # an organisation out of step
            raise duplicate_uscc_error(org.enterprise)
        enterprise = Enterprise(**cleaned)
        enterprise.organisation = _sync_organisation(
            enterprise, org or Organisation(kind=Organisation.Kind.ENTERPRISE)
        )
        if org is not None:
            self.synced[org.pk] = org
        self.by_code[cleaned["uscc"]] = enterprise
        self.created[enterprise.pk] = enterprise
        return enterprise

    def _update(self, enterprise: Enterprise, data: dict) -> None:
        """update_enterprise, in memory (the row's code is the enterprise's)."""
        data.pop("uscc", None)
        changed = {k: v for k, v in data.items() if k in EDITABLE_FIELDS and getattr(enterprise, k) != v}
        if not changed:
            return
        _require_write(self.principal, enterprise, changed.keys())
        cleaned = validate_enterprise(changed, instance=enterprise, registered=self.by_code)
        if "town" in cleaned:
            _check_api_area(self.principal, cleaned["town"])
        self._remember(enterprise)
        for name, value in cleaned.items():
            setattr(enterprise, name, value)
        org = _sync_organisation(enterprise)
        if not enterprise._state.adding:
            self.changed[enterprise.pk] = enterprise
            self.fields.update(cleaned)
            self.synced[org.pk] = org

    def _survey(self, enterprise: Enterprise, data: dict) -> None:
        """record_survey, in memory."""
        _require_survey_write(self.principal, enterprise)
        cleaned = validate_survey(data, enterprise=enterprise)
        survey = self.surveys.get((enterprise.pk, cleaned["year"]))
        if survey is None:
            survey = EnterpriseSurvey(enterprise=enterprise, **cleaned)
            self.surveys[(enterprise.pk, survey.year)] = survey
            self.new_surveys[survey.pk] = survey
        else:
            self._remember(survey)
            for name, value in cleaned.items():
                setattr(survey, name, value)
            if not survey._state.adding:
                self.replaced_surveys[survey.pk] = survey
        latest = self.latest.get(enterprise.pk)
        if latest is None or survey.year >= latest.year:
            latest = self.latest[enterprise.pk] = survey
        if enterprise.latest_survey_id != latest.pk or latest.pk == survey.pk:
            self._remember(enterprise)
            enterprise.latest_survey = latest
            enterprise.employees = latest.employees
            self.relatest.add(enterprise.pk)
            if not enterprise._state.adding:
                self.changed[enterprise.pk] = enterprise
                self.fields.update(("latest_survey", "employees"))

    # Writing --------------------------------------------------------------------------------------

    def write(self) -> None:
        now = timezone.now()
        created = list(self.created.values())
        Organisation.objects.bulk_create(
            [e.organisation for e in created if e.organisation._state.adding], batch_size=BULK_CHUNK
        )
        synced = list(self.synced.values())
        for obj in synced:
            obj.updated_at = now
        _update_in_bulk(Organisation, synced, ["name", "code", "area", "is_active", "updated_at"])
        # A new enterprise may point at its latest survey before the survey's row exists: the
        # foreign key is checked at commit (Django's PostgreSQL constraints are deferred).
        Enterprise.objects.bulk_create(created, batch_size=BULK_CHUNK)
        EnterpriseSurvey.objects.bulk_create(list(self.new_surveys.values()), batch_size=BULK_CHUNK)
        replaced = list(self.replaced_surveys.values())
        for obj in replaced:
            obj.updated_at = now
        _update_in_bulk(EnterpriseSurvey, replaced, [*SURVEY_FIELDS, "updated_at"])
        changed = list(self.changed.values())
        for obj in changed:
            obj.updated_at = now
        _update_in_bulk(Enterprise, changed, [*sorted(self.fields), "updated_at"])
        self._audit(created, changed, replaced)

    def _change(self, obj) -> dict:
        before, after = audit.diff(self.before[obj.pk], audit.snapshot(obj))
        return {"before": before, "after": after}

    def _audit(self, created, changed, replaced) -> None:
        note, relatest = self.note, self.relatest
        audit.record_many("enterprises.create", created, after=audit.snapshot, note=note)
        for group, group_note in (
            ([e for e in changed if e.pk not in relatest], note),
            ([e for e in changed if e.pk in relatest], f"{note}; latest survey"),
        ):
            if group:
                audit.record_many("enterprises.update", group, after=self._change, note=group_note)
        audit.record_many(
            "enterprises.record_survey", list(self.new_surveys.values()), after=audit.snapshot, note=note
        )
        if replaced:
            audit.record_many("enterprises.record_survey", replaced, after=self._change, note=note)

    def row_of(self, exc: DatabaseError) -> int | None:
        """The row whose code the database names in its refusal (a code registered meanwhile)."""
        detail = str(getattr(getattr(exc.__cause__, "diag", None), "message_detail", "") or "")
        first = {}
        for index, code in enumerate(self.codes):
            first.setdefault(code, index)
        for code in re.findall(r"[0-9A-Z]{18}", detail):
            if code in first:
                return first[code]
        return None


def _register_row_by_row(principal, rows, *, note: str = "") -> dict:
    """register_in_bulk through the single-row services (its fallback): slow, but a refusal of the
    database names its row."""
    result = {"created": 0, "updated": 0, "surveys": 0}
    for index, row in enumerate(rows):
        data = dict(row.get("enterprise") or {})
        code = normalize_uscc(data.get("uscc") or row.get("uscc"))
        enterprise = Enterprise.objects.filter(uscc=code).first()
        try:
            if enterprise is None:
                enterprise = create_enterprise(principal, **data)
                result["created"] += 1
            else:
                data.pop("uscc", None)
                enterprise = update_enterprise(principal, enterprise, **data)
                result["updated"] += 1
        except DomainError as exc:
            raise RowRefused(index, ENTERPRISE_PART, exc) from exc
        except DatabaseError as exc:
            raise RowRefused(index, ENTERPRISE_PART, DomainError(_("The database refused the row."))) from exc
        if row.get("survey"):
            try:
                record_survey(principal, enterprise, **row["survey"])
            except DomainError as exc:
                raise RowRefused(index, SURVEY_PART, exc) from exc
            except DatabaseError as exc:
                raise RowRefused(
                    index, SURVEY_PART, DomainError(_("The database refused the survey."))
                ) from exc
            result["surveys"] += 1
    return result


# The dossier (一户一册) as a PDF ----------------------------------------------------------------------


def _viewer_label(principal) -> str:
    """Who the PDF was made for: the user's name and roles ("张莉 (Park administrator)")."""
    user = principal.user
    name = (user.get_full_name() or user.get_username()) if user is not None else ""
    roles = "、".join(str(Role(role).label) for role in sorted(principal.roles) if role in Role.values)
    return f"{name} ({roles})" if roles else name


def dossier_pdf_context(principal, enterprise, sections, today) -> dict:
    """The JSON context of the dossier's PDF: every section as the viewer sees it, its HTML
    rendered now with the viewer's rights (each section's `pdf_template` if it has one, without
    links, forms or scripts), the sections the viewer may not see named as hidden. Celery only
    lays it out (`documents.render`), so the PDF holds what the viewer saw when asking."""
    base = {"enterprise": enterprise, "principal": principal, "perms": None}
    parts = []
    for section in sections:
        part = {"key": section["key"], "title": str(section["title"]), "hidden": bool(section.get("hidden"))}
        if not part["hidden"]:
            part["html"] = selectors.render_section(section, base, pdf=True)
        parts.append(part)
    return {
        "enterprise": {"name": enterprise.name, "uscc": enterprise.uscc},
        "generated_on": f"{timezone.localtime():%Y-%m-%d %H:%M}",
        "today": today.isoformat(),
        "viewer": _viewer_label(principal),
        "sections": parts,
        "sections_key": selectors.visible_sections_key(sections),
    }


@transaction.atomic
def request_dossier_pdf(principal, enterprise):
    """Queue the whole dossier as one PDF for the principal: every section they may see (hidden
    ones listed as not visible), rendered by Celery. The document is kept per requesting user
    and per set of visible sections, so two viewers never share one. A PDF already being
    generated for the same view is returned, not queued twice. Audited."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("enterprises.view_enterprise"):
        raise NotAllowed(_("You may not see this enterprise's dossier."))
    today = timezone.localdate()
    sections = selectors.dossier_sections(principal, enterprise, today)
    key = selectors.visible_sections_key(sections)
    pending = selectors.dossier_pdf_document(principal, enterprise, key)
    if pending is not None and selectors.document_state(pending) == "pending":
        return pending
    context = dossier_pdf_context(principal, enterprise, sections, today)
    audit.record(
        "enterprises.request_dossier_pdf",
        enterprise,
        after={"sections": key.split(","), "hidden": [s["key"] for s in sections if s.get("hidden")]},
        only_changes=False,
    )
    return request_document(
        kind=selectors.DOSSIER_PDF_KIND,
        title=f"一户一册-{enterprise.uscc}-{today:%Y%m%d}",
        template_name=DOSSIER_PDF_TEMPLATE,
        context=context,
        owner=enterprise,
        created_by=user,
        language=get_language() or settings.LANGUAGE_CODE,
    )


def record_dossier_download(enterprise, document) -> None:
    """The download of a dossier PDF is audited (it may name the enterprise's workers)."""
    with transaction.atomic():
        audit.record(
            "enterprises.download_dossier_pdf",
            enterprise,
            after={"document": str(document.pk), "sha256": document.sha256},
            only_changes=False,
        )
