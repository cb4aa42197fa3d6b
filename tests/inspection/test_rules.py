"""The clocks and periods of labour inspection at their boundaries, across the National Day
holiday of 2026 (Oct 1-7, with Saturday Oct 10 a make-up working day) and for periods that end on
a holiday (Civil Code art. 203)."""

import datetime as dt

import pytest

from apps.core.calendar import DeadlineUnit
from apps.core.models import CalendarOverride
from apps.inspection import rules

pytestmark = pytest.mark.django_db

D = dt.date


def test_every_law_constant_names_its_source():
    assert rules.ACCEPTANCE_PERIOD.source == "关于实施《劳动保障监察条例》若干规定第十八条"
    assert rules.INVESTIGATION_PERIOD.source == "劳动保障监察条例第十七条"
    assert rules.EXTENSION_PERIOD.source == "劳动保障监察条例第十七条"
    assert rules.LIMITATION_SOURCE == "劳动保障监察条例第二十条"
    assert "人社部令第45号" in rules.LISTING_TERM_SOURCE and "第十一条" in rules.LISTING_TERM_SOURCE
    assert "第十二条" in rules.EARLY_REMOVAL_SOURCE
    assert (rules.ACCEPTANCE_PERIOD.days, rules.ACCEPTANCE_PERIOD.unit) == (5, DeadlineUnit.WORKING_DAYS)
    assert (rules.INVESTIGATION_PERIOD.days, rules.EXTENSION_PERIOD.days) == (60, 30)
    assert rules.MAX_EXTENSIONS == 1 and rules.LIMITATION_YEARS == 2 and rules.LISTING_TERM_YEARS == 3
    assert rules.EARLY_REMOVAL_MONTHS == 6


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 9, 22), D(2026, 9, 30)),  # Sep 23, 24, (25 Mid-Autumn, weekend) 28, 29, 30
        (D(2026, 9, 29), D(2026, 10, 12)),  # Sep 30, then Oct 8, 9, 10 (make-up Saturday), 12
        (D(2026, 9, 30), D(2026, 10, 13)),  # the whole holiday week does not count
        (D(2026, 10, 1), D(2026, 10, 13)),  # received on the holiday: Oct 8, 9, 10, 12, 13
        (D(2026, 10, 7), D(2026, 10, 13)),
        (D(2026, 10, 8), D(2026, 10, 14)),  # received on the first working day: it is not counted
    ],
)
def test_accept_or_refuse_within_5_working_days_across_national_day(received, due):
    assert rules.acceptance_due(received).date == due
    assert rules.acceptance_due(received).unit == DeadlineUnit.WORKING_DAYS


def test_investigation_60_working_days_and_one_extension_of_30():
    accepted = D(2026, 9, 29)
    due = rules.investigation_due(accepted).date
    # 60 working days after Sep 29 skip the 7 days of National Day and count Saturday Oct 10.
    from apps.core.calendar import working_days_between

    assert working_days_between(accepted, due) == 60
    assert working_days_between(accepted, due - dt.timedelta(days=1)) == 59
    extended = rules.extended_due(due).date
    assert working_days_between(due, extended) == 30


def test_an_administrators_override_moves_the_clock():
    # The park declares Oct 8 a rest day: the 5 working days from Sep 30 end one working day later.
    CalendarOverride.objects.create(date=D(2026, 10, 8), is_working_day=False, note="test")
    assert rules.acceptance_due(D(2026, 9, 30)).date == D(2026, 10, 14)


def test_period_ending_on_a_holiday_moves_to_the_next_working_day():
    # 3 years from Oct 1 2023 end on Oct 1 2026, National Day: the period ends on Oct 8.
    assert rules.listing_expires_on(D(2023, 10, 1)) == D(2026, 10, 8)
    # An ordinary end stays where it is.
    assert rules.listing_expires_on(D(2023, 9, 29)) == D(2026, 9, 29)
    # Civil Code art. 202: a corresponding day that does not exist is the month's last day.
    # Feb 28 2026 is a Saturday but a make-up working day of the Spring Festival: it stays.
    assert rules.period_end(D(2024, 2, 29), years=2).date == D(2026, 2, 28)
    # A period ending on an ordinary Sunday moves to the Monday.
    assert rules.period_end(D(2026, 3, 1), months=6).date == D(2026, 9, 1)  # Sep 1 2026 is a Tuesday
    assert rules.period_end(D(2026, 3, 6), months=6).date == D(2026, 9, 7)  # Sep 6 is a Sunday


@pytest.mark.parametrize(
    ("ended", "received", "warned"),
    [
        (D(2024, 9, 29), D(2026, 9, 29), False),  # the last day of the 2 years
        (D(2024, 9, 29), D(2026, 9, 30), True),  # the day after
        (D(2024, 10, 3), D(2026, 10, 8), False),  # the 2 years end on a holiday: moved to Oct 8
        (D(2024, 10, 3), D(2026, 10, 9), True),
    ],
)
def test_two_year_limitation_warning_at_its_boundary(ended, received, warned):
    warning = rules.limitation_warning(ended, received)
    assert (warning is not None) is warned
    if warning:
        assert warning.source == "劳动保障监察条例第二十条"
        assert "劳动保障监察条例第二十条" in warning.message


def test_no_limitation_warning_without_the_date():
    assert rules.limitation_warning(None, D(2026, 10, 9)) is None


def test_early_removal_conditions_each_named_with_the_rule(english):
    listed = D(2026, 4, 1)
    # 6 months end on Oct 1, a holiday, so on Oct 8; removal from the day after.
    assert rules.early_removal_from(listed) == D(2026, 10, 9)
    # Arrears paid before the listing: counted from the listing; paid after: from the payment
    # (Measures art. 12: 自改正之日起满6个月). May 1 + 6 months = Sunday Nov 1, so Nov 2; then Nov 3.
    assert rules.early_removal_from(listed, D(2026, 3, 20)) == D(2026, 10, 9)
    assert rules.early_removal_from(listed, D(2026, 5, 1)) == D(2026, 11, 3)
    refusals = rules.early_removal_refusals(
        listed_on=listed, on=D(2026, 10, 8), arrears_paid_on=None, pledge_received_on=None
    )
    assert set(refusals) == {"arrears_paid_on", "removed_on", "pledge_received_on"}
    assert all(rules.EARLY_REMOVAL_SOURCE in message for message in refusals.values())
    assert (
        rules.early_removal_refusals(
            listed_on=listed,
            on=D(2026, 10, 9),
            arrears_paid_on=D(2026, 3, 20),
            pledge_received_on=D(2026, 5, 2),
        )
        == {}
    )
    assert set(
        rules.early_removal_refusals(
            listed_on=listed,
            on=D(2026, 11, 2),
            arrears_paid_on=D(2026, 5, 1),
            pledge_received_on=D(2026, 5, 2),
        )
    ) == {"removed_on"}
    assert (
        rules.early_removal_refusals(
            listed_on=listed,
            on=D(2026, 11, 3),
            arrears_paid_on=D(2026, 5, 1),
            pledge_received_on=D(2026, 5, 2),
        )
        == {}
    )
    # A pledge dated after the removal day does not count.
    assert "pledge_received_on" in rules.early_removal_refusals(
        listed_on=listed, on=D(2026, 10, 9), arrears_paid_on=D(2026, 5, 1), pledge_received_on=D(2026, 10, 10)
    )


def test_credit_grade_rule_as_data():
    assert rules.credit_grade([]) == "A"
    assert rules.credit_grade(["order_to_rectify"]) == "B"
    assert rules.credit_grade(["order_to_rectify", "penalty_recorded"]) == "C"
    assert rules.credit_grade(["wage_arrears_listed"]) == "C"
    stricter = {"source": "park", "grades": [("C", ["order_to_rectify"])], "default": "A"}
    assert rules.credit_grade(["order_to_rectify"], stricter) == "C"
