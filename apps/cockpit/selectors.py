"""Every figure of the park in one place (issue 20): the cockpit page, the home pages' figures, the
periodic reports (apps.reports) and the statistics API read these functions and nothing else, so
they give the same number for the same date and scope.

How a figure is computed: each module's part (`_PARTS`) runs a few grouped queries over the
principal's rows — never a query per enterprise or a Python loop over a table — and returns, per
figure, the numerator and denominator of every (town, industry) group. The park, a town, an
industry and each row of a breakdown are sums of those groups (`_sum`), so a breakdown always adds
up to the park. A part is kept in the cache per scope, date and period until a write of its module
moves its topics on (apps.core.cache: correct after a write) or for ten minutes.

The 24-month trends read the months recorded in `FigureMonth` (written when a month ends,
`services.record_months`) and the current month computed live.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.appeals.models import Appeal
from apps.assistance.models import Aid
from apps.assistance.selectors import FIGURES_TOPIC as AID_TOPIC
from apps.certification.models import Certificate
from apps.certification.selectors import FIGURES_TOPIC as CERT_TOPIC
from apps.certification.selectors import current_rule_set
from apps.contracts.models import LabourContract
from apps.contracts.selectors import group_topic
from apps.core.cache import cached_figures, cached_figures_many, scope_key
from apps.core.models import Area
from apps.core.money import format_yuan_unit
from apps.core.principal import SYSTEM, Role
from apps.enterprises.choices import Industry, Status
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.enterprises.rules import HAS_UNION
from apps.inspection.models import InspectionCase
from apps.legalaid.models import LegalAidRequest
from apps.mediation.models import Case
from apps.mediation.selectors import overdue_q
from apps.risk.models import EnterpriseRisk, RiskMonth
from apps.risk.models import Level as RiskLevel
from apps.risk.selectors import FIGURES_TOPIC as RISK_TOPIC
from apps.unions.selectors import current_target as union_target

from . import rules
from .models import FigureMonth, RecordedMonth, Target

#: A group's key: "<town id>|<industry code>" (either may be empty: a case without a town).
Groups = dict[str, dict[str, list]]


def _key(town_id, industry) -> str:
    return f"{town_id or ''}|{industry or ''}"


def _add(out: Groups, code: str, rows, num: str, den: str | None = None, town="t", industry="ind"):
    """Add grouped rows' numerator (and denominator) to `out[code]`."""
    groups = out.setdefault(code, {})
    for row in rows:
        key = _key(row[town], row[industry])
        cell = groups.setdefault(key, [Decimal(0), None if den is None else Decimal(0)])
        cell[0] += Decimal(row[num] or 0)
        if den is not None:
            cell[1] += Decimal(row[den] or 0)


# ------------------------------------------------------------------------------------ the parts


def _operating(principal, as_of: dt.date):
    """The principal's operating enterprises that existed on `as_of` (the registry keeps no history
    of a status: an enterprise closed since counts nowhere)."""
    return (
        Enterprise.objects.visible_to(principal)
        .filter(status=Status.OPERATING)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
    )


def _registry(principal, as_of, since) -> Groups:
    """Operating enterprises, employees (the registry) and union coverage (an enterprise covered by
    an active union founded on or before the date)."""
    union_then = HAS_UNION & (
        Q(union_coverage__union__founded_on__isnull=True) | Q(union_coverage__union__founded_on__lte=as_of)
    )
    rows = _grouped(
        _operating(principal, as_of),
        "town_id",
        "industry",
        n=Count("pk"),
        employees=Sum("employees"),
        with_union=Count("pk", filter=union_then),
    )
    out: Groups = {}
    _add(out, "enterprises.operating", rows, "n")
    _add(out, "enterprises.employees", rows, "employees")
    _add(out, "unions.coverage", rows, "with_union", "n")
    return out


def _surveys(principal, as_of, since) -> Groups:
    """Union members / employees from each operating enterprise's latest survey of a year up to the
    date's (the union figures page's rate)."""
    year = as_of.year
    newer = EnterpriseSurvey.objects.filter(
        enterprise=OuterRef("enterprise"), year__gt=OuterRef("year"), year__lte=year
    )
    latest = EnterpriseSurvey.objects.filter(
        enterprise__in=_operating(principal, as_of), year__lte=year
    ).exclude(Exists(newer))
    rows = _grouped(
        latest,
        "enterprise__town_id",
        "enterprise__industry",
        members=Sum("union_members"),
        employees=Sum("employees"),
    )
    out: Groups = {}
    _add(out, "unions.membership_rate", rows, "members", "employees")
    return out


def _valid_on(day: dt.date) -> Q:
    """A certificate that was valid on `day`: issued, not past its term, not ended before it."""
    return Q(issued_on__lte=day, valid_until__gte=day) & (
        Q(status=Certificate.Status.VALID) | Q(ended_on__gt=day)
    )


def _certification(principal, as_of, since) -> Groups:
    """Operating enterprises holding a title on the date / operating enterprises (seed 003: 90 %),
    and each holder once at its highest level."""
    top = (
        Certificate.objects.filter(_valid_on(as_of), enterprise=OuterRef("pk"))
        .order_by("-level__rank")
        .values("level__code")[:1]
    )
    rows = list(
        _operating(principal, as_of)
        .annotate(level_code=Subquery(top))
        .values("level_code", t=F("town_id"), ind=F("industry"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: Groups = {}
    coverage = [
        {"t": r["t"], "ind": r["ind"], "held": r["n"] if r["level_code"] else 0, "n": r["n"]} for r in rows
    ]
    _add(out, "certification.coverage", coverage, "held", "n")
    for code in ("a", "aa", "aaa"):
        held = [r for r in rows if (r["level_code"] or "").lower() == code]
        _add(out, f"certification.level_{code}", held, "n")
    return out


#: How long one group's count of workers under contract is kept at most. Every write of contracts
#: through the services or a model's save moves its group's topic on (correct after a write), so
#: this only bounds writes that bypass both (a bulk load); the date in the key turns it over daily.
SIGNED_GROUP_TIMEOUT = 6 * 60 * 60


def _contracts(principal, as_of, since) -> Groups:
    """Workers with a written contract in force on the date / the registry's employees of the
    operating enterprises (Labour Contract Law arts. 10, 82). Caches its own pieces (`_PARTS`):
    the employees until the registry changes, the workers per group (`_signed_workers`)."""
    employees = cached_figures(
        f"cockpit:employees:{scope_key(principal)}:{as_of:%Y%m%d}",
        ["enterprises"],
        lambda: _grouped(_operating(principal, as_of), "town_id", "industry", employees=Sum("employees")),
    )
    workers = _signed_workers(principal, as_of, [(r["t"], r["ind"]) for r in employees])
    out: Groups = {}
    # The numerator from the contracts, the denominator from the registry, summed per group.
    _add(out, "contracts.signing_rate", [{**r, "employees": 0} for r in workers], "workers", "employees")
    _add(out, "contracts.signing_rate", [{**r, "workers": 0} for r in employees], "workers", "employees")
    return out


def _signed_workers(principal, as_of: dt.date, groups: list[tuple]) -> list[dict]:
    """Workers with a contract in force on the date, distinct within each (town, industry) group of
    the principal's operating enterprises. Each group is kept under its own topic
    (`contracts.selectors.group_topic`): after a filing only its enterprise's group is counted
    again (a district's million contracts take seconds to count, one group a few milliseconds),
    in one query for however many groups are stale."""
    scope = scope_key(principal)
    by_key = {_key(town, industry): (town, industry) for town, industry in groups}
    entries = {
        key: (f"cockpit:signed:{scope}:{as_of:%Y%m%d}:{key}", [group_topic(town, industry), "enterprises"])
        for key, (town, industry) in by_key.items()
    }

    def count(keys: list[str]) -> dict[str, int]:
        enterprises = _operating(principal, as_of)
        if len(keys) < len(entries):  # only the stale groups (all of them: no condition)
            wanted = Q(pk__in=[])
            for key in keys:
                town, industry = by_key[key]
                wanted |= Q(town_id=town, industry=industry)
            enterprises = enterprises.filter(wanted)
        in_force = (
            LabourContract.objects.visible_to(principal)
            .filter(enterprise__in=enterprises, start__lte=as_of)
            .filter(Q(end__isnull=True) | Q(end__gte=as_of))
            .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=as_of))
        )
        rows = _grouped(
            in_force, "enterprise__town_id", "enterprise__industry", workers=Count("worker", distinct=True)
        )
        found = {_key(r["t"], r["ind"]): r["workers"] for r in rows}
        return {key: found.get(key, 0) for key in keys}

    counted = cached_figures_many(entries, count, timeout=SIGNED_GROUP_TIMEOUT)
    return [{"t": by_key[key][0], "ind": by_key[key][1], "workers": n} for key, n in counted.items() if n]


def _grouped(qs, town: str, industry: str, **aggregates) -> list[dict]:
    """The rows of `qs` grouped by (town, industry) with these aggregates: one query."""
    return list(qs.values(t=F(town), ind=F(industry)).annotate(**aggregates).order_by())


def _within(field: str, since: dt.date, as_of: dt.date) -> Q:
    return Q(**{f"{field}__gte": since, f"{field}__lte": as_of})


def _mediation(principal, as_of, since) -> Groups:
    """Cases received in the period (cases, workers, collective), closed in the period (agreed
    amount, success = closed by agreement / closed, days from receipt to closing), and open past a
    deadline on the date (today: the list's own `overdue` filter)."""
    cases = Case.objects.counted_for(principal)
    group = ("town_id", "respondent_enterprise__industry")
    received = _grouped(
        cases.filter(_within("received_on", since, as_of)),
        *group,
        n=Count("pk"),
        workers=Sum("workers_count"),
        collective=Count("pk", filter=Q(is_collective=True)),
    )
    done = [Case.Status.CLOSED, Case.Status.ARCHIVED]
    closed = _grouped(
        cases.filter(_within("closed_on", since, as_of), status__in=done),
        *group,
        n=Count("pk"),
        agreed=Count("pk", filter=Q(outcome=Case.Outcome.AGREEMENT)),
        amount=Sum("agreed_amount"),
        days=Sum(F("closed_on") - F("received_on")),
    )
    for row in closed:  # date - date is an interval (PostgreSQL) or microseconds (SQLite)
        days = row["days"]
        row["days"] = days.days if isinstance(days, dt.timedelta) else (days or 0) // 86_400_000_000
    if as_of >= timezone.localdate():
        late = cases.filter(overdue_q(as_of))
    else:
        late = cases.filter(received_on__lte=as_of, due_on__lt=as_of).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)
        )
    overdue = _grouped(late, *group, n=Count("pk"))
    out: Groups = {}
    _add(out, "mediation.cases", received, "n")
    _add(out, "mediation.workers", received, "workers")
    _add(out, "mediation.collective", received, "collective")
    _add(out, "mediation.amount_agreed", closed, "amount")
    _add(out, "mediation.success_rate", closed, "agreed", "n")
    _add(out, "mediation.days_to_close", closed, "days", "n")
    _add(out, "mediation.overdue", overdue, "n")
    return out


def _inspection(principal, as_of, since) -> Groups:
    """Cases received in the period; wage arrears recovered on cases closed in the period."""
    cases = InspectionCase.objects.visible_to(principal)
    group = ("town_id", "enterprise__industry")
    out: Groups = {}
    received = _grouped(cases.filter(_within("received_on", since, as_of)), *group, n=Count("pk"))
    _add(out, "inspection.cases", received, "n")
    recovered = _grouped(
        cases.filter(_within("closed_on", since, as_of)), *group, amount=Sum("amount_recovered")
    )
    _add(out, "inspection.arrears_recovered", recovered, "amount")
    return out


def _appeals(principal, as_of, since) -> Groups:
    """Appeals filed in the period; appeals answered in the period."""
    appeals = Appeal.objects.visible_to(principal)
    group = ("enterprise__town_id", "enterprise__industry")
    out: Groups = {}
    for code, field in (("appeals.received", "submitted_on"), ("appeals.answered", "answered_on")):
        _add(out, code, _grouped(appeals.filter(_within(field, since, as_of)), *group, n=Count("pk")), "n")
    return out


def _legalaid(principal, as_of, since) -> Groups:
    requests = LegalAidRequest.objects.visible_to(principal).filter(_within("received_on", since, as_of))
    out: Groups = {}
    _add(out, "legalaid.requests", _grouped(requests, "town_id", "enterprise__industry", n=Count("pk")), "n")
    return out


def _assistance(principal, as_of, since) -> Groups:
    aid = Aid.objects.visible_to(principal).filter(_within("paid_on", since, as_of))
    rows = _grouped(aid, "file__enterprise__town_id", "file__enterprise__industry", amount=Sum("amount"))
    out: Groups = {}
    _add(out, "assistance.aid_amount", rows, "amount")
    return out


def _risk(principal, as_of, since) -> Groups:
    """Enterprises at a level above "no risk": today's scores, or the month's record for a date of
    an earlier month (`RiskMonth`)."""
    if rules.month_start(as_of) >= rules.month_start(timezone.localdate()):
        at_risk = EnterpriseRisk.objects.visible_to(principal).exclude(level=RiskLevel.NONE)
        rows = _grouped(at_risk, "town_id", "industry", n=Count("pk"))
    else:
        month = RiskMonth.objects.visible_to(principal).filter(month=rules.month_start(as_of))
        at_risk = month.exclude(level=RiskLevel.NONE)
        rows = _grouped(at_risk, "town_id", "enterprise__industry", n=Count("pk"))
    out: Groups = {}
    _add(out, "risk.watch_list", rows, "n")
    return out


#: part name → (compute, cache topics). A figure's part is `rules.Definition.part`. Without topics,
#: the part keeps its own pieces in the cache.
_PARTS = {
    "registry": (_registry, ["enterprises", "unions"]),
    "surveys": (_surveys, ["enterprises"]),
    "certification": (_certification, [CERT_TOPIC, "enterprises"]),
    "contracts": (_contracts, None),  # caches its own pieces: the workers per group of enterprises
    "mediation": (_mediation, ["mediation"]),
    "inspection": (_inspection, ["inspection"]),
    "appeals": (_appeals, ["appeals"]),
    "legalaid": (_legalaid, ["legalaid"]),
    "assistance": (_assistance, [AID_TOPIC]),
    "risk": (_risk, [RISK_TOPIC]),
}


def counting_principal(principal):
    """Whose rows a principal's figures count: a leader's (issue 20) are the whole park's, as
    aggregates only — the figures' links still follow the leader's own permissions (none)."""
    if principal.has_role(Role.LEADER) and not principal.is_park_admin:
        return SYSTEM
    return principal


def _groups(principal, codes, as_of: dt.date, since: dt.date, *, refresh: bool = False) -> Groups:
    """The grouped sums of `codes`, each part computed once per scope, date and period (`refresh`:
    again, whatever is kept; the contracts part's groups are right until their own writes)."""
    principal = counting_principal(principal)
    parts = {rules.BY_CODE[code].part for code in codes}
    out: Groups = {}
    for part in sorted(parts):
        compute, topics = _PARTS[part]
        if topics is None:
            out.update(compute(principal, as_of, since))
            continue
        key = f"cockpit:{part}:{scope_key(principal)}:{as_of:%Y%m%d}:{since:%Y%m%d}"
        out.update(cached_figures(key, topics, lambda c=compute: c(principal, as_of, since), refresh=refresh))
    return out


class _Sums:
    """The sums of the groups by town, by industry and in total, each made in one pass over a
    figure's groups (a district has a few hundred groups; a breakdown asks for every row)."""

    def __init__(self, groups: Groups):
        self.groups = groups
        self._rolled: dict[str, tuple] = {}

    def _roll(self, code: str) -> tuple:
        if code not in self._rolled:
            by_town: dict[str, list] = defaultdict(lambda: [Decimal(0), None])
            by_industry: dict[str, list] = defaultdict(lambda: [Decimal(0), None])
            total = [Decimal(0), None]
            for key, (n, d) in self.groups.get(code, {}).items():
                town, ind = key.split("|")
                for cell in (by_town[town], by_industry[ind], total):
                    cell[0] += n
                    if d is not None:
                        cell[1] = (cell[1] or Decimal(0)) + d
            self._rolled[code] = (by_town, by_industry, total)
        return self._rolled[code]

    def get(self, code: str, town_ids=None, industry: str | None = None) -> tuple:
        """The numerator and denominator of `code` over the groups of these towns and industry."""
        by_town, by_industry, total = self._roll(code)
        if town_ids is not None and industry is not None:
            cells = [
                cell
                for key, cell in self.groups.get(code, {}).items()
                if key.split("|")[0] in town_ids and key.split("|")[1] == industry
            ]
        elif town_ids is not None:
            cells = [by_town[t] for t in town_ids if t in by_town]
        elif industry is not None:
            cells = [by_industry[industry]] if industry in by_industry else []
        else:
            cells = [total]
        num, den = Decimal(0), None
        for n, d in cells:
            num += n
            if d is not None:
                den = (den or Decimal(0)) + d
        if rules.BY_CODE[code].unit in (rules.PERCENT, rules.DAYS) and den is None:
            den = Decimal(0)
        return num, den


# ------------------------------------------------------------------------------------ targets


def targets(on: dt.date) -> dict[str, tuple[Decimal, str]]:
    """code → (target, source) in force on `on`: the cockpit's own [POLICY] table, the rule set's
    certification coverage, the union targets. Read once per day and kept until one changes."""
    return cached_figures(
        # The sources are words in the reader's language: kept per language.
        f"cockpit:targets:{get_language()}:{on:%Y%m%d}",
        ["cockpit-targets", CERT_TOPIC, "unions"],
        lambda: _targets(on),
    )


def _targets(on: dt.date) -> dict:
    out = {}
    for target in Target.objects.filter(valid_from__lte=on).order_by("code", "valid_from"):
        out[target.code] = (target.value, target.source)  # the latest valid_from wins
    rule_set = current_rule_set()
    if rule_set is not None and rule_set.coverage_target is not None:
        out["certification.coverage"] = (
            (Decimal(rule_set.coverage_target) * 100).quantize(Decimal("0.1")),
            str(rule_set),
        )
    union = union_target(on.year)
    if union is not None:
        out["unions.coverage"] = (union.coverage, union.display_note)
        out["unions.membership_rate"] = (union.membership_rate, union.display_note)
    return out


# ------------------------------------------------------------------------------------ display


def display(unit: str, value) -> str:
    """A figure as people read it, with thousands separators in every language (Django's Chinese
    number format has none): "40.1 %", "9,791,300.00元", "12.5 天", "1,234"."""
    if value is None:
        return "—"
    if unit == rules.PERCENT:
        return f"{value:,.1f} %"
    if unit == rules.YUAN:
        return format_yuan_unit(value)
    if unit == rules.DAYS:
        return _("%(days)s days") % {"days": f"{value:,.1f}"}
    return f"{int(value):,}"


def _url(principal, code: str, town: str | None, industry: str | None) -> str:
    """Where a figure drills down to for this principal ("" when they may not open that list)."""
    user = principal.user
    if user is None:
        return ""
    links = {
        "enterprises": ("enterprises.view_enterprise", "enterprises:list", {}),
        "unions": ("unions.view_union_figures", "unions:figures", {}),
        "certification": ("certification.view_application", "certification:list", {"status": "certified"}),
        "contracts": ("contracts.view_labourcontract", "contracts:list", {"status": "in_force"}),
        "mediation": ("mediation.view_case", "mediation:list", {}),
        "inspection": ("inspection.view_inspectioncase", "inspection:list", {}),
        "appeals": ("appeals.view_appeal", "appeals:list", {}),
        "legalaid": ("legalaid.view_legalaidrequest", "legalaid:list", {}),
        "assistance": ("assistance.view_aid", "assistance:aid_list", {}),
        "risk": ("risk.view_enterpriserisk", "risk:list", {}),
    }
    module = code.split(".")[0]
    perm, name, params = links[module]
    if not user.has_perm(perm):
        return ""
    params = dict(params)
    if code == "mediation.overdue":
        params = {"overdue": "true"}
    elif code == "mediation.collective":
        params = {"collective": "true"}
    elif code == "certification.coverage" or code.startswith("certification.level"):
        params = {"status": "certified"}
    if module in ("enterprises", "risk", "mediation") and town:
        params["town"] = town
    if module in ("enterprises", "risk") and industry:
        params["industry"] = industry
    try:
        url = reverse(name)
    except Exception:  # a module's list without that name (a module switched off)
        return ""
    from urllib.parse import urlencode

    return f"{url}?{urlencode(params)}" if params else url


def _figure(principal, code, num, den, target, town=None, industry=None) -> dict:
    d = rules.BY_CODE[code]
    value = rules.value_of(d.unit, num, den)
    target_value, source = target if target else (None, "")
    unit = d.unit
    return {
        "code": code,
        "label": str(d.label),
        "value": value,
        "display": display(unit, value),
        "unit": unit,
        "target": target_value,
        "target_display": display(unit, target_value) if target_value is not None else "",
        "meets_target": rules.meets(value, target_value, d.better),
        "better": d.better,
        "kind": d.kind,
        "numerator": int(num) if unit != rules.YUAN and num == int(num) else num,
        "denominator": (int(den) if den is not None and den == int(den) else den),
        "url": _url(principal, code, town, industry),
        "source": str(source or ""),
    }


# ------------------------------------------------------------------------------------ the reads


def _town_ids(principal, town: str | None):
    """The towns counted: one (by code), or None for all the principal's rows."""
    if town is None:
        return None, None
    area = Area.objects.filter(code=town).values("pk", "code", "name").first()
    if area is None:
        raise LookupError(town)
    return {str(area["pk"])}, {"code": area["code"], "name": area["name"]}


def _codes(codes) -> list[str]:
    if codes is None:
        return list(rules.FIGURE_ORDER)
    unknown = [c for c in codes if c not in rules.BY_CODE]
    if unknown:
        raise LookupError(", ".join(unknown))
    return [c for c in rules.FIGURE_ORDER if c in set(codes)]


def warm(today: dt.date | None = None) -> None:
    """Compute the park's figures of today again and keep them (`cockpit.warm`, every few minutes):
    the park administrators' and leaders' cockpit and homes then find them in the cache, also
    after midnight and after the cache's time limit, instead of counting the district while they
    wait. Writes still move their parts on at once (correct after a write)."""
    today = today or timezone.localdate()
    _groups(SYSTEM, list(rules.BY_CODE), today, rules.default_since(today), refresh=True)


def figures(principal, *, as_of=None, since=None, town=None, industry=None, codes=None) -> dict:
    """The figures of the principal's scope on `as_of` (default today): stocks on that day, flows
    from `since` (default 1 January of that year) to `as_of`; for the park, one town (its code) or
    one industry (its GB/T 4754 section). Raises LookupError for an unknown town, industry or code."""
    as_of = as_of or timezone.localdate()
    since = since or rules.default_since(as_of)
    codes = _codes(codes)
    if industry is not None and industry not in Industry.values:
        raise LookupError(industry)
    town_ids, town_info = _town_ids(principal, town)
    sums = _Sums(_groups(principal, codes, as_of, since))
    goals = targets(as_of)
    out = []
    for code in codes:
        num, den = sums.get(code, town_ids, industry)
        out.append(_figure(principal, code, num, den, goals.get(code), town, industry))
    return {
        "as_of": as_of,
        "since": since,
        "town": town_info,
        "industry": {"code": industry, "label": str(Industry(industry).label)} if industry else None,
        "figures": out,
        "by_code": {f["code"]: f for f in out},
    }


def breakdown(principal, *, by: str, as_of=None, since=None, codes=None) -> dict:
    """The figures by town or by industry (rows sorted by name or code) with the park's total: the
    same sums as `figures`, so each row equals `figures(town=…)` and the rows add up."""
    if by not in ("town", "industry"):
        raise LookupError(by)
    as_of = as_of or timezone.localdate()
    since = since or rules.default_since(as_of)
    codes = _codes(codes)
    groups = _groups(principal, codes, as_of, since)
    sums = _Sums(groups)
    position = 0 if by == "town" else 1
    keys = sorted({key.split("|")[position] for code in codes for key in groups.get(code, {})})
    if by == "town":
        areas = {
            str(a["pk"]): a
            for a in Area.objects.filter(pk__in=[k for k in keys if k]).values("pk", "code", "name")
        }
        labels = {k: (areas[k]["code"], areas[k]["name"]) if k in areas else ("", _("No town")) for k in keys}
    else:
        names = dict(Industry.choices)
        labels = {k: (k, str(names.get(k, _("No industry")))) for k in keys}
    rows = []
    for k in sorted(keys, key=lambda k: (labels[k][0] == "", labels[k][0])):
        values, displays = {}, {}
        for code in codes:
            num, den = sums.get(code, {k} if by == "town" else None, k if by == "industry" else None)
            unit = rules.BY_CODE[code].unit
            values[code] = rules.value_of(unit, num, den)
            displays[code] = display(unit, values[code])
        rows.append(
            {
                "key": labels[k][0],
                "label": labels[k][1],
                "values": values,
                "displays": displays,
                "cells": [displays[code] for code in codes],
            }
        )
    total_values, total_displays = {}, {}
    for code in codes:
        num, den = sums.get(code)
        unit = rules.BY_CODE[code].unit
        total_values[code] = rules.value_of(unit, num, den)
        total_displays[code] = display(unit, total_values[code])
    return {
        "by": by,
        "as_of": as_of,
        "since": since,
        "codes": codes,
        "labels": {code: str(rules.BY_CODE[code].label) for code in codes},
        "units": {code: rules.BY_CODE[code].unit for code in codes},
        "rows": rows,
        "headers": [str(rules.BY_CODE[code].label) for code in codes],
        "total": {
            "key": "",
            "label": _("Total"),
            "values": total_values,
            "displays": total_displays,
            "cells": [total_displays[code] for code in codes],
        },
    }


def trends(principal, *, as_of=None, months: int = 24, town=None, industry=None, codes=None) -> dict:
    """Each figure month by month (`months` ending with `as_of`'s): stocks at each month's end,
    flows over each month. Recorded months come from `FigureMonth` (the park's, narrowed to the
    principal's towns for an area-restricted API client); the current month is computed live.
    A month not recorded yet has no value (None)."""
    as_of = as_of or timezone.localdate()
    codes = _codes(codes)
    town_ids, _info = _town_ids(principal, town)
    if principal.is_api_client and principal.area_ids:
        allowed = {str(a) for a in principal.area_ids}
        town_ids = allowed if town_ids is None else town_ids & allowed
    month_list = rules.months_up_to(as_of, months)
    current = rules.month_start(timezone.localdate())
    recorded = set(RecordedMonth.objects.filter(month__in=month_list).values_list("month", flat=True))
    sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), None])
    rows = FigureMonth.objects.filter(month__in=recorded, code__in=codes)
    if town_ids is not None:
        rows = rows.filter(town_id__in=list(town_ids))
    if industry is not None:
        rows = rows.filter(industry=industry)
    for row in rows.values("month", "code").annotate(n=Sum("numerator"), d=Sum("denominator")).order_by():
        sums[(row["month"], row["code"])] = [row["n"] or Decimal(0), row["d"]]
    series = {code: [] for code in codes}
    for month in month_list:
        if month >= current:
            live = figures(
                principal,
                as_of=min(as_of, timezone.localdate()),
                since=month,
                town=town,
                industry=industry,
                codes=codes,
            )
            for code in codes:
                series[code].append(live["by_code"][code]["value"])
            continue
        for code in codes:
            if month not in recorded:
                series[code].append(None)
                continue
            num, den = sums.get((month, code), [Decimal(0), None])
            unit = rules.BY_CODE[code].unit
            if unit in (rules.PERCENT, rules.DAYS) and den is None:
                den = Decimal(0)
            series[code].append(rules.value_of(unit, num, den))
    return {
        "months": [m.strftime("%Y-%m") for m in month_list],
        "series": series,
        "labels": {code: str(rules.BY_CODE[code].label) for code in codes},
        "units": {code: rules.BY_CODE[code].unit for code in codes},
        "recorded": len(recorded),
    }


#: The few figures each role sees on its home page, against their targets (issue 20 item 1).
ROLE_FIGURES = {
    "park_admin": (
        "certification.coverage",
        "unions.coverage",
        "contracts.signing_rate",
        "mediation.success_rate",
        "risk.watch_list",
    ),
    "union_official": (
        "unions.coverage",
        "unions.membership_rate",
        "legalaid.requests",
        "assistance.aid_amount",
    ),
    # Overdue cases are the worklist's first item, not a figure here as well.
    "mediator": ("mediation.cases", "mediation.success_rate", "mediation.days_to_close"),
    "inspector": ("inspection.cases", "inspection.arrears_recovered", "risk.watch_list"),
    "enterprise_hr": ("contracts.signing_rate", "appeals.received"),
    "leader": (
        "certification.coverage",
        "unions.coverage",
        "contracts.signing_rate",
        "mediation.success_rate",
        "risk.watch_list",
    ),
}


def home_figures(principal) -> list[dict]:
    """The figures of the principal's roles (`ROLE_FIGURES`), each once, over their own scope."""
    codes: list[str] = []
    roles = set(principal.roles)
    if principal.is_park_admin:
        roles.add("park_admin")
    for role, role_codes in ROLE_FIGURES.items():
        if role in roles:
            codes.extend(c for c in role_codes if c not in codes)
    if not codes:
        return []
    result = figures(principal, codes=codes)
    return [result["by_code"][c] for c in codes]


def recorded_months() -> set[dt.date]:
    return set(RecordedMonth.objects.values_list("month", flat=True))
