"""Reads of the wage-arrears room: the wage-arrears list, the published serious violations, the
credit grades (lists and one enterprise's), and the facts of a year a credit grade is computed
from, gathered in one query per kind of fact (never one per enterprise)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from apps.core.scoping import get_visible_or_404
from apps.enterprises.choices import Status
from apps.enterprises.models import Enterprise

from ..models import (
    CreditGrade,
    InspectionCase,
    RectificationOrder,
    SeriousViolation,
    WageArrearsListing,
)

D = InspectionCase.Decision


# The wage-arrears list ------------------------------------------------------------------------------


def listings(principal, *, status: str = "", search: str = ""):
    """The list as the principal may read it (published: every signed-in user), newest first."""
    qs = WageArrearsListing.objects.visible_to(principal).select_related("enterprise", "case")
    if status in WageArrearsListing.Status.values:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(enterprise__name__icontains=search) | Q(decision_reference__icontains=search))
    return qs.order_by("-listed_on", "-created_at", "-id")


def listing_detail(principal, pk) -> WageArrearsListing:
    return get_visible_or_404(
        WageArrearsListing.objects.select_related("enterprise", "case", "veto_event"), principal, pk=pk
    )


# Published serious violations -----------------------------------------------------------------------


def sees_unpublished(principal) -> bool:
    """Decisions not yet published are read by those who keep the list and by inspectors; every
    other signed-in user reads the published ones (重大劳动保障违法行为社会公布办法)."""
    if principal.is_park_admin or principal.is_system:
        return True
    user = principal.user
    return user is not None and (
        user.has_perm("inspection.manage_wage_arrears_list") or user.has_perm("inspection.handle_case")
    )


def violations_visible(principal):
    qs = SeriousViolation.objects.visible_to(principal)
    return qs if sees_unpublished(principal) else qs.filter(published_on__isnull=False)


def serious_violations(principal, *, state: str = "", search: str = ""):
    """Published serious violations, and for those who keep them the ones waiting for publication
    (`state`: "published", "waiting" or "" for both)."""
    qs = violations_visible(principal).select_related("enterprise", "case")
    if state == "published":
        qs = qs.filter(published_on__isnull=False)
    elif state == "waiting":
        qs = qs.filter(published_on__isnull=True)
    if search:
        qs = qs.filter(Q(enterprise__name__icontains=search) | Q(decision_reference__icontains=search))
    return qs.order_by("-decided_on", "-created_at", "-id")


def serious_violation_detail(principal, pk) -> SeriousViolation:
    qs = SeriousViolation.objects.select_related("enterprise", "case", "veto_event")
    if not sees_unpublished(principal):
        qs = qs.filter(published_on__isnull=False)
    return get_visible_or_404(qs, principal, pk=pk)


# Credit grades --------------------------------------------------------------------------------------


def credit_grades(principal, *, year: int | None = None, grade: str = ""):
    qs = CreditGrade.objects.visible_to(principal).select_related("enterprise", "enterprise__town")
    if year:
        qs = qs.filter(year=year)
    if grade in CreditGrade.Grade.values:
        qs = qs.filter(grade=grade)
    return qs.order_by("-year", "grade", "enterprise__name", "id")


def credit_grades_of(principal, enterprise):
    """One enterprise's grades, newest year first, as the principal may see them."""
    return CreditGrade.objects.visible_to(principal).filter(enterprise=enterprise).order_by("-year")


def credit_grade_years(principal) -> list[int]:
    return list(
        CreditGrade.objects.visible_to(principal).order_by("-year").values_list("year", flat=True).distinct()
    )


# The facts of a year (for the yearly computation; unscoped by design) ------------------------------------


def _day(value) -> str:
    return value.isoformat() if value else ""


def credit_facts(year: int) -> dict:
    """{enterprise id: [{"code", "record", "on"}]} for `year`: decisions recording a penalty or a
    transfer to the police, listings on the wage-arrears list in force during the year, serious
    violations published, orders to rectify issued and orders found not carried out at the
    follow-up. Six queries whatever the number of enterprises."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    facts: dict = defaultdict(list)

    def add(enterprise_id, code, record, on):
        facts[enterprise_id].append({"code": code, "record": record, "on": _day(on)})

    decisions = (
        InspectionCase.objects.filter(
            enterprise__isnull=False,
            decision__in=[D.PENALTY_RECORDED, D.TRANSFERRED_TO_POLICE],
            decided_on__range=(start, end),
        )
        .order_by("decided_on", "serial")
        .values_list("enterprise_id", "decision", "serial", "decided_on")
    )
    for enterprise_id, decision, serial, on in decisions:
        add(enterprise_id, decision, serial, on)
    listed = (
        WageArrearsListing.objects.filter(listed_on__lte=end)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=start))
        .order_by("listed_on")
        .values_list("enterprise_id", "decision_reference", "listed_on")
    )
    for enterprise_id, reference, on in listed:
        add(enterprise_id, "wage_arrears_listed", reference, on)
    published = (
        SeriousViolation.objects.filter(published_on__range=(start, end))
        .order_by("published_on")
        .values_list("enterprise_id", "decision_reference", "published_on")
    )
    for enterprise_id, reference, on in published:
        add(enterprise_id, "serious_violation_published", reference, on)
    orders = RectificationOrder.objects.filter(case__enterprise__isnull=False)
    not_done = (
        orders.filter(result=RectificationOrder.Result.NOT_DONE, checked_on__range=(start, end))
        .order_by("checked_on")
        .values_list("case__enterprise_id", "reference", "case__serial", "checked_on")
    )
    for enterprise_id, reference, serial, on in not_done:
        add(enterprise_id, "order_not_rectified", reference or serial, on)
    issued = (
        orders.filter(issued_on__range=(start, end))
        .order_by("issued_on")
        .values_list("case__enterprise_id", "reference", "case__serial", "issued_on")
    )
    for enterprise_id, reference, serial, on in issued:
        add(enterprise_id, "order_to_rectify", reference or serial, on)
    return dict(facts)


def graded_enterprise_ids(extra) -> list:
    """The enterprises graded for a year: every operating enterprise, and any other with facts."""
    ids = set(Enterprise.objects.filter(status=Status.OPERATING).values_list("pk", flat=True))
    return sorted(ids | set(extra), key=str)


def current_year() -> int:
    return timezone.localdate().year
