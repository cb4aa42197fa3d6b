"""The cockpit's figures as definitions (pure: no database).

A figure is kept as a numerator and a denominator per (town, industry) group, so the park, a town
and an industry are sums of the same groups and the rates of a breakdown always add up to the
park's. What a figure's value is follows from its unit: a percentage is numerator / denominator,
days an average (days summed / cases), a count or an amount the numerator itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .choices import (  # noqa: F401 (the figures' definitions, read as rules.X)
    BY_CODE,
    COUNT,
    DAYS,
    DEFINITIONS,
    FIGURE_ORDER,
    FLOW,
    HEADLINE,
    HIGHER,
    LOWER,
    MEDIATION_DAYS_SOURCE,
    OWN_TARGETS,
    PERCENT,
    REPORTED,
    SIGNING_SOURCE,
    STOCK,
    YUAN,
    Definition,
)

ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")


def value_of(unit: str, numerator, denominator):
    """The figure's value from its sums: None where there is nothing to divide by."""
    if unit == PERCENT:
        if not denominator:
            return None
        return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    if unit == DAYS:
        if not denominator:
            return None
        return (Decimal(numerator) / Decimal(denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    if unit == YUAN:
        return Decimal(numerator or 0).quantize(CENTS)
    return int(numerator or 0)


def meets(value, target, better: str | None) -> bool | None:
    """Whether a value meets its target (None without either)."""
    if value is None or target is None or better is None:
        return None
    return value >= target if better == HIGHER else value <= target


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_up_to(as_of: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with `as_of`'s month, oldest first."""
    last = month_start(as_of)
    return [add_months(last, -i) for i in range(count - 1, -1, -1)]


def default_since(as_of: dt.date) -> dt.date:
    """Flows count from the first of January of the year of `as_of` (year to date)."""
    return as_of.replace(month=1, day=1)


def period_error(as_of: dt.date, since: dt.date, today: dt.date) -> str | None:
    """Why a period may not be asked for (None when it may)."""
    if as_of > today:
        return str(_("The date may not be in the future."))
    if since > as_of:
        return str(_("The start of the period must be on or before its end."))
    if as_of.year - since.year > 10:
        return str(_("A period may not be longer than ten years."))
    return None
