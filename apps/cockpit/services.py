"""Writes of the cockpit: the monthly record of every figure (`FigureMonth`) that its trends read."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from apps.core.principal import SYSTEM

from . import rules, selectors
from .models import FigureMonth, RecordedMonth

logger = logging.getLogger(__name__)

#: How many complete months the trends show (issue 20: 24-month trends).
HISTORY_MONTHS = 24


def record_month(month: dt.date) -> int:
    """Record every figure of the whole park for one complete month, per (town, industry) group:
    stocks at the month's end, flows over the month. Once: a month already recorded is kept (a
    statistical return is not rewritten). Returns the rows written."""
    month = rules.month_start(month)
    if month >= rules.month_start(timezone.localdate()):
        raise ValueError("only a complete month is recorded")
    if RecordedMonth.objects.filter(month=month).exists():
        return 0
    groups = selectors._groups(SYSTEM, rules.FIGURE_ORDER, rules.month_end(month), month)
    rows = []
    for code, cells in groups.items():
        for key, (num, den) in cells.items():
            town, industry = key.split("|")
            rows.append(
                FigureMonth(
                    month=month,
                    code=code,
                    town_id=town or None,
                    industry=industry,
                    numerator=num,
                    denominator=den,
                )
            )
    with transaction.atomic():
        _created, new = RecordedMonth.objects.get_or_create(month=month)
        if not new:  # another worker recorded it meanwhile
            return 0
        FigureMonth.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def record_months(today: dt.date | None = None, months: int = HISTORY_MONTHS) -> list[dt.date]:
    """Record the complete months of the trends' window that are not recorded yet (the nightly
    job; on a new installation it fills the whole window once). Returns the months recorded."""
    today = today or timezone.localdate()
    wanted = [rules.add_months(today, -i) for i in range(months, 0, -1)]
    done = selectors.recorded_months()
    recorded = []
    for month in wanted:
        if month in done:
            continue
        record_month(month)
        recorded.append(month)
        logger.info("cockpit: recorded %s", month)
    return recorded
