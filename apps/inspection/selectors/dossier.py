"""The labour-inspection section of the enterprise dossier (一户一册): the enterprise's inspection
cases, orders to rectify, interviews, wage-arrears listings, published serious violations and
credit grades, each as the reader may see it.

Two queries whatever the history: the newest cases (with their total, by a window count), and one
UNION ALL of the other records reduced to the same columns (kind, key, reference, date, status,
detail, second date, link). Each branch is its model's own `visible_to`; a branch the reader may
not see is empty and left out of the statement.

Hidden is not empty: a reader whose role may not see inspection cases is told so (the published
wage-arrears list and serious violations are still shown: every signed-in user may read them).
"""

from __future__ import annotations

import json

from django.db.models import CharField, Count, DateField, F, TextField, Value, Window
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from apps.accounts.roles import Role

from .. import rules
from ..models import (
    CreditGrade,
    InspectionCase,
    Interview,
    RectificationOrder,
    WageArrearsListing,
)
from .arrears import violations_visible

#: The newest cases shown; the section says how many there are in all.
CASES_SHOWN = 20
#: The newest other records shown (orders, interviews, listings, publications, grades).
RECORDS_SHOWN = 100

VIEW = "inspection.view_inspectioncase"


def _text(value: str):
    return Value(value, output_field=CharField())


def _no_date():
    return Value(None, output_field=DateField())


def _row(qs, kind: str, *, ref, on, status, detail, until, link):
    """One branch of the union: the same named columns in the same order for every kind."""
    return qs.order_by().values(
        kind=_text(kind),
        key=F("pk"),
        ref=ref,
        day=on,
        state=status,
        detail=detail,
        until=until,
        link=link,
    )


def records(principal, enterprise) -> dict[str, list[dict]]:
    """{kind: [row]} for orders, interviews, listings, serious violations and grades (one query)."""
    orders = RectificationOrder.objects.visible_to(principal).filter(case__enterprise=enterprise)
    parts = [
        _row(
            orders,
            "order",
            ref=F("case__serial"),
            on=F("issued_on"),
            status=F("result"),
            detail=Cast("reference", output_field=TextField()),
            until=F("due_on"),
            link=F("case_id"),
        ),
        _row(
            Interview.objects.visible_to(principal).filter(enterprise=enterprise),
            "interview",
            ref=F("reference"),
            on=F("proposed_on"),
            status=F("status"),
            detail=Cast("commitments", output_field=TextField()),
            until=F("rectify_by"),
            link=F("case_id"),
        ),
        _row(
            WageArrearsListing.objects.visible_to(principal).filter(enterprise=enterprise),
            "listing",
            ref=F("decision_reference"),
            on=F("listed_on"),
            status=F("status"),
            detail=Cast("removal", output_field=TextField()),
            until=F("expires_on"),
            link=F("pk"),
        ),
        _row(
            violations_visible(principal).filter(enterprise=enterprise),
            "violation",
            ref=F("decision_reference"),
            on=F("decided_on"),
            status=_text(""),
            detail=Cast("summary", output_field=TextField()),
            until=F("published_on"),
            link=F("pk"),
        ),
        _row(
            CreditGrade.objects.visible_to(principal).filter(enterprise=enterprise),
            "grade",
            ref=Cast("year", output_field=CharField()),
            on=F("computed_on"),
            status=F("grade"),
            detail=Cast("facts", output_field=TextField()),
            until=_no_date(),
            link=F("pk"),
        ),
    ]
    union = parts[0].union(*parts[1:], all=True).order_by("-day", "kind")
    found: dict[str, list[dict]] = {"order": [], "interview": [], "listing": [], "violation": [], "grade": []}
    for row in union[:RECORDS_SHOWN]:
        found[row["kind"]].append(row)
    order_results = dict(RectificationOrder.Result.choices)
    interview_statuses = dict(Interview.Status.choices)
    listing_statuses = dict(WageArrearsListing.Status.choices)
    removals = dict(WageArrearsListing.Removal.choices)
    for row in found["order"]:
        row["status_label"] = order_results.get(row["state"], "")
    for row in found["interview"]:
        row["status_label"] = interview_statuses.get(row["state"], row["state"])
    for row in found["listing"]:
        row["status_label"] = listing_statuses.get(row["state"], row["state"])
        row["removal_label"] = removals.get(row["detail"] or "", "")
    for row in found["grade"]:
        try:
            facts = json.loads(row["detail"] or "[]")
        except ValueError:
            facts = []
        row["facts"] = [
            {**f, "label": rules.credit_fact_label(f.get("code", ""))}
            for f in (facts if isinstance(facts, list) else [])
            if isinstance(f, dict)
        ]
    found["grade"].sort(key=lambda r: r["ref"], reverse=True)
    return found


def cases(principal, enterprise) -> tuple[list[InspectionCase], int]:
    """The newest cases of the enterprise the principal may see, and how many there are (one query)."""
    qs = (
        InspectionCase.objects.visible_to(principal)
        .filter(enterprise=enterprise)
        .annotate(total=Window(Count("pk")))
        .order_by("-received_on", "-serial")[:CASES_SHOWN]
    )
    rows = list(qs)
    return rows, (rows[0].total if rows else 0)


def scope_note(principal) -> str:
    """What part of the enterprise's inspection history the reader's role shows."""
    if principal.sees_everything:
        return ""
    notes = []
    if principal.has_role(Role.INSPECTOR):
        notes.append(_("Inspectors see the cases of their brigade's area."))
    if principal.organisation_ids(Role.ENTERPRISE_HR):
        notes.append(
            _("The enterprise sees its cases that carry an order to rectify; reporters are never shown.")
        )
    if principal.organisation_ids(Role.UNION_OFFICIAL):
        notes.append(
            _(
                "Union officials see the cases of the enterprises their union covers; reporters are never shown."
            )
        )
    return " ".join(str(n) for n in notes)


def dossier_sections(principal, enterprise) -> list[dict]:
    """The "inspections" section of the dossier (apps.enterprises.selectors.DOSSIER_ORDER)."""
    user = principal.user
    may_see = user is not None and user.has_perm(VIEW)
    shown, total = cases(principal, enterprise) if may_see else ([], 0)
    found = records(principal, enterprise) if principal.is_authenticated else {}
    grades = found.get("grade", [])
    return [
        {
            "key": "inspections",
            "title": _("Labour inspection"),
            "template": "inspection/dossier_inspections.html",
            "wide": True,
            "context": {
                "hidden": not may_see,
                # Every case of the enterprise is shown (its "none" means none at all).
                "complete": principal.sees_everything,
                "scope_note": scope_note(principal) if may_see else "",
                "cases": shown,
                "total": total,
                "cases_shown": CASES_SHOWN,
                "orders": found.get("order", []),
                "interviews": found.get("interview", []),
                "listings": found.get("listing", []),
                "violations": found.get("violation", []),
                "grades": grades,
                "latest_grade": grades[0] if grades else None,
                "may_manage_list": user is not None and user.has_perm("inspection.manage_wage_arrears_list"),
            },
        }
    ]
