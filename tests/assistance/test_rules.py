import datetime as dt
from decimal import Decimal

import pytest

from apps.assistance import rules


def test_income_per_head_rounds_to_the_cent():
    assert rules.income_per_head(Decimal("1000"), 3) == Decimal("333.33")
    assert rules.income_per_head(Decimal("2000"), 2) == Decimal("1000.00")
    with pytest.raises(ValueError):
        rules.income_per_head(Decimal("1000"), 0)


def test_qualifies_at_or_under_the_threshold():
    assert rules.qualifies(Decimal("1000.00"), Decimal("1000")) is True
    assert rules.qualifies(Decimal("999.99"), Decimal("1000")) is True
    assert rules.qualifies(Decimal("1000.01"), Decimal("1000")) is False
    assert rules.qualifies(Decimal("10"), None) is None


def test_review_is_due_a_year_later():
    assert rules.review_due(dt.date(2025, 3, 15)) == dt.date(2026, 3, 15)
    assert rules.review_due(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    today = dt.date(2026, 1, 1)
    assert rules.review_is_due(dt.date(2026, 1, 31), today)
    assert rules.review_is_due(dt.date(2025, 12, 1), today)
    assert not rules.review_is_due(dt.date(2026, 2, 1), today)
    assert not rules.review_is_due(None, today)


def test_aid_only_to_approved_files():
    assert rules.aid_refusal("approved") is None
    for status in ("draft", "assessed", "rejected", "exited"):
        assert rules.aid_refusal(status)
