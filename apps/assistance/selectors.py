"""Every read of worker assistance, scoped by the principal (`HardshipFile.visible_to`): lists,
the file with its history and aid, the reviews due, the "no omission" candidates, the yearly
totals, the union figures, the dossier section and the home card."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.cache import cached_figures, scope_key
from apps.core.models import Area
from apps.core.personal_data import mask_id_number
from apps.core.principal import SYSTEM
from apps.core.scoping import get_visible_or_404
from apps.core.search import PER_KIND, denied, hit, may, searched
from apps.core.worklist import item as work_item
from apps.enterprises.models import Enterprise
from apps.enterprises.selectors import hidden_section
from apps.mediation.models import Applicant, CaseType, DisputeType, Referral

from . import rules
from .filters import AidFilter, HardshipFileFilter
from .models import (
    Aid,
    AidKind,
    Difficulty,
    HardshipFile,
    HardshipFileHistory,
    PovertyThreshold,
    visible_enterprises,
)
from .workflow import WORKFLOW

VIEW = "assistance.view_hardshipfile"
VIEW_AID = "assistance.view_aid"
FIGURES = "assistance.view_assistance_figures"
FULL_ID = "assistance.view_full_id_number"
#: The cache topic of the aid figures (the cockpit's): moved on by every save of a file or of aid
#: (AssistanceConfig.ready) and by the campaign's bulk payment (services).
FIGURES_TOPIC = "assistance"
#: At most this many "no omission" candidates on the page (the newest cases first).
CANDIDATES_SHOWN = 200


def _may(principal, perm: str) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope("assistance:read")
    return principal.user is not None and principal.user.has_perm(perm)


# Policy ------------------------------------------------------------------------------------------


def threshold_on(day: dt.date, town=None) -> PovertyThreshold | None:
    """[POLICY] The threshold in effect on `day`: the newest row of the town, else of the park."""
    rows = PovertyThreshold.objects.filter(effective_from__lte=day)
    if town is not None:
        found = rows.filter(area=town).order_by("-effective_from").first()
        if found is not None:
            return found
    return rows.filter(area__isnull=True).order_by("-effective_from").first()


# Files -------------------------------------------------------------------------------------------


def files_visible_to(principal):
    return HardshipFile.objects.visible_to(principal)


def file_list(principal, params):
    """The filter set (its form for the page, errors for the API) and the filtered files."""
    qs = files_visible_to(principal).select_related("enterprise", "enterprise__town", "union")
    filterset = HardshipFileFilter(params, queryset=qs)
    if not filterset.is_valid():
        return filterset, qs.none()
    ordered = filterset.qs
    if not params.get("ordering"):
        ordered = ordered.order_by("-created_at", "-id")
    return filterset, ordered


def get_file(principal, pk) -> HardshipFile:
    return get_visible_or_404(
        HardshipFile.objects.select_related("enterprise", "union", "worker"), principal, pk=pk
    )


def may_see_full_id(principal) -> bool:
    if principal.is_api_client:
        return principal.has_scope("personal_data:read")
    return principal.user is not None and principal.user.has_perm(FULL_ID)


def masked(file: HardshipFile) -> str:
    return mask_id_number(file.id_number)


def history(file: HardshipFile) -> list[HardshipFileHistory]:
    """The file's history, each row with `label` (the action's name)."""
    labels = {**action_labels(), "create": _("Opened")}
    rows = list(file.history.order_by("at"))
    for row in rows:
        row.label = labels.get(row.action, row.action)
    return rows


def aid_of(file: HardshipFile) -> list[Aid]:
    return list(file.aid.order_by("-paid_on", "-created_at"))


def aid_summary(aid: list[Aid]) -> dict:
    by_kind = defaultdict(lambda: Decimal("0"))
    for row in aid:
        by_kind[row.kind] += row.amount
    labels = dict(AidKind.choices)
    return {
        "total": sum((a.amount for a in aid), Decimal("0")),
        "count": len(aid),
        "by_kind": [{"kind": k, "label": labels[k], "amount": v} for k, v in by_kind.items()],
    }


def available_actions(file: HardshipFile, principal) -> list:
    return WORKFLOW.available(file, principal)


def action_labels() -> dict[str, str]:
    return {action: t.label for action, t in WORKFLOW.transitions.items()}


def reviews_due(principal, today: dt.date | None = None):
    """Approved files whose yearly review is due within `REVIEW_NOTICE_DAYS` or past due, oldest
    due first."""
    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=rules.REVIEW_NOTICE_DAYS)
    return (
        files_visible_to(principal)
        .filter(status=HardshipFile.Status.APPROVED, review_due__lte=limit)
        .select_related("enterprise")
        .order_by("review_due", "pk")
    )


def reviews_to_notify(today: dt.date):
    """The reviews due (`reviews_due`, the whole park) whose union's officials have not been told
    in this review cycle yet; files without a union have nobody to tell."""
    return (
        reviews_due(SYSTEM, today)
        .filter(union__isnull=False)
        .exclude(review_notified_for=F("review_due"))
        .select_related("enterprise", "union")
    )


def approved_files(principal):
    """The files aid may be paid to (the campaign's choice)."""
    return (
        files_visible_to(principal).open().select_related("enterprise").order_by("enterprise__name", "name")
    )


def open_file_exists(id_number_hash: str) -> bool:
    return HardshipFile.objects.filter(
        id_number_hash=id_number_hash, status__in=[HardshipFile.Status.DRAFT, "assessed", "approved"]
    ).exists()


# Aid ---------------------------------------------------------------------------------------------


def aid_visible_to(principal):
    return Aid.objects.visible_to(principal)


def aid_list(principal, params):
    qs = aid_visible_to(principal).select_related("file", "file__enterprise")
    filterset = AidFilter(params, queryset=qs)
    if not filterset.is_valid():
        return filterset, qs.none()
    ordered = filterset.qs
    if not params.get("ordering"):
        ordered = ordered.order_by("-paid_on", "-created_at", "-id")
    return filterset, ordered


def yearly_totals(principal, years: int = 3, today: dt.date | None = None) -> dict:
    """Aid per kind and year (amount, payments, people) for the last `years` years, one query."""
    today = today or timezone.localdate()
    first = today.year - years + 1
    rows = (
        aid_visible_to(principal)
        .filter(paid_on__year__gte=first, paid_on__year__lte=today.year)
        .values("kind", "paid_on__year")
        .annotate(amount=Sum("amount"), payments=Count("id"), people=Count("file", distinct=True))
    )
    found = {(r["kind"], r["paid_on__year"]): r for r in rows}
    year_list = list(range(today.year, first - 1, -1))
    table = []
    for kind, label in AidKind.choices:
        cells = []
        for year in year_list:
            r = found.get((kind, year))
            cells.append(
                {
                    "amount": r["amount"] if r else Decimal("0"),
                    "payments": r["payments"] if r else 0,
                    "people": r["people"] if r else 0,
                }
            )
        table.append({"kind": kind, "label": label, "cells": cells})
    totals = []
    for i, _year in enumerate(year_list):
        totals.append(sum((row["cells"][i]["amount"] for row in table), Decimal("0")))
    return {"years": year_list, "rows": table, "totals": totals}


# "No omission" (应纳尽纳) --------------------------------------------------------------------------


def _candidate_queryset(principal):
    enterprises = visible_enterprises(principal)
    qs = Applicant.objects.filter(case__respondent_enterprise__isnull=False)
    if enterprises is not None:
        qs = qs.filter(case__respondent_enterprise__in=enterprises)
    employed = Referral.objects.filter(applicant=OuterRef("pk"), result=Referral.Result.EMPLOYED)
    injury = CaseType.objects.filter(case=OuterRef("case"), code=DisputeType.INJURY_MEDICAL)
    on_file = HardshipFile.objects.filter(
        id_number_hash=OuterRef("id_number_hash"),
        status__in=[HardshipFile.Status.DRAFT, HardshipFile.Status.ASSESSED, HardshipFile.Status.APPROVED],
    )
    return (
        qs.annotate(employed=Exists(employed), injury=Exists(injury), on_file=Exists(on_file))
        .filter(Q(lost_job=True, employed=False) | Q(injury=True))
        .exclude(on_file=True)
        .select_related("case", "case__respondent_enterprise")
    )


def candidates(principal, limit: int = CANDIDATES_SHOWN) -> list[dict]:
    """Workers the platform knows who may qualify, for the union to consider (seed 002, "no
    omission"): mediation applicants who lost their job in a dispute and whose re-employment
    referrals have no "employed" outcome, and applicants in cases about work-injury medical costs;
    against an enterprise the principal's files cover, without an open file. Read through
    mediation's models (its door); newest cases first, at most `limit`, one row per worker."""
    if not _may(principal, VIEW):
        return []
    qs = _candidate_queryset(principal).order_by("-case__received_on", "-case__serial", "position")
    rows, seen = [], set()
    for applicant in qs[: limit * 2]:
        key = applicant.id_number_hash or applicant.pk
        if key in seen:
            continue
        seen.add(key)
        reasons = []
        if applicant.lost_job and not applicant.employed:
            reasons.append(_("Lost the job in a dispute; not yet re-employed"))
        if applicant.injury:
            reasons.append(_("Work injury recorded in a dispute"))
        rows.append(
            {
                "applicant": applicant,
                "name": applicant.name,
                "id_masked": mask_id_number(applicant.id_number),
                "has_id": bool(applicant.id_number_hash),
                "case": applicant.case,
                "enterprise": applicant.case.respondent_enterprise,
                "reasons": reasons,
            }
        )
        if len(rows) >= limit:
            break
    return rows


def candidate_applicant(principal, pk) -> Applicant | None:
    """A candidate the principal may take on file (None if outside their scope or not one)."""
    if not _may(principal, VIEW):
        return None
    try:
        return _candidate_queryset(principal).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None


# Figures -----------------------------------------------------------------------------------------


def _town_filter(town):
    """A town given as an Area, its pk or its division code."""
    if town is None or town == "":
        return None
    if isinstance(town, Area):
        return Q(pk=town.pk)
    text = str(town)
    return Q(code=text) if text.isdigit() else Q(pk=text)


def union_figures(principal, year: int, town=None) -> list[dict]:
    """The assistance figures of the union figures page, by town and year. Each block is
    {"key", "title", "columns": [{"key", "title"}], "rows": [{column key: value}]}:

    - `hardship_by_status`: files filed by the end of `year`, by their current status;
    - `hardship_by_kind`: the same files by kind of difficulty (a file may count for several);
    - `hardship_by_town`: the same files by the enterprise's town (on file now, all);
    - `hardship_exited`: people who left the file (脱困) in `year`, by town;
    - `aid_by_kind`: aid paid in `year` by kind: amount (yuan), payments, people helped.
    """
    if not _may(principal, FIGURES):
        return []
    files = files_visible_to(principal)
    aid = aid_visible_to(principal)
    area_q = _town_filter(town)
    if area_q is not None:
        towns = Area.objects.filter(area_q).values("pk")
        files = files.filter(enterprise__town__in=towns)
        aid = aid.filter(file__enterprise__town__in=towns)
    end = dt.date(year, 12, 31)
    filed = files.filter(created_at__date__lte=end)

    statuses = dict(filed.values_list("status").annotate(n=Count("id")).order_by())
    status_rows = [
        {"status": value, "label": str(label), "files": statuses.get(value, 0)}
        for value, label in HardshipFile.Status.choices
    ]

    kinds = Counter()
    for codes in filed.values_list("difficulties", flat=True):
        kinds.update(set(codes or []))
    kind_rows = [
        {"kind": value, "label": str(label), "files": kinds.get(value, 0)}
        for value, label in Difficulty.choices
    ]

    town_rows = [
        {"town": r["enterprise__town__name"] or "—", "on_file": r["on_file"], "files": r["files"]}
        for r in filed.values("enterprise__town__name")
        .annotate(files=Count("id"), on_file=Count("id", filter=Q(status=HardshipFile.Status.APPROVED)))
        .order_by("enterprise__town__name")
    ]

    exited_rows = [
        {"town": r["enterprise__town__name"] or "—", "people": r["people"]}
        for r in files.filter(status=HardshipFile.Status.EXITED, exited_on__year=year)
        .values("enterprise__town__name")
        .annotate(people=Count("id_number_hash", distinct=True))
        .order_by("enterprise__town__name")
    ]

    paid = {
        r["kind"]: r
        for r in aid.filter(paid_on__year=year)
        .values("kind")
        .annotate(amount=Sum("amount"), payments=Count("id"), people=Count("file", distinct=True))
        .order_by()
    }
    aid_rows = [
        {
            "kind": value,
            "label": str(label),
            "amount": paid[value]["amount"] if value in paid else Decimal("0"),
            "payments": paid[value]["payments"] if value in paid else 0,
            "people": paid[value]["people"] if value in paid else 0,
        }
        for value, label in AidKind.choices
    ]

    def col(key, title, money=False):
        return {"key": key, "title": str(title), "money": money}

    return [
        {
            "key": "hardship_by_status",
            "title": str(gettext_lazy("Workers in difficulty by status")),
            "columns": [col("label", gettext_lazy("Status")), col("files", gettext_lazy("Files"))],
            "rows": status_rows,
        },
        {
            "key": "hardship_by_kind",
            "title": str(gettext_lazy("Workers in difficulty by kind of difficulty")),
            "columns": [
                col("label", gettext_lazy("Kind of difficulty")),
                col("files", gettext_lazy("Files")),
            ],
            "rows": kind_rows,
        },
        {
            "key": "hardship_by_town",
            "title": str(gettext_lazy("Workers in difficulty by town")),
            "columns": [
                col("town", gettext_lazy("Town")),
                col("on_file", gettext_lazy("On file")),
                col("files", gettext_lazy("Files")),
            ],
            "rows": town_rows,
        },
        {
            "key": "hardship_exited",
            "title": str(gettext_lazy("People out of difficulty in the year")),
            "columns": [col("town", gettext_lazy("Town")), col("people", gettext_lazy("People"))],
            "rows": exited_rows,
        },
        {
            "key": "aid_by_kind",
            "title": str(gettext_lazy("Aid paid in the year by kind")),
            "columns": [
                col("label", gettext_lazy("Kind of aid")),
                col("amount", gettext_lazy("Amount (yuan)"), money=True),
                col("payments", gettext_lazy("Payments")),
                col("people", gettext_lazy("People")),
            ],
            "rows": aid_rows,
        },
    ]


# Hooks: dossier and home -------------------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    """The "hardship" section: the enterprise's files by status and the aid paid to them. Hidden
    (by permission, never by whether records exist) for roles that may not read the files."""
    title = _("Workers in difficulty")
    if not _may(principal, VIEW) or principal.is_api_client:
        return [hidden_section("hardship", title)]
    # One query: the files by status and their aid (a file counted once per status however many
    # payments it has).
    found = (
        files_visible_to(principal)
        .filter(enterprise=enterprise)
        .aggregate(
            **{
                f"s_{value}": Count("id", filter=Q(status=value), distinct=True)
                for value in HardshipFile.Status.values
            },
            aid_n=Count("aid"),
            aid_amount=Sum("aid__amount"),
            aid_people=Count("aid__file", distinct=True),
        )
    )
    labels = dict(HardshipFile.Status.choices)
    statuses = {value: found[f"s_{value}"] for value in HardshipFile.Status.values if found[f"s_{value}"]}
    aid = {"n": found["aid_n"], "amount": found["aid_amount"], "people": found["aid_people"]}
    total = sum(statuses.values())
    return [
        {
            "key": "hardship",
            "title": title,
            "template": "assistance/dossier_hardship.html",
            "context": {
                "total": total,
                "statuses": [{"label": labels[k], "count": v} for k, v in statuses.items()],
                "aid_count": aid["n"] or 0,
                "aid_amount": aid["amount"] or Decimal("0"),
                "aid_people": aid["people"] or 0,
                "list_url": f"{reverse('assistance:list')}?enterprise={enterprise.pk}",
            },
        }
    ]


def home_cards(principal):
    if principal.user is None or not principal.user.has_perm(VIEW):
        return []
    due = reviews_due(principal).count()
    return [
        {
            "label": _("Hardship reviews due"),
            "value": due,
            "url": reverse("assistance:reviews_due"),
            "icon": "heart",
        }
    ]


def enterprises_for_files(principal):
    """The enterprises a principal may open a file for."""
    enterprises = visible_enterprises(principal)
    qs = Enterprise.objects.all() if enterprises is None else Enterprise.objects.filter(pk__in=enterprises)
    return qs.order_by("name")


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): for an ID number, the hardship files of the
    worker with it (the keyed hash) among those the principal sees (`HardshipFile.visible_to`:
    the union of the enterprise, never HR), for those who may see the files' ID numbers."""
    if not query.by_id or not may(principal, VIEW):
        return []
    kind = _("Hardship file")
    if not may_see_full_id(principal):
        return [denied("assistance", kind)]
    files = (
        HardshipFile.objects.visible_to(principal)
        .filter(id_number_hash=query.id_hash)
        .select_related("enterprise")
        .order_by("-created_at", "-id")[:PER_KIND]
    )
    entries = [
        hit(
            "assistance",
            kind,
            f"{file.name} · {query.id_masked}",
            f"{file.enterprise.name} · {file.get_status_display()}",
            reverse("assistance:detail", args=[file.pk]),
            by_id=True,
        )
        for file in files
    ]
    return [*entries, searched("assistance", kind, by_id=True)]


# The worklist (issue 20) -----------------------------------------------------------------------------


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in worker assistance (hook `worklist`, apps.core.worklist): the
    yearly reviews of hardship files due within 30 days or overdue, exactly the rows of the
    "reviews due" page (`reviews_due`), with the earliest due date. It replaces the module's home
    card; counted once per scope and day until a file changes (FIGURES_TOPIC)."""
    if principal.is_api_client or principal.user is None or not principal.user.has_perm(VIEW):
        return []
    today = today or timezone.localdate()
    found = cached_figures(
        f"assistance:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: reviews_due(principal, today).order_by().aggregate(n=Count("pk"), due=Min("review_due")),
    )
    n = found["n"]
    return [
        work_item(
            "assistance.reviews_due",
            ngettext("%(n)d hardship review due", "%(n)d hardship reviews due", n) % {"n": n},
            n,
            url=reverse("assistance:reviews_due"),
            module=_("Worker assistance"),
            due=found["due"],
            today=today,
        )
    ]
