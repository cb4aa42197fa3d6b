"""What labour inspection tells the other modules about an enterprise (issue 17,
`apps.core.facts`): orders to rectify still open, the wage-arrears list, published serious
violations, the latest credit grade and complaints; the risk signals of every enterprise at once;
and the veto candidates certification turns into proposed veto events (a listing on the
wage-arrears list, a published serious violation).

This module only reads the records: the services that list, publish and remove keep them.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.facts import Fact, Signal, SignalKind
from apps.core.grouped import PLACEHOLDER, for_enterprises, grouped, newest, path_maker
from apps.enterprises.models import Enterprise

from . import rules
from .models import (
    CreditGrade,
    InspectionCase,
    RectificationOrder,
    SeriousViolation,
    Source,
    WageArrearsListing,
)

VIEW_CASE = "inspection.view_inspectioncase"
VIEW_ORDER = "inspection.view_rectificationorder"
VIEW_GRADE = "inspection.view_creditgrade"
#: Complaints counted (facts and signals), in months.
COMPLAINT_MONTHS = 12
#: Published serious violations counted (facts and signals), in months.
VIOLATION_MONTHS = 24
CREDIT_SOURCE = "企业劳动保障守法诚信等级评价办法"
LISTING_SOURCE = rules.BLACKLIST_MEASURES
VIOLATION_SOURCE = rules.SERIOUS_VIOLATIONS_MEASURES

SIGNAL_KINDS = [
    SignalKind(
        "inspection.complaint",
        gettext_lazy("Complaints to labour inspection in the last 12 months"),
        weight=8,
        actor="inspection",
        source=rules.REPORTER_CONFIDENTIALITY_SOURCE,
        cap=5,
    ),
    SignalKind(
        "inspection.open_order",
        gettext_lazy("Orders to rectify not yet checked"),
        weight=10,
        actor="inspection",
        source=rules.ORDER_SOURCE,
        cap=3,
    ),
    SignalKind(
        "inspection.arrears_listed",
        gettext_lazy("On the wage-arrears list"),
        weight=40,
        actor="inspection",
        source=LISTING_SOURCE,
        cap=1,
    ),
    SignalKind(
        "inspection.credit_c",
        gettext_lazy("Credit grade C"),
        weight=20,
        actor="inspection",
        source=CREDIT_SOURCE,
        cap=1,
    ),
    SignalKind(
        "inspection.violation_published",
        gettext_lazy("Serious violation published"),
        weight=30,
        actor="inspection",
        source=VIOLATION_SOURCE,
        cap=1,
    ),
]


def _open_orders():
    return RectificationOrder.objects.filter(result="")


def _listed(today: dt.date):
    return WageArrearsListing.objects.listed().filter(expires_on__gte=today)


def _published(today: dt.date):
    return SeriousViolation.objects.filter(
        published_on__isnull=False,
        published_on__gte=today - relativedelta(months=VIOLATION_MONTHS),
        published_on__lte=today,
    )


def _complaints(today: dt.date):
    return InspectionCase.objects.filter(
        source=Source.COMPLAINT,
        received_on__gte=today - relativedelta(months=COMPLAINT_MONTHS),
        received_on__lte=today,
    )


def _count(qs, key: str):
    """The number of rows of `qs` whose `key` is the outer enterprise, as a subquery."""
    counted = (
        qs.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def enterprise_facts(enterprise, today: dt.date) -> list[Fact]:
    """One query: every figure as a subquery of the enterprise's row."""
    latest_grade = CreditGrade.objects.filter(enterprise=OuterRef("pk")).order_by("-year")
    listing = _listed(today).filter(enterprise=OuterRef("pk")).order_by("-listed_on")
    row = (
        Enterprise.objects.filter(pk=enterprise.pk)
        .annotate(
            open_orders=_count(_open_orders(), "case__enterprise"),
            overdue_orders=_count(_open_orders().filter(due_on__lt=today), "case__enterprise"),
            listed=Exists(listing),
            listing_id=Subquery(listing.values("pk")[:1]),
            listing_until=Subquery(listing.values("expires_on")[:1]),
            violations=_count(_published(today), "enterprise"),
            grade=Subquery(latest_grade.values("grade")[:1]),
            grade_year=Subquery(latest_grade.values("year")[:1]),
            complaints=_count(_complaints(today), "enterprise"),
        )
        .values(
            "open_orders",
            "overdue_orders",
            "listed",
            "listing_id",
            "listing_until",
            "violations",
            "grade",
            "grade_year",
            "complaints",
        )
        .get()
    )
    dossier = reverse("enterprises:detail", args=[enterprise.pk]) + "#inspections"
    orders, complaints, violations = row["open_orders"], row["complaints"], row["violations"]
    if orders:
        orders_display = ngettext(
            "%(n)d order to rectify not yet checked (%(overdue)d past its deadline)",
            "%(n)d orders to rectify not yet checked (%(overdue)d past their deadline)",
            orders,
        ) % {"n": orders, "overdue": row["overdue_orders"]}
    else:
        orders_display = _("No open order to rectify")
    if row["listed"]:
        listed_display = _("On the wage-arrears list until %(date)s") % {"date": row["listing_until"]}
        listed_url = reverse("inspection:arrears_detail", args=[row["listing_id"]])
    else:
        listed_display = _("Not on the wage-arrears list")
        listed_url = reverse("inspection:arrears_list")
    grade = row["grade"]
    return [
        Fact(
            "inspection.open_orders",
            _("Open orders to rectify"),
            orders,
            orders_display,
            source=_("Orders to rectify (%(source)s)") % {"source": rules.ORDER_SOURCE},
            as_of=today,
            url=dossier,
            permission=VIEW_ORDER,
        ),
        Fact(
            "inspection.arrears_listed",
            _("On the wage-arrears list"),
            bool(row["listed"]),
            listed_display,
            source=LISTING_SOURCE,
            as_of=today,
            url=listed_url,
            permission="",
        ),
        Fact(
            "inspection.violations_published",
            _("Serious violations published (24 months)"),
            violations,
            ngettext(
                "%(n)d serious violation published in the last 24 months",
                "%(n)d serious violations published in the last 24 months",
                violations,
            )
            % {"n": violations},
            source=VIOLATION_SOURCE,
            as_of=today,
            url=reverse("inspection:violation_list"),
            permission="",
        ),
        Fact(
            "inspection.credit_grade",
            _("Credit grade"),
            grade,
            (
                _("%(grade)s (%(year)s)")
                % {"grade": CreditGrade.Grade(grade).label, "year": row["grade_year"]}
                if grade
                else _("Not graded")
            ),
            source=CREDIT_SOURCE,
            as_of=today,
            url=reverse("inspection:grade_list"),
            permission=VIEW_GRADE,
        ),
        Fact(
            "inspection.complaints",
            _("Complaints (12 months)"),
            complaints,
            ngettext(
                "%(n)d complaint in the last 12 months",
                "%(n)d complaints in the last 12 months",
                complaints,
            )
            % {"n": complaints},
            source=_("Inspection cases (%(source)s)") % {"source": rules.SOURCES_SOURCE},
            as_of=today,
            url=dossier,
            permission=VIEW_CASE,
        ),
    ]


def risk_signals(today: dt.date, enterprise_ids=None):
    """Complaints, open orders, the wage-arrears list, credit grade C and published serious
    violations: at most two queries per kind for every enterprise at once."""
    case_url = path_maker("inspection:detail", PLACEHOLDER)

    complaints = for_enterprises(_complaints(today), "enterprise", enterprise_ids)
    for ent, n, last, row in grouped(complaints, "enterprise", "received_on", ["serial"]):
        yield Signal(
            ent,
            "inspection.complaint",
            n,
            last,
            detail=ngettext(
                "%(n)d complaint in the last 12 months", "%(n)d complaints in the last 12 months", n
            )
            % {"n": n},
            ref_type="inspection.inspectioncase",
            ref_id=str(row["pk"]),
            url=case_url(row["pk"]),
            permission=VIEW_CASE,
            extra={"serial": row["serial"]},
        )

    orders = for_enterprises(_open_orders(), "case__enterprise", enterprise_ids)
    for ent, n, last, row in grouped(orders, "case__enterprise", "issued_on", ["case", "due_on"]):
        yield Signal(
            ent,
            "inspection.open_order",
            n,
            last,
            detail=ngettext(
                "%(n)d order to rectify not yet checked", "%(n)d orders to rectify not yet checked", n
            )
            % {"n": n},
            ref_type="inspection.rectificationorder",
            ref_id=str(row["pk"]),
            url=case_url(row["case"]),
            permission=VIEW_CASE,
            extra={"due_on": row["due_on"]},
        )

    listing_url = path_maker("inspection:arrears_detail", PLACEHOLDER)
    listed = for_enterprises(_listed(today), "enterprise", enterprise_ids)
    for pk, ent, on, until, reference in listed.order_by().values_list(
        "pk", "enterprise", "listed_on", "expires_on", "decision_reference"
    ):
        yield Signal(
            ent,
            "inspection.arrears_listed",
            1,
            on,
            detail=_("On the wage-arrears list until %(date)s (decision %(reference)s)")
            % {"date": until, "reference": reference},
            ref_type="inspection.wagearrearslisting",
            ref_id=str(pk),
            url=listing_url(pk),
            permission="",
        )

    grades = for_enterprises(CreditGrade.objects.all(), "enterprise", enterprise_ids)
    grades_url = reverse("inspection:grade_list")
    for ent, row in newest(grades, "enterprise", "year", ["grade", "computed_on"]).items():
        if row["grade"] != CreditGrade.Grade.C:
            continue
        yield Signal(
            ent,
            "inspection.credit_c",
            1,
            row["computed_on"],
            detail=_("Credit grade C for %(year)s") % {"year": row["year"]},
            ref_type="inspection.creditgrade",
            ref_id=str(row["pk"]),
            url=grades_url,
            permission=VIEW_GRADE,
        )

    violation_url = path_maker("inspection:violation_detail", PLACEHOLDER)
    published = for_enterprises(_published(today), "enterprise", enterprise_ids)
    for ent, n, last, row in grouped(published, "enterprise", "published_on", ["decision_reference"]):
        yield Signal(
            ent,
            "inspection.violation_published",
            n,
            last,
            detail=ngettext(
                "%(n)d serious violation published (latest on %(date)s)",
                "%(n)d serious violations published (latest on %(date)s)",
                n,
            )
            % {"n": n, "date": last},
            ref_type="inspection.seriousviolation",
            ref_id=str(row["pk"]),
            url=violation_url(row["pk"]),
            permission="",
            extra={"reference": row["decision_reference"]},
        )


def veto_candidates(enterprise_ids=None, since=None):
    """Listings on the wage-arrears list (a listing whose decision was revoked is not one) and
    published serious violations, on or after `since`: two queries. Certification proposes them
    as veto events ("wage_arrears_blacklist", "serious_violation"), once per record."""
    listings = for_enterprises(
        WageArrearsListing.objects.exclude(removal=WageArrearsListing.Removal.REVOKED),
        "enterprise",
        enterprise_ids,
    )
    if since is not None:
        listings = listings.filter(listed_on__gte=since)
    for pk, ent, on, reference in listings.order_by("listed_on", "decision_reference").values_list(
        "pk", "enterprise", "listed_on", "decision_reference"
    ):
        yield {
            "enterprise_id": ent,
            "kind": rules.WAGE_ARREARS_VETO_KIND,
            "occurred_on": on,
            "source": _("Wage-arrears listing decision %(reference)s") % {"reference": reference},
            "origin": "inspection",
            "object_type": "inspection.wagearrearslisting",
            "object_id": str(pk),
        }
    violations = for_enterprises(
        SeriousViolation.objects.filter(published_on__isnull=False), "enterprise", enterprise_ids
    )
    if since is not None:
        violations = violations.filter(published_on__gte=since)
    for pk, ent, on, reference in violations.order_by("published_on", "decision_reference").values_list(
        "pk", "enterprise", "published_on", "decision_reference"
    ):
        yield {
            "enterprise_id": ent,
            "kind": rules.SERIOUS_VIOLATION_VETO_KIND,
            "occurred_on": on,
            "source": _("Published serious violation, decision %(reference)s") % {"reference": reference},
            "origin": "inspection",
            "object_type": "inspection.seriousviolation",
            "object_id": str(pk),
        }
