"""The arithmetic of report periods (pure functions: no queries).

A period is a calendar month, a calendar quarter (January-March, April-June, July-September,
October-December) or a calendar year; a report covers one whole period that has ended. The
schedule runs every day and, on the first day of a month, of a quarter and of a year, makes the
report of the period that ended the day before.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from .models import Kind

#: The first year a report may cover (the platform holds no earlier records).
MIN_YEAR = 2000
#: Months of trend drawn in a report: a year for monthly and quarterly reports, two for a yearly one.
TREND_MONTHS = {Kind.MONTHLY: 12, Kind.QUARTERLY: 12, Kind.YEARLY: 24}
#: Progress (%) of a generation when each step starts (the report's page shows it).
STEP_FIGURES, STEP_XLSX, STEP_PDF, STEP_DONE = 10, 50, 70, 100
#: A report "being generated" whose row has not moved for this long lost its worker: it may be
#: generated again (longer than the task's hard limit, apps/reports/tasks.py).
STALE_SECONDS = 15 * 60

KINDS = tuple(Kind.values)


def quarter_of(day: dt.date) -> int:
    """1-4: the calendar quarter of `day`."""
    return (day.month - 1) // 3 + 1


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the `kind` period that holds `day`."""
    if kind == Kind.MONTHLY:
        return day.replace(day=1), _month_end(day.year, day.month)
    if kind == Kind.QUARTERLY:
        first_month = 3 * (quarter_of(day) - 1) + 1
        return dt.date(day.year, first_month, 1), _month_end(day.year, first_month + 2)
    if kind == Kind.YEARLY:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(f"unknown report kind {kind!r}")


def previous_period(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete `kind` period before the one that holds `day` (on 1 April: March, the
    first quarter, the previous year)."""
    start, _end = period_of(kind, day)
    return period_of(kind, start - dt.timedelta(days=1))


def period_for(kind: str, year: int, number: int | None = None) -> tuple[dt.date, dt.date]:
    """The period a user picks: a year and a month (1-12, monthly), a quarter (1-4, quarterly) or
    nothing (yearly). ValueError for a number out of range."""
    if kind == Kind.MONTHLY:
        if number is None or not 1 <= number <= 12:
            raise ValueError("month out of range")
        return period_of(kind, dt.date(year, number, 1))
    if kind == Kind.QUARTERLY:
        if number is None or not 1 <= number <= 4:
            raise ValueError("quarter out of range")
        return period_of(kind, dt.date(year, 3 * (number - 1) + 1, 1))
    if kind == Kind.YEARLY:
        return period_of(kind, dt.date(year, 1, 1))
    raise ValueError(f"unknown report kind {kind!r}")


def is_period_start(kind: str, day: dt.date) -> bool:
    return period_of(kind, day)[0] == day


def due_periods(day: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """What the daily schedule generates on `day`: (kind, start, end) of each period that ended
    yesterday. Nothing on most days; on 1 January the previous December, fourth quarter and year."""
    return [(kind, *previous_period(kind, day)) for kind in KINDS if is_period_start(kind, day)]


def period_errors(kind, period_start, today: dt.date, period_end=None) -> dict[str, list]:
    """Why a chosen period cannot be reported ({field: [messages]}, empty when it can): the kind
    must be one of the three, the dates must be those of one whole period, which must have ended
    by yesterday (a report is a kept record: it never covers days still to come) and not start
    before MIN_YEAR."""
    if kind not in KINDS:
        return {"kind": [_("Choose monthly, quarterly or yearly.")]}
    if not isinstance(period_start, dt.date) or isinstance(period_start, dt.datetime):
        return {"period_start": [_("Choose the period of the report.")]}
    start, end = period_of(kind, period_start)
    if period_start != start or (period_end is not None and period_end != end):
        return {
            "period_start": [
                _("The dates must be those of one whole period of the kind chosen (%(start)s to %(end)s).")
                % {"start": start.isoformat(), "end": end.isoformat()}
            ]
        }
    if start.year < MIN_YEAR:
        return {"period_start": [_("Choose a period from %(year)s on.") % {"year": MIN_YEAR}]}
    if end >= today:
        return {
            "period_start": [
                _("The period has not ended yet (it ends on %(end)s): choose a period that has ended.")
                % {"end": end.isoformat()}
            ]
        }
    return {}


def period_label(kind: str, start: dt.date):
    """How a period is named on pages, in file names' titles and in the PDF."""
    if kind == Kind.MONTHLY:
        return _("%(year)s-%(month)s") % {"year": start.year, "month": f"{start.month:02d}"}
    if kind == Kind.QUARTERLY:
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter_of(start), "year": start.year}
    return _("Year %(year)s") % {"year": start.year}


def latest_complete(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The most recent period of `kind` that has ended (what the request form proposes)."""
    return previous_period(kind, today)
