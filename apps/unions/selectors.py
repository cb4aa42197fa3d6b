"""Reads of the union module; each takes the acting principal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps as django_apps
from django.db.models import Count, Min, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.cache import cached_figures, scope_key
from apps.core.exports import Sheet
from apps.core.models import Area
from apps.core.money import format_yuan
from apps.core.personal_data import mask_id_number
from apps.core.scoping import get_visible_or_404
from apps.core.search import hit, may, searched
from apps.core.worklist import WAITING
from apps.core.worklist import item as work_item
from apps.enterprises.choices import SIZE_BAND_LIMITS, Industry, SizeBand, Status
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.enterprises.rules import HAS_UNION, NEEDS_UNION, UNION_COMMITTEE_SOURCE
from apps.enterprises.selectors import enterprises_visible_to, hidden_section

from . import rules, workflow
from .models import (
    CollectiveContract,
    Platform,
    PlatformMembership,
    PlatformWorker,
    Union,
    UnionTarget,
    WorkersCongress,
)


def unions_visible_to(principal):
    return (
        Union.objects.visible_to(principal)
        .select_related("parent", "organisation__area")
        .annotate(enterprise_count=Count("coverage"))
        .order_by("kind", "name")
    )


def get_union(principal, pk) -> Union:
    return get_visible_or_404(unions_visible_to(principal), principal, pk=pk)


def union_enterprises(principal, union):
    return enterprises_visible_to(principal).filter(union_coverage__union=union)


def union_of(enterprise) -> Union | None:
    coverage = getattr(enterprise, "union_coverage", None) if hasattr(enterprise, "union_coverage") else None
    return coverage.union if coverage else None


# Collective contracts ------------------------------------------------------------------------------


class ContractState:
    """Where a collective contract stands, derived from its dates (集体合同规定 arts. 42, 47)."""

    AWAITING_FILING = "awaiting_filing"
    UNDER_REVIEW = "under_review"
    OBJECTION = "objection"
    IN_FORCE = "in_force"
    EXPIRED = "expired"

    LABELS = {
        AWAITING_FILING: _("Awaiting filing"),
        UNDER_REVIEW: _("Under review (15 days)"),
        OBJECTION: _("Objection raised"),
        IN_FORCE: _("In force"),
        EXPIRED: _("Expired"),
    }
    choices = list(LABELS.items())


def contract_state(contract: CollectiveContract, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if contract.objection_on:
        return ContractState.OBJECTION
    if not contract.filed_on:
        return ContractState.AWAITING_FILING
    if contract.ends_on < today:
        return ContractState.EXPIRED
    if contract.effective_on and contract.effective_on <= today:
        return ContractState.IN_FORCE
    return ContractState.UNDER_REVIEW


def state_q(state: str, today: dt.date | None = None) -> Q:
    """The same states as a database filter, for lists and the API."""
    today = today or timezone.localdate()
    return {
        ContractState.OBJECTION: Q(objection_on__isnull=False),
        ContractState.AWAITING_FILING: Q(objection_on__isnull=True, filed_on__isnull=True),
        ContractState.EXPIRED: Q(objection_on__isnull=True, filed_on__isnull=False, ends_on__lt=today),
        ContractState.IN_FORCE: Q(objection_on__isnull=True, effective_on__lte=today, ends_on__gte=today),
        ContractState.UNDER_REVIEW: Q(objection_on__isnull=True, filed_on__isnull=False, ends_on__gte=today)
        & (Q(effective_on__isnull=True) | Q(effective_on__gt=today)),
    }.get(state, Q())


#: The longest window of the contract list's `ending_within` (days).
MAX_ENDING_WITHIN_DAYS = 3650


def ending_within_q(days: int, today: dt.date | None = None) -> Q:
    """Contracts in force whose term ends within `days` days from today."""
    today = today or timezone.localdate()
    return state_q(ContractState.IN_FORCE, today) & Q(ends_on__lte=today + dt.timedelta(days=days))


def contract_facts(contract: CollectiveContract, today: dt.date | None = None) -> dict:
    """What the contract page explains: state, the vote, filing on time, the review period."""
    today = today or timezone.localdate()
    vote = rules.vote_result(
        contract.representatives_total, contract.representatives_present, contract.representatives_approving
    )
    filing_due = rules.filing_due(contract.signed_on)
    state = contract_state(contract, today)
    return {
        "state": state,
        "state_label": ContractState.LABELS[state],
        "vote": vote,
        "vote_source": rules.VOTE_SOURCE,
        "filing_due": filing_due,
        "filing_source": rules.FILING_SOURCE,
        "filed_late": bool(contract.filed_on and contract.filed_on > filing_due)
        or (not contract.filed_on and today > filing_due),
        "review_source": rules.REVIEW_SOURCE,
        "ends_soon": state == ContractState.IN_FORCE
        and contract.ends_on <= today + dt.timedelta(days=rules.RENEWAL_NOTICE_DAYS),
        "renewal_source": rules.RENEWAL_SOURCE,
    }


def contracts_visible_to(principal):
    return CollectiveContract.objects.visible_to(principal).select_related("enterprise", "union", "congress")


def get_contract(principal, pk) -> CollectiveContract:
    return get_visible_or_404(contracts_visible_to(principal), principal, pk=pk)


def federations_visible_to(principal):
    return Union.objects.visible_to(principal).filter(kind=Union.Kind.FEDERATION, is_active=True)


def writable_enterprises(principal):
    """Visible enterprises the principal may record contracts and congress meetings for (the
    choices of those forms): all for park administrators; else their own enterprise (HR) and the
    enterprises covered by their union or the unions of their federation. The services
    (`workflow.can_write_contract`, `workflow.can_write_congress`) still decide on saving."""
    qs = Enterprise.objects.visible_to(principal).select_related("town").order_by("name")
    if principal.is_park_admin or principal.is_api_client:
        return qs
    union_orgs = principal.organisation_ids(Role.UNION_OFFICIAL)
    return qs.filter(
        Q(organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR))
        | Q(union_coverage__union__organisation_id__in=union_orgs)
        | Q(union_coverage__union__parent__organisation_id__in=union_orgs)
    )


def congresses_visible_to(principal):
    return WorkersCongress.objects.visible_to(principal).select_related("enterprise")


def adopting_meetings(principal, enterprise, contract=None):
    """The workers' congress meetings a contract of `enterprise` may link as the one that adopted
    it (the choices of the contract form): the enterprise's meetings, newest first; none while the
    enterprise is unknown. The service checks the date (rules.meeting_link_errors)."""
    if enterprise is None:
        return WorkersCongress.objects.none()
    return WorkersCongress.objects.visible_to(principal).filter(enterprise=enterprise).order_by("-held_on")


# Figures -------------------------------------------------------------------------------------------


def current_target(year: int | None = None) -> UnionTarget | None:
    year = year or timezone.localdate().year
    return UnionTarget.objects.filter(from_year__lte=year).order_by("-from_year").first()


def _rate(part, whole):
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def coverage_figures(principal, by: str = "town") -> dict:
    """Union coverage (operating enterprises with a union / operating enterprises) and membership
    rate (union members / employees, from each enterprise's latest survey), grouped by town or
    industry, with totals and the configured targets. One query per grouping, kept until the
    registry or the unions change (they read 20,000 enterprises in a district)."""
    if by not in ("town", "industry"):
        raise KeyError(by)
    return cached_figures(
        f"unions:coverage:{by}:{scope_key(principal)}:{timezone.localdate().year}",
        ["enterprises", "unions"],
        lambda: _coverage_figures(principal, by),
    )


def _coverage_figures(principal, by: str) -> dict:
    group_field = {"town": "town__name", "industry": "industry"}[by]
    qs = enterprises_visible_to(principal).filter(status=Status.OPERATING)
    rows = (
        qs.values(group_field)
        .annotate(
            enterprises=Count("pk"),
            with_union=Count("pk", filter=HAS_UNION),
            needs_union=Count("pk", filter=NEEDS_UNION),
            members=Sum("latest_survey__union_members", default=0),
            surveyed_employees=Sum("latest_survey__employees", default=0),
        )
        .order_by(group_field)
    )
    labels = dict(Industry.choices)
    out, totals = (
        [],
        {"enterprises": 0, "with_union": 0, "needs_union": 0, "members": 0, "surveyed_employees": 0},
    )
    for row in rows:
        key = row[group_field]
        item = {
            "key": key,
            "label": labels.get(key, key) if by == "industry" else key,
            **{k: row[k] for k in totals},
        }
        item["coverage"] = _rate(item["with_union"], item["enterprises"])
        item["membership_rate"] = _rate(item["members"], item["surveyed_employees"])
        for k in totals:
            totals[k] += row[k]
        out.append(item)
    totals["coverage"] = _rate(totals["with_union"], totals["enterprises"])
    totals["membership_rate"] = _rate(totals["members"], totals["surveyed_employees"])
    target = current_target()
    for item in [*out, totals]:
        item["coverage_met"] = bool(
            target and item["coverage"] is not None and item["coverage"] >= target.coverage
        )
        item["membership_met"] = bool(
            target
            and item["membership_rate"] is not None
            and item["membership_rate"] >= target.membership_rate
        )
    return {"by": by, "rows": out, "totals": totals, "target": target}


def size_bands(principal) -> list[dict]:
    """Operating enterprises per employee band, in one query."""
    qs = enterprises_visible_to(principal).filter(status=Status.OPERATING)
    aggregates = {}
    for band, low, high in SIZE_BAND_LIMITS:
        cond = Q(employees__gte=low) & (Q(employees__lte=high) if high is not None else Q())
        aggregates[band] = Count("pk", filter=cond)
    counts = qs.aggregate(**aggregates)
    return [
        {"band": band, "label": SizeBand(band).label, "count": counts[band]}
        for band, _l, _h in SIZE_BAND_LIMITS
    ]


def survey_trend(principal) -> list[dict]:
    """What the yearly surveys reported, per year: enterprises surveyed, reporting a union,
    members and employees."""
    rows = (
        EnterpriseSurvey.objects.visible_to(principal)
        .values("year")
        .annotate(
            surveyed=Count("pk"),
            with_union=Count("pk", filter=Q(has_union=True)),
            members=Sum("union_members"),
            employees=Sum("employees"),
            collective=Count("pk", filter=Q(collective_contract=True)),
            wage=Count("pk", filter=Q(wage_bargaining=True)),
        )
        .order_by("year")
    )
    return [
        row
        | {
            "coverage": _rate(row["with_union"], row["surveyed"]),
            "membership_rate": _rate(row["members"], row["employees"]),
        }
        for row in rows
    ]


def needs_union(principal):
    """Operating enterprises with 25 or more union members and no union committee of their own
    (Trade Union Law art. 11), most members first: the federation's work list."""
    return (
        enterprises_visible_to(principal)
        .filter(status=Status.OPERATING)
        .filter(NEEDS_UNION)
        .order_by("-latest_survey__union_members", "name")
    )


# Plug-ins: dossier and home page -------------------------------------------------------------------


def _may(principal, perm: str) -> bool:
    return principal.user is not None and principal.user.has_perm(perm)


def dossier_sections(principal, enterprise) -> list[dict]:
    """The union, collective-contract and congress sections of the dossier. A section whose
    records the viewer's role may not read (its view permission) is hidden, not empty; the union
    is linked only for a viewer who may open its page (`Union.visible_to`)."""
    today = timezone.localdate()
    sections = []
    if _may(principal, "unions.view_union"):
        union = union_of(enterprise)
        may_open = union is not None and (
            principal.sees_everything or Union.objects.visible_to(principal).filter(pk=union.pk).exists()
        )
        sections.append(
            {
                "key": "union",
                "title": _("Trade union"),
                "template": "unions/dossier_union.html",
                "context": {
                    "union": union,
                    "may_open_union": may_open,
                    "needs_union": getattr(enterprise, "needs_union", False),
                    "threshold_source": UNION_COMMITTEE_SOURCE,
                },
            }
        )
    else:
        sections.append(hidden_section("union", _("Trade union")))
    if _may(principal, "unions.view_collectivecontract"):
        contracts = list(contracts_visible_to(principal).filter(enterprise=enterprise)[:20])
        for c in contracts:
            c.facts = contract_facts(c, today)
        sections.append(
            {
                "key": "collective_contracts",
                "title": _("Collective contracts"),
                "template": "unions/dossier_contracts.html",
                "wide": True,
                "context": {
                    "contracts": contracts,
                    "may_add": workflow.can_write_contract(principal, enterprise),
                },
            }
        )
    else:
        sections.append(hidden_section("collective_contracts", _("Collective contracts")))
    if _may(principal, "unions.view_workerscongress"):
        congresses = list(congresses_visible_to(principal).filter(enterprise=enterprise)[:10])
        for m in congresses:
            m.quorate = rules.congress_quorate(m.representatives_total, m.representatives_present)
        sections.append(
            {
                "key": "congresses",
                "title": _("Workers' congress"),
                "template": "unions/dossier_congresses.html",
                "wide": True,
                "context": {
                    "congresses": congresses,
                    "quorum_source": rules.CONGRESS_QUORUM_SOURCE,
                    "may_add": workflow.can_write_congress(principal, enterprise),
                },
            }
        )
    else:
        sections.append(hidden_section("congresses", _("Workers' congress")))
    return sections


def home_cards(principal):
    user = principal.user
    if user is None or not user.has_perm("unions.view_union_figures"):
        return []
    figures = coverage_figures(principal)["totals"]
    return [
        {
            "label": _("Union coverage (%)"),
            "value": figures["coverage"] if figures["coverage"] is not None else "—",
            "url": reverse("unions:figures"),
            "icon": "people",
            # The cockpit's figure of the same number: the home page shows one of the two.
            "figure": "unions.coverage",
        }
    ]


# New forms of employment (新就业形态劳动者, issue 19) ------------------------------------------------


def platforms_visible_to(principal):
    return Platform.objects.visible_to(principal).select_related("enterprise").order_by("name")


def platform_workers_visible_to(principal, today: dt.date | None = None):
    """The platform workers the principal sees, with their town, platforms and current membership
    (`current_memberships`: a list of 0 or 1) prefetched: no query per row."""
    today = today or timezone.localdate()
    current = PlatformMembership.objects.current_on(today).select_related("union")
    return (
        PlatformWorker.objects.visible_to(principal)
        .select_related("town", "registered_by")
        .prefetch_related(
            Prefetch("platforms", queryset=Platform.objects.order_by("name")),
            Prefetch("memberships", queryset=current, to_attr="current_memberships"),
        )
        .order_by("name", "id")
    )


def get_platform_worker(principal, pk) -> PlatformWorker:
    return get_visible_or_404(platform_workers_visible_to(principal), principal, pk=pk)


def current_membership(worker: PlatformWorker):
    """The worker's current membership, from the prefetched list when there is one."""
    prefetched = getattr(worker, "current_memberships", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return PlatformMembership.objects.current_on(timezone.localdate()).filter(worker=worker).first()


def may_see_full_id_number(principal) -> bool:
    """Full ID numbers of platform workers: API clients with `personal_data:read` (each view
    audited). Pages show them masked."""
    return principal.is_api_client and principal.has_scope("personal_data:read")


def platform_worker_id_number(principal, worker: PlatformWorker, *, detail: bool) -> tuple[str, bool]:
    """(number, full): in full only in one worker's detail for a principal allowed to see it, and
    that view is written to the audit trail; masked everywhere else."""
    if detail and may_see_full_id_number(principal):
        audit.record_sensitive_view(worker, "id_number")
        return worker.id_number, True
    return mask_id_number(worker.id_number), False


def platform_worker_facts(worker: PlatformWorker) -> dict:
    """What the worker's page explains: the rule of their labour-relationship status."""
    rule = rules.relationship_rule(worker.relationship)
    return {"relationship_rule": rule}


def platform_worker_history(principal, worker: PlatformWorker):
    return PlatformMembership.objects.visible_to(principal).filter(worker=worker).select_related("union")


def platform_workers_sheet(qs) -> Sheet:
    """The platform workers of `qs` (already scoped and filtered) as one sheet, ID numbers masked."""

    def rows():
        for worker in qs.iterator(chunk_size=500):
            membership = current_membership(worker)
            yield [
                worker.name,
                mask_id_number(worker.id_number),
                worker.phone,
                worker.town.name,
                worker.get_occupation_display(),
                ", ".join(p.name for p in worker.platforms.all()),
                worker.get_relationship_display(),
                membership.union.name if membership else "",
                membership.joined_on if membership else None,
            ]

    header = [
        _("Full name"),
        _("ID number"),
        _("Phone"),
        _("Town"),
        _("Occupation"),
        _("Platforms"),
        _("Labour relationship"),
        _("Union"),
        _("Joined on"),
    ]
    return Sheet(title=str(_("Platform workers")), header=[str(h) for h in header], rows=rows())


def towns():
    return Area.objects.filter(kind=Area.Kind.TOWN).order_by("code")


def _newforms_counts(principal, year: int, town_id, day: dt.date) -> dict:
    """The grouped counts behind the new-employment figures: one query per grouping, over the
    memberships visible to the principal that matter for the year."""
    current = Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))
    joined = Q(joined_on__year=year)
    left = Q(left_on__year=year)
    qs = PlatformMembership.objects.visible_to(principal).filter(current | joined | left)
    if town_id:
        qs = qs.filter(worker__town_id=town_id)
    measures = {
        "members": Count("worker", distinct=True, filter=current),
        "joined": Count("worker", distinct=True, filter=joined),
        "left": Count("worker", distinct=True, filter=left),
    }
    out = {"total": qs.aggregate(**measures)}
    for key, field in (
        ("platform", "worker__platforms__name"),
        ("town", "worker__town__name"),
        ("occupation", "worker__occupation"),
        ("relationship", "worker__relationship"),
    ):
        out[key] = [
            (row[field], row["members"], row["joined"], row["left"])
            for row in qs.values(field).annotate(**measures).order_by(field)
        ]
    return out


#: The new-employment tables of the figures page: key, title, grouping, labels of its values.
_NEWFORMS_TABLES = (
    (
        "newforms_by_platform",
        _("New forms of employment: union members by platform"),
        "platform",
        _("Platform"),
    ),
    (
        "newforms_by_town",
        _("New forms of employment: union members by town"),
        "town",
        _("Town / sub-district"),
    ),
    (
        "newforms_by_occupation",
        _("New forms of employment: union members by occupation"),
        "occupation",
        _("Occupation"),
    ),
    (
        "newforms_by_relationship",
        _("New forms of employment: union members by labour relationship"),
        "relationship",
        _("Labour relationship"),
    ),
)


def newforms_figures(principal, year: int, town=None) -> list[dict]:
    """Platform workers' union membership in `year` (members on 31 December, or today in the
    current year; joined and left during the year), by platform, town, occupation and labour
    relationship, each with a total row. A worker on several platforms counts once per platform
    and once in the total. `town`: an `apps.core.models.Area` (or its id) or None for all."""
    today = timezone.localdate()
    day = rules.year_end(year, today)
    town_id = getattr(town, "pk", town)
    counts = cached_figures(
        f"unions:newforms:{scope_key(principal)}:{year}:{town_id or '-'}:{day}",
        ["newforms"],
        lambda: _newforms_counts(principal, year, town_id, day),
    )
    labels = {
        "occupation": dict(PlatformWorker.Occupation.choices),
        "relationship": dict(PlatformWorker.Relationship.choices),
    }
    columns_tail = [
        _("Members on %(day)s") % {"day": day.isoformat()},
        _("Joined in %(year)s") % {"year": year},
        _("Left in %(year)s") % {"year": year},
    ]
    total = counts["total"]
    tables = []
    for key, title, group, label in _NEWFORMS_TABLES:
        names = labels.get(group, {})
        rows = [
            [str(names.get(name, name)) if name else "—", members, joined, left]
            for name, members, joined, left in counts[group]
        ]
        rows.append([str(_("Total")), total["members"], total["joined"], total["left"]])
        tables.append(
            {"key": key, "title": str(title), "columns": [str(label), *map(str, columns_tail)], "rows": rows}
        )
    return tables


def union_figures(principal, year: int, town=None) -> list[dict]:
    """This module's tables for the union figures page (the `union_figures` hook, like the other
    issue-19 modules): the new forms of employment."""
    return newforms_figures(principal, year, town)


def officials_of(union_ids) -> dict:
    """{union id: [active users who are officials of it]} in two queries: whom a module tells
    about a union's work (legal-aid decisions due, hardship reviews due)."""
    from apps.accounts.models import User

    rows = (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.UNION_OFFICIAL,
            memberships__organisation__trade_union__in=list(union_ids),
        )
        .values_list("memberships__organisation__trade_union", "pk")
        .distinct()
    )
    users = {u.pk: u for u in User.objects.filter(pk__in={pk for _, pk in rows})}
    out: dict = {}
    for union_id, pk in rows:
        out.setdefault(union_id, []).append(users[pk])
    return out


def module_figures(principal, year: int, town=None) -> list[dict]:
    """Every module's tables for the union figures page: each AppConfig with `union_figures =
    "apps.x.selectors.union_figures"` is called `(principal, year, town=None)` and returns
    [{"key", "title", "columns", "rows"}] (`_table_cells`), in INSTALLED_APPS order. Read by
    name: the modules above unions are never imported here."""
    tables = []
    for config in django_apps.get_app_configs():
        provider = getattr(config, "union_figures", None)
        if not provider:
            continue
        for table in import_string(provider)(principal, year, town) or []:
            columns, rows = _table_cells(table)
            tables.append(
                {
                    "key": table["key"],
                    "title": table["title"],
                    "columns": columns,
                    "rows": rows,
                    "module": str(config.verbose_name),
                }
            )
    return tables


def _table_cells(table: dict) -> tuple[list, list]:
    """A provider's table as column labels and rows of cells. Columns are labels, or
    {"key", "label" (or "title"), "money" (amounts in yuan: shown as 2,460,633.00)}; rows are
    lists of cells, or {column key: value} read in the columns' order."""
    labels, keys, money = [], [], []
    for column in table.get("columns") or []:
        if isinstance(column, dict):
            keys.append(column.get("key"))
            labels.append(column.get("label") or column.get("title") or column.get("key"))
            money.append(bool(column.get("money")))
        else:
            keys.append(None)
            labels.append(column)
            money.append(False)
    rows = []
    for row in table.get("rows") or []:
        cells = [row.get(key, "") for key in keys] if isinstance(row, dict) else list(row)
        rows.append([format_yuan(c) if is_money else c for c, is_money in zip(cells, money, strict=False)])
    return labels, rows


def figures_years(today: dt.date | None = None, span: int = 5) -> list[int]:
    """The years the figures page offers: this year and the `span - 1` before it."""
    year = (today or timezone.localdate()).year
    return list(range(year, year - span, -1))


__all__ = [
    "ContractState",
    "contract_state",
    "state_q",
    "coverage_figures",
    "size_bands",
    "survey_trend",
    "needs_union",
    "platform_workers_visible_to",
    "newforms_figures",
    "union_figures",
    "module_figures",
]


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): for an ID number, the platform worker with
    it (the keyed hash, unique per worker) among those the principal sees
    (`PlatformWorker.visible_to`: the union's own; never HR, mediators or inspectors), for those
    who read the union's platform workers (`unions.view_platformworker`). Masked, as on the pages."""
    if not query.by_id or not may(principal, "unions.view_platformworker"):
        return []
    kind = _("Platform worker")
    worker = (
        PlatformWorker.objects.visible_to(principal)
        .filter(id_number_hash=query.id_hash)
        .select_related("town")
        .first()
    )
    entries = []
    if worker is not None:
        entries.append(
            hit(
                "unions",
                kind,
                f"{worker.name} · {query.id_masked}",
                f"{worker.get_occupation_display()} · {worker.town.name}",
                reverse("unions:platform_worker_detail", args=[worker.pk]),
                by_id=True,
            )
        )
    return [*entries, searched("unions", kind, by_id=True)]


# The worklist (issue 20) -----------------------------------------------------------------------------


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in collective contracts (hook `worklist`, apps.core.worklist). The
    parties (an enterprise's HR, a union's officials): their contracts in force ending within 3
    months (art. 40: renegotiate or renew), those signed and not yet filed (art. 42: within 10
    days), those the administration objected to (art. 47). The park (the HR bureau's review,
    `unions.review_collectivecontract`): the filed contracts in their 15-day review. Each the rows
    of the contract list's state (`state_q`) its link sets, in `CollectiveContract.visible_to`;
    one aggregate kept per scope and day until a contract changes (topic "unions")."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("unions.view_collectivecontract"):
        return []
    today = today or timezone.localdate()
    parties = not principal.sees_everything and user.has_perm("unions.add_collectivecontract")
    reviews = user.has_perm("unions.review_collectivecontract")
    if not (parties or reviews):
        return []
    S = ContractState
    ending = ending_within_q(rules.RENEWAL_NOTICE_DAYS, today)
    unfiled, review = state_q(S.AWAITING_FILING, today), state_q(S.UNDER_REVIEW, today)
    found = cached_figures(
        f"unions:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        ["unions"],
        lambda: contracts_visible_to(principal).aggregate(
            ending=Count("pk", filter=ending),
            ending_due=Min("ends_on", filter=ending),
            unfiled=Count("pk", filter=unfiled),
            unfiled_signed=Min("signed_on", filter=unfiled),
            review=Count("pk", filter=review),
            review_filed=Min("filed_on", filter=review),
            objection=Count("pk", filter=state_q(S.OBJECTION, today)),
        ),
    )
    module = _("Collective contracts")
    url = reverse("unions:contract_list")
    items = []
    if parties:
        n = found["ending"]
        items.append(
            work_item(
                "unions.contracts_ending",
                ngettext(
                    "%(n)d collective contract ending within 3 months",
                    "%(n)d collective contracts ending within 3 months",
                    n,
                )
                % {"n": n},
                n,
                url=url + f"?state={S.IN_FORCE}&ending_within={rules.RENEWAL_NOTICE_DAYS}",
                module=module,
                due=found["ending_due"],
                today=today,
                soon_days=rules.RENEWAL_NOTICE_DAYS,
            )
        )
        n = found["unfiled"]
        signed = found["unfiled_signed"]
        items.append(
            work_item(
                "unions.contracts_to_file",
                ngettext(
                    "%(n)d collective contract to file with the HR bureau",
                    "%(n)d collective contracts to file with the HR bureau",
                    n,
                )
                % {"n": n},
                n,
                url=url + f"?state={S.AWAITING_FILING}",
                module=module,
                due=rules.filing_due(signed) if signed else None,
                today=today,
            )
        )
        n = found["objection"]
        items.append(
            work_item(
                "unions.contracts_objection",
                ngettext(
                    "%(n)d collective contract objected to: negotiate again",
                    "%(n)d collective contracts objected to: negotiate again",
                    n,
                )
                % {"n": n},
                n,
                url=url + f"?state={S.OBJECTION}",
                module=module,
                state=WAITING,
            )
        )
    if reviews:
        n = found["review"]
        filed = found["review_filed"]
        due = rules.effective_date(filed) if filed else None
        items.append(
            work_item(
                "unions.contracts_review",
                ngettext(
                    "%(n)d collective contract filed: review it within 15 days",
                    "%(n)d collective contracts filed: review them within 15 days",
                    n,
                )
                % {"n": n},
                n,
                url=url + f"?state={S.UNDER_REVIEW}",
                module=module,
                due=due,
                today=today,
            )
        )
    return items
