"""Writes of patrols (日常巡视检查, 劳动保障监察条例 arts. 11, 14): the plan, the record of a visit
with a finding per checklist item, the photos and documents of a finding, and a violation turned
into a case (or a case with an order to rectify) in one step.

Permission `inspection.handle_patrol` (inspectors and park administrators); the enterprise and the
patrol must be in the principal's scope. Everything wrong is reported at once, per field
(`raise_fields`); each function is one transaction, audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.models import Area
from apps.core.uploads import check_upload
from apps.enterprises.choices import Industry
from apps.enterprises.models import Enterprise, areas_of

from .. import rules
from ..models import Attachment, CreditGrade, InspectionCase, Patrol, PatrolFinding, PatrolPlan, Source
from ..selectors import patrols as patrol_selectors
from ._common import _date, _require, _text, _today, _user
from .intake import register_case
from .lifecycle import accept, decide, start_investigation

PATROL = "inspection.handle_patrol"
R = PatrolFinding.Result


def _require_enterprise(principal, enterprise: Enterprise) -> None:
    if not Enterprise.objects.visible_to(principal).filter(pk=enterprise.pk).exists():
        raise NotAllowed(_("This enterprise is not in your area."))


def _require_patrol(principal, patrol: Patrol) -> None:
    if not Patrol.objects.visible_to(principal).filter(pk=patrol.pk).exists():
        raise NotAllowed(_("This patrol is not in your area."))


def _codes(values, allowed, field: str, errors: dict, message: str) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple | set):
        errors[field] = [message]
        return []
    codes = list(dict.fromkeys(str(v) for v in values if v not in (None, "")))
    if any(c not in allowed for c in codes):
        errors[field] = [message]
    return codes


def _towns(principal, towns, errors: dict) -> list[Area]:
    """The towns chosen (Areas or their ids): towns of the principal's area (any for those who see
    everything)."""
    if not towns:
        return []
    if isinstance(towns, str | bytes) or not hasattr(towns, "__iter__"):
        errors["towns"] = [_("Choose towns from the list.")]
        return []
    ids = {str(t.pk if isinstance(t, Area) else t) for t in towns}
    found = Area.objects.filter(kind=Area.Kind.TOWN)
    if not principal.sees_everything:
        found = found.filter(pk__in=areas_of(principal, (Role.INSPECTOR,)))
    try:
        chosen = list(found.filter(pk__in=ids))
    except (ValueError, ValidationError):
        chosen = []
    if len(chosen) != len(ids):
        errors["towns"] = [_("Choose towns of your area.")]
    return chosen


@transaction.atomic
def create_plan(
    principal,
    *,
    name: str,
    starts_on,
    ends_on,
    towns=(),
    industries=(),
    credit_grades=(),
    include_watch_list: bool = False,
) -> PatrolPlan:
    """A patrol plan over a period: which enterprises (towns and industries narrow the registry;
    credit grades and the watch list pick the risky ones). How often each is visited follows the
    policy's intervals (more often for C grades and the watch list, domain guide §7)."""
    _require(principal, PATROL)
    errors: dict[str, list] = {}
    name = _text(name, 100)
    if not name:
        errors["name"] = [_("Name the plan.")]
    start = _date(starts_on, "starts_on", errors, required=True)
    end = _date(ends_on, "ends_on", errors, required=True)
    if start and end:
        if end < start:
            errors["ends_on"] = [_("The plan cannot end before it starts.")]
        elif (end - start).days > rules.PATROL_PLAN_MAX_DAYS:
            errors["ends_on"] = [_("A plan covers at most a year; make one plan per year.")]
    town_objs = _towns(principal, towns, errors)
    industry_codes = _codes(
        industries, Industry.values, "industries", errors, _("Choose industries from the list.")
    )
    grades = _codes(
        credit_grades,
        CreditGrade.Grade.values,
        "credit_grades",
        errors,
        _("Choose credit grades from the list."),
    )
    raise_fields(errors)
    plan = PatrolPlan.objects.create(
        name=name,
        starts_on=start,
        ends_on=end,
        industries=industry_codes,
        credit_grades=grades,
        include_watch_list=bool(include_watch_list),
        created_by=_user(principal),
    )
    plan.towns.set(town_objs)
    after = audit.snapshot(plan)
    after["towns"] = sorted(str(t.pk) for t in town_objs)
    audit.record("inspection.create_patrol_plan", plan, after=after)
    return plan


def _clean_findings(findings, checklist: list[dict], errors: dict) -> list[dict]:
    """One row per checklist item, in the checklist's order. Unknown items, items given twice, an
    item without a result and a result not in the list are field errors (`findings.<code>`, or
    `findings` for what names no item of the checklist)."""
    labels = {row["code"]: row.get("label") or row["code"] for row in checklist}
    if not isinstance(findings, list | tuple):
        errors["findings"] = [_("Record a result for each item of the checklist.")]
        return []
    given: dict[str, dict] = {}
    unknown = []
    for row in findings:
        if not isinstance(row, dict):
            errors["findings"] = [_("Record a result for each item of the checklist.")]
            return []
        code = _text(row.get("item"), 40)
        if code not in labels:
            unknown.append(code or "?")
            continue
        if code in given:
            errors[f"findings.{code}"] = [_("This item is recorded twice.")]
            continue
        given[code] = row
    if unknown:
        errors["findings"] = [
            _("Not items of the checklist in force on the day of the visit: %(codes)s (%(source)s).")
            % {"codes": ", ".join(unknown), "source": rules.PATROL_SOURCE}
        ]
    cleaned = []
    for code, label in labels.items():
        row = given.get(code)
        result = (row or {}).get("result") or ""
        if row is None or not result:
            errors.setdefault(f"findings.{code}", []).append(
                _("Record a result for “%(item)s” (compliant, violation found, or not checked).")
                % {"item": label}
            )
            continue
        if result not in R.values:
            errors.setdefault(f"findings.{code}", []).append(_("Choose a result from the list."))
            continue
        note = _text(row.get("note"), 4000)
        cleaned.append({"item": code, "item_label": label[:100], "result": result, "note": note})
    return cleaned


@transaction.atomic
def record_patrol(
    principal,
    enterprise: Enterprise,
    *,
    visited_on,
    findings,
    summary: str = "",
    plan: PatrolPlan | None = None,
) -> Patrol:
    """Record a visit of `enterprise` on `visited_on` (not in the future): the checklist of the
    policy in force that day is copied onto the patrol and every item gets a finding (compliant,
    violation found or not checked). `findings`: [{"item": code, "result": ..., "note": ...}].
    A patrol planned for the enterprise (in `plan`, when given) is completed rather than a second
    one created."""
    _require(principal, PATROL)
    _require_enterprise(principal, enterprise)
    today = _today()
    errors: dict[str, list] = {}
    visited = _date(visited_on, "visited_on", errors, required=True, not_after=today)
    if plan is not None:
        if not patrol_selectors.visible_plans(principal).filter(pk=plan.pk).exists():
            raise NotAllowed(_("This plan is not one of yours."))
        if visited and not (plan.starts_on <= visited <= plan.ends_on) and "visited_on" not in errors:
            errors["visited_on"] = [
                _("The visit is outside the plan's period (%(start)s to %(end)s).")
                % {"start": plan.starts_on, "end": plan.ends_on}
            ]
    checklist = patrol_selectors.checklist_for(visited or today)
    if not checklist:
        errors["findings"] = [_("The inspection policy has no patrol checklist; ask the park to set one.")]
    cleaned = _clean_findings(findings, checklist, errors) if checklist else []
    raise_fields(errors)

    planned = (
        Patrol.objects.select_for_update()
        .filter(enterprise=enterprise, status=Patrol.Status.PLANNED, plan=plan)
        .order_by("planned_on", "created_at")
        .first()
    )
    patrol = planned or Patrol(enterprise=enterprise, plan=plan, planned_on=visited)
    before = audit.snapshot(patrol) if planned else None
    patrol.status = Patrol.Status.DONE
    patrol.visited_on = visited
    patrol.inspector = _user(principal)
    patrol.checklist = checklist
    patrol.summary = _text(summary, 8000)
    patrol.save()
    PatrolFinding.objects.bulk_create([PatrolFinding(patrol=patrol, **row) for row in cleaned])
    after = audit.snapshot(patrol)
    after["findings"] = {row["item"]: row["result"] for row in cleaned}
    audit.record("inspection.record_patrol", patrol, before=before, after=after)
    return patrol


@transaction.atomic
def add_attachment(principal, finding: PatrolFinding, uploaded_file, *, field: str = "file") -> Attachment:
    """A photo (JPEG, PNG, WebP) or PDF of a finding: typed by its content, not its name, at most
    10 MB (apps.core.uploads.check_upload), stored under a random name and served only by the
    scoped download view."""
    _require(principal, PATROL)
    _require_patrol(principal, finding.patrol)
    finding = PatrolFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.attachments.count() >= rules.PATROL_ATTACHMENTS_PER_FINDING:
        raise DomainError(
            _("A finding has at most %(n)s files.") % {"n": rules.PATROL_ATTACHMENTS_PER_FINDING}, field=field
        )
    content_type, sha256, size = check_upload(
        uploaded_file,
        field=field,
        max_bytes=rules.PATROL_ATTACHMENT_MAX_BYTES,
        allowed=rules.PATROL_ATTACHMENT_TYPES,
    )
    attachment = Attachment(
        finding=finding,
        original_name=(getattr(uploaded_file, "name", "") or "file")[:255],
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=_user(principal),
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    audit.record("inspection.add_patrol_attachment", attachment, after=audit.snapshot(attachment))
    return attachment


def _facts(finding: PatrolFinding) -> str:
    patrol = finding.patrol
    facts = _("Found on the patrol of %(day)s: %(item)s.") % {
        "day": patrol.visited_on or patrol.planned_on,
        "item": finding.item_label,
    }
    return f"{facts}\n{finding.note}" if finding.note else facts


@transaction.atomic
def finding_to_case(
    principal,
    finding: PatrolFinding,
    *,
    with_order: bool = False,
    items=(),
    order_due_on=None,
) -> InspectionCase:
    """Turn a violation found on a patrol into a case in one step: a case with source "patrol" is
    registered for the enterprise (劳动保障监察条例 art. 14), its matter from the checklist item
    (rules.CHECKLIST_MATTERS). With `with_order`, the case is also accepted, investigated and
    decided with an order to rectify (`items`, `order_due_on`), through the lifecycle services,
    in the same transaction: any refusal leaves nothing written. Idempotent: a finding already
    turned into a case returns that case, unchanged."""
    _require(principal, PATROL)
    _require_patrol(principal, finding.patrol)
    locked = (
        PatrolFinding.objects.select_for_update()
        .select_related("patrol", "patrol__enterprise")
        .get(pk=finding.pk)
    )
    if locked.case_id is not None:
        return locked.case
    if locked.result != R.VIOLATION:
        raise DomainError(_("Only a violation found becomes a case."), field="result")
    enterprise = locked.patrol.enterprise
    case, _created = register_case(
        principal,
        source=Source.PATROL,
        enterprise=enterprise,
        matters=[rules.matter_of_checklist_item(locked.item)],
        facts=_facts(locked),
        received_on=_today(),
        violation_ended_on=None,
        source_reference=f"patrol-finding:{locked.pk}",
    )
    if with_order:
        case = accept(principal, case)
        case = start_investigation(principal, case)
        case = decide(principal, case, "decide_order", items=list(items or []), order_due_on=order_due_on)
    before = audit.snapshot(locked)
    locked.case = case
    locked.save(update_fields=["case", "updated_at"])
    audit.record("inspection.patrol_finding_to_case", locked, before=before, after=audit.snapshot(locked))
    return case


__all__ = ["add_attachment", "create_plan", "finding_to_case", "record_patrol"]
