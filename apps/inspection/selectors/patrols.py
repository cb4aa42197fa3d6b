"""Reads of patrols (日常巡视检查, 劳动保障监察条例 arts. 11, 14): the plans a principal sees, the
enterprises a plan covers with their last patrol and the day the next is due, the patrols and
their findings, and the attachments (scoped: only those who see the patrol).

Everything is set-based: one query for a page of targets, whatever the number of enterprises
(the latest credit grade, the last patrol and the watch-list flag are subqueries of the same
statement, not a query per row).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.scoping import get_visible_or_404
from apps.enterprises.models import Enterprise, areas_of

from .. import rules
from ..models import (
    Attachment,
    CreditGrade,
    InspectionCase,
    Interview,
    Patrol,
    PatrolFinding,
    PatrolPlan,
)
from . import policy_in_force

#: The target list's order: the earliest due first (overdue, then due, then later), then by name;
#: the key makes it total.
TARGET_ORDER = ("next_due_on", "name", "id")
#: The patrol list's order: the newest visit first.
PATROL_ORDER = ("-planned_on", "-created_at", "-id")


# Plans ---------------------------------------------------------------------------------------------


def visible_plans(principal):
    """Plans are the brigade's working documents: park administrators see all; an inspector sees
    the plans without towns (the whole of each viewer's area), those naming a town of their area,
    and their own. Nobody else (enterprises and unions see the orders and cases that follow)."""
    qs = PatrolPlan.objects.all()
    if principal.sees_everything:
        return qs
    if principal.is_api_client or not principal.is_authenticated or not principal.has_role(Role.INSPECTOR):
        return qs.none()
    areas = areas_of(principal, (Role.INSPECTOR,))
    no_towns = ~Exists(PatrolPlan.towns.through.objects.filter(patrolplan_id=OuterRef("pk")))
    in_area = Exists(PatrolPlan.towns.through.objects.filter(patrolplan_id=OuterRef("pk"), area_id__in=areas))
    return qs.filter(no_towns | in_area | Q(created_by=principal.user))


def plan_list(principal):
    return (
        visible_plans(principal)
        .select_related("created_by")
        .prefetch_related("towns")
        .order_by("-starts_on", "name", "id")
    )


def plan_detail(principal, pk) -> PatrolPlan:
    """One plan the principal sees, or 404."""
    try:
        return visible_plans(principal).prefetch_related("towns").get(pk=pk)
    except (PatrolPlan.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


# Targets -------------------------------------------------------------------------------------------


def watch_list_q():
    """[Stand-in] The risk watch list (domain guide §9) is not built yet (it is another issue's
    work). Until it is, an enterprise counts as "on the watch list" when it has an open inspection
    case or an open interview (约谈): both are signals the list will weigh. Replace this with the
    list's own query when it lands."""
    open_case = InspectionCase.objects.filter(enterprise=OuterRef("pk"), status__in=InspectionCase.OPEN)
    open_interview = Interview.objects.filter(enterprise=OuterRef("pk"), status__in=Interview.OPEN)
    return ExpressionWrapper(Q(Exists(open_case)) | Q(Exists(open_interview)), output_field=BooleanField())


def plan_targets(principal, plan: PatrolPlan, today: dt.date | None = None):
    """The enterprises `plan` covers that the principal sees, each annotated with

    - `latest_grade`: the grade of its latest CreditGrade (the newest year), or None;
    - `on_watch`: on the watch list (see `watch_list_q`: open case or open interview for now);
    - `high_risk`: a C grade (rules.PATROL_HIGH_RISK_GRADES) or on the watch list;
    - `last_patrol_on`: the day of its last patrol done (any plan);
    - `next_due_on`: the last patrol plus the policy's interval (the high-risk interval when
      high-risk), or the plan's first day when never patrolled;

    ordered due first (`TARGET_ORDER`). The choice: the plan's towns and industries narrow the
    registry (none chosen: all of them); then, when the plan names credit grades or the watch list,
    an enterprise is a target when its latest grade is one of them OR it is on the watch list.
    Operating enterprises only. The policy is the one in force `today`. A page of this query is
    one statement (subqueries, no query per row): paginate it with apps.core.pagination.
    """
    today = today or timezone.localdate()
    policy = policy_in_force(today)
    latest_grade = Subquery(
        CreditGrade.objects.filter(enterprise=OuterRef("pk")).order_by("-year").values("grade")[:1]
    )
    last_patrol = Subquery(
        Patrol.objects.filter(enterprise=OuterRef("pk"), status=Patrol.Status.DONE, visited_on__isnull=False)
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    qs = (
        Enterprise.objects.visible_to(principal)
        .operating()
        .select_related("town")
        .annotate(latest_grade=latest_grade, on_watch=watch_list_q(), last_patrol_on=last_patrol)
    )
    town_ids = [t.pk for t in plan.towns.all()]
    if town_ids:
        qs = qs.filter(town__in=town_ids)
    if plan.industries:
        qs = qs.filter(industry__in=plan.industries)
    risk = Q(pk__in=[])
    if plan.credit_grades:
        risk |= Q(latest_grade__in=plan.credit_grades)
    if plan.include_watch_list:
        risk |= Q(on_watch=True)
    if plan.credit_grades or plan.include_watch_list:
        qs = qs.filter(risk)
    high_risk = Q(latest_grade__in=sorted(rules.PATROL_HIGH_RISK_GRADES)) | Q(on_watch=True)
    ordinary = dt.timedelta(days=rules.patrol_interval_days(policy, high_risk=False))
    often = dt.timedelta(days=rules.patrol_interval_days(policy, high_risk=True))
    qs = qs.annotate(
        high_risk=Case(When(high_risk, then=Value(True)), default=Value(False), output_field=BooleanField()),
    ).annotate(
        next_due_on=Coalesce(
            Case(
                When(
                    high_risk,
                    then=Cast(
                        ExpressionWrapper(F("last_patrol_on") + often, output_field=DateField()), DateField()
                    ),
                ),
                default=Cast(
                    ExpressionWrapper(F("last_patrol_on") + ordinary, output_field=DateField()), DateField()
                ),
                output_field=DateField(),
            ),
            Value(plan.starts_on),
            output_field=DateField(),
        )
    )
    return qs.order_by(*TARGET_ORDER)


def target_state(target, today: dt.date) -> str:
    """ "overdue" (the interval since the last patrol has run out), "due" (never patrolled, or due
    today) or "later"."""
    if target.next_due_on <= today:
        return "overdue" if target.last_patrol_on is not None and target.next_due_on < today else "due"
    return "later"


def targetable_enterprises(principal, plan: PatrolPlan | None = None):
    """The enterprises the principal may record a patrol of (their area), for the enterprise pick."""
    return Enterprise.objects.visible_to(principal).operating().order_by("name", "id")


# Patrols -------------------------------------------------------------------------------------------


def visible_patrols(principal):
    return Patrol.objects.visible_to(principal).select_related(
        "enterprise", "enterprise__town", "plan", "inspector"
    )


def patrol_list(principal, *, plan: PatrolPlan | None = None):
    qs = visible_patrols(principal)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.order_by(*PATROL_ORDER)


def patrol_detail(principal, pk) -> Patrol:
    """One patrol the principal sees (inspectors: their area; park administrators), with its
    findings, their cases and attachments; or 404."""
    qs = visible_patrols(principal).prefetch_related(
        Prefetch(
            "findings",
            queryset=PatrolFinding.objects.select_related("case").prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))
            ),
        )
    )
    return get_visible_or_404(qs, principal, pk=pk)


def finding_for(principal, pk) -> PatrolFinding:
    """A finding of a patrol the principal sees, or 404."""
    finding = (
        PatrolFinding.objects.select_related("patrol", "patrol__enterprise", "case")
        .filter(pk=pk, patrol__in=Patrol.objects.visible_to(principal))
        .first()
        if _is_uuid(pk)
        else None
    )
    if finding is None:
        raise Http404
    return finding


def attachment_for(principal, pk) -> Attachment:
    """An attachment of a patrol the principal sees, or 404 (enterprise HR, union officials and
    other areas' inspectors never see patrols)."""
    attachment = (
        Attachment.objects.select_related("finding", "finding__patrol")
        .filter(pk=pk, finding__patrol__in=Patrol.objects.visible_to(principal))
        .first()
        if _is_uuid(pk)
        else None
    )
    if attachment is None:
        raise Http404
    return attachment


def _is_uuid(value) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def checklist_for(day: dt.date | None = None) -> list[dict]:
    """The checklist of the policy in force on `day`."""
    return list(policy_in_force(day).checklist or [])
