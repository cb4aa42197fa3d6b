"""What the platform knows about an enterprise, gathered from every module (issue 17, domain guide §9).

Two hooks on a domain app's AppConfig, both naming functions in the app's `facts.py` (read by name,
so no module imports another to learn what it knows):

- `enterprise_facts = "apps.x.facts.enterprise_facts"`: `(enterprise, today) -> list[Fact]`, what the
  module's records say about one enterprise (the contract signing rate from the book, a union and
  its members, a collective contract in force, a congress with quorum, disputes in the look-back,
  inspection orders and arrears). Facts are aggregates over the enterprise's records, computed
  with the system's view; a fact's `url` is a path the caller shows only to a viewer who may open
  it (`Fact.link_for`). Certification reviews self-scores against them, the yearly survey starts
  from them and marks disagreements, the dossier explains differences.
- `risk_signals = "apps.x.facts.risk_signals"`: `(today, enterprise_ids=None) -> Iterable[Signal]`,
  the module's warning signs for every enterprise at once (one grouped query per kind: the risk
  job recomputes 20,000 enterprises in a minute), or for the given enterprises only. With it,
  `risk_signal_kinds = "apps.x.facts.SIGNAL_KINDS"`: the list of `SignalKind` the module emits
  (code, label, default weight, who must act, source).

Codes are `<app label>.<name>` and stable: certification's rule set maps items to fact codes as
data, the risk policy weighs signal codes as data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

#: Who must act on a signal (domain guide §9: "who must act"): the town (the enterprise's
#: sub-district, its HR bureau office), the union federation, labour inspection, the park's
#: certification office.
ACTORS = ("town", "union", "inspection", "certification")


@dataclass(frozen=True)
class Fact:
    """One thing the platform holds about an enterprise.

    `value` is machine-readable (a number, a bool, a date or None when the platform cannot tell),
    `display` is the human text ("89.6 %: 1,366 workers with a contract in force of 1,525
    employees"), `source` names where it comes from (the record kind, and the law for a rule),
    `url` a path to the records behind it ("" for none), `permission` the Django permission a
    user needs to follow the link (the link is hidden otherwise: no link leads to a 403)."""

    code: str
    label: str
    value: Any
    display: str
    source: str = ""
    as_of: dt.date | None = None
    url: str = ""
    permission: str = ""

    def link_for(self, user) -> str:
        """The link if `user` may follow it, else ""."""
        if not self.url:
            return ""
        if self.permission and (user is None or not user.has_perm(self.permission)):
            return ""
        return self.url


@dataclass(frozen=True)
class SignalKind:
    """A kind of warning sign a module emits: its code, label, default weight in the risk score
    (per record, up to `cap` records), who must act and the rule or record it rests on."""

    code: str
    label: str
    weight: int
    actor: str
    source: str = ""
    cap: int = 1


@dataclass(frozen=True)
class Signal:
    """A warning sign about one enterprise: `count` records of one kind, the latest on `last_on`,
    that one named by `ref_type`/`ref_id` with `url` (a path; shown only to those who may open
    it, by `permission`) and a short `detail` ("3 workers without a written contract")."""

    enterprise_id: Any
    code: str
    count: int
    last_on: dt.date | None
    detail: str = ""
    ref_type: str = ""
    ref_id: str = ""
    url: str = ""
    permission: str = ""
    extra: dict = field(default_factory=dict, compare=False)


def _providers(attribute: str):
    for config in apps.get_app_configs():
        path = getattr(config, attribute, None)
        if path:
            yield config, import_string(path)


def collect_facts(enterprise, today: dt.date) -> dict[str, Fact]:
    """Every module's facts about `enterprise` on `today`, by code."""
    facts: dict[str, Fact] = {}
    for _config, provider in _providers("enterprise_facts"):
        for fact in provider(enterprise, today):
            facts[fact.code] = fact
    return facts


def signal_kinds() -> dict[str, SignalKind]:
    """Every signal kind of every installed module, by code, in module order."""
    kinds: dict[str, SignalKind] = {}
    for _config, listed in _providers("risk_signal_kinds"):
        for kind in listed:
            kinds[kind.code] = kind
    return kinds


def collect_signals(today: dt.date, enterprise_ids: Iterable | None = None) -> Iterable[Signal]:
    """Every module's signals on `today`, for every enterprise or the given ones."""
    ids = list(enterprise_ids) if enterprise_ids is not None else None
    for _config, provider in _providers("risk_signals"):
        yield from provider(today, ids)


def collect_veto_candidates(
    enterprise_ids: Iterable | None = None, since: dt.date | None = None
) -> Iterable[dict]:
    """Every module's veto candidates (added for certification, issue 17): records that may be a
    veto event of the certification catalogue (a collective dispute marked as a mass incident, a
    wage-arrears listing, a published serious violation), each a dict `enterprise_id, kind,
    occurred_on, source, origin, object_type, object_id`, from the AppConfig hooks `veto_candidates
    = "apps.x.facts.veto_candidates"` `(enterprise_ids=None, since=None)`: for every enterprise when
    `enterprise_ids` is None, and only those that occurred on or after `since` when given.
    Certification turns them into proposed veto events (idempotent per record and kind)."""
    ids = list(enterprise_ids) if enterprise_ids is not None else None
    for _config, provider in _providers("veto_candidates"):
        yield from provider(enterprise_ids=ids, since=since)
