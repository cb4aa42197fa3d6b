"""Reads of contract filing: scoped lists, ID numbers masked or in full (audited), the book per
enterprise (一户一册) with the list behind each figure, and the park's totals.

Every read goes through `LabourContract.objects.visible_to(principal)`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
from django.utils import timezone

from apps.audit import services as audit
from apps.core.personal_data import mask_id_number
from apps.core.scoping import get_visible_or_404

from . import rules, services
from .models import ImportJob, LabourContract

S = LabourContract.Status
#: Flags of a written contract later than one month after the start of work (arts. 10, 82).
LATE_WRITTEN_FLAGS = ("double_wage_risk", "written_after_a_year")
#: The windows of the book's expiry figures, in days.
EXPIRY_WINDOWS = (30, 60)


def contracts_visible_to(principal):
    return LabourContract.objects.visible_to(principal).select_related("enterprise", "worker", "esignature")


def get_contract(principal, pk) -> LabourContract:
    return get_visible_or_404(contracts_visible_to(principal), principal, pk=pk)


def import_jobs(principal):
    return ImportJob.objects.visible_to(principal)


# ID numbers ------------------------------------------------------------------------------------------


def can_see_full_id(principal) -> bool:
    """API clients need `personal_data:read`; users the `contracts.view_full_id_number`
    permission (enterprise HR of their own workers, park administrators). Every full view is
    audited (`id_number_for`)."""
    if principal.is_api_client:
        return principal.has_scope("personal_data:read")
    return principal.user is not None and principal.user.has_perm("contracts.view_full_id_number")


def id_number_for(principal, contract: LabourContract, *, full: bool = False) -> str:
    """The worker's ID number as the principal may see it: masked, or in full when asked for and
    allowed (the full view is audited)."""
    number = contract.worker.id_number
    if full and can_see_full_id(principal):
        audit.record_sensitive_view(contract.worker, "id_number", note=str(contract.pk))
        return number
    return mask_id_number(number)


def find_by_id_number(queryset, value: str):
    """Contracts of the worker with this ID number (exact, through the keyed hash)."""
    from apps.core.personal_data import lookup_hash

    return queryset.filter(worker__id_number_hash=lookup_hash(value.strip()))


# The book (一户一册) -------------------------------------------------------------------------------


def _one_month_ago(today: dt.date) -> dt.date:
    return today - relativedelta(months=1)


def in_force(qs, today: dt.date):
    return qs.filter(status=S.IN_FORCE).filter(Q(end__isnull=True) | Q(end__gte=today))


def expiring(qs, today: dt.date, days: int):
    return qs.filter(status=S.IN_FORCE, end__gte=today, end__lte=today + dt.timedelta(days=days))


def without_contract(qs, today: dt.date):
    """Workers who may have worked more than a month without a written contract (arts. 10, 82):
    a contract that ended more than a month ago and was neither renewed nor terminated, or one
    signed more than a month after work started (flagged when filed)."""
    lapsed = Q(status=S.EXPIRED, end__lt=_one_month_ago(today))
    return qs.filter(lapsed | with_flags(qs, LATE_WRITTEN_FLAGS))


def with_flags(qs, codes) -> Q:
    """A condition: the contract carries one of the flag codes. PostgreSQL searches the JSON
    list; SQLite (`make run`) cannot, so the candidates' flags are read there."""
    from django.db import connection

    if connection.vendor == "postgresql":
        condition = Q(pk__in=[])
        for code in codes:
            condition |= Q(flags__contains=[code])
        return condition
    ids = [
        pk for pk, flags in qs.exclude(flags=[]).values_list("pk", "flags") if set(flags or []) & set(codes)
    ]
    return Q(pk__in=ids)


def late_terminations(qs):
    """Terminations filed later than the policy's working days after the termination."""
    late = []
    for contract in qs.filter(status=S.TERMINATED, termination_filed_on__isnull=False).only(
        "pk", "terminated_on", "termination_filed_on", "start"
    ):
        due = services.termination_filing_due(contract)
        if due and contract.termination_filed_on > due:
            late.append(contract.pk)
    return qs.filter(pk__in=late)


def open_ended_due(qs, today: dt.date, days: int = 60):
    """Fixed-term contracts in force ending within `days` whose renewal must be open-ended unless
    the worker asks otherwise (art. 14): ten years' service by the end, or the second consecutive
    fixed term."""
    ending = list(expiring(qs, today, days).filter(kind=rules.Kind.FIXED_TERM))
    if not ending:
        return qs.none()
    others = defaultdict(list)
    for c in LabourContract.objects.filter(
        worker__in={c.worker_id for c in ending}, enterprise__in={c.enterprise_id for c in ending}
    ).only("pk", "worker_id", "enterprise_id", "kind", "start", "end", "terminated_on"):
        others[(c.worker_id, c.enterprise_id)].append(c)
    due = []
    for c in ending:
        years = relativedelta(c.end, c.employment_start).years
        earlier = [services._prior(o) for o in others[(c.worker_id, c.enterprise_id)] if o.pk != c.pk]
        next_start = c.end + dt.timedelta(days=1)
        following = rules.Terms(
            kind=rules.Kind.FIXED_TERM, employment_start=c.employment_start, start=next_start
        )
        this = rules.Prior(kind=c.kind, start=c.start, end=c.end)
        if (
            years >= rules.OPEN_ENDED_YEARS
            or rules._consecutive_fixed_terms(following, [*earlier, this]) >= 2
        ):
            due.append(c.pk)
    return qs.filter(pk__in=due)


def flagged(qs):
    return qs.exclude(flags=[])


#: The book's lists: key → (label, function of (queryset, today)).
BOOK_LISTS = (
    "in_force",
    "expiring_30",
    "expiring_60",
    "without_contract",
    "late_terminations",
    "open_ended_due",
    "flagged",
)


def book_list(qs, key: str, today: dt.date):
    if key == "in_force":
        return in_force(qs, today)
    if key == "expiring_30":
        return expiring(qs, today, 30)
    if key == "expiring_60":
        return expiring(qs, today, 60)
    if key == "without_contract":
        return without_contract(qs, today)
    if key == "late_terminations":
        return late_terminations(qs)
    if key == "open_ended_due":
        return open_ended_due(qs, today)
    if key == "flagged":
        return flagged(qs)
    raise KeyError(key)


def contract_book(principal, enterprise, today: dt.date | None = None) -> dict:
    """The figures of one enterprise's book: contracts in force, signing rate (workers with a
    contract in force / employees in the registry), share of e-contracts, expiring in 30 and 60
    days, workers without a written contract after one month, late termination filings,
    open-ended contracts due, flagged contracts."""
    today = today or timezone.localdate()
    qs = LabourContract.objects.visible_to(principal).filter(enterprise=enterprise)
    current = in_force(qs, today)
    totals = current.aggregate(
        n=Count("pk"),
        workers=Count("worker", distinct=True),
        e=Count("pk", filter=Q(signing=LabourContract.Signing.E_SIGNATURE)),
    )
    employees = enterprise.employees or 0
    counts = {
        key: (totals["n"] if key == "in_force" else book_list(qs, key, today).count()) for key in BOOK_LISTS
    }
    return {
        "enterprise": enterprise,
        "today": today,
        "employees": employees,
        "in_force": totals["n"],
        "workers_in_force": totals["workers"],
        "signing_rate": round(100 * totals["workers"] / employees, 1) if employees else None,
        "e_share": round(100 * totals["e"] / totals["n"], 1) if totals["n"] else None,
        "counts": counts,
        "total": qs.count(),
    }


def park_totals(principal, today: dt.date | None = None) -> dict:
    """The park's totals for administrators: the same figures over every visible enterprise."""
    today = today or timezone.localdate()
    qs = LabourContract.objects.visible_to(principal)
    return {
        "in_force": in_force(qs, today).count(),
        "e_signed": in_force(qs, today).filter(signing=LabourContract.Signing.E_SIGNATURE).count(),
        "expiring_30": expiring(qs, today, 30).count(),
        "without_contract": without_contract(qs, today).count(),
        "open_ended_due": open_ended_due(qs, today).count(),
        "flagged": flagged(qs).count(),
    }


# Hooks (written by the pages helper) -----------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    return []


def home_cards(principal) -> list[dict]:
    return []
