"""The figures of labour inspection: cases by source, matter, status, town and industry; arrears
owed and recovered and the workers concerned; overdue cases; orders to rectify; cases by month.
A handful of aggregates over the cases of the principal's scope, computed once per scope, period
and day and kept until an inspection record changes (FIGURES_TOPIC, moved by the models' saves:
apps.py) or for ten minutes, as mediation's figures are.

Matters are a JSON list on the case: each matter is counted in SQL, in one query with one
filtered count per matter code (a case with several matters counts under each), through the
package's `matter_q`: PostgreSQL answers `matters @> '["code"]'`; a database without JSON
containment (SQLite, `make run`) matches the quoted code in the list's text, which is exact since
the codes are distinct words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.core.cache import cached_figures, scope_key
from apps.enterprises.choices import Industry

from ..models import InspectionCase, Matter, RectificationOrder, Source
from . import matter_q, overdue_q

S = InspectionCase.Status

#: The cache topic of every figure of inspection.
FIGURES_TOPIC = "inspection"


def figures(principal, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """The figures' numbers with their labels (the labels follow the reader's language; the cached
    part has none)."""
    today = timezone.localdate()
    key = f"inspection:figures:{scope_key(principal)}:{date_from}:{date_to}:{today:%Y%m%d}"
    counts = cached_figures(key, [FIGURES_TOPIC], lambda: figure_counts(principal, date_from, date_to, today))
    industries = dict(Industry.choices)
    return {
        **counts,
        "by_source": [(label, counts["sources"].get(value, 0), value) for value, label in Source.choices],
        "by_matter": [(label, counts["matters"].get(value, 0), value) for value, label in Matter.choices],
        "by_status": [(label, counts["statuses"].get(value, 0), value) for value, label in S.choices],
        "by_industry": [
            (industries.get(row["industry"], ""), row["n"], row["industry"] or "")
            for row in counts["industries"]
        ],
        "orders_by_result": [
            (label, counts["order_results"].get(value, 0), value)
            for value, label in RectificationOrder.Result.choices
        ],
    }


def figure_counts(principal, date_from, date_to, today: dt.date) -> dict:
    """The numbers (no words), for cases received in the period."""
    qs = InspectionCase.objects.visible_to(principal)
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    totals = qs.aggregate(
        cases=Count("pk"),
        open=Count("pk", filter=Q(status__in=InspectionCase.OPEN)),
        overdue=Count("pk", filter=overdue_q(today)),
        owed=Sum("amount_owed"),
        recovered=Sum("amount_recovered"),
        workers=Sum("workers_count"),
        workers_helped=Sum("workers_count", filter=Q(amount_recovered__gt=0)),
        to_mediation=Count("pk", filter=Q(mediation_case__isnull=False)),
    )
    matters = qs.aggregate(**{code: Count("pk", filter=matter_q(code)) for code in Matter.values})

    def grouped(field):
        return dict(qs.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))

    by_town = list(
        qs.order_by()
        .values("town__name")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status__in=InspectionCase.OPEN)),
            owed=Sum("amount_owed"),
            recovered=Sum("amount_recovered"),
            workers=Sum("workers_count"),
        )
        .order_by("-n", "town__name")
    )
    industries = list(
        qs.order_by()
        .values(industry=F("enterprise__industry"))
        .annotate(n=Count("pk"))
        .order_by("-n", "industry")
    )
    by_month = list(
        qs.order_by()
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(n=Count("pk"), workers=Sum("workers_count"), recovered=Sum("amount_recovered"))
        .order_by("month")
    )
    for row in by_month:
        row["month"] = row["month"].strftime("%Y-%m") if row["month"] else ""
    orders = RectificationOrder.objects.filter(case__in=qs)
    order_totals = orders.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(result="", due_on__lt=today)),
        waiting=Count("pk", filter=Q(result="", due_on__gte=today)),
    )
    order_results = dict(
        orders.exclude(result="")
        .order_by()
        .values_list("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )
    return {
        "cases": totals["cases"],
        "open": totals["open"],
        "overdue": totals["overdue"],
        "owed": totals["owed"] or Decimal("0"),
        "recovered": totals["recovered"] or Decimal("0"),
        "workers": totals["workers"] or 0,
        "workers_helped": totals["workers_helped"] or 0,
        "to_mediation": totals["to_mediation"],
        "sources": grouped("source"),
        "statuses": grouped("status"),
        "matters": matters,
        "by_town": by_town,
        "industries": industries,
        "by_month": by_month,
        "orders": order_totals,
        "order_results": order_results,
    }
