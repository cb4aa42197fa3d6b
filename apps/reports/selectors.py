"""Reads of the reports module: the kept reports, a report's figures as the cockpit computes them
(apps.cockpit.selectors, the one source of every figure), and what the page, the .xlsx and the PDF
show of them (tables, and bar and line charts drawn as SVG on the server: no script, no inline
style, the same drawing in the page and in the PDF)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.cockpit import selectors as cockpit
from apps.core.exports import Sheet
from apps.core.models import Area
from apps.core.principal import SYSTEM

from . import rules
from .filters import ReportFilter
from .models import GENERATE, SUBSCRIBE, VIEW, Kind, Report, ReportSubscription, Status

__all__ = ["GENERATE", "SUBSCRIBE", "VIEW"]

#: The columns of the table by town (the figures parks report upward, seed 000): operating
#: enterprises, union coverage and membership, certification coverage and titles by level,
#: mediation cases, workers and amounts, appeals answered.
BY_TOWN_CODES = (
    "enterprises.operating",
    "unions.coverage",
    "unions.membership_rate",
    "certification.coverage",
    "certification.level_a",
    "certification.level_aa",
    "certification.level_aaa",
    "mediation.cases",
    "mediation.workers",
    "mediation.amount_agreed",
    "appeals.answered",
)
#: Bar charts by town (park reports): the rates with a target.
BAR_CODES = ("unions.coverage", "certification.coverage")
#: Line charts of the trend: the rates (percent) and the month's cases (counts).
TREND_CHARTS = (
    (
        "rates",
        ("unions.coverage", "unions.membership_rate", "certification.coverage", "contracts.signing_rate"),
    ),
    ("cases", ("mediation.cases", "appeals.received")),
)
TREND_CODES = tuple(code for _name, codes in TREND_CHARTS for code in codes)
#: Colours of the chart series (Bootstrap's palette, readable in print).
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997")
#: The reports list: newest first, by an index (report_list_order).
LIST_ORDER = ("-created_at", "-id")


# The kept reports --------------------------------------------------------------------------------


def visible(principal):
    return Report.objects.visible_to(principal)


def report_list(principal, params, request=None):
    """(filter set, queryset) of the reports the principal reads, newest first, filtered by kind
    and scope."""
    base = visible(principal).select_related("town", "requested_by").order_by(*LIST_ORDER)
    filterset = ReportFilter(params or {}, queryset=base, request=request)
    qs = filterset.qs if filterset.is_valid() else base.none()
    return filterset, qs


def get_report(principal, pk) -> Report:
    """The report, if the principal reads it (Report.DoesNotExist otherwise: a 404 for pages)."""
    return visible(principal).select_related("town", "requested_by").get(pk=pk)


def towns():
    return Area.objects.filter(kind=Area.Kind.TOWN).order_by("code")


def subscriptions_of(principal) -> list[ReportSubscription]:
    return list(
        ReportSubscription.objects.visible_to(principal).select_related("town").order_by("kind", "town__code")
    )


def subscribers(kind: str, town_id) -> list:
    """The active users subscribed to `kind` reports of this scope who may still read reports."""
    from apps.accounts.models import User

    subs = ReportSubscription.objects.filter(kind=kind)
    subs = subs.filter(town_id=town_id) if town_id else subs.filter(town__isnull=True)
    users = User.objects.filter(pk__in=subs.values("user"), is_active=True).order_by("pk")
    return [u for u in users if u.has_perm(VIEW)]


def subscribed_scopes(kind: str) -> list:
    """The towns (None: the park) with at least one subscriber to `kind` reports."""
    return list(
        ReportSubscription.objects.filter(kind=kind, user__is_active=True)
        .order_by("town_id")
        .values_list("town_id", flat=True)
        .distinct()
    )


def stale_reports(now=None):
    """Reports left waiting or "being generated" beyond STALE_SECONDS (their worker died or their
    message was lost)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=rules.STALE_SECONDS)
    return Report.objects.filter(status__in=(Status.PENDING, Status.RUNNING), updated_at__lte=cutoff)


def is_stale(report: Report, now=None) -> bool:
    now = now or timezone.now()
    return report.in_progress and report.updated_at <= now - dt.timedelta(seconds=rules.STALE_SECONDS)


# The figures of a report -------------------------------------------------------------------------


def _json(data):
    """The JSON form the report keeps (Decimal as text, dates as ISO): the page, the .xlsx and the
    PDF all read this form, so they show the same figures."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _figure(figure: dict) -> dict:
    # The drill-down link is the principal's (here the platform's): readers get their own on the
    # cockpit. Everything else is kept as computed.
    return {key: value for key, value in figure.items() if key != "url"}


def compute(report: Report) -> dict:
    """The report's figures, computed now by the cockpit's selectors for the report's period
    (`since` = first day, `as_of` = last day) and scope, as the platform (SYSTEM) sees them:
    the same numbers as the cockpit and the statistics API for the same dates. Labels and
    displays are in the active language (the caller's `translation.override`)."""
    town = report.town.code if report.town_id else None
    start, end = report.period_start, report.period_end
    result = cockpit.figures(SYSTEM, as_of=end, since=start, town=town)
    by_town = None
    if town is None:
        by_town = cockpit.breakdown(SYSTEM, by="town", as_of=end, since=start, codes=BY_TOWN_CODES)
    trends = cockpit.trends(
        SYSTEM, as_of=end, months=rules.TREND_MONTHS.get(report.kind, 12), town=town, codes=TREND_CODES
    )
    return _json(
        {
            "as_of": result["as_of"],
            "since": result["since"],
            "town": result.get("town"),
            "figures": [_figure(f) for f in result["figures"]],
            "by_town": by_town,
            "trends": trends,
            "computed_at": timezone.now(),
        }
    )


def number(value):
    """A kept value as a number: int, Decimal, or None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        text = str(value)
        return int(text) if text.lstrip("-").isdigit() else Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def figures_by_code(snapshot: dict) -> dict:
    return {f["code"]: f for f in snapshot.get("figures") or []}


def headline_rows(snapshot: dict) -> list[dict]:
    """Every figure with its target and whether it is met, for the page and the PDF."""
    rows = []
    for f in snapshot.get("figures") or []:
        met = f.get("meets_target")
        rows.append(
            {
                "code": f["code"],
                "label": f.get("label") or f["code"],
                "display": f.get("display") or "—",
                "target_display": f.get("target_display") or "",
                "met": met,
                "met_label": "" if met is None else (_("Met") if met else _("Not met")),
                "kind": f.get("kind"),
                "source": f.get("source") or "",
            }
        )
    return rows


def by_town_table(snapshot: dict) -> dict | None:
    """The table by town (park reports): a header of the figures' labels, one row per town with
    the displays, and the park's total."""
    data = snapshot.get("by_town")
    if not data:
        return None
    codes = list(data.get("codes") or BY_TOWN_CODES)
    labels = data.get("labels") or {}

    def cells(row):
        displays = row.get("displays") or {}
        values = row.get("values") or {}
        return [
            displays.get(c) if displays.get(c) not in (None, "") else _blank(values.get(c)) for c in codes
        ]

    return {
        "codes": codes,
        "header": [labels.get(c, c) for c in codes],
        "rows": [
            {"label": r.get("label") or r.get("key"), "cells": cells(r)} for r in data.get("rows") or []
        ],
        "total": {"label": _("The whole park"), "cells": cells(data["total"])} if data.get("total") else None,
    }


def _blank(value):
    return "—" if value is None else value


# Charts (SVG geometry; drawn by reports/_bar_chart.html and reports/_line_chart.html) ---------------


def _scale_top(values, unit: str) -> Decimal:
    """The top of a chart's scale: 100 for percentages; else four equal steps of 1, 2, 2.5 or 5
    times a power of ten (whole steps for counts) at or above the largest value."""
    if unit == "percent":
        return Decimal(100)
    top = max((Decimal(v) for v in values if v is not None), default=Decimal(0))
    magnitude = Decimal(1)
    while True:
        for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
            candidate = step * magnitude
            if unit == "count" and candidate != candidate.to_integral_value():
                continue
            if 4 * candidate >= top:
                return 4 * candidate
        magnitude *= 10


def bar_chart(snapshot: dict, code: str) -> dict | None:
    """Horizontal bars of one figure by town, with its target as a dashed line."""
    data = snapshot.get("by_town")
    if not data:
        return None
    unit = (
        (data.get("units") or {}).get(code) or figures_by_code(snapshot).get(code, {}).get("unit") or "count"
    )
    figure = figures_by_code(snapshot).get(code, {})
    rows = [
        (
            r.get("label") or r.get("key"),
            number((r.get("values") or {}).get(code)),
            (r.get("displays") or {}).get(code),
        )
        for r in data.get("rows") or []
    ]
    top = _scale_top([v for _l, v, _d in rows], unit)
    label_w, plot_w, bar_h, gap, pad_top = 110, 420, 18, 8, 10
    bars = []
    for i, (label, value, display) in enumerate(rows):
        y = pad_top + i * (bar_h + gap)
        width = 0 if value is None else round(float(min(value, top)) * plot_w / float(top))
        bars.append(
            {
                "label": label,
                "value": value,
                "display": display or ("—" if value is None else str(value)),
                "x": label_w,
                "y": y,
                "w": width,
                "h": bar_h,
                "text_y": y + bar_h - 5,
                "value_x": label_w + width + 4,
            }
        )
    height = pad_top + len(rows) * (bar_h + gap) + 20
    target = number(figure.get("target"))
    target_x = None
    if target is not None and Decimal(0) <= Decimal(target) <= top:
        target_x = label_w + round(float(target) * plot_w / float(top))
    return {
        "code": code,
        "title": figure.get("label") or code,
        "unit": unit,
        "bars": bars,
        "width": label_w + plot_w + 80,
        "height": height,
        "axis_x": label_w,
        "axis_bottom": height - 18,
        "target_x": target_x,
        "target_display": figure.get("target_display") or "",
        "fill": PALETTE[0],
    }


def line_chart(snapshot: dict, name: str, codes) -> dict | None:
    """Lines of the monthly trend of `codes` (one unit per chart), with month labels."""
    trends = snapshot.get("trends") or {}
    months = trends.get("months") or []
    series = trends.get("series") or {}
    codes = [c for c in codes if c in series]
    if not months or not codes:
        return None
    units = trends.get("units") or {}
    unit = units.get(codes[0]) or "count"
    labels = trends.get("labels") or {}
    values = {c: [number(v) for v in series[c]] for c in codes}
    if all(v is None for c in codes for v in values[c]):
        return None  # no month recorded yet: the page says so rather than draw empty axes
    top = _scale_top([v for c in codes for v in values[c]], unit)
    left, right, top_pad, plot_h, width = 48, 16, 12, 170, 640
    plot_w = width - left - right
    step = plot_w / max(len(months) - 1, 1)

    def x_of(i):
        return round(left + i * step, 1)

    def y_of(v):
        return round(top_pad + plot_h - float(v) * plot_h / float(top), 1)

    lines = []
    for index, code in enumerate(codes):
        segments, current, points = [], [], []
        for i, v in enumerate(values[code]):
            if v is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{x_of(i)},{y_of(v)}")
            points.append({"x": x_of(i), "y": y_of(v), "month": months[i], "value": v})
        if current:
            segments.append(" ".join(current))
        lines.append(
            {
                "code": code,
                "label": labels.get(code, code),
                "colour": PALETTE[index % len(PALETTE)],
                "segments": segments,
                "points": points,
            }
        )
    ticks = [{"y": y_of(top * k / 4), "label": _tick_label(top * k / 4, unit)} for k in range(5)]
    every = 1 if len(months) <= 12 else 2
    month_labels = [
        {"x": x_of(i), "label": m[2:] if len(months) > 12 else m[5:]}
        for i, m in enumerate(months)
        if (len(months) - 1 - i) % every == 0  # the last month always, then every `every`
    ]
    return {
        "name": name,
        "unit": unit,
        "lines": lines,
        "width": width,
        "height": top_pad + plot_h + 28,
        "left": left,
        "right": width - right,
        "axis_y": top_pad + plot_h,
        "ticks": ticks,
        "months": month_labels,
        "label_y": top_pad + plot_h + 16,
        "table": {
            "months": months,
            "rows": [{"label": labels.get(c, c), "values": [_blank(v) for v in values[c]]} for c in codes],
        },
    }


def _tick_label(value, unit: str) -> str:
    value = Decimal(value)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"
    return f"{text}%" if unit == "percent" else text


def charts(snapshot: dict) -> dict:
    lines = [c for c in (line_chart(snapshot, name, codes) for name, codes in TREND_CHARTS) if c]
    return {
        "bars": [c for c in (bar_chart(snapshot, code) for code in BAR_CODES) if c],
        "lines": lines,
        # The trend was asked for, but the cockpit has recorded none of its months yet.
        "trend_empty": not lines and bool((snapshot.get("trends") or {}).get("months")),
    }


# What a report is called ---------------------------------------------------------------------------


def scope_label(report: Report) -> str:
    return report.town.name if report.town_id else _("The whole park")


def title(report: Report) -> str:
    """ "<park> labour relations report, <period> (<scope>)" in the active language."""
    return _("%(park)s labour relations report %(period)s (%(scope)s)") % {
        "park": settings.PARK_NAME,
        "period": rules.period_label(report.kind, report.period_start),
        "scope": scope_label(report),
    }


def file_name(report: Report, extension: str) -> str:
    scope = report.town.code if report.town_id else "park"
    return f"report-{report.kind}-{report.period_start:%Y%m%d}-{scope}.{extension}"


def page(report: Report, snapshot: dict | None = None) -> dict:
    """What the report's page (and its PDF) shows, from the kept figures."""
    snapshot = (report.figures or {}) if snapshot is None else snapshot
    return {
        "report": report,
        "title": title(report),
        "period_label": rules.period_label(report.kind, report.period_start),
        "scope_label": scope_label(report),
        "headline": headline_rows(snapshot),
        "by_town": by_town_table(snapshot),
        "charts": charts(snapshot),
        "stale": is_stale(report),
    }


# The .xlsx --------------------------------------------------------------------------------------------


def _cell(figure: dict):
    return number(figure.get("value"))


def xlsx_sheets(report: Report, snapshot: dict) -> list[Sheet]:
    """The workbook: the report's identity, the figures against their targets, the table by town
    (park reports) and the monthly trend. Amounts in yuan are numbers shown as 2,460,633.00."""
    figures = snapshot.get("figures") or []
    about = Sheet(
        title=_("About the report"),
        rows=[
            (_("Title"), title(report)),
            (_("Kind"), report.get_kind_display()),
            (_("Reporting period"), rules.period_label(report.kind, report.period_start)),
            (_("From"), report.period_start),
            (_("To"), report.period_end),
            (_("Scope"), scope_label(report)),
            (_("Figures as of"), report.period_end),
            (_("Generated at"), timezone.localtime().replace(microsecond=0, tzinfo=None)),
        ],
        widths={0: 18, 1: 60},
        freeze="",
        bold_first_column=True,
    )
    headline = Sheet(
        title=_("Figures and targets"),
        header=(
            _("Figure"),
            _("Value"),
            _("Amount (yuan)"),
            _("Unit"),
            _("Target"),
            _("Target met"),
            _("As shown"),
            _("Numerator"),
            _("Denominator"),
            _("Source of the target"),
            _("Code"),
        ),
        rows=[
            (
                f.get("label") or f["code"],
                None if f.get("unit") == "yuan" else _cell(f),
                _cell(f) if f.get("unit") == "yuan" else None,
                _unit_label(f.get("unit")),
                number(f.get("target")),
                ""
                if f.get("meets_target") is None
                else (_("Met") if f.get("meets_target") else _("Not met")),
                f.get("display") or "",
                number(f.get("numerator")),
                number(f.get("denominator")),
                f.get("source") or "",
                f["code"],
            )
            for f in figures
        ],
        widths={0: 28, 1: 12, 2: 18, 3: 8, 4: 10, 5: 10, 6: 20, 7: 12, 8: 12, 9: 40, 10: 28},
        money=(2,),
        bold_first_column=True,
    )
    sheets = [about, headline]
    data = snapshot.get("by_town")
    if data:
        codes = list(data.get("codes") or BY_TOWN_CODES)
        labels = data.get("labels") or {}
        units = data.get("units") or {c: figures_by_code(snapshot).get(c, {}).get("unit") for c in codes}

        def row(r):
            values = r.get("values") or {}
            return [r.get("label") or r.get("key"), *(number(values.get(c)) for c in codes)]

        rows = [row(r) for r in data.get("rows") or []]
        if data.get("total"):
            rows.append([_("The whole park"), *row(data["total"])[1:]])
        sheets.append(
            Sheet(
                title=_("By town"),
                header=(_("Town / sub-district"), *(labels.get(c, c) for c in codes)),
                rows=rows,
                widths={0: 16, **{i + 1: 14 for i in range(len(codes))}},
                money=tuple(i + 1 for i, c in enumerate(codes) if units.get(c) == "yuan"),
                freeze="B2",
                bold_first_column=True,
            )
        )
    trends = snapshot.get("trends") or {}
    if trends.get("months"):
        codes = [c for c in TREND_CODES if c in (trends.get("series") or {})] or list(
            trends.get("series") or {}
        )
        labels = trends.get("labels") or {}
        units = trends.get("units") or {}
        sheets.append(
            Sheet(
                title=_("Monthly trend"),
                header=(_("Month"), *(labels.get(c, c) for c in codes)),
                rows=[
                    (month, *(number(trends["series"][c][i]) for c in codes))
                    for i, month in enumerate(trends["months"])
                ],
                widths={0: 10, **{i + 1: 16 for i in range(len(codes))}},
                money=tuple(i + 1 for i, c in enumerate(codes) if units.get(c) == "yuan"),
            )
        )
    return sheets


def _unit_label(unit) -> str:
    return {
        "percent": "%",
        "count": _("count"),
        "yuan": _("yuan"),
        "days": _("days"),
    }.get(unit or "", unit or "")


# The PDF ----------------------------------------------------------------------------------------------


def pdf_context(report: Report, snapshot: dict) -> dict:
    """The PDF's context (rendered synchronously in the report's task, in its language)."""
    return {
        **page(report, snapshot),
        "snapshot": snapshot,
        "generated_at": timezone.localtime().replace(microsecond=0),
        "kind_label": Kind(report.kind).label,
    }
