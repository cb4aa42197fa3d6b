"""[POLICY] The risk score: pure functions of the signals, the policy's weights and thresholds
(domain guide §9, "Risk watch list"). No database here: services and tests feed them.

A signal kind weighs `weight` points per record, up to `cap` records (apps.core.facts.SignalKind,
or the policy's `RiskWeight` row for the code). The score is the sum over the enterprise's signals;
its level is the highest whose threshold the score reaches. The explanation lists each signal with
its points, highest first; "who must act" is the actors of the signals that scored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import Level

#: Levels from lowest to highest.
LEVEL_ORDER = (Level.NONE, Level.WATCH, Level.WARNING, Level.SERIOUS)
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_ORDER)}

#: [POLICY] Default thresholds of the first policy version (points).
DEFAULT_THRESHOLDS = {Level.WATCH: 10, Level.WARNING: 25, Level.SERIOUS: 50}
POLICY_SOURCE = (
    "domain guide §9; seed 003 (苗头性、倾向性问题: early detection of emerging and recurring problems)"
)

#: Who must act, in the order the pages list them (apps.core.facts.ACTORS).
ACTOR_ORDER = ("town", "union", "inspection", "certification")

#: A trend over the monthly history: the score moved by at least this many points.
TREND_MIN_POINTS = 5
UP, DOWN, STEADY, NEW = "up", "down", "steady", "new"
TRENDS = (UP, DOWN, STEADY, NEW)


@dataclass(frozen=True)
class Weight:
    weight: int
    cap: int


@dataclass(frozen=True)
class Result:
    score: int
    level: str
    explanation: list
    actors: list

    @property
    def codes(self) -> list[str]:
        return [row["code"] for row in self.explanation]


def level_for(score: int, thresholds: Mapping[str, int]) -> str:
    """The highest level whose threshold `score` reaches ("none" below the watch threshold)."""
    level = Level.NONE
    for candidate in LEVEL_ORDER[1:]:
        if score >= thresholds[candidate]:
            level = candidate
    return level


def points_for(count: int, weight: Weight) -> int:
    """`weight` points per record, counted up to `cap` records."""
    return max(0, weight.weight) * min(max(0, count), max(0, weight.cap))


def score(
    signals: Iterable, weights: Mapping[str, Weight], thresholds: Mapping[str, int], kinds=None
) -> Result:
    """Score one enterprise's signals (apps.core.facts.Signal). `weights` by code (codes missing
    from it do not count); `kinds` (code -> SignalKind) gives labels and actors."""
    kinds = kinds or {}
    rows = []
    for signal in signals:
        weight = weights.get(signal.code)
        if weight is None:
            continue
        points = points_for(signal.count, weight)
        if points <= 0:
            continue
        kind = kinds.get(signal.code)
        rows.append(
            {
                "code": signal.code,
                "label": str(kind.label) if kind else signal.code,
                "count": signal.count,
                "last_on": signal.last_on.isoformat() if signal.last_on else None,
                "points": points,
                "detail": str(signal.detail or ""),
                "ref_type": signal.ref_type or "",
                "ref_id": str(signal.ref_id or ""),
                "url": signal.url or "",
                "permission": signal.permission or "",
                "actor": kind.actor if kind else "",
            }
        )
    rows.sort(key=lambda r: (-r["points"], r["code"]))
    total = sum(r["points"] for r in rows)
    present = {r["actor"] for r in rows}
    actors = [a for a in ACTOR_ORDER if a in present]
    return Result(score=total, level=level_for(total, thresholds), explanation=rows, actors=actors)


def result_digest(result: Result, *context) -> str:
    """A fingerprint of a result and what else its row holds (`context`: the policy version, the
    town, the industry): the same digest, the same row, nothing to write."""
    text = json.dumps(
        [result.score, result.level, result.explanation, result.actors, *context], sort_keys=True, default=str
    )
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def level_changed(previous: str | None, current: str) -> bool:
    return (previous or Level.NONE) != current


def is_raised(previous: str | None, current: str) -> bool:
    return LEVEL_RANK[current] > LEVEL_RANK[previous or Level.NONE]


def trend(history: Iterable[tuple[dt.date, int]]) -> str:
    """The trend of a monthly history [(month, score)] (any order): the latest month against the
    one before it: up / down by at least TREND_MIN_POINTS, else steady; "new" with one month."""
    months = sorted(history)
    if len(months) < 2:
        return NEW
    delta = months[-1][1] - months[-2][1]
    if delta >= TREND_MIN_POINTS:
        return UP
    if delta <= -TREND_MIN_POINTS:
        return DOWN
    return STEADY


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_months(day: dt.date, n: int) -> list[dt.date]:
    """The first days of the `n` months ending with `day`'s month, oldest first."""
    months, current = [], month_of(day)
    for _ in range(n):
        months.append(current)
        current = (current - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def merge_weights(kinds: Mapping, rows: Iterable[tuple[str, int, int]]) -> dict[str, Weight]:
    """The weights in force: each kind's default (`SignalKind.weight`, `.cap`), replaced by the
    policy's row for its code; a row for a code no module emits is kept (it weighs nothing until
    a module emits it)."""
    weights = {code: Weight(kind.weight, kind.cap) for code, kind in kinds.items()}
    for code, weight, cap in rows:
        weights[code] = Weight(weight, cap)
    return weights


#: [POLICY] Who is told of a level change, by the actor of the signals behind it (besides the
#: park's administrators, who are always told): the role, in an organisation whose area covers
#: the enterprise's town (the town itself or the district above it). "town" is the town's
#: labour-dispute mediation centre (乡镇街道劳动争议调解中心, its mediators): the platform has no
#: role for the town's HR office, and the centre is the town's body for emerging disputes;
#: "certification" is the park's office (park administrators).
ACTOR_ROLES = {
    "town": "mediator",
    "union": "union_official",
    "inspection": "inspector",
    "certification": "park_admin",
}
#: The organisation kind of each actor (accounts.Organisation.Kind), for "who must act".
ACTOR_ORGANISATION_KINDS = {
    "town": "mediation",
    "union": "union",
    "inspection": "inspection",
    "certification": "park",
}
