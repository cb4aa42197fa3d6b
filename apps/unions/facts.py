"""What the union module tells the other modules about an enterprise (issue 17, `apps.core.facts`):
its union and members, a comprehensive collective contract and a wage agreement in force, a
workers' congress with quorum in the last 12 months; and the risk signals of every enterprise at
once (no union committee at 25+ members, a collective contract expired and none in force).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.facts import Fact, Signal, SignalKind
from apps.core.grouped import PLACEHOLDER, for_enterprises, grouped, path_maker
from apps.enterprises.models import Enterprise
from apps.enterprises.rules import NEEDS_UNION, UNION_COMMITTEE_SOURCE, UNION_COMMITTEE_THRESHOLD

from . import rules
from .models import CollectiveContract, Union, UnionCoverage, WorkersCongress
from .selectors import ContractState, state_q

K = CollectiveContract.Kind
#: The look-back of "a congress held with quorum".
CONGRESS_MONTHS = 12
#: Meetings read for the congress facts (far more than any enterprise holds in 12 months).
CONGRESS_ROWS = 50
CONTRACT_STATE_SOURCE = "集体合同规定第四十二条、第四十七条"
EXPIRED_SOURCE = "集体合同规定第三十八条、第四十条"

SIGNAL_KINDS = [
    SignalKind(
        "unions.no_union",
        gettext_lazy("25 or more union members and no union committee"),
        weight=10,
        actor="union",
        source="工会法第十一条",
        cap=1,
    ),
    SignalKind(
        "unions.collective_contract_expired",
        gettext_lazy("Collective contract expired, none in force"),
        weight=10,
        actor="union",
        source=EXPIRED_SOURCE,
        cap=1,
    ),
]


def _dossier(enterprise, anchor: str) -> str:
    return reverse("enterprises:detail", args=[enterprise.pk]) + f"#{anchor}"


def _union(enterprise) -> Union | None:
    coverage = UnionCoverage.objects.filter(enterprise=enterprise).select_related("union").first()
    return coverage.union if coverage else None


def _contract_fact(code, label, kind_label, contracts, today, enterprise) -> Fact:
    if contracts:
        current = max(contracts, key=lambda c: c["ends_on"])
        display = _("%(kind)s in force until %(date)s") % {"kind": kind_label, "date": current["ends_on"]}
        url = reverse("unions:contract_detail", args=[current["pk"]])
    else:
        display = _("No %(kind)s in force") % {"kind": kind_label}
        url = _dossier(enterprise, "collective_contracts")
    return Fact(
        code,
        label,
        bool(contracts),
        display,
        source=_("Collective contracts (%(source)s)") % {"source": CONTRACT_STATE_SOURCE},
        as_of=today,
        url=url,
        permission="unions.view_collectivecontract",
    )


def enterprise_facts(enterprise, today: dt.date) -> list[Fact]:
    """Three queries: the union covering the enterprise, the contracts in force, the meetings."""
    union = _union(enterprise)
    active = union is not None and union.is_active
    in_force = list(
        CollectiveContract.objects.filter(enterprise=enterprise, kind__in=[K.COMPREHENSIVE, K.WAGE])
        .filter(state_q(ContractState.IN_FORCE, today))
        .values("pk", "kind", "ends_on")
    )
    since = today - relativedelta(months=CONGRESS_MONTHS)
    meetings = list(
        WorkersCongress.objects.filter(enterprise=enterprise, held_on__lte=today)
        .order_by("-held_on")
        .values("pk", "held_on", "representatives_total", "representatives_present")[:CONGRESS_ROWS]
    )
    quorate = [
        m
        for m in meetings
        if m["held_on"] >= since
        and rules.congress_quorate(m["representatives_total"], m["representatives_present"])
    ]
    last = meetings[0] if meetings else None

    if active:
        union_display = _("%(union)s (%(kind)s)") % {"union": union.name, "kind": union.get_kind_display()}
        union_url = reverse("unions:detail", args=[union.pk])
    else:
        union_display = _("No active union covers the enterprise")
        union_url = _dossier(enterprise, "union")
    own = active and union.kind == Union.Kind.ENTERPRISE
    if own:
        members, members_display = (
            union.members,
            ngettext("%(n)s member", "%(n)s members", union.members) % {"n": f"{union.members:,}"},
        )
    elif active:
        members = None
        members_display = _(
            "%(union)s covers several enterprises: %(n)s members in all, not counted per enterprise"
        ) % {
            "union": union.name,
            "n": f"{union.members:,}",
        }
    else:
        members, members_display = None, _("No union")
    congress_url = _dossier(enterprise, "congresses")
    if quorate:
        held_display = _(
            "Held with quorum on %(date)s (%(present)s of %(total)s representatives present)"
        ) % {
            "date": quorate[0]["held_on"],
            "present": quorate[0]["representatives_present"],
            "total": quorate[0]["representatives_total"],
        }
    elif any(m["held_on"] >= since for m in meetings):
        held_display = _(
            "Met in the last 12 months, but never with two thirds of the representatives present"
        )
    else:
        held_display = _("No meeting in the last 12 months")
    return [
        Fact(
            "unions.has_union",
            _("Trade union"),
            active,
            union_display,
            source=_("Union registry (%(source)s)") % {"source": UNION_COMMITTEE_SOURCE},
            as_of=today,
            url=union_url,
            permission="unions.view_union",
        ),
        Fact(
            "unions.members",
            _("Union members"),
            members,
            members_display,
            source=_("Union registry"),
            as_of=today,
            url=union_url,
            permission="unions.view_union",
        ),
        _contract_fact(
            "unions.collective_contract",
            _("Collective contract in force"),
            K.COMPREHENSIVE.label,
            [c for c in in_force if c["kind"] == K.COMPREHENSIVE],
            today,
            enterprise,
        ),
        _contract_fact(
            "unions.wage_agreement",
            _("Wage agreement in force"),
            K.WAGE.label,
            [c for c in in_force if c["kind"] == K.WAGE],
            today,
            enterprise,
        ),
        Fact(
            "unions.congress_held",
            _("Workers' congress held with quorum in the last 12 months"),
            bool(quorate),
            held_display,
            source=str(rules.CONGRESS_QUORUM_SOURCE),
            as_of=today,
            url=congress_url,
            permission="unions.view_workerscongress",
        ),
        Fact(
            "unions.congress_last",
            _("Latest workers' congress meeting"),
            last["held_on"] if last else None,
            (
                _("%(date)s: %(present)s of %(total)s representatives present")
                % {
                    "date": last["held_on"],
                    "present": last["representatives_present"],
                    "total": last["representatives_total"],
                }
                if last
                else _("No meeting recorded")
            ),
            source=_("Workers' congress meetings"),
            as_of=today,
            url=congress_url,
            permission="unions.view_workerscongress",
        ),
    ]


def risk_signals(today: dt.date, enterprise_ids=None):
    """No union committee at 25+ members (one query); a comprehensive collective contract expired
    with none current (two queries). Never a query per enterprise."""
    needs = for_enterprises(Enterprise.objects.filter(NEEDS_UNION), "pk", enterprise_ids)
    needs_url = reverse("unions:needs_union")
    for ent, survey, year, members, recorded in needs.order_by().values_list(
        "pk",
        "latest_survey_id",
        "latest_survey__year",
        "latest_survey__union_members",
        "latest_survey__created_at",
    ):
        yield Signal(
            ent,
            "unions.no_union",
            1,
            recorded.date() if recorded else None,
            detail=_(
                "%(members)d union members (survey %(year)s), no union committee (%(threshold)d or more)"
            )
            % {"members": members or 0, "year": year, "threshold": UNION_COMMITTEE_THRESHOLD},
            ref_type="enterprises.enterprisesurvey",
            ref_id=str(survey or ""),
            url=needs_url,
            permission="unions.view_union",
        )

    comprehensive = for_enterprises(
        CollectiveContract.objects.filter(kind=K.COMPREHENSIVE), "enterprise", enterprise_ids
    )
    expired_q = state_q(ContractState.EXPIRED, today)
    # A contract still current (in force, under review or awaiting filing, not objected to): the
    # enterprise has one or is renewing it.
    current = CollectiveContract.objects.filter(
        enterprise=OuterRef("enterprise"), kind=K.COMPREHENSIVE, objection_on__isnull=True, ends_on__gte=today
    )
    expired = comprehensive.filter(expired_q).filter(~Exists(current))
    detail_url = path_maker("unions:contract_detail", PLACEHOLDER)
    for ent, _n, last, row in grouped(expired, "enterprise", "ends_on"):
        yield Signal(
            ent,
            "unions.collective_contract_expired",
            1,
            last,
            detail=_("Collective contract expired on %(date)s, none in force") % {"date": last},
            ref_type="unions.collectivecontract",
            ref_id=str(row.get("pk", "")),
            url=detail_url(row["pk"]),
            permission="unions.view_collectivecontract",
        )
