"""Writes of the watch list.

- `recompute(today, enterprise_ids=None)`: collect every module's signals once (apps.core.facts,
  one grouped query per kind), score each enterprise with the policy in effect, upsert the rows
  whose result changed (one INSERT ... ON CONFLICT per batch), upsert the month's history row,
  and for each change of level: one audit event (in one COPY) and a notification of the
  responsible users. Idempotent: a second run on the same data writes nothing.
- `on_audited_write` (an apps.audit.services.WRITE_HOOKS hook): the enterprises named by an
  audited write are recomputed soon after the commit, at most once per enterprise per
  `DEBOUNCE_SECONDS` (`risk.recompute_enterprises`, queued by name).
- `new_policy_version`: the admin's edit of the policy, kept as a new version.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.certification.services import propose_veto_events
from apps.core.cache import figures_changed
from apps.core.context import acting_as
from apps.core.facts import collect_signals, signal_kinds
from apps.core.models import Area
from apps.core.principal import SYSTEM
from apps.enterprises.models import GRASSROOTS_UNION_KINDS, Enterprise
from apps.notifications.services import notify

from . import rules, selectors
from .models import EnterpriseRisk, Level, RiskMonth, RiskPolicy, RiskWeight
from .selectors import FIGURES_TOPIC

logger = logging.getLogger(__name__)

#: Rows per INSERT ... ON CONFLICT statement.
BATCH = 2000
#: A relevant write queues a recompute of its enterprise this many seconds later; further writes
#: within the window ride on it (one task per enterprise per window).
DEBOUNCE_SECONDS = 60
#: A recipient told of more level changes than this in one run gets one summary instead.
NOTIFY_ONE_BY_ONE = 3

_RISK_FIELDS = [
    "town",
    "industry",
    "score",
    "level",
    "explanation",
    "actors",
    "signal_codes",
    "policy_version",
    "computed_at",
    "level_since",
    "previous_level",
    "digest",
    "updated_at",
]


def _key(value) -> str:
    return str(value)


def recompute(today: dt.date | None = None, enterprise_ids=None, *, notify_changes: bool = True) -> dict:
    """Recompute the risk of every enterprise (or of `enterprise_ids`) on `today`. Returns
    {"enterprises", "written", "changed", "notified", "policy_version"}."""
    today = today or timezone.localdate()
    ids = None if enterprise_ids is None else sorted({_key(i) for i in enterprise_ids})
    if ids == []:
        return {"enterprises": 0, "written": 0, "changed": 0, "notified": 0, "policy_version": None}
    policy = selectors.policy_in_effect(today)
    kinds = signal_kinds()
    weights = selectors.weights_in_force(policy, kinds)
    thresholds = policy.thresholds

    enterprises = Enterprise.objects.all()
    risks = EnterpriseRisk.objects.all()
    month = rules.month_of(today)
    months = RiskMonth.objects.filter(month=month)
    if ids is not None:
        enterprises = enterprises.filter(pk__in=ids)
        risks = risks.filter(enterprise_id__in=ids)
        months = months.filter(enterprise_id__in=ids)
    registry = {
        _key(pk): (pk, town, industry)
        for pk, town, industry in enterprises.values_list("pk", "town_id", "industry")
    }

    signals = defaultdict(list)
    for signal in collect_signals(today, ids):
        key = _key(signal.enterprise_id)
        if key in registry:
            signals[key].append(signal)

    existing = {
        _key(e): (level, digest, since, previous, actors)
        for e, level, digest, since, previous, actors in risks.values_list(
            "enterprise_id", "level", "digest", "level_since", "previous_level", "actors"
        )
    }
    month_rows = {
        _key(e): (s, lv, v)
        for e, s, lv, v in months.values_list("enterprise_id", "score", "level", "policy_version")
    }

    now = timezone.now()
    to_write, month_writes, changes = [], [], []
    for key, (pk, town_id, industry) in registry.items():
        result = rules.score(signals.get(key, ()), weights, thresholds, kinds)
        digest = rules.result_digest(result, policy.version, town_id, industry)
        old = existing.get(key)
        if old is None or old[1] != digest:
            old_level = old[0] if old else Level.NONE
            changed = old_level != result.level
            row = EnterpriseRisk(
                enterprise_id=pk,
                town_id=town_id,
                industry=industry,
                score=result.score,
                level=result.level,
                explanation=result.explanation,
                actors=result.actors,
                signal_codes=(" " + " ".join(result.codes) + " ") if result.codes else "",
                policy_version=policy.version,
                computed_at=now,
                level_since=today if (changed or old is None) else old[2],
                previous_level=old_level if changed else (old[3] if old else ""),
                digest=digest,
            )
            to_write.append(row)
            if changed:
                changes.append((row, old_level, old[4] if old else []))
        current = month_rows.get(key)
        wanted = (result.score, result.level, policy.version)
        if current != wanted and (current is not None or result.score > 0):
            month_writes.append(
                RiskMonth(
                    enterprise_id=pk,
                    month=month,
                    score=result.score,
                    level=result.level,
                    town_id=town_id,
                    policy_version=policy.version,
                )
            )

    notified = 0
    with transaction.atomic(), acting_as("system"):
        for start in range(0, len(to_write), BATCH):
            EnterpriseRisk.objects.bulk_create(
                to_write[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["enterprise"],
                update_fields=_RISK_FIELDS,
            )
        for start in range(0, len(month_writes), BATCH):
            RiskMonth.objects.bulk_create(
                month_writes[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["enterprise", "month"],
                update_fields=["score", "level", "town", "policy_version", "updated_at"],
            )
        if changes:
            # The watch list's count on the cockpit and the home pages (bulk writes send no signal).
            figures_changed(FIGURES_TOPIC)
            before = {row.enterprise_id: old for row, old, _actors in changes}
            audit.record_many(
                "risk.level_changed",
                [row for row, _old, _actors in changes],
                before=lambda row: {"level": before[row.enterprise_id]},
                after=lambda row: {
                    "level": row.level,
                    "score": row.score,
                    "policy_version": row.policy_version,
                },
            )
            if notify_changes:
                notified = _notify_level_changes(changes)
    return {
        "enterprises": len(registry),
        "written": len(to_write),
        "changed": len(changes),
        "notified": notified,
        "policy_version": policy.version,
    }


# Who is told ------------------------------------------------------------------------------------------


def responsible_users(changes) -> dict:
    """{user: [(row, old_level)]}: the park's administrators for every change, and the users whose
    role answers an actor of the signals (before or after the change; rules.ACTOR_ROLES) in an
    organisation whose area covers the enterprise's town. Three queries, whatever the changes."""
    admins = list(User.objects.filter(is_active=True, memberships__role=Role.PARK_ADMIN).distinct())
    roles = {role for role in rules.ACTOR_ROLES.values() if role != Role.PARK_ADMIN}
    by_area_role = defaultdict(set)
    users = {}
    memberships = (
        Membership.objects.filter(
            role__in=roles,
            user__is_active=True,
            organisation__is_active=True,
            organisation__area__isnull=False,
        )
        .exclude(organisation__trade_union__kind__in=GRASSROOTS_UNION_KINDS)
        .select_related("user", "organisation")
    )
    for m in memberships:
        users[m.user_id] = m.user
        by_area_role[(m.organisation.area_id, m.role)].add(m.user_id)
    parents = dict(Area.objects.filter(kind=Area.Kind.TOWN).values_list("pk", "parent_id"))
    told = defaultdict(list)
    for row, old_level, old_actors in changes:
        for admin in admins:
            told[admin].append((row, old_level))
        areas = {row.town_id, parents.get(row.town_id)} - {None}
        actor_roles = {rules.ACTOR_ROLES[a] for a in {*row.actors, *old_actors} if a in rules.ACTOR_ROLES}
        seen = {a.pk for a in admins}
        for area in areas:
            for role in actor_roles:
                for user_id in by_area_role.get((area, role), ()):
                    if user_id not in seen:
                        seen.add(user_id)
                        told[users[user_id]].append((row, old_level))
    return told


def _notify_level_changes(changes) -> int:
    names = dict(
        Enterprise.objects.filter(pk__in=[row.enterprise_id for row, _o, _a in changes]).values_list(
            "pk", "name"
        )
    )
    sent = 0
    for user, items in responsible_users(changes).items():
        if len(items) <= NOTIFY_ONE_BY_ONE:
            for row, old_level in items:
                name = names.get(row.enterprise_id, "")
                notify(
                    [user],
                    title=lambda name=name, row=row, old=old_level: (
                        gettext("Risk level of %(enterprise)s: %(level)s (was %(old)s)")
                        % {"enterprise": name, "level": Level(row.level).label, "old": Level(old).label}
                    ),
                    body=lambda row=row: (
                        gettext("Score %(score)s. Open the watch list to see why and who must act.")
                        % {"score": row.score}
                    ),
                    link=reverse("risk:detail", args=[row.enterprise_id]),
                )
                sent += 1
        else:
            count = len(items)
            raised = sum(1 for row, old in items if rules.is_raised(old, row.level))
            notify(
                [user],
                title=lambda n=count: gettext("Risk levels changed for %(count)s enterprises") % {"count": n},
                body=lambda n=raised: (
                    gettext("%(raised)s of them rose. Open the watch list to see why and who must act.")
                    % {"raised": n}
                ),
                link=reverse("risk:list"),
            )
            sent += 1
    return sent


# Soon after a relevant record changes -------------------------------------------------------------------

#: Attributes naming the enterprise of a written object (a contract, a case, a union's coverage...).
ENTERPRISE_ATTRIBUTES = ("enterprise_id", "respondent_enterprise_id")


def enterprise_ids_of(objects) -> set[str]:
    """The enterprises named by written objects: an enterprise itself, an object's `enterprise_id`
    or `respondent_enterprise_id`, or those of a related object already loaded on it (an order's
    case). The watch list's own rows are not a reason to recompute."""
    found = set()
    for obj in objects:
        meta = obj._meta
        if meta.app_label == "risk":
            continue
        if meta.label_lower == "enterprises.enterprise":
            found.add(_key(obj.pk))
            continue
        direct = [getattr(obj, attr, None) for attr in ENTERPRISE_ATTRIBUTES]
        direct = [value for value in direct if value]
        if direct:
            found.update(_key(v) for v in direct)
            continue
        for field in meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.is_cached(obj):
                related = getattr(obj, field.name)
                for attr in ENTERPRISE_ATTRIBUTES:
                    value = getattr(related, attr, None)
                    if value:
                        found.add(_key(value))
    return found


def debounce_key(enterprise_id) -> str:
    return f"risk:queued:{enterprise_id}"


def on_audited_write(action: str, objects: list) -> None:
    """The audit hook: queue the enterprises these writes name, after the commit."""
    ids = enterprise_ids_of(objects)
    if ids:
        transaction.on_commit(lambda: queue_recompute(ids), robust=True)


def queue_recompute(enterprise_ids) -> list[str]:
    """Queue one `risk.recompute_enterprises` for the enterprises not already queued within the
    debounce window (cache.add: the first writer in the window wins). Returns those queued."""
    fresh = [
        i
        for i in sorted({_key(e) for e in enterprise_ids})
        if cache.add(debounce_key(i), 1, DEBOUNCE_SECONDS)
    ]
    if fresh:
        current_app.tasks["risk.recompute_enterprises"].apply_async(args=[fresh], countdown=DEBOUNCE_SECONDS)
    return fresh


# The policy --------------------------------------------------------------------------------------------


def next_version() -> int:
    return (RiskPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1


def new_policy_version(user, *, valid_from, watch_from, warning_from, serious_from, note="", weights=()):
    """Keep the policy as a new version (the old ones stay as they were): `weights` is an iterable
    of (code, weight, cap)."""
    with transaction.atomic():
        policy = RiskPolicy.objects.create(
            version=next_version(),
            valid_from=valid_from,
            watch_from=watch_from,
            warning_from=warning_from,
            serious_from=serious_from,
            note=note,
            created_by=user,
        )
        RiskWeight.objects.bulk_create(
            [RiskWeight(policy=policy, code=c, weight=w, cap=cap) for c, w, cap in weights]
        )
        audit.record("risk.policy_version", policy, after=audit.snapshot(policy), only_changes=False)
    return policy


def recompute_enterprises(enterprise_ids) -> dict:
    """The debounced job: recompute these enterprises today, then let certification propose the
    veto events their records call for (apps.certification.services.propose_veto_events)."""
    result = recompute(timezone.localdate(), enterprise_ids)
    result["veto"] = propose_veto_events(SYSTEM, enterprise_ids=list(enterprise_ids))
    return result
