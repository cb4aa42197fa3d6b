"""Reads of the orders-and-interviews room: the facts the daily job judges the interview triggers
on (set-based: one grouped query per trigger, never a query per enterprise), the scoped interview
list and page, the orders and their PDFs, and the recipients of what happens.

The facts are gathered for every enterprise at once and handed to `rules.interview_triggers`,
which decides; mediation's collective disputes are read through mediation's model (a domain door).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User
from apps.accounts.roles import Role
from apps.core.scoping import get_visible_or_404
from apps.documents.models import GeneratedDocument
from apps.enterprises.models import Enterprise
from apps.mediation.models import Case as MediationCase

from .. import rules
from ..models import (
    InspectionCase,
    Interview,
    InterviewHistory,
    Matter,
    RectificationOrder,
    Source,
)
from ..rules import RecordRef
from ..workflow import INTERVIEW_WORKFLOW, holds
from . import labelled_history, matter_q

S = InspectionCase.Status

CASE, ORDER, MEDIATION = "inspection_case", "rectification_order", "mediation_case"


# The daily job's facts -----------------------------------------------------------------------------


def _arrears_complaints(today: dt.date, policy) -> dict:
    """Complaints about wage arrears received in the policy's window and not refused, for the
    enterprises that reach the threshold (a GROUP BY ... HAVING, then their rows)."""
    threshold, months = policy.trigger_arrears_complaints, policy.trigger_arrears_months
    if not threshold or not months:
        return {}
    start = rules.arrears_window_start(today, months)
    complaints = (
        InspectionCase.objects.filter(
            source=Source.COMPLAINT,
            enterprise__isnull=False,
            received_on__gte=start,
            received_on__lte=today,
        )
        .filter(matter_q(Matter.WAGE_ARREARS))
        .exclude(status=S.REFUSED)
        .order_by()
    )
    reached = (
        complaints.values("enterprise_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=threshold)
        .values("enterprise_id")
    )
    found = defaultdict(list)
    for row in (
        complaints.filter(enterprise_id__in=reached)
        .order_by("received_on", "serial")
        .values("enterprise_id", "pk", "serial")
    ):
        found[row["enterprise_id"]].append(RecordRef(CASE, str(row["pk"]), row["serial"]))
    return found


def _open_cases(policy) -> tuple[dict, dict]:
    """The sums of amounts owed and workers concerned on each enterprise's open cases, for the
    enterprises that reach either threshold; and those cases."""
    amount, workers = Decimal(policy.trigger_arrears_amount or 0), policy.trigger_workers
    if amount <= 0 and not workers:
        return {}, {}
    having = Q(pk__in=[])
    if amount > 0:
        having |= Q(amount__gte=amount)
    if workers:
        having |= Q(workers__gte=workers)
    open_cases = InspectionCase.objects.filter(
        status__in=InspectionCase.OPEN, enterprise__isnull=False
    ).order_by()
    sums = {
        row["enterprise_id"]: row
        for row in open_cases.values("enterprise_id")
        .annotate(amount=Sum("amount_owed"), workers=Sum("workers_count"))
        .filter(having)
    }
    cases = defaultdict(list)
    for row in (
        open_cases.filter(enterprise_id__in=list(sums))
        .order_by("received_on", "serial")
        .values("enterprise_id", "pk", "serial")
    ):
        cases[row["enterprise_id"]].append(RecordRef(CASE, str(row["pk"]), row["serial"]))
    return sums, cases


def _collective_disputes(policy) -> dict:
    """Open collective labour disputes in mediation against registry enterprises."""
    if not policy.trigger_collective_dispute:
        return {}
    found = defaultdict(list)
    rows = (
        MediationCase.objects.filter(
            status__in=MediationCase.OPEN, is_collective=True, respondent_enterprise__isnull=False
        )
        .order_by("received_on", "serial")
        .values("respondent_enterprise_id", "pk", "serial")
    )
    for row in rows:
        found[row["respondent_enterprise_id"]].append(RecordRef(MEDIATION, str(row["pk"]), row["serial"]))
    return found


def _orders_not_rectified(today: dt.date, policy) -> dict:
    """Orders found not rectified at a check in the policy's window."""
    if not policy.trigger_order_ignored:
        return {}
    start = rules.arrears_window_start(today, policy.trigger_arrears_months or 12)
    found = defaultdict(list)
    rows = (
        RectificationOrder.objects.filter(
            result=RectificationOrder.Result.NOT_DONE,
            checked_on__gte=start,
            checked_on__lte=today,
            case__enterprise__isnull=False,
        )
        .order_by("checked_on", "created_at")
        .values("pk", "reference", "case_id", "case__serial", "case__enterprise_id")
    )
    for row in rows:
        found[row["case__enterprise_id"]].append(order_ref_from_row(row))
    return found


def order_ref_from_row(row) -> RecordRef:
    return RecordRef(ORDER, str(row["pk"]), row["reference"] or row["case__serial"], str(row["case_id"]))


def order_ref(order: RectificationOrder) -> RecordRef:
    return RecordRef(ORDER, str(order.pk), order.reference or order.case.serial, str(order.case_id))


def case_ref(case: InspectionCase) -> RecordRef:
    return RecordRef(CASE, str(case.pk), case.serial)


def interview_facts(today: dt.date, policy) -> dict:
    """{enterprise id: rules.InterviewFacts} for every enterprise for which at least one trigger
    of `policy` may fire on `today`: four grouped queries and their rows, whatever the number of
    enterprises."""
    complaints = _arrears_complaints(today, policy)
    sums, cases = _open_cases(policy)
    disputes = _collective_disputes(policy)
    orders = _orders_not_rectified(today, policy)
    facts = {}
    for eid in set(complaints) | set(sums) | set(disputes) | set(orders):
        row = sums.get(eid, {})
        facts[eid] = rules.InterviewFacts(
            arrears_complaints=tuple(complaints.get(eid, ())),
            amount_owed=row.get("amount") or Decimal("0"),
            workers=row.get("workers") or 0,
            open_cases=tuple(cases.get(eid, ())),
            collective_disputes=tuple(disputes.get(eid, ())),
            orders_not_rectified=tuple(orders.get(eid, ())),
        )
    return facts


def enterprises_with_open_interview(enterprise_ids) -> set:
    return set(
        Interview.objects.open()
        .filter(enterprise_id__in=list(enterprise_ids))
        .values_list("enterprise_id", flat=True)
    )


def cited_records(enterprise_ids) -> dict:
    """{enterprise id: {(type, id)}} of the records earlier interviews of each enterprise cited."""
    cited = defaultdict(set)
    for eid, triggers in Interview.objects.filter(enterprise_id__in=list(enterprise_ids)).values_list(
        "enterprise_id", "triggers"
    ):
        for trigger in triggers or []:
            for record in trigger.get("records", []):
                cited[eid].add((record.get("type"), record.get("id")))
    return cited


def enterprises_by_id(ids) -> dict:
    return Enterprise.objects.select_related("town").in_bulk(list(ids))


def open_interview_of(enterprise) -> Interview | None:
    """The enterprise's open interview (at most one, a database constraint), unscoped: for the
    services."""
    return Interview.objects.open().filter(enterprise=enterprise).first()


# Recipients ------------------------------------------------------------------------------------------


def area_inspectors(enterprise) -> list:
    """The inspectors of the brigade covering the enterprise's town (or its district)."""
    town = enterprise.town
    if town is None:
        return []
    areas = [town.pk, *([town.parent_id] if town.parent_id else [])]
    orgs = Organisation.objects.filter(kind=Organisation.Kind.INSPECTION, area__in=areas)
    return list(
        User.objects.filter(
            memberships__organisation__in=orgs, memberships__role=Role.INSPECTOR, is_active=True
        ).distinct()
    )


def brigade_name(town) -> str:
    """The name of the inspection brigade covering `town` (the town's own before the district's)."""
    if town is None:
        return ""
    for area in (town.pk, town.parent_id):
        if area is None:
            continue
        org = (
            Organisation.objects.filter(kind=Organisation.Kind.INSPECTION, area=area).order_by("name").first()
        )
        if org is not None:
            return org.name
    return ""


def enterprise_hr_users(enterprise) -> list:
    return list(
        User.objects.filter(
            memberships__organisation_id=enterprise.organisation_id,
            memberships__role=Role.ENTERPRISE_HR,
            is_active=True,
        ).distinct()
    )


# Pages -----------------------------------------------------------------------------------------------


def visible_interviews(principal):
    return Interview.objects.visible_to(principal).select_related(
        "enterprise", "enterprise__town", "case", "order", "order__case", "inspector"
    )


def interview_detail(principal, pk) -> Interview:
    """One interview the principal may see, or 404."""
    return get_visible_or_404(visible_interviews(principal), principal, pk=pk)


def interview_history(interview: Interview) -> list:
    return labelled_history(
        InterviewHistory.objects.filter(subject=interview).select_related("actor").order_by("at"),
        INTERVIEW_WORKFLOW,
        {"propose": _("Interview proposed")},
    )


def interview_actions(interview: Interview, principal) -> list:
    return INTERVIEW_WORKFLOW.available(interview, principal)


def may_handle_interviews(principal) -> bool:
    return holds(principal, "inspection.handle_interview")


def _record_url(record: dict) -> str:
    kind = record.get("type")
    if kind == CASE:
        return reverse("inspection:detail", args=[record["id"]])
    if kind == ORDER and record.get("case_id"):
        return reverse("inspection:detail", args=[record["case_id"]])
    if kind == MEDIATION:
        return reverse("mediation:detail", args=[record["id"]])
    return ""


def triggers_for_display(interview: Interview, principal) -> list[dict]:
    """The triggers of an interview explained in the reader's language, with the records each
    cites; links only for those who work on interviews (the enterprise's HR reads the facts, and
    opens only the records its own scoping lets it open)."""
    links = may_handle_interviews(principal)
    rows = []
    for trigger in interview.triggers or []:
        records = [r for r in trigger.get("records", []) if isinstance(r, dict)]
        code = trigger.get("code", "")
        params = trigger.get("params")
        if params is not None and code in Interview.Trigger.values:
            try:
                text = rules.explain_trigger(code, params)
            except (KeyError, TypeError, ValueError):
                text = trigger.get("facts", "")
        else:
            text = trigger.get("facts", "")
        rows.append(
            {
                "code": code,
                "label": Interview.Trigger(code).label if code in Interview.Trigger.values else code,
                "facts": text,
                "records": [
                    {"label": r.get("label", ""), "url": _record_url(r) if links else ""} for r in records
                ],
            }
        )
    return rows


def order_detail(principal, pk) -> RectificationOrder:
    """One order the principal may see (through its case), or 404."""
    return get_visible_or_404(
        RectificationOrder.objects.select_related("case", "case__enterprise", "case__town", "issued_by"),
        principal,
        pk=pk,
    )


def latest_document(obj) -> GeneratedDocument | None:
    """The newest PDF generated for an order or an interview (documents point at their owner)."""
    return GeneratedDocument.objects.for_object(obj).order_by("-created_at").first()


def latest_documents(objects) -> dict:
    """{str(pk): newest document} for several owners of one model, in one query."""
    objects = list(objects)
    if not objects:
        return {}
    label = objects[0]._meta.label_lower
    found = {}
    for doc in GeneratedDocument.objects.filter(
        object_type=label, object_id__in=[str(o.pk) for o in objects]
    ).order_by("created_at"):
        found[doc.object_id] = doc
    return found


def order_number(order: RectificationOrder) -> str:
    """The document number an order gets when it has none: the case's serial and its rank among
    the case's orders (`JC2026-00001-Z1`)."""
    rank = (
        RectificationOrder.objects.filter(case_id=order.case_id)
        .filter(
            Q(issued_on__lt=order.issued_on) | Q(issued_on=order.issued_on, created_at__lte=order.created_at)
        )
        .count()
    )
    return f"{order.case.serial}-{rules.ORDER_REFERENCE_SUFFIX}{max(rank, 1)}"


def interview_number(interview: Interview, today: dt.date) -> str:
    """The notice's number when it has none: after the case's serial when the interview is tied to
    a case (`JC2026-00001-YT1`), else the day and the start of its key (`YT20260315-3FA2C1`)."""
    if interview.case_id:
        rank = Interview.objects.filter(case_id=interview.case_id).exclude(reference="").count() + 1
        return f"{interview.case.serial}-{rules.INTERVIEW_REFERENCE_SUFFIX}{rank}"
    return f"{rules.INTERVIEW_REFERENCE_SUFFIX}{today:%Y%m%d}-{interview.pk.hex[:6].upper()}"


def home_cards(principal) -> list[dict]:
    """The inspector's interviews to act on: proposals waiting for a notice, and held interviews
    whose rectification deadline has passed without a follow-up check (in their scope)."""
    if not may_handle_interviews(principal) or principal.user is None:
        return []
    visible = Interview.objects.visible_to(principal)
    url = reverse("inspection:interviews")
    return [
        {
            "label": _("Interviews proposed"),
            "value": visible.filter(status=Interview.Status.PROPOSED).count(),
            "url": url + "?status=proposed",
            "icon": "chat-square-text",
        },
        {
            "label": _("Interviews to follow up"),
            "value": visible.filter(
                status=Interview.Status.HELD, rectify_by__lt=timezone.localdate()
            ).count(),
            "url": url + "?status=held",
            "icon": "chat-square-dots",
        },
    ]
