"""Reads of the watch list: the policy in effect, the list (scoped by `EnterpriseRisk.visible_to`),
an enterprise's risk with its explanation and history, who must act, the park's chart, the export
and the dossier section. Pages, API, export and dossier read through here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.models import Organisation
from apps.core.cache import cached_figures, scope_key
from apps.core.exports import Sheet
from apps.core.facts import signal_kinds
from apps.core.scoping import get_visible_or_404
from apps.core.worklist import WAITING
from apps.core.worklist import item as work_item
from apps.enterprises.choices import Industry
from apps.enterprises.models import GRASSROOTS_UNION_KINDS

from . import rules
from .filters import RiskFilter, changed_within_q
from .models import EnterpriseRisk, Level, RiskMonth, RiskPolicy

VIEW = "risk.view_enterpriserisk"
#: The cache topic of the watch list's counts (the cockpit, the home pages): moved on by a
#: recompute that changes a level (services.recompute).
FIGURES_TOPIC = "risk"
#: The list's order: highest score first (index risk_order and the per-filter ones).
LIST_ORDER = ["-score", "-pk"]
#: Months of history on an enterprise's page and the park's chart.
HISTORY_MONTHS = 24
CHART_MONTHS = 12

ACTOR_LABELS = {
    "town": _("Town: sub-district HR office and mediation centre"),
    "union": _("Union federation"),
    "inspection": _("Labour inspection"),
    "certification": _("Park certification office"),
}
LEVEL_BADGES = {
    Level.NONE: "secondary",
    Level.WATCH: "info",
    Level.WARNING: "warning",
    Level.SERIOUS: "danger",
}
#: Chart colours (SVG fill attributes, not styles: the Content-Security-Policy allows them).
LEVEL_FILLS = {Level.WATCH: "#0dcaf0", Level.WARNING: "#ffc107", Level.SERIOUS: "#dc3545"}


def may_view(principal) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope("risk:read")
    return principal.user is not None and principal.user.has_perm(VIEW)


# Policy --------------------------------------------------------------------------------------------


def policy_in_effect(today: dt.date) -> RiskPolicy:
    """The newest version in effect on `today` (else the oldest; a database without any: an unsaved
    version 0 with the default thresholds, every weight the signal kinds' own)."""
    policy = RiskPolicy.objects.filter(valid_from__lte=today).order_by("-version").first()
    if policy is None:
        policy = RiskPolicy.objects.order_by("version").first()
    if policy is None:
        policy = RiskPolicy(
            version=0,
            valid_from=today,
            watch_from=rules.DEFAULT_THRESHOLDS[Level.WATCH],
            warning_from=rules.DEFAULT_THRESHOLDS[Level.WARNING],
            serious_from=rules.DEFAULT_THRESHOLDS[Level.SERIOUS],
        )
    return policy


def weights_in_force(policy: RiskPolicy, kinds=None) -> dict[str, rules.Weight]:
    kinds = signal_kinds() if kinds is None else kinds
    rows = policy.weights.values_list("code", "weight", "cap") if policy.pk else []
    return rules.merge_weights(kinds, rows)


# The list --------------------------------------------------------------------------------------------


def visible(principal):
    return EnterpriseRisk.objects.visible_to(principal)


def watch_list(principal, params, *, only_at_risk: bool = True, request=None):
    """(filterset, queryset) of the watch list: the enterprises the principal may see, filtered by
    the FilterSet; without a `level`, only those at risk (unless `only_at_risk` is False)."""
    qs = visible(principal).select_related("enterprise", "town")
    filterset = RiskFilter(params, queryset=qs, request=request)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    if only_at_risk and not (filterset.is_valid() and filterset.form.cleaned_data.get("level")):
        qs = qs.exclude(level=Level.NONE)
    return filterset, qs.order_by(*LIST_ORDER)


def trends_for(enterprise_ids, today: dt.date) -> dict:
    """Each enterprise's trend from its last two months (one query for a page of rows)."""
    months = rules.previous_months(today, 2)
    found = defaultdict(dict)
    for enterprise_id, month, score in RiskMonth.objects.filter(
        enterprise_id__in=list(enterprise_ids), month__in=months
    ).values_list("enterprise_id", "month", "score"):
        found[enterprise_id][month] = score
    result = {}
    for enterprise_id in enterprise_ids:
        scores = found.get(enterprise_id, {})
        if not scores:
            result[enterprise_id] = rules.NEW
            continue
        # A month without a row is not read as 0: an enterprise on the list for the first time is
        # "new", not "rising".
        result[enterprise_id] = rules.trend(sorted(scores.items()))
    return result


def decorate(rows, today: dt.date) -> list:
    rows = list(rows)
    trends = trends_for([r.enterprise_id for r in rows], today)
    kinds = signal_kinds()
    for row in rows:
        row.trend = trends.get(row.enterprise_id, rules.NEW)
        row.badge = LEVEL_BADGES.get(row.level, "secondary")
        row.industry_label = Industry(row.industry).label if row.industry in Industry.values else row.industry
        row.actor_labels = [ACTOR_LABELS.get(a, a) for a in row.actors]
        row.top_signals = [{**s, "label": _label(s, kinds)} for s in row.explanation[:3]]
    return rows


def export_sheets(rows, kinds=None):
    """The export of a (filtered) list as one sheet (apps.core.exports.Sheet rows)."""

    def lines():
        for row in rows.iterator(chunk_size=2000):
            yield [
                row.enterprise.name,
                row.enterprise.uscc,
                row.town.name,
                row.industry,
                row.score,
                Level(row.level).label,
                row.level_since,
                "; ".join(str(ACTOR_LABELS.get(a, a)) for a in row.actors),
                "; ".join(f"{s['label']} ×{s['count']} (+{s['points']})" for s in row.explanation),
                row.policy_version,
                row.computed_at.replace(tzinfo=None) if row.computed_at else None,
            ]

    header = [
        _("Enterprise"),
        _("Unified social credit code"),
        _("Town / sub-district"),
        _("Industry"),
        _("Score"),
        _("Level"),
        _("Level since"),
        _("Who must act"),
        _("Why"),
        _("Policy version"),
        _("Computed at"),
    ]
    return [
        Sheet(
            title=str(_("Risk watch list")),
            header=[str(h) for h in header],
            rows=lines(),
            widths={0: 36, 1: 20, 2: 14, 8: 80},
        )
    ]


# One enterprise --------------------------------------------------------------------------------------


def risk_of(principal, enterprise_id) -> EnterpriseRisk:
    return get_visible_or_404(
        EnterpriseRisk.objects.select_related("enterprise", "town"), principal, enterprise_id=enterprise_id
    )


def _label(row, kinds) -> str:
    """A signal's label in the viewer's language (the stored one: the language of the run)."""
    kind = kinds.get(row.get("code"))
    return kind.label if kind is not None else row.get("label", "")


def _records_in_scope(principal, explanation) -> set[tuple[str, str]]:
    """The (ref_type, ref_id) of the explanation's records the principal may open: one query per
    kind of record (a handful), through each model's `visible_to`, so that a link never leads to
    a 404 or a 403 for a record outside the viewer's scope."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in explanation:
        if row.get("url") and row.get("ref_type") and row.get("ref_id"):
            wanted[row["ref_type"]].add(str(row["ref_id"]))
    allowed: set[tuple[str, str]] = set()
    for ref_type, ids in wanted.items():
        try:
            model = django_apps.get_model(ref_type)
        except (LookupError, ValueError):  # not a model (a list page): the permission decides
            allowed.update((ref_type, i) for i in ids)
            continue
        manager = model._default_manager
        if principal.sees_everything or not hasattr(manager.all(), "visible_to"):
            allowed.update((ref_type, i) for i in ids)
            continue
        try:
            found = manager.visible_to(principal).filter(pk__in=ids).values_list("pk", flat=True)
            allowed.update((ref_type, str(pk)) for pk in found)
        except (ValueError, ValidationError):  # an id of another shape: no link
            continue
    return allowed


def explanation_rows(principal, explanation, kinds=None) -> list[dict]:
    """The explanation with a `link` only where the viewer may open the record: the permission of
    the signal and the record within the viewer's scope (no link to a 403 or a 404)."""
    kinds = signal_kinds() if kinds is None else kinds
    user = principal.user
    in_scope = _records_in_scope(principal, explanation)
    rows = []
    for row in explanation:
        url, permission = row.get("url") or "", row.get("permission") or ""
        allowed = bool(url) and (not permission or (user is not None and user.has_perm(permission)))
        if allowed and row.get("ref_type") and row.get("ref_id"):
            allowed = (row["ref_type"], str(row["ref_id"])) in in_scope
        rows.append(
            {
                **row,
                "label": _label(row, kinds),
                "link": url if allowed else "",
                "actor_label": ACTOR_LABELS.get(row.get("actor"), ""),
            }
        )
    return rows


def history(enterprise_id, today: dt.date, months: int = HISTORY_MONTHS) -> list[dict]:
    """The monthly history (oldest first), a month without a row counting 0 (nothing scored)."""
    window = rules.previous_months(today, months)
    rows = {
        m.month: m
        for m in RiskMonth.objects.filter(enterprise_id=enterprise_id, month__gte=window[0]).order_by("month")
    }
    if not rows:
        return []
    first = min(rows)
    out = []
    for month in window:
        if month < first:
            continue
        row = rows.get(month)
        out.append(
            {
                "month": month,
                "score": row.score if row else 0,
                "level": row.level if row else Level.NONE,
                "policy_version": row.policy_version if row else None,
            }
        )
    top = max((r["score"] for r in out), default=0) or 1
    for r in out:
        r["percent"] = round(r["score"] * 100 / top)
        r["badge"] = LEVEL_BADGES.get(r["level"], "secondary")
        r["level_label"] = Level(r["level"]).label
    return out


def trend_of(history_rows) -> str:
    return rules.trend([(r["month"], r["score"]) for r in history_rows])


def who_must_act(risk: EnterpriseRisk) -> list[dict]:
    """For each actor of the signals: the organisations of that kind whose area covers the
    enterprise's town (the town or the district above it); one query."""
    actors = list(risk.actors)
    if not actors:
        return []
    areas = [risk.town_id] + ([risk.town.parent_id] if risk.town.parent_id else [])
    kinds = {rules.ACTOR_ORGANISATION_KINDS[a] for a in actors if a in rules.ACTOR_ORGANISATION_KINDS}
    orgs = defaultdict(list)
    for org in (
        Organisation.objects.filter(kind__in=kinds, is_active=True)
        .filter(Q(area__in=areas) | Q(kind="park"))
        .exclude(trade_union__kind__in=GRASSROOTS_UNION_KINDS)
        .order_by("name")
    ):
        orgs[org.kind].append(org.name)
    return [
        {
            "actor": actor,
            "label": ACTOR_LABELS.get(actor, actor),
            "organisations": orgs.get(rules.ACTOR_ORGANISATION_KINDS.get(actor), []),
        }
        for actor in actors
    ]


def enterprise_page(principal, enterprise_id, today: dt.date) -> dict:
    risk = risk_of(principal, enterprise_id)
    user = principal.user
    rows = history(risk.enterprise_id, today)
    return {
        "risk": risk,
        "badge": LEVEL_BADGES.get(risk.level, "secondary"),
        "explanation": explanation_rows(principal, risk.explanation),
        "history": rows,
        "trend": trend_of(rows),
        "actors": who_must_act(risk),
        "policy": RiskPolicy.objects.filter(version=risk.policy_version).first(),
        "may_open_dossier": user is not None and user.has_perm("enterprises.view_enterprise"),
    }


# The park's risk over time -------------------------------------------------------------------------


def park_chart(principal, today: dt.date, months: int = CHART_MONTHS) -> dict:
    """Enterprises per level in each of the last `months` months (the principal's scope), and the
    geometry of a stacked bar chart drawn as SVG on the server (no script, no inline style)."""
    window = rules.previous_months(today, months)
    counts = defaultdict(dict)
    for month, level, n in (
        RiskMonth.objects.visible_to(principal)
        .filter(month__gte=window[0], month__lte=window[-1])
        .exclude(level=Level.NONE)
        .values_list("month", "level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[month][level] = n
    levels = [Level.WATCH, Level.WARNING, Level.SERIOUS]
    top = max((sum(counts[m].values()) for m in window), default=0) or 1
    height, bar, gap, base = 200, 36, 14, 20
    bars = []
    for i, month in enumerate(window):
        x = 40 + i * (bar + gap)
        y = height
        parts = []
        for level in levels:
            n = counts[month].get(level, 0)
            h = round(n * (height - base) / top)
            y -= h
            parts.append(
                {
                    "level": level,
                    "label": Level(level).label,
                    "n": n,
                    "y": y,
                    "h": h,
                    "fill": LEVEL_FILLS[level],
                }
            )
        bars.append(
            {
                "month": month,
                "x": x,
                "label_x": x + bar // 2,
                "total": sum(counts[month].values()),
                "parts": parts,
                "counts": [counts[month].get(level, 0) for level in levels],
                "top_y": y - 4,
            }
        )
    return {
        "bars": bars,
        "levels": [{"level": lv, "label": Level(lv).label, "fill": LEVEL_FILLS[lv]} for lv in levels],
        "width": 40 + months * (bar + gap),
        "height": height + 30,
        "axis_y": height,
        "bar_width": bar,
        "top": top,
    }


# The dossier --------------------------------------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    """The "risk" section of the dossier (apps.enterprises.selectors.DOSSIER_ORDER): hidden (not
    empty) for a viewer who may not see the enterprise's risk."""
    title = _("Risk watch list")
    if not may_view(principal) or principal.is_api_client:
        return [{"key": "risk", "title": title, "hidden": True}]
    risk = visible(principal).filter(enterprise_id=enterprise.pk).select_related("town").first()
    in_scope = risk is not None or not EnterpriseRisk.objects.filter(enterprise_id=enterprise.pk).exists()
    if not in_scope:
        return [{"key": "risk", "title": title, "hidden": True}]
    try:
        page_url = reverse("risk:detail", args=[enterprise.pk]) if risk is not None else ""
    except NoReverseMatch:  # pragma: no cover - urls always installed with the app
        page_url = ""
    return [
        {
            "key": "risk",
            "title": title,
            "template": "risk/dossier_risk.html",
            "context": {
                "hidden": False,
                "risk": risk,
                "badge": LEVEL_BADGES.get(risk.level, "secondary") if risk else "secondary",
                "explanation": explanation_rows(principal, risk.explanation[:5]) if risk else [],
                "actor_labels": [ACTOR_LABELS.get(a, a) for a in risk.actors] if risk else [],
                "page_url": page_url,
            },
        }
    ]


# The worklist (issue 20) -----------------------------------------------------------------------------

#: Level changes shown on the worklist: those of the last this many days.
CHANGES_SHOWN_DAYS = 7


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs a reader of the watch list (hook `worklist`, apps.core.worklist): the enterprises
    of their scope whose level changed, or which entered the list, in the last 7 days (the list's
    `?changed_within=7`: those at risk). One count over the scored enterprises (one row each),
    kept per scope and day until a recompute changes a level (FIGURES_TOPIC)."""
    if principal.is_api_client or principal.user is None or not may_view(principal):
        return []
    today = today or timezone.localdate()
    n = cached_figures(
        f"risk:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: (
            visible(principal)
            .exclude(level=Level.NONE)
            .filter(changed_within_q(CHANGES_SHOWN_DAYS, today))
            .count()
        ),
    )
    return [
        work_item(
            "risk.level_changes",
            ngettext(
                "%(n)d enterprise changed level on the watch list in the last %(days)d days",
                "%(n)d enterprises changed level on the watch list in the last %(days)d days",
                n,
            )
            % {"n": n, "days": CHANGES_SHOWN_DAYS},
            n,
            url=reverse("risk:list") + f"?changed_within={CHANGES_SHOWN_DAYS}",
            module=_("Risk watch list"),
            state=WAITING,
        )
    ]
