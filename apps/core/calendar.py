"""The one working-day calendar. Every deadline in the platform is computed here.

China moves working days around public holidays (调休), so a weekday calendar is wrong. Sources,
in order of precedence:

1. ``CalendarOverride`` rows an administrator enters (e.g. from a State Council notice);
2. the official schedule shipped in the ``chinese-calendar`` package, for the years it knows;
3. for later years an *estimate*: weekends plus the statutory holidays of the 全国年节及纪念日放假办法
   (2024 revision, art. 2: New Year 1 day, Spring Festival 4 days from New Year's Eve, Qingming 1,
   Labour Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3), without make-up days. Results that
   used an estimate are marked ``estimated`` so the UI can say so instead of crashing.

Counting follows 民法典 (Civil Code) art. 201: a period in days starts on the day after the
triggering event. Art. 203: a period counted in calendar days (or months, or years) whose last day
is a statutory holiday or rest day ends on the first working day after it. Every calendar-day
``Deadline`` follows art. 203 unless it says otherwise (``ends_on_working_day=False``, with the
reason beside it); ``add_calendar_days(..., extend_past_rest_day=True)`` and ``on_working_day``
apply it to other periods. Periods in working days need no such rule: they end on a working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
import lunardate
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CalendarOverride

#: Guard against runaway loops on absurd inputs (e.g. 10 000 working days).
MAX_DAYS = 3660

#: A period whose last day is a statutory holiday or rest day ends on the next working day.
PERIOD_END_SOURCE = "民法典第二百零三条"


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    estimated: bool
    source: str  # "override" | "official" | "estimate"


@dataclass(frozen=True)
class DeadlineDate:
    """A computed deadline: the date, the unit it was counted in, and whether any day in the
    count came from the estimate for a year without an official schedule."""

    date: dt.date
    unit: str
    estimated: bool = False


@dataclass(frozen=True)
class Deadline:
    """A period as the law states it, e.g. ``Deadline(3, DeadlineUnit.WORKING_DAYS, "...")``.

    A calendar-day period ends on a working day (Civil Code art. 203) unless
    ``ends_on_working_day`` is False."""

    days: int
    unit: str
    source: str = ""
    ends_on_working_day: bool = True

    @property
    def moves_past_rest_days(self) -> bool:
        return self.unit == DeadlineUnit.CALENDAR_DAYS and self.ends_on_working_day

    def due(self, start: dt.date, *, overrides: dict | None = None) -> DeadlineDate:
        if self.unit == DeadlineUnit.WORKING_DAYS:
            return add_working_days(start, self.days, overrides=overrides)
        return add_calendar_days(
            start, self.days, extend_past_rest_day=self.ends_on_working_day, overrides=overrides
        )

    def describe(self) -> str:
        text = f"{self.days} {DeadlineUnit(self.unit).label}"
        if self.moves_past_rest_days:
            text += str(_(" (a last day on a holiday or rest day moves to the next working day)"))
        return text

    @property
    def sources(self) -> str:
        """The period's source, and the Civil Code's rule for its last day where it applies."""
        if self.moves_past_rest_days:
            return f"{self.source}；{PERIOD_END_SOURCE}" if self.source else PERIOD_END_SOURCE
        return self.source


def _qingming(year: int) -> dt.date:
    # Solar term 清明 for 2001-2099: day = floor(Y*0.2422 + 4.81) - floor(Y/4), Y = year % 100.
    y = year % 100
    return dt.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


@lru_cache(maxsize=64)
def estimated_holidays(year: int) -> frozenset[dt.date]:
    """Statutory holidays of a year without an official schedule (no make-up days)."""
    days = {dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2)}
    days |= {dt.date(year, 10, d) for d in (1, 2, 3)}
    spring = lunardate.LunarDate(year, 1, 1).to_solar_date()
    days |= {spring + dt.timedelta(days=i) for i in (-1, 0, 1, 2)}
    days.add(_qingming(year))
    days.add(lunardate.LunarDate(year, 5, 5).to_solar_date())
    days.add(lunardate.LunarDate(year, 8, 15).to_solar_date())
    return frozenset(days)


#: The override table as read once in the current unit of work (a request, a Celery task), or None
#: outside one. The table holds a few rows a year, so reading it whole is one cheap query.
_unit_of_work: ContextVar[dict | None] = ContextVar("calendar_overrides", default=None)


def begin_unit_of_work():
    """Start reading the override table at most once; returns the token for `end_unit_of_work`."""
    return _unit_of_work.set({})


def end_unit_of_work(token) -> None:
    _unit_of_work.reset(token)


@contextmanager
def overrides_read_once() -> Iterator[None]:
    """Within this block, `load_overrides` reads the table at most once, however many deadlines
    are computed (a dossier computes hundreds). `RequestIdMiddleware` opens one per request and
    `apps.core.tasks` one per Celery task; an edit made in the admin is seen by the next request."""
    token = begin_unit_of_work()
    try:
        yield
    finally:
        end_unit_of_work(token)


def load_overrides(start: dt.date | None = None, end: dt.date | None = None) -> dict[dt.date, bool]:
    """The administrator's overrides between `start` and `end` (or more: callers only look dates up)."""
    memo = _unit_of_work.get()
    if memo is not None:
        if "all" not in memo:
            memo["all"] = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
        return memo["all"]
    qs = CalendarOverride.objects.all()
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return dict(qs.values_list("date", "is_working_day"))


def day_info(day: dt.date, *, overrides: dict | None = None) -> DayInfo:
    if overrides is None:
        overrides = load_overrides(day, day)
    if day in overrides:
        return DayInfo(day, overrides[day], False, "override")
    try:
        return DayInfo(day, chinese_calendar.is_workday(day), False, "official")
    except NotImplementedError:
        rest = day.weekday() >= 5 or day in estimated_holidays(day.year)
        return DayInfo(day, not rest, True, "estimate")


def is_working_day(day: dt.date) -> bool:
    return day_info(day).is_working_day


def add_working_days(start: dt.date, n: int, *, overrides: dict | None = None) -> DeadlineDate:
    """The date of the n-th working day after ``start`` (``start`` itself is not counted)."""
    if n < 0 or n > MAX_DAYS:
        raise ValueError(f"working days must be between 0 and {MAX_DAYS}")
    if overrides is None:
        overrides = load_overrides(start, start + dt.timedelta(days=n * 3 + 60))
    day, counted, estimated = start, 0, False
    while counted < n:
        day += dt.timedelta(days=1)
        info = day_info(day, overrides=overrides)
        estimated = estimated or info.estimated
        if info.is_working_day:
            counted += 1
    return DeadlineDate(day, DeadlineUnit.WORKING_DAYS, estimated)


def add_calendar_days(
    start: dt.date, n: int, *, extend_past_rest_day: bool = False, overrides: dict | None = None
) -> DeadlineDate:
    """``start`` + n days. With ``extend_past_rest_day`` a period ending on a statutory rest day
    ends on the next working day (民法典 art. 203)."""
    if n < 0 or n > MAX_DAYS:
        raise ValueError(f"calendar days must be between 0 and {MAX_DAYS}")
    day = start + dt.timedelta(days=n)
    if not extend_past_rest_day:
        return DeadlineDate(day, DeadlineUnit.CALENDAR_DAYS, False)
    moved = on_working_day(day, overrides=overrides)
    return DeadlineDate(moved.date, DeadlineUnit.CALENDAR_DAYS, moved.estimated)


def on_working_day(day: dt.date, *, overrides: dict | None = None) -> DeadlineDate:
    """The last day of a period that would end on `day`: `day` itself if it is a working day,
    else the first working day after it (民法典 art. 203)."""
    if overrides is None:
        overrides = load_overrides(day, day + dt.timedelta(days=30))
    info = day_info(day, overrides=overrides)
    estimated = info.estimated
    while not info.is_working_day:
        day += dt.timedelta(days=1)
        info = day_info(day, overrides=overrides)
        estimated = estimated or info.estimated
    return DeadlineDate(day, DeadlineUnit.CALENDAR_DAYS, estimated)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    overrides = load_overrides(start, end)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day_info(day, overrides=overrides).is_working_day:
            count += 1
    return count
