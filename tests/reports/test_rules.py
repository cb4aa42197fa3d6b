"""The arithmetic of report periods (apps.reports.rules): pure, no database."""

import datetime as dt

import pytest
from django.utils import translation

from apps.reports import rules

D = dt.date


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("monthly", D(2026, 2, 14), (D(2026, 2, 1), D(2026, 2, 28))),
        ("monthly", D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 29))),  # leap year
        ("monthly", D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),
        ("quarterly", D(2026, 1, 1), (D(2026, 1, 1), D(2026, 3, 31))),
        ("quarterly", D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 31))),
        ("quarterly", D(2026, 4, 1), (D(2026, 4, 1), D(2026, 6, 30))),
        ("quarterly", D(2026, 8, 15), (D(2026, 7, 1), D(2026, 9, 30))),
        ("quarterly", D(2026, 12, 31), (D(2026, 10, 1), D(2026, 12, 31))),
        ("yearly", D(2026, 7, 1), (D(2026, 1, 1), D(2026, 12, 31))),
    ],
)
def test_period_of(kind, day, expected):
    assert rules.period_of(kind, day) == expected


def test_quarter_boundaries():
    assert [rules.quarter_of(D(2026, m, 1)) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("monthly", D(2026, 1, 1), (D(2025, 12, 1), D(2025, 12, 31))),
        ("monthly", D(2026, 3, 1), (D(2026, 2, 1), D(2026, 2, 28))),
        ("monthly", D(2026, 3, 20), (D(2026, 2, 1), D(2026, 2, 28))),
        ("quarterly", D(2026, 4, 1), (D(2026, 1, 1), D(2026, 3, 31))),
        ("quarterly", D(2026, 1, 1), (D(2025, 10, 1), D(2025, 12, 31))),
        ("yearly", D(2026, 1, 1), (D(2025, 1, 1), D(2025, 12, 31))),
        ("yearly", D(2026, 6, 30), (D(2025, 1, 1), D(2025, 12, 31))),
    ],
)
def test_previous_complete_period(kind, day, expected):
    assert rules.previous_period(kind, day) == expected


def test_period_for_a_users_choice():
    assert rules.period_for("monthly", 2026, 2) == (D(2026, 2, 1), D(2026, 2, 28))
    assert rules.period_for("quarterly", 2025, 4) == (D(2025, 10, 1), D(2025, 12, 31))
    assert rules.period_for("yearly", 2025) == (D(2025, 1, 1), D(2025, 12, 31))
    for kind, number in [
        ("monthly", 0),
        ("monthly", 13),
        ("monthly", None),
        ("quarterly", 5),
        ("quarterly", 0),
    ]:
        with pytest.raises(ValueError):
            rules.period_for(kind, 2026, number)
    with pytest.raises(ValueError):
        rules.period_for("weekly", 2026, 1)
    with pytest.raises(ValueError):
        rules.period_of("weekly", D(2026, 1, 1))


def test_the_schedule_is_due_on_the_first_days_only():
    assert rules.due_periods(D(2026, 5, 17)) == []
    assert rules.due_periods(D(2026, 5, 1)) == [("monthly", D(2026, 4, 1), D(2026, 4, 30))]
    assert rules.due_periods(D(2026, 7, 1)) == [
        ("monthly", D(2026, 6, 1), D(2026, 6, 30)),
        ("quarterly", D(2026, 4, 1), D(2026, 6, 30)),
    ]
    assert rules.due_periods(D(2026, 1, 1)) == [
        ("monthly", D(2025, 12, 1), D(2025, 12, 31)),
        ("quarterly", D(2025, 10, 1), D(2025, 12, 31)),
        ("yearly", D(2025, 1, 1), D(2025, 12, 31)),
    ]


TODAY = D(2026, 3, 10)


def test_a_whole_period_that_has_ended_is_valid():
    assert rules.period_errors("monthly", D(2026, 2, 1), TODAY) == {}
    assert rules.period_errors("monthly", D(2026, 2, 1), TODAY, period_end=D(2026, 2, 28)) == {}
    assert rules.period_errors("quarterly", D(2025, 10, 1), TODAY) == {}
    assert rules.period_errors("yearly", D(2025, 1, 1), TODAY) == {}
    # Ended yesterday: fine.
    assert rules.period_errors("monthly", D(2026, 2, 1), D(2026, 3, 1)) == {}


@pytest.mark.parametrize(
    ("kind", "start", "end", "field", "text"),
    [
        ("weekly", D(2026, 2, 1), None, "kind", "Choose monthly, quarterly or yearly."),
        ("monthly", None, None, "period_start", "Choose the period of the report."),
        ("monthly", "2026-02-01", None, "period_start", "Choose the period of the report."),
        ("monthly", D(2026, 2, 2), None, "period_start", "2026-02-01 to 2026-02-28"),
        ("quarterly", D(2025, 11, 1), None, "period_start", "2025-10-01 to 2025-12-31"),
        ("yearly", D(2025, 3, 1), None, "period_start", "2025-01-01 to 2025-12-31"),
        # The kind does not match the dates given.
        ("quarterly", D(2026, 1, 1), D(2026, 1, 31), "period_start", "2026-01-01 to 2026-03-31"),
        ("monthly", D(2026, 3, 1), None, "period_start", "has not ended yet (it ends on 2026-03-31)"),
        ("quarterly", D(2026, 1, 1), None, "period_start", "has not ended yet"),
        ("yearly", D(2026, 1, 1), None, "period_start", "has not ended yet"),
        ("monthly", D(2027, 1, 1), None, "period_start", "has not ended yet"),
        ("monthly", D(1999, 12, 1), None, "period_start", "from 2000 on"),
    ],
)
def test_bad_periods_are_refused_with_a_field_message(kind, start, end, field, text):
    with translation.override("en"):
        errors = rules.period_errors(kind, start, TODAY, period_end=end)
        assert list(errors) == [field]
        assert text in str(errors[field][0])


def test_labels():
    with translation.override("en"):
        assert str(rules.period_label("monthly", D(2026, 2, 1))) == "2026-02"
        assert str(rules.period_label("quarterly", D(2026, 4, 1))) == "Q2 2026"
        assert str(rules.period_label("yearly", D(2025, 1, 1))) == "Year 2025"
