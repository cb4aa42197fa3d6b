"""Reads of contract filing: scoped lists, ID numbers masked or in full (audited), the book per
enterprise (一户一册) with the list behind each figure, and the park's totals.

Every read goes through `LabourContract.objects.visible_to(principal)`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.personal_data import mask_id_number
from apps.core.scoping import get_visible_or_404

from . import rules, services
from .models import ContractPolicy, ImportJob, LabourContract

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


def api_shows_personal_data(principal) -> bool:
    """`/api/v1/contracts/` shows workers' ID numbers in full (each view audited through
    `id_number_for`) and their phones only to API clients with `personal_data:read`; signed-in
    users see them masked there (their full view is the page's audited reveal)."""
    return principal.is_api_client and can_see_full_id(principal)


def id_number_for(principal, contract: LabourContract, *, full: bool = False) -> str:
    """The worker's ID number as the principal may see it: masked, or in full when asked for and
    allowed (the full view is audited). Only for a contract the principal sees: HR's permission
    covers their own enterprise's workers, not a contract of another one handed in directly."""
    number = contract.worker.id_number
    if (
        full
        and can_see_full_id(principal)
        and LabourContract.objects.visible_to(principal).filter(pk=contract.pk).exists()
    ):
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
    a contract that ended more than a month ago and was neither renewed nor terminated, or a
    contract in force signed more than a month after work started (flagged when filed)."""
    lapsed = Q(status=S.EXPIRED, end__lt=_one_month_ago(today))
    signed_late = Q(status=S.IN_FORCE) & with_flags(qs, LATE_WRITTEN_FLAGS)
    return qs.filter(lapsed | signed_late)


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
    policies = list(ContractPolicy.objects.all())
    # select_related(None): a caller's select_related() cannot be combined with only().
    for contract in (
        qs.select_related(None)
        .filter(status=S.TERMINATED, termination_filed_on__isnull=False)
        .only("pk", "terminated_on", "termination_filed_on", "start")
    ):
        if services.termination_filed_late(contract, policies):
            late.append(contract.pk)
    return qs.filter(pk__in=late)


#: The fields `services._prior` reads (a deferred one would cost a query per contract).
PRIOR_FIELDS = (
    "pk",
    "worker_id",
    "enterprise_id",
    "kind",
    "start",
    "end",
    "terminated_on",
    "probation_end",
    "reference",
)


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
    ).only(*PRIOR_FIELDS):
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


# Pages: labels of the book's lists and of the flags, the filtered list, the flags in full ------------

#: The book's lists as the pages name them.
BOOK_LABELS = {
    "in_force": _("Contracts in force"),
    "expiring_30": _("Expiring within 30 days"),
    "expiring_60": _("Expiring within 60 days"),
    "without_contract": _("Workers without a written contract after one month"),
    "late_terminations": _("Terminations filed late"),
    "open_ended_due": _("Open-ended contracts due"),
    "flagged": _("Contracts with flags"),
}

#: Flag codes (rules.py findings of severity FLAG) → (short label, source).
FLAG_LABELS = {
    "probation_too_long": (_("Probation too long"), rules.ART_19),
    "probation_not_allowed": (_("Probation not allowed"), rules.ART_19),
    "probation_after_end": (_("Probation beyond the term"), rules.ART_19),
    "second_probation": (_("Second probation"), rules.ART_19),
    "part_time_hours": (_("Part-time over 24 hours a week"), rules.ART_68),
    "below_minimum_wage": (_("Below the minimum wage"), rules.MINIMUM_WAGE_SOURCE),
    "double_wage_risk": (_("Written late: double wages"), rules.ART_82),
    "written_after_a_year": (_("Written after a year"), f"{rules.ART_14}；{rules.ART_82}"),
    "open_ended_due": (_("Open-ended contract due"), rules.ART_14),
}


def flag_label(code: str) -> str:
    return str(FLAG_LABELS[code][0]) if code in FLAG_LABELS else code


def flag_badges(contract: LabourContract) -> list[dict]:
    """The contract's flags as short badges (no query): [{code, label, source}]."""
    return [
        {"code": code, "label": flag_label(code), "source": FLAG_LABELS.get(code, ("", ""))[1]}
        for code in contract.flags or []
    ]


def _terms_of(contract: LabourContract) -> rules.Terms:
    return rules.Terms(
        kind=contract.kind,
        employment_start=contract.employment_start,
        start=contract.start,
        end=contract.end,
        task=contract.task,
        probation_end=contract.probation_end,
        hours_system=contract.hours_system,
        hours_approval=contract.hours_approval,
        monthly_pay=contract.monthly_pay,
        hourly_pay=contract.hourly_pay,
        weekly_hours=contract.weekly_hours,
        signed_on=contract.signed_on,
    )


def flag_details(contract: LabourContract) -> list[dict]:
    """The contract's flags with their full message and source: the findings of `rules.check` on
    the stored terms, the worker's contracts at the same employer filed before this one and the
    policy in effect on its start, kept to the codes stored when it was filed. A stored code the
    check no longer reproduces (a prior contract changed since) keeps its short label."""
    if not contract.flags:
        return []
    priors = [
        services._prior(c)
        for c in LabourContract.objects.filter(
            worker_id=contract.worker_id,
            enterprise_id=contract.enterprise_id,
            created_at__lte=contract.created_at,
        ).exclude(pk=contract.pk)
    ]
    policy = services.policy_on(list(ContractPolicy.objects.all()), contract.start)
    findings = rules.check(
        _terms_of(contract),
        priors,
        rules.Policy(policy.monthly_minimum_wage, policy.hourly_minimum_wage) if policy else None,
    )
    found = {f.code: f for f in findings if f.severity == rules.FLAG}
    details = []
    for code in contract.flags:
        finding = found.get(code)
        label, source = FLAG_LABELS.get(code, (code, ""))
        details.append(
            {
                "code": code,
                "label": str(label),
                "field": finding.field if finding else "",
                "message": finding.message if finding else str(label),
                "source": finding.source if finding else source,
            }
        )
    return details


def contract_list(
    principal,
    *,
    enterprise=None,
    kind: str = "",
    status: str = "",
    signing: str = "",
    has_flags: bool | None = None,
    flag: str = "",
    expiring_within: int | None = None,
    name: str = "",
    id_number: str = "",
    today: dt.date | None = None,
):
    """The contract library as the principal may see it, filtered; the ID number is searched
    exactly through its keyed hash (never a LIKE on the number)."""
    today = today or timezone.localdate()
    qs = contracts_visible_to(principal)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if signing:
        qs = qs.filter(signing=signing)
    if has_flags is True:
        qs = qs.exclude(flags=[])
    elif has_flags is False:
        qs = qs.filter(flags=[])
    if flag:
        qs = qs.filter(with_flags(qs, [flag]))
    if expiring_within is not None:
        qs = expiring(qs, today, expiring_within)
    if name.strip():
        qs = qs.filter(worker__name__icontains=name.strip())
    if id_number.strip():
        qs = find_by_id_number(qs, id_number)
    return qs.order_by("-start", "-created_at", "pk")


def action_labels() -> dict[str, str]:
    """What each history action is called (the workflow's labels plus the filing itself)."""
    from django.utils.translation import pgettext

    from .workflow import WORKFLOW

    labels = {name: str(t.label) for name, t in WORKFLOW.transitions.items()}
    labels["file"] = pgettext("contract history", "Filed")
    return labels


def history_of(contract: LabourContract):
    return contract.history.select_related("actor").order_by("at")


def can_see_book(principal, enterprise) -> bool:
    """The contracts section of an enterprise's dossier: users with the contracts permission who
    see the enterprise's contracts (park administrators, its HR)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("contracts.view_labourcontract"):
        return False
    return principal.sees_everything or enterprise.organisation_id in principal.organisation_ids(
        Role.ENTERPRISE_HR
    )


def book_figures(book: dict) -> list[dict]:
    """The book's figures in the order the pages show them: [{key, label, value}] (key: the
    list behind it)."""
    return [{"key": key, "label": BOOK_LABELS[key], "value": book["counts"][key]} for key in BOOK_LISTS]


def open_signed_file(principal, contract: LabourContract):
    """The stored signed file (a handle) for download, or None; the download is audited as a full
    view of personal data (the signed contract names the worker's ID number)."""
    signature = getattr(contract, "esignature", None)
    if signature is None or not signature.file:
        return None
    try:
        handle = signature.file.open("rb")
    except FileNotFoundError:
        return None
    audit.record_sensitive_view(signature, "signed_file", note=str(contract.pk))
    return handle


# Exports of the book ---------------------------------------------------------------------------------


def _export_row(principal, contract: LabourContract) -> dict:
    return {
        "name": contract.worker.name,
        "id_number": id_number_for(principal, contract),
        "reference": contract.reference,
        "kind": contract.get_kind_display(),
        "start": contract.start,
        "end": contract.end,
        "signing": contract.get_signing_display(),
        "status": contract.get_status_display(),
        "terminated_on": contract.terminated_on,
        "termination_filed_on": contract.termination_filed_on,
        "flags": "、".join(flag_label(code) for code in contract.flags or []),
    }


def book_export(principal, enterprise, *, fmt: str, limit: int | None = None, today=None) -> dict:
    """What an export of the book holds (the figures and each list, ID numbers masked), and the
    audit of the export. `limit`: at most so many rows per list (the PDF)."""
    today = today or timezone.localdate()
    book = contract_book(principal, enterprise, today)
    qs = LabourContract.objects.visible_to(principal).filter(enterprise=enterprise)
    lists = []
    total_rows = 0
    for key in BOOK_LISTS:
        rows_qs = book_list(qs, key, today).select_related("worker").order_by("worker__name", "start", "pk")
        count = book["counts"][key]
        chosen = rows_qs[:limit] if limit is not None else rows_qs
        rows = [_export_row(principal, c) for c in chosen]
        total_rows += len(rows)
        lists.append(
            {
                "key": key,
                "label": BOOK_LABELS[key],
                "count": count,
                "rows": rows,
                "truncated": len(rows) < count,
            }
        )
    with transaction.atomic():
        audit.record(
            "contracts.export_book",
            enterprise,
            after={"format": fmt, "rows": total_rows, "day": today},
            only_changes=False,
        )
    return {"book": book, "figures": book_figures(book), "lists": lists, "today": today}


# Hooks -------------------------------------------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    """The contracts section of the enterprise's dossier (一户一册): the book's figures, each
    linked to the list behind it, and the exports."""
    if not can_see_book(principal, enterprise):
        return []
    book = contract_book(principal, enterprise)
    return [
        {
            "key": "contracts",
            "title": _("Labour contracts"),
            "template": "contracts/dossier_contracts.html",
            "wide": True,
            "context": {"book": book, "figures": book_figures(book), "enterprise": enterprise},
        }
    ]


def home_cards(principal) -> list[dict]:
    """HR: their enterprise's contracts in force and expiring within 30 days; park
    administrators: the park's. One query."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("contracts.view_labourcontract"):
        return []
    today = timezone.localdate()
    window = EXPIRY_WINDOWS[0]
    counts = LabourContract.objects.visible_to(principal).aggregate(
        in_force=Count("pk", filter=Q(status=S.IN_FORCE) & (Q(end__isnull=True) | Q(end__gte=today))),
        expiring=Count(
            "pk", filter=Q(status=S.IN_FORCE, end__gte=today, end__lte=today + dt.timedelta(days=window))
        ),
    )
    url = reverse("contracts:list")
    park = principal.sees_everything
    return [
        {
            "label": _("Contracts in force in the park") if park else _("Contracts in force"),
            "value": counts["in_force"] or 0,
            "url": url + "?status=in_force",
            "icon": "file-earmark-person",
        },
        {
            "label": _("Contracts expiring within 30 days"),
            "value": counts["expiring"] or 0,
            "url": url + f"?expiring={window}",
            "icon": "hourglass-split",
        },
    ]
