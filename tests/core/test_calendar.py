import datetime as dt

import pytest

from apps.core import calendar
from apps.core.calendar import Deadline, DeadlineUnit, add_working_days
from apps.core.models import CalendarOverride

pytestmark = pytest.mark.django_db

D = dt.date


def test_official_2026_national_day_is_rest_and_makeup_days_work():
    # 2026 schedule: 1-7 October off; Sunday 20 September and Saturday 10 October are working days.
    for day in range(1, 8):
        assert not calendar.is_working_day(D(2026, 10, day))
    assert calendar.is_working_day(D(2026, 9, 20))  # Sunday, make-up working day
    assert calendar.is_working_day(D(2026, 10, 10))  # Saturday, make-up working day
    assert not calendar.is_working_day(D(2026, 10, 11))  # ordinary Sunday


def test_three_working_days_across_national_day():
    # Received on Wednesday 30 September 2026: the holiday does not count; 8, 9, 10 October do.
    due = calendar.add_working_days(D(2026, 9, 30), 3)
    assert due.date == D(2026, 10, 10)
    assert due.unit == DeadlineUnit.WORKING_DAYS
    assert due.estimated is False


def test_five_working_days_across_national_day_skips_sunday():
    due = calendar.add_working_days(D(2026, 9, 30), 5)
    # 8 Thu, 9 Fri, 10 Sat (make-up), 12 Mon, 13 Tue
    assert due.date == D(2026, 10, 13)


def test_calendar_days_ignore_holidays():
    due = calendar.add_calendar_days(D(2026, 9, 30), 15)
    assert due.date == D(2026, 10, 15)
    assert due.unit == DeadlineUnit.CALENDAR_DAYS


def test_calendar_period_ending_on_a_holiday_can_extend_to_next_working_day():
    # Civil Code art. 203: a period ending on a rest day ends on the next working day.
    due = calendar.add_calendar_days(D(2026, 9, 26), 7, extend_past_rest_day=True)  # lands on 3 Oct
    assert due.date == D(2026, 10, 8)
    assert calendar.add_calendar_days(D(2026, 9, 26), 7).date == D(2026, 10, 3)


def test_unknown_year_falls_back_to_estimate_without_crashing():
    info = calendar.day_info(D(2027, 1, 1))
    assert info.is_working_day is False
    assert info.estimated is True
    assert info.source == "estimate"
    # Spring Festival 2027 is 6 February: the eve (5 Feb, a Friday) is a statutory holiday.
    assert not calendar.is_working_day(D(2027, 2, 5))
    assert calendar.is_working_day(D(2027, 2, 10))  # Wednesday after the festival
    assert not calendar.is_working_day(D(2027, 10, 1))


def test_deadline_across_new_year_into_2027_is_marked_estimated():
    due = calendar.add_working_days(D(2026, 12, 30), 3)
    # 31 Dec 2026 (Thu, official data) then 1 Jan 2027 holiday (estimated), 4 and 5 Jan.
    assert due.date == D(2027, 1, 5)
    assert due.estimated is True


def test_override_wins_over_official_and_estimate():
    CalendarOverride.objects.create(date=D(2027, 1, 4), is_working_day=False, note="国务院办公厅通知")
    CalendarOverride.objects.create(date=D(2026, 10, 7), is_working_day=True, note="test")
    assert calendar.day_info(D(2027, 1, 4)).source == "override"
    assert not calendar.is_working_day(D(2027, 1, 4))
    assert calendar.is_working_day(D(2026, 10, 7))
    assert calendar.add_working_days(D(2026, 12, 31), 1).date == D(2027, 1, 5)


def test_deadline_object_says_its_unit():
    three_working = Deadline(3, DeadlineUnit.WORKING_DAYS, "劳动争议调解仲裁法")
    fifteen = Deadline(15, DeadlineUnit.CALENDAR_DAYS)
    assert three_working.due(D(2026, 9, 30)).date == D(2026, 10, 10)
    assert fifteen.due(D(2026, 9, 30)).date == D(2026, 10, 15)
    assert "3" in three_working.describe()


def test_working_days_between_counts_only_working_days():
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == 0


@pytest.mark.parametrize("bad", [-1, 100000])
def test_absurd_inputs_are_refused(bad):
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 1, 1), bad)
    with pytest.raises(ValueError):
        calendar.add_calendar_days(D(2026, 1, 1), bad)


def test_a_unit_of_work_reads_the_overrides_once(django_assert_num_queries):
    from apps.core.calendar import overrides_read_once

    CalendarOverride.objects.create(date=dt.date(2031, 1, 6), is_working_day=False, note="test")
    with overrides_read_once(), django_assert_num_queries(1):
        for offset in range(200):
            add_working_days(dt.date(2031, 1, 1) + dt.timedelta(days=offset), 10)
        assert add_working_days(dt.date(2031, 1, 3), 1).date == dt.date(2031, 1, 7)
    # Outside a unit of work every computation reads the table (an edit is seen at once).
    with django_assert_num_queries(1):
        add_working_days(dt.date(2031, 1, 3), 1)


def test_a_calendar_day_deadline_ends_on_a_working_day_unless_it_says_otherwise():
    """Civil Code art. 203 for every calendar-day `Deadline` (domain guide §8)."""
    period = calendar.Deadline(15, DeadlineUnit.CALENDAR_DAYS, "劳动争议调解仲裁法第十四条")
    assert period.due(D(2026, 9, 20)).date == D(2026, 10, 8)  # 5 October is in the holiday
    assert period.due(D(2026, 9, 14)).date == D(2026, 9, 29)  # a working day: unchanged
    assert "民法典第二百零三条" in period.sources and "劳动争议调解仲裁法第十四条" in period.sources
    fixed = calendar.Deadline(15, DeadlineUnit.CALENDAR_DAYS, "x", ends_on_working_day=False)
    assert fixed.due(D(2026, 9, 20)).date == D(2026, 10, 5) and fixed.sources == "x"
    working = calendar.Deadline(3, DeadlineUnit.WORKING_DAYS, "y")
    assert working.sources == "y", "a period in working days needs no rule for its last day"


def test_a_period_ending_on_new_year_2027_moves_with_the_estimated_calendar():
    due = calendar.Deadline(15, DeadlineUnit.CALENDAR_DAYS).due(D(2026, 12, 17))  # 1 January 2027
    assert due.date == D(2027, 1, 4)  # Friday the holiday, then the weekend
    assert due.estimated is True


def test_on_working_day_follows_the_administrators_overrides():
    from apps.core.models import CalendarOverride

    CalendarOverride.objects.create(date=D(2026, 10, 8), is_working_day=False, note="test")
    assert calendar.on_working_day(D(2026, 10, 5)).date == D(2026, 10, 9)
    assert calendar.on_working_day(D(2026, 10, 9)).date == D(2026, 10, 9)
