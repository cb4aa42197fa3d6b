"""The score, its level, its explanation and the trend: pure functions (apps.risk.rules)."""

import datetime as dt

from apps.core.facts import Signal, SignalKind
from apps.risk import rules
from apps.risk.models import Level

KINDS = {
    "a.complaint": SignalKind("a.complaint", "Complaints", 8, "inspection", cap=5),
    "b.dispute": SignalKind("b.dispute", "Collective disputes", 15, "union", cap=2),
    "c.expiring": SignalKind("c.expiring", "Expiring", 1, "town", cap=10),
}
THRESHOLDS = {Level.WATCH: 10, Level.WARNING: 25, Level.SERIOUS: 50}


def sig(code, count, last_on=dt.date(2026, 3, 1)):
    return Signal(enterprise_id="e", code=code, count=count, last_on=last_on, detail=f"{count}")


def weights(rows=()):
    return rules.merge_weights(KINDS, rows)


def test_points_are_weight_per_record_up_to_the_cap():
    assert rules.points_for(3, rules.Weight(8, 5)) == 24
    assert rules.points_for(9, rules.Weight(8, 5)) == 40
    assert rules.points_for(2, rules.Weight(0, 5)) == 0


def test_score_level_and_explanation_highest_points_first():
    result = rules.score(
        [sig("c.expiring", 4), sig("a.complaint", 2), sig("b.dispute", 3)], weights(), THRESHOLDS, KINDS
    )
    assert result.score == 4 + 16 + 30
    assert result.level == Level.SERIOUS
    assert [r["code"] for r in result.explanation] == ["b.dispute", "a.complaint", "c.expiring"]
    first = result.explanation[0]
    assert first["points"] == 30 and first["count"] == 3 and first["last_on"] == "2026-03-01"
    assert first["label"] == "Collective disputes" and first["actor"] == "union"
    assert result.actors == ["town", "union", "inspection"]


def test_levels_at_the_thresholds():
    assert rules.level_for(0, THRESHOLDS) == Level.NONE
    assert rules.level_for(9, THRESHOLDS) == Level.NONE
    assert rules.level_for(10, THRESHOLDS) == Level.WATCH
    assert rules.level_for(25, THRESHOLDS) == Level.WARNING
    assert rules.level_for(50, THRESHOLDS) == Level.SERIOUS


def test_policy_rows_replace_the_default_weight_and_a_zero_switches_a_signal_off():
    w = weights([("a.complaint", 0, 5), ("c.expiring", 3, 2)])
    result = rules.score([sig("a.complaint", 2), sig("c.expiring", 4)], w, THRESHOLDS, KINDS)
    assert result.score == 6
    assert [r["code"] for r in result.explanation] == ["c.expiring"]


def test_unknown_codes_do_not_count():
    result = rules.score([sig("z.unknown", 5)], weights(), THRESHOLDS, KINDS)
    assert (
        result.score == 0 and result.level == Level.NONE and result.explanation == [] and result.actors == []
    )


def test_digest_moves_with_the_result_and_its_context():
    a = rules.score([sig("a.complaint", 2)], weights(), THRESHOLDS, KINDS)
    b = rules.score([sig("a.complaint", 3)], weights(), THRESHOLDS, KINDS)
    assert rules.result_digest(a, 1) == rules.result_digest(a, 1)
    assert rules.result_digest(a, 1) != rules.result_digest(b, 1)
    assert rules.result_digest(a, 1) != rules.result_digest(a, 2)


def test_trend():
    jan, feb, mar = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
    assert rules.trend([(mar, 30)]) == rules.NEW
    assert rules.trend([(mar, 30), (feb, 10)]) == rules.UP
    assert rules.trend([(jan, 50), (feb, 40), (mar, 20)]) == rules.DOWN
    assert rules.trend([(feb, 20), (mar, 22)]) == rules.STEADY


def test_previous_months():
    assert rules.previous_months(dt.date(2026, 2, 14), 3) == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert rules.is_raised(Level.WATCH, Level.SERIOUS) and not rules.is_raised(Level.SERIOUS, Level.NONE)
