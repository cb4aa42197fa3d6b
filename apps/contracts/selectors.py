"""Reads of contract filing: scoped lists, ID numbers masked or in full (audited), the book per
enterprise (一户一册) with the list behind each figure, the park's totals, the policy in effect,
and the look-ups the services make (who files for which enterprise, workers by their keyed hash,
the worker's other contracts, platform records already filed, the daily alerts' recipients).

Every read for a principal goes through `LabourContract.objects.visible_to(principal)`. The lists
by name (`in_force`, `expiring`, the book's lists...) and the list's parameters are in
`filters.py`; the laws in `rules.py`; who may see what in `workflow.py`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.cache import cached_figures, scope_key
from apps.core.db import for_reports
from apps.core.personal_data import mask_id_number
from apps.core.scoping import get_visible_or_404
from apps.core.search import PER_KIND, denied, hit, may, searched
from apps.core.worklist import DONE, OVERDUE, TODAY, WAITING
from apps.core.worklist import item as work_item
from apps.documents.models import GeneratedDocument
from apps.documents.selectors import document_state
from apps.enterprises.models import Enterprise

from . import rules
from .filters import (  # noqa: F401 - the lists by name, read here by pages, exports and tests
    BOOK_LISTS,
    ContractFilter,
    book_list,
    expiring,
    find_by_id_number,
    flagged,
    in_force,
    late_terminations,
    open_ended_due,
    with_flags,
    without_contract,
)
from .models import AlertLog, ContractPolicy, ESignature, ImportJob, Kind, LabourContract, Worker
from .rules import FLAG_LABELS, flag_label
from .workflow import VIEW, WORKFLOW, can_see_book, can_see_full_id, check_filing, page_answers

S = LabourContract.Status
#: The windows of the book's expiry figures, in days.
EXPIRY_WINDOWS = (30, 60)


def contracts_visible_to(principal):
    return LabourContract.objects.visible_to(principal).select_related("enterprise", "worker", "esignature")


def get_contract(principal, pk) -> LabourContract:
    return get_visible_or_404(contracts_visible_to(principal), principal, pk=pk)


def import_jobs(principal):
    return ImportJob.objects.visible_to(principal)


# The policy in effect ([POLICY]) -----------------------------------------------------------------


def policies() -> list[ContractPolicy]:
    """Every policy row, newest first (for `rules.policy_on`)."""
    return list(ContractPolicy.objects.all())


def policy_in_force(day: dt.date | None = None) -> ContractPolicy | None:
    return rules.policy_on(policies(), day or timezone.localdate())


def termination_filing(contract: LabourContract, policy_rows: list | None = None) -> rules.TerminationFiling:
    """When the contract's termination had to be filed and whether it was filed late: the deadline
    stored when the termination was filed, else computed (`rules.termination_filing`).
    `policy_rows` (newest first) saves a query per contract in lists."""
    if contract.termination_filing_due is not None:
        filed = contract.termination_filed_on
        return rules.TerminationFiling(
            contract.termination_filing_due, bool(filed and filed > contract.termination_filing_due)
        )
    return rules.termination_filing(
        contract.terminated_on,
        contract.termination_filed_on,
        policy_rows if policy_rows is not None else policies(),
    )


# Look-ups of the filing ------------------------------------------------------------------------------


def filing_enterprises(principal):
    """The enterprises the principal may file for (NotAllowed if they may not file at all,
    `workflow.filing_refusal`): HR their own; park administrators and the platform every one; API
    clients with `contracts:write` those of their area."""
    check_filing(principal)
    if principal.is_system or principal.is_park_admin:
        return Enterprise.objects.all()
    if principal.is_api_client:
        return Enterprise.objects.visible_to(principal)
    return Enterprise.objects.filter(organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR))


def workers_by_hash(hashes) -> dict[str, Worker]:
    """Workers already filed, by the keyed hash of their ID number. Only the key is loaded: a worker
    already filed is only referred to (the ID number is not decrypted)."""
    return {
        w.id_number_hash: w
        for w in Worker.objects.filter(id_number_hash__in=hashes).order_by().only("pk", "id_number_hash")
    }


#: What the filing reads of the worker's other contracts at the employer (`rules.prior_of`, the
#: repeated paper row and its correction: the correctable terms, the signing and the version;
#: the renewal; `transition` locks and reads the contract again).
PRIOR_FIELDS = tuple(
    dict.fromkeys(
        (
            "pk",
            "worker_id",
            "enterprise_id",
            "status",
            *rules.PRIOR_FIELDS,
            *rules.CORRECTABLE_COLUMNS.values(),
            "signing",
            "flags",
            "updated_at",
        )
    )
)
#: What a re-sent platform record is compared with (`filed_records`): the contract as above, its
#: worker's key and name, and the e-signature's evidence.
RECORD_FIELDS = (
    *PRIOR_FIELDS,
    "worker__id_number_hash",
    "worker__name",
    "esignature__platform",
    "esignature__record_id",
    *(f"esignature__{name}" for where, name in rules.CORRECTION_EVIDENCE.values() if where == "esignature"),
)


def contracts_of_workers(worker_ids, enterprise_ids) -> dict[tuple, list[LabourContract]]:
    """The contracts of these workers at these enterprises, by (worker id, enterprise id)."""
    found: dict[tuple, list[LabourContract]] = defaultdict(list)
    if worker_ids:
        for contract in LabourContract.objects.filter(
            worker__in=list(worker_ids), enterprise__in=list(enterprise_ids)
        ).only(*PRIOR_FIELDS):
            found[(contract.worker_id, contract.enterprise_id)].append(contract)
    return found


def filed_records(keys) -> dict[tuple, LabourContract]:
    """(platform, record id) already filed → its contract (`RECORD_FIELDS` loaded, the worker and
    the e-signature at hand), to compare a re-sent row with: one query."""
    if not keys:
        return {}
    found = (
        LabourContract.objects.filter(
            esignature__platform__in={p for p, _r in keys}, esignature__record_id__in={r for _p, r in keys}
        )
        .select_related("worker", "esignature")
        .only(*RECORD_FIELDS)
        .order_by()
    )
    return {(c.esignature.platform, c.esignature.record_id): c for c in found}


def contract_of_record(platform: str, record_id: str) -> LabourContract:
    """The contract filed under the signing platform's record."""
    return ESignature.objects.select_related("contract").get(platform=platform, record_id=record_id).contract


def due_to_expire(today: dt.date) -> list[LabourContract]:
    """The contracts in force whose end has passed (only their key, status and enterprise loaded)."""
    return list(
        LabourContract.objects.filter(status=S.IN_FORCE, end__lt=today).only("pk", "status", "enterprise_id")
    )


# ID numbers ------------------------------------------------------------------------------------------


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


# The book (一户一册) -------------------------------------------------------------------------------


def book_topic(enterprise_id) -> str:
    """The cache topic of one enterprise's book: the services move it on when its contracts change."""
    return f"contracts:{enterprise_id}"


def group_topic(town_id, industry) -> str:
    """The cache topic of the contracts of one (town, industry) group of enterprises: the cockpit
    keeps the workers with a contract in force per group under it (issue 20), so a filing recounts
    its enterprise's group, not the district's million contracts."""
    return f"contracts:group:{town_id or ''}|{industry or ''}"


def group_topics(enterprise_ids) -> list[str]:
    """The group topics of these enterprises (one query, however many)."""
    ids = {e for e in enterprise_ids if e is not None}
    if not ids:
        return []
    rows = Enterprise.objects.filter(pk__in=ids).values_list("town_id", "industry").order_by().distinct()
    return [group_topic(town, industry) for town, industry in rows]


def topics_of(contracts) -> list[str]:
    """Every figure topic a write of these contracts moves on: the park's totals ("contracts"),
    each enterprise's book and each (town, industry) group's count."""
    enterprises = {c.enterprise_id for c in contracts}
    return ["contracts", *(book_topic(e) for e in enterprises), *group_topics(enterprises)]


def contract_book(principal, enterprise, today: dt.date | None = None) -> dict:
    """The figures of one enterprise's book: contracts in force, signing rate (workers with a
    contract in force / employees in the registry), share of e-contracts, expiring in 30 and 60
    days, workers without a written contract after one month, late termination filings,
    open-ended contracts due, flagged contracts. Whoever may see the book sees all of the
    enterprise's contracts, so the figures are computed once and kept until the enterprise's
    contracts change (`book_topic`) or the day or its employee count does."""
    today = today or timezone.localdate()
    employees = enterprise.employees or 0
    figures = cached_figures(
        f"contracts:book:{enterprise.pk}:{today:%Y%m%d}:{employees}",
        [book_topic(enterprise.pk)],
        lambda: _book_figures(principal, enterprise, today, employees),
    )
    return {"enterprise": enterprise, "today": today, "employees": employees, **figures}


def _book_figures(principal, enterprise, today: dt.date, employees: int) -> dict:
    qs = LabourContract.objects.visible_to(principal).filter(enterprise=enterprise)
    current = in_force(qs, today)
    totals = current.aggregate(
        n=Count("pk"),
        workers=Count("worker", distinct=True),
        e=Count("pk", filter=Q(signing=LabourContract.Signing.E_SIGNATURE)),
    )
    counts = {
        key: (totals["n"] if key == "in_force" else book_list(qs, key, today).count()) for key in BOOK_LISTS
    }
    return {
        "in_force": totals["n"],
        "workers_in_force": totals["workers"],
        "signing_rate": round(100 * totals["workers"] / employees, 1) if employees else None,
        "e_share": round(100 * totals["e"] / totals["n"], 1) if totals["n"] else None,
        "counts": counts,
        "total": qs.count(),
    }


def park_totals(principal, today: dt.date | None = None) -> dict:
    """The park's totals for administrators: the same figures over every visible enterprise.
    Six counts over a million contracts: computed once and kept until a contract is filed,
    renewed, terminated or expires (`figures_changed("contracts")`) or for ten minutes."""
    today = today or timezone.localdate()
    if not principal.sees_everything:
        return _park_totals(principal, today)
    return cached_figures(
        f"contracts:park-totals:{today:%Y%m%d}", ["contracts"], lambda: _park_totals(principal, today)
    )


def _park_totals(principal, today: dt.date) -> dict:
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


def flag_badges(contract: LabourContract) -> list[dict]:
    """The contract's flags as short badges (no query): [{code, label, source}]."""
    return [
        {"code": code, "label": flag_label(code), "source": FLAG_LABELS.get(code, ("", ""))[1]}
        for code in contract.flags or []
    ]


def flag_details(contract: LabourContract) -> list[dict]:
    """The contract's flags with their full message and source: the findings of `rules.check` on
    the stored terms, the worker's contracts at the same employer filed before this one and the
    policy in effect on its start, kept to the codes stored when it was filed. A stored code the
    check no longer reproduces (a prior contract changed since) keeps its short label."""
    if not contract.flags:
        return []
    priors = [
        rules.prior_of(c)
        for c in LabourContract.objects.filter(
            worker_id=contract.worker_id,
            enterprise_id=contract.enterprise_id,
            created_at__lte=contract.created_at,
        ).exclude(pk=contract.pk)
    ]
    policy = rules.policy_on(policies(), contract.start)
    findings = rules.check(rules.terms_of(contract), priors, rules.wage_policy(policy))
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


def info_notes(contract: LabourContract) -> list[dict]:
    """What the filing said that changed how a rule applies (`rules.INFO` findings, no query):
    [{code, label, message, source}], e.g. a renewal whose earlier contract is not filed."""
    if not contract.renews_unfiled:
        return []
    findings = rules.check(rules.terms_of(contract), [], None)
    return [
        {
            "code": f.code,
            "label": str(rules.INFO_LABELS.get(f.code, (f.code, ""))[0]),
            "message": f.message,
            "source": f.source,
        }
        for f in findings
        if f.severity == rules.INFO
    ]


def contract_list(principal, params, *, request=None, enterprises=None):
    """The contract library as the principal may see it, filtered by the list's parameters
    (`filters.ContractFilter`, as the API): (the filter set, the contracts). Invalid parameters
    list nothing (the page shows why). `enterprises`: those the page offers to pick."""
    qs = contracts_visible_to(principal)
    fs = ContractFilter(params, queryset=qs, request=request, enterprises=enterprises)
    qs = fs.qs if fs.is_valid() else qs.none()
    return fs, qs.order_by("-start", "-created_at", "pk")


def action_labels() -> dict[str, str]:
    """What each history action is called (the workflow's labels plus the filing itself)."""
    labels = {name: str(t.label) for name, t in WORKFLOW.transitions.items()}
    labels["file"] = pgettext("contract history", "Filed")
    labels["correct"] = pgettext("contract history", "Corrected")  # a re-sent row corrected it (issue 15)
    return labels


def history_of(contract: LabourContract):
    return contract.history.select_related("actor").order_by("at")


#: The book's lists whose figure is a warning when it is not zero (shown in red).
WARNING_LISTS = frozenset(BOOK_LISTS) - {"in_force", "expiring_60"}


def book_figures(book: dict) -> list[dict]:
    """The book's figures in the order the pages show them: [{key, label, value, warning}] (key:
    the list behind it; warning: a count that needs attention)."""
    return [
        {
            "key": key,
            "label": BOOK_LABELS[key],
            "value": book["counts"][key],
            "warning": bool(book["counts"][key]) and key in WARNING_LISTS,
        }
        for key in BOOK_LISTS
    ]


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


def _export_labels() -> dict:
    """The words of the export's coded columns, looked up once per export (not per row)."""
    return {
        "kind": {value: str(label) for value, label in Kind.choices},
        "signing": {value: str(label) for value, label in LabourContract.Signing.choices},
        "status": {value: str(label) for value, label in LabourContract.Status.choices},
        "flag": {code: flag_label(code) for code in FLAG_LABELS},
        "predecessor_not_filed": str(rules.INFO_LABELS["predecessor_not_filed"][0]),
    }


def _export_row(principal, contract: LabourContract, labels: dict) -> dict:
    return {
        "name": contract.worker.name,
        "id_number": id_number_for(principal, contract),
        "reference": contract.reference,
        "kind": labels["kind"].get(contract.kind, contract.kind),
        "start": contract.start,
        "end": contract.end,
        "signing": labels["signing"].get(contract.signing, contract.signing),
        "status": labels["status"].get(contract.status, contract.status),
        "terminated_on": contract.terminated_on,
        "termination_filed_on": contract.termination_filed_on,
        "flags": "、".join(
            [labels["flag"].get(code, code) for code in contract.flags or []]
            + ([labels["predecessor_not_filed"]] if contract.renews_unfiled else [])
        ),
    }


def book_export(principal, enterprise, *, fmt: str, limit: int | None = None, today=None) -> dict:
    """What an export of the book holds (the figures and each list, ID numbers masked), and the
    audit of the export. `limit`: at most so many rows per list (the PDF), whose rows are lists;
    without a limit (the .xlsx) each list's rows are read as they are written, in chunks."""
    today = today or timezone.localdate()
    book = contract_book(principal, enterprise, today)
    qs = LabourContract.objects.visible_to(principal).filter(enterprise=enterprise)
    labels = _export_labels()
    lists = []
    total_rows = 0
    for key in BOOK_LISTS:
        rows_qs = for_reports(
            book_list(qs, key, today).select_related("worker").order_by("worker__name", "start", "pk")
        )
        count = book["counts"][key]
        if limit is not None:
            rows = [_export_row(principal, c, labels) for c in rows_qs[:limit]]
            shown = len(rows)
        else:
            rows = (_export_row(principal, c, labels) for c in rows_qs.iterator(chunk_size=2000))
            shown = count
        total_rows += shown
        lists.append(
            {
                "key": key,
                "label": BOOK_LABELS[key],
                "count": count,
                "rows": rows,
                "truncated": shown < count,
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


#: The kind of the book's PDF (`services.books.BOOK_KIND`; selectors come before services).
BOOK_PDF_KIND = "contract_book"


def book_document(enterprise) -> GeneratedDocument | None:
    """The newest PDF of the enterprise's book (generated by Celery; the owner is the enterprise).
    Whoever may see the book sees every contract of the enterprise, so one document serves them all."""
    return (
        GeneratedDocument.objects.for_object(enterprise)
        .filter(kind=BOOK_PDF_KIND)
        .order_by("-created_at")
        .first()
    )


def record_book_download(enterprise, document: GeneratedDocument) -> None:
    """The download of the book's PDF is audited (it names the enterprise's workers)."""
    with transaction.atomic():
        audit.record(
            "contracts.download_book",
            enterprise,
            after={"format": "pdf", "document": str(document.pk), "sha256": document.sha256},
            only_changes=False,
        )


def book_pdf_state(enterprise) -> dict:
    """What the book's pages say about its PDF: {document, state} (`documents.selectors.document_state`)."""
    document = book_document(enterprise)
    return {"document": document, "state": document_state(document)}


# Hooks -------------------------------------------------------------------------------------------------


#: The flagged contracts the dossier's PDF lists (the counts cover every list; the full lists are
#: in the book's .xlsx and its own PDF).
DOSSIER_PDF_FLAGGED = 200


def dossier_pdf_rows(
    principal, enterprise, today: dt.date | None = None, limit: int = DOSSIER_PDF_FLAGGED
) -> dict:
    """What the dossier's PDF adds to the section: the flagged contracts (`book_list` "flagged",
    rows as the exports write them, ID numbers masked unless the viewer may see them in full),
    at most `limit`; one query."""
    today = today or timezone.localdate()
    qs = LabourContract.objects.visible_to(principal).filter(enterprise=enterprise)
    labels = _export_labels()
    rows = [
        _export_row(principal, c, labels)
        for c in book_list(qs, "flagged", today)
        .select_related("worker")
        .order_by("worker__name", "start", "pk")[:limit]
    ]
    return {"flagged_rows": rows, "flagged_limit": limit}


def dossier_sections(principal, enterprise) -> list[dict]:
    """The contracts section of the enterprise's dossier (一户一册): the book's figures, each
    linked to the list behind it, and the exports; hidden (not empty) for whoever may not see
    the book (`workflow.can_see_book`). Its PDF: the figures and the flagged contracts."""
    if not can_see_book(principal, enterprise):
        return [{"key": "contracts", "title": _("Labour contracts"), "hidden": True}]
    book = contract_book(principal, enterprise)
    return [
        {
            "key": "contracts",
            "title": _("Labour contracts"),
            "template": "contracts/dossier_contracts.html",
            "pdf_template": "contracts/pdf/dossier_contracts.html",
            "pdf_context": lambda: dossier_pdf_rows(principal, enterprise, book["today"]),
            "wide": True,
            "context": {
                "book": book,
                "figures": book_figures(book),
                "book_pdf": book_pdf_state(enterprise),
                "enterprise": enterprise,
                "can": page_answers(principal),
            },
        }
    ]


def home_cards(principal) -> list[dict]:
    """HR: their enterprise's contracts in force and expiring within 30 days (one query over their
    own); park administrators: the park's (the cached totals)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("contracts.view_labourcontract"):
        return []
    today = timezone.localdate()
    window = EXPIRY_WINDOWS[0]
    if principal.sees_everything:
        totals = park_totals(principal, today)  # the same figures, cached
        counts = {"in_force": totals["in_force"], "expiring": totals["expiring_30"]}
    else:
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
            "url": url + f"?expiring_within={window}",
            "icon": "hourglass-split",
        },
    ]


# The daily alerts --------------------------------------------------------------------------------------

#: The figures of the daily alert (keys of `BOOK_LISTS`), in the order of the message.
ALERT_KEYS = ("expiring_30", "without_contract", "open_ended_due")


def alert_figures(today: dt.date) -> dict:
    """{enterprise id: {key: count}} for every enterprise with something to report, computed with
    the book's lists over the whole park and grouped by enterprise: a handful of queries however
    many enterprises there are (each list filters row by row, so the counts are those of
    `<list>(contracts of the enterprise, today)`)."""
    every = LabourContract.objects.all()
    lists = {
        "expiring_30": expiring(every, today, 30),
        "without_contract": without_contract(every, today),
        "open_ended_due": open_ended_due(every, today),
    }
    figures: dict = defaultdict(lambda: dict.fromkeys(ALERT_KEYS, 0))
    for key, qs in lists.items():
        for enterprise_id, count in qs.order_by().values_list("enterprise_id").annotate(n=Count("pk")):
            figures[enterprise_id][key] = count
    return {pk: counts for pk, counts in figures.items() if any(counts.values())}


def alerts_to_send(today: dt.date) -> list[tuple]:
    """[(enterprise, counts, its active HR users)] for the enterprises with something to report
    that were not alerted today and have an active HR user, by name."""
    figures = alert_figures(today)
    if figures:
        done = set(
            AlertLog.objects.filter(day=today, enterprise_id__in=list(figures)).values_list(
                "enterprise_id", flat=True
            )
        )
        figures = {pk: counts for pk, counts in figures.items() if pk not in done}
    enterprises = list(
        Enterprise.objects.filter(pk__in=list(figures)).only("pk", "name", "organisation_id").order_by("name")
    )
    hr_users: dict = defaultdict(list)
    for membership in Membership.objects.filter(
        role=Role.ENTERPRISE_HR,
        organisation_id__in={e.organisation_id for e in enterprises},
        user__is_active=True,
    ).select_related("user"):
        hr_users[membership.organisation_id].append(membership.user)
    return [
        (enterprise, figures[enterprise.pk], hr_users[enterprise.organisation_id])
        for enterprise in enterprises
        if hr_users.get(enterprise.organisation_id)
    ]


# The worklist (issue 20) -------------------------------------------------------------------------------

#: Contracts to renew: in force and ending within this many days (the home card's window).
RENEWAL_DAYS = EXPIRY_WINDOWS[0]
#: Imports finished within this many days are shown (done and failed).
IMPORTS_SHOWN_DAYS = 7


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in contract filing (hook `worklist`, apps.core.worklist), for HR
    (their enterprise's contracts) and park administrators (the park's): contracts in force ending
    within 30 days (to renew or end), workers without a written contract after one month (arts.
    10, 82), renewals that must offer an open-ended contract (art. 14), and the user's own
    imports finished in the last 7 days, done or failed. The contract counts are the book's lists
    (`filters.book_list`), kept per scope and day until a contract changes (topic "contracts"; the
    park's are `park_totals`); the imports are one short read of the user's own jobs."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("contracts.view_labourcontract"):
        return []
    today = today or timezone.localdate()
    counts = cached_figures(
        f"contracts:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        ["contracts"],
        lambda: _worklist_counts(principal, today),
    )
    module = _("Contracts")
    url = reverse("contracts:list")
    n = counts["expiring"]
    items = [
        work_item(
            "contracts.renew",
            ngettext(
                "%(n)d contract ending within %(days)d days: renew or end it",
                "%(n)d contracts ending within %(days)d days: renew or end them",
                n,
            )
            % {"n": n, "days": RENEWAL_DAYS},
            n,
            url=url + f"?expiring_within={RENEWAL_DAYS}",
            module=module,
            due=counts["expiring_due"],
            today=today,
            soon_days=RENEWAL_DAYS,
        )
    ]
    n = counts["without_contract"]
    items.append(
        work_item(
            "contracts.without_contract",
            ngettext(
                "%(n)d worker without a written contract after one month",
                "%(n)d workers without a written contract after one month",
                n,
            )
            % {"n": n},
            n,
            url=url + "?book=without_contract",
            module=module,
            state=OVERDUE,
        )
    )
    n = counts["open_ended_due"]
    items.append(
        work_item(
            "contracts.open_ended_due",
            ngettext(
                "%(n)d renewal that must offer an open-ended contract",
                "%(n)d renewals that must offer an open-ended contract",
                n,
            )
            % {"n": n},
            n,
            url=url + "?book=open_ended_due",
            module=module,
            state=WAITING,
        )
    )
    if user.has_perm("contracts.import_contracts"):
        items.extend(_import_items(user, module))
    return items


def _worklist_counts(principal, today: dt.date) -> dict:
    qs = LabourContract.objects.visible_to(principal)
    ending = expiring(qs, today, RENEWAL_DAYS).aggregate(n=Count("pk"), due=Min("end"))
    if principal.sees_everything:
        totals = park_totals(principal, today)  # the same lists, cached for the park's pages
        without, open_ended = totals["without_contract"], totals["open_ended_due"]
    else:
        without = without_contract(qs, today).count()
        open_ended = open_ended_due(qs, today).count()
    return {
        "expiring": ending["n"],
        "expiring_due": ending["due"],
        "without_contract": without,
        "open_ended_due": open_ended,
    }


def _import_items(user, module) -> list[dict]:
    """The user's own imports finished in the last 7 days (one read of their jobs), done and
    failed; one job links to its report, several to the list of imports."""
    J = ImportJob.Status
    since = timezone.now() - dt.timedelta(days=IMPORTS_SHOWN_DAYS)
    jobs = list(
        ImportJob.objects.filter(created_by=user, finished_at__gte=since, status__in=[J.DONE, J.FAILED])
        .order_by("-finished_at")
        .values_list("pk", "status")[:100]
    )
    items = []
    for status, key, state in (
        (J.FAILED, "contracts.imports_failed", TODAY),
        (J.DONE, "contracts.imports_done", DONE),
    ):
        mine = [pk for pk, s in jobs if s == status]
        n = len(mine)
        label = (
            ngettext("%(n)d contract import failed", "%(n)d contract imports failed", n)
            if status == J.FAILED
            else ngettext("%(n)d contract import finished", "%(n)d contract imports finished", n)
        ) % {"n": n}
        items.append(
            work_item(
                key,
                label,
                n,
                url=reverse("contracts:import_detail", args=[mine[0]])
                if n == 1
                else reverse("contracts:import_list"),
                module=module,
                state=state,
            )
        )
    return items


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): for an ID number, the worker with that
    number (the keyed hash, unique per worker) as the principal sees them: through the contracts
    it may see (`LabourContract.visible_to`: HR their enterprise's, so an HR never finds another
    enterprise's worker), for those who may see workers' ID numbers (`can_see_full_id`). The link
    opens the contract list on that worker through the search's token (never the number)."""
    if not query.by_id or not may(principal, VIEW):
        return []
    kind = _("Worker (labour contracts)")
    if not can_see_full_id(principal):
        return [denied("contracts", kind)]
    contracts = list(
        LabourContract.objects.visible_to(principal)
        .filter(worker__id_number_hash=query.id_hash)
        .select_related("worker", "enterprise")
        .order_by("-start", "-created_at", "-id")[: PER_KIND + 1]
    )
    entries = []
    if contracts:
        worker = contracts[0].worker
        enterprises = list(dict.fromkeys(c.enterprise.name for c in contracts[:PER_KIND]))
        count = f"{PER_KIND}+" if len(contracts) > PER_KIND else str(len(contracts))
        entries.append(
            hit(
                "contracts",
                kind,
                f"{worker.name} · {query.id_masked}",
                ngettext(
                    "%(count)s contract at %(enterprises)s; the latest from %(start)s (%(status)s)",
                    "%(count)s contracts at %(enterprises)s; the latest from %(start)s (%(status)s)",
                    len(contracts),
                )
                % {
                    "count": count,
                    "enterprises": ", ".join(enterprises),
                    "start": f"{contracts[0].start:%Y-%m-%d}",
                    "status": contracts[0].get_status_display(),
                },
                reverse("contracts:list") + "?" + urlencode({"id_token": query.id_token}),
                by_id=True,
            )
        )
    return [*entries, searched("contracts", kind, by_id=True)]
