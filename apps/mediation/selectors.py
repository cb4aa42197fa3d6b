"""Reads of labour-dispute mediation: scoped lists and details, who sees applicants' identity,
the timeline, the public tracking view, figures, the dossier section, home cards and the agreement
PDF's context. Every read of cases goes through `Case.objects.visible_to(principal)`; the look-ups
the services make for the platform (where an application is routed, whom a notification goes to)
are here too, unscoped by design."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Max, Min, Prefetch, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core import personal_data
from apps.core.cache import cached_figures, scope_key
from apps.core.models import Area
from apps.core.money import format_yuan
from apps.core.personal_data import mask_id_number
from apps.core.principal import ANONYMOUS
from apps.core.scoping import get_visible_or_404
from apps.core.search import PER_KIND, denied, hit, may, more, searched
from apps.core.worklist import OVERDUE
from apps.core.worklist import item as work_item
from apps.documents.models import GeneratedDocument
from apps.enterprises.models import Enterprise
from apps.enterprises.selectors import hidden_section

from . import rules
from .filters import CaseFilter, due_within_q, overdue_q
from .models import (
    RANK_EPOCH,
    Agreement,
    Applicant,
    Case,
    CaseHistory,
    CaseType,
    MediationOrganisation,
    Mediator,
    Referral,
)
from .workflow import WORKFLOW, can_see_case_file, holds

S = Case.Status


#: What a case of a list reads with it: its row and its `available_actions`.
LIST_RELATED = (
    "organisation",
    "mediator",
    "mediator__user",
    "town",
    "respondent_enterprise",
    "agreement",
    "agreement__document",
)
#: What a row of the case list page shows, and the long texts no list row shows.
PAGE_RELATED = ("organisation", "mediator", "town")
#: What a row of the API's list reads: the page's, and the agreement its `available_actions` ask.
API_ROW_RELATED = (*PAGE_RELATED, "agreement", "agreement__document")
LONG_TEXTS = ("claims", "facts", "oral_record", "outcome_note", "access_code_hash")
PAGE_DEFERRED = (*LONG_TEXTS, "respondent_address", "respondent_contact", "respondent_phone")


def cases_visible_to(principal):
    return Case.objects.visible_to(principal).select_related(*LIST_RELATED)


def with_list_relations(qs):
    """What a list row and its `available_actions` read, fetched in a fixed number of queries."""
    return qs.prefetch_related(
        Prefetch("types", queryset=CaseType.objects.order_by("code")),
        "agreement__items",
    )


def list_ordering(filterset) -> tuple[list[str], bool]:
    """The list's order and whether it is the default one (`Case.LIST_ORDER`, most urgent first:
    open cases by their next deadline, overdue first, then the decided ones; collective disputes
    first among equal deadlines, LDMAL art. 7; then the newest), which an index serves for every
    scope and status and which deep pages walk by keyset. `?ordering=` picks another column (then
    the newest first among equals)."""
    chosen = filterset.form.cleaned_data.get("ordering") if filterset.is_valid() else None
    if chosen:
        return [*chosen, "-received_on", "-serial", "-id"], False
    return list(Case.LIST_ORDER), True


def case_list(principal, params, request=None):
    """The filtered list in its order (`list_ordering`): (the filter set, the cases). Invalid
    parameters list nothing (the page shows why, the API answers 400)."""
    qs = cases_visible_to(principal)
    fs = CaseFilter(params, queryset=qs, request=request)
    qs = fs.qs if fs.is_valid() else qs.none()
    ordering, _default = list_ordering(fs)
    return fs, with_list_relations(qs.order_by(*ordering))


#: What a page of keys reads: the columns of the list's order (an index holds them all).
KEY_FIELDS = [name.lstrip("-") for name in Case.LIST_ORDER]


def page_keys(qs):
    """The filtered list without its joins: a page of it (by keyset or number) is a short read
    of one index; `page_rows` then fetches that page's cases in full."""
    return qs.select_related(None).prefetch_related(None).only(*KEY_FIELDS)


def page_rows(keys, *prefetch, full: bool = True) -> list[Case]:
    """The cases of a page of keys, in the keys' order: one query and the prefetches, whatever the
    page's depth. The keys come from a scoped list (`case_list` then `page_keys`), so the scope
    is not applied twice. `full`: what the API's rows read (`with_list_relations`: the
    agreement for `available_actions`); else only what a row of the page shows."""
    pks = [case.pk for case in keys]
    if full:
        qs = with_list_relations(Case.objects.select_related(*API_ROW_RELATED)).defer(*LONG_TEXTS)
    else:
        qs = (
            Case.objects.select_related(*PAGE_RELATED)
            .prefetch_related(Prefetch("types", queryset=CaseType.objects.order_by("code")))
            .defer(*PAGE_DEFERRED)
        )
    found = qs.prefetch_related(*prefetch).in_bulk(pks)
    return [found[pk] for pk in pks if pk in found]


def get_case(principal, pk) -> Case:
    return get_visible_or_404(cases_visible_to(principal), principal, pk=pk)


def case_detail_queryset(principal):
    return with_list_relations(cases_visible_to(principal)).prefetch_related(
        "applicants",
        "sessions",
        "extensions",
        "transfers__from_organisation",
        "transfers__to_organisation",
        "agreement__follow_ups",
        "agreement__payments",
        "referrals__applicant",
        "documents",
        Prefetch("history", queryset=CaseHistory.objects.select_related("actor").order_by("at")),
    )


def can_see_identity(principal, case: Case | None = None) -> bool:
    """Mediators and park administrators may see applicants' ID numbers (masked, or in full with
    an audited view) and phones; API clients with `personal_data:read`. The officials of the
    union that runs the case's organisation follow its mediators' rule (they work the case as
    they do: masked, the full number revealed on request and audited). Enterprise HR of the
    respondent, other unions' officials and a federation supervising overdue cases never do.
    With `case`: on that case (`workflow.holds`: only a case the principal works)."""
    if principal.is_api_client:
        return principal.has_scope("personal_data:read")
    return holds(principal, "mediation.view_applicant_identity", case)


def applicant_rows(principal, case: Case, *, reveal=None) -> list[dict]:
    """Applicants as the principal may see them. `reveal`: the id of one applicant whose ID number
    is shown in full (the view is audited)."""
    identity = can_see_identity(principal, case)
    rows = []
    for a in case.applicants.all():
        full = identity and reveal is not None and str(a.pk) == str(reveal) and bool(a.id_number)
        if full:
            audit.record_sensitive_view(a, "id_number", note=case.serial)
        rows.append(
            {
                "applicant": a,
                "name": a.name,
                "id_number": (a.id_number if full else mask_id_number(a.id_number)) if identity else None,
                "revealed": full,
                "phone": a.phone if identity else None,
                "employer": a.employer,
                "job": a.job,
                "employed_from": a.employed_from,
                "employed_until": a.employed_until,
                "is_representative": a.is_representative,
                "lost_job": a.lost_job,
            }
        )
    return rows


def api_applicant_rows(principal, case: Case, *, full_allowed: bool = True) -> list[dict]:
    """Applicants as `/api/v1/mediation/` shows them. An API client sees ID numbers masked, and in
    full only in a case's detail (`full_allowed`) with the `personal_data:read` scope (each full
    view audited); phones only there too. A list never shows a full number or a phone to a
    client. A user signed in through the session sees what the pages show (`applicant_rows`:
    masked for those who may see identity, nothing for the respondent's HR)."""
    rows = applicant_rows(principal, case)
    if not principal.is_api_client:
        return rows
    full = full_allowed and can_see_identity(principal, case)
    for row in rows:
        a = row["applicant"]
        if full and a.id_number:
            audit.record_sensitive_view(a, "id_number", note=case.serial)
            row["id_number"], row["revealed"] = a.id_number, True
        elif not full:
            row["id_number"], row["phone"] = mask_id_number(a.id_number), None
    return rows


def available_actions(case: Case, principal) -> list:
    """`WORKFLOW.available`, asking the table only about the actions possible from the case's
    status (a list row of an archived case asks none): the same answer, without wording a
    refusal for every action of every row."""
    return [
        t
        for t in WORKFLOW.transitions.values()
        if case.status in t.sources and WORKFLOW.refusal(case, t, principal) is None
    ]


def sees_case_file(principal, case: Case | None = None) -> bool:
    """Session notes and attendees, referrals and documents are the file of the organisation that
    mediates the case: its mediators, park administrators and district systems see them; the
    respondent's HR, other organisations' mediators and inspectors do not
    (`workflow.can_see_case_file`)."""
    return can_see_case_file(principal, case)


def next_deadline(case: Case) -> dt.date | None:
    """The date the open case must next meet: the decision while received, the mediation
    deadline while in mediation; None once decided for good."""
    if case.status == S.RECEIVED:
        return case.decision_due_on
    if case.status == S.IN_MEDIATION:
        return case.due_on
    return None


def deadlines(case: Case, today: dt.date | None = None) -> list[dict]:
    """The clocks that apply now, each with its unit, source and whether it has passed."""
    today = today or timezone.localdate()
    rows = []
    if case.status == S.RECEIVED:
        rows.append(
            {
                "label": _("Accept or refuse by"),
                "date": case.decision_due_on,
                "unit": rules.DECISION_PERIOD.describe(),
                "source": rules.DECISION_PERIOD.source,
                "overdue": case.decision_due_on < today,
            }
        )
    if case.status in (S.RECEIVED, S.IN_MEDIATION):
        period = rules.period_for(case.channel)
        rows.append(
            {
                "label": _("Mediation deadline"),
                "date": case.due_on,
                "unit": period.describe(),
                "source": period.sources,
                "overdue": case.due_on < today,
                "extended_days": (case.due_on - rules.base_due_on(case)).days,
            }
        )
    return rows


def is_overdue(case: Case, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (case.status == S.RECEIVED and case.decision_due_on < today) or (
        case.status == S.IN_MEDIATION and case.due_on < today
    )


def timeline(case: Case) -> list[CaseHistory]:
    return list(case.history.all())


def action_labels() -> dict[str, str]:
    """What each history action is called on the timelines (the table's labels plus intake)."""
    labels = {t.action: t.label for t in WORKFLOW.transitions.values()}
    labels["receive"] = _("Application received")
    return labels


def agreement_of(case: Case) -> Agreement | None:
    try:
        return case.agreement
    except Agreement.DoesNotExist:
        return None


def mediators_for(organisation: MediationOrganisation | None):
    qs = Mediator.objects.filter(is_active=True).select_related("organisation")
    return qs.filter(organisation=organisation) if organisation is not None else qs


def organisations(principal):
    return (
        MediationOrganisation.objects.visible_to(principal)
        .select_related("union")
        .prefetch_related("towns", Prefetch("mediators", queryset=Mediator.objects.order_by("name")))
        .annotate(
            open_cases=Count("cases", filter=Q(cases__status__in=Case.OPEN), distinct=True),
        )
    )


def public_enterprises():
    """The registered enterprises a worker can name on the public application form: operating
    ones, by name only (the names are public; nothing else of the registry is shown)."""
    return Enterprise.objects.operating().order_by("name").only("pk", "name")


def respondent_enterprises(principal):
    """Registry enterprises staff may name as the respondent: every enterprise of the park (a
    dispute may reach a mediator of another town, or come after the enterprise closed)."""
    if not principal.is_authenticated:
        return Enterprise.objects.none()
    return Enterprise.objects.order_by("name").only("pk", "name")


def public_organisations():
    """The organisations a worker may prefer on the public form: the active ones."""
    return MediationOrganisation.objects.active().order_by("kind", "name")


#: The order of the public directory (issue 20): the park-level organisation first, then the
#: towns', the industries', the people's committees, the court's; enterprises' own committees last.
DIRECTORY_KINDS = (
    MediationOrganisation.Kind.ARBITRATION,
    MediationOrganisation.Kind.TOWN,
    MediationOrganisation.Kind.INDUSTRY,
    MediationOrganisation.Kind.PEOPLE,
    MediationOrganisation.Kind.COURT,
    MediationOrganisation.Kind.ENTERPRISE,
)


def public_directory(kind: str = ""):
    """The public directory of mediation organisations: those the anonymous public may see (the
    active ones, `visible_to`), optionally of one kind, with their name, kind, address, phone and
    the towns they cover (prefetched: two queries whatever the number of rows)."""
    order = SqlCase(
        *[When(kind=k, then=Value(i)) for i, k in enumerate(DIRECTORY_KINDS)],
        default=Value(len(DIRECTORY_KINDS)),
        output_field=IntegerField(),
    )
    qs = MediationOrganisation.objects.visible_to(ANONYMOUS).only("pk", "name", "kind", "address", "phone")
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.annotate(directory_order=order)
        .order_by("directory_order", "name", "pk")
        .prefetch_related(Prefetch("towns", queryset=Area.objects.order_by("code").only("pk", "name")))
    )


#: How many organisations the tracking page lists for a lost access code (the directory has all).
LOST_CODE_LIST = 8


def lost_code_organisations() -> list:
    """The organisations a worker who lost the access code may phone, listed on the tracking page
    whatever was typed (one list for every answer: it tells nothing about a serial number): the
    public directory's organisations that take any worker's call and have a phone, park-level
    first; never an enterprise's own committee (`lost_code_contact`)."""
    return list(
        public_directory()
        .exclude(kind=MediationOrganisation.Kind.ENTERPRISE)
        .exclude(phone="")[:LOST_CODE_LIST]
    )


def route(enterprise: Enterprise | None, town) -> MediationOrganisation | None:
    """Where an application goes when the applicant did not choose: the active township/regional
    organisation covering the town, else an active organisation covering the enterprise, else
    none (park administrators route it)."""
    active = MediationOrganisation.objects.active()
    if town is not None:
        found = active.filter(kind=MediationOrganisation.Kind.TOWN, towns=town).order_by("name").first()
        if found:
            return found
    if enterprise is not None:
        return active.filter(enterprises=enterprise).order_by("kind", "name").first()
    return None


def case_by_reference(channel: str, reference: str) -> Case | None:
    """The case already registered for (channel, the sender's reference), if any: a referral sent
    again finds it (services.receive_referral; unique per channel and reference, `Case.Meta`).
    Unscoped: the service decides what the caller is told."""
    if not reference:
        return None
    return Case.objects.filter(channel=channel, source_reference=reference).first()


# Who is told --------------------------------------------------------------------------------------


def mediator_users(organisation: MediationOrganisation | None):
    """The active mediators of the organisation; the park administrators when there is none (an
    application nobody routed)."""
    if organisation is None:
        return park_admins()
    return User.objects.filter(
        memberships__organisation_id=organisation.organisation_id,
        memberships__role=Role.MEDIATOR,
        is_active=True,
    ).distinct()


def park_admins():
    return User.objects.filter(memberships__role=Role.PARK_ADMIN, is_active=True).distinct()


def hr_users(case: Case):
    """The active HR users of the respondent enterprise (none for an employer outside the registry)."""
    if case.respondent_enterprise_id is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__organisation_id=case.respondent_enterprise.organisation_id,
        memberships__role=Role.ENTERPRISE_HR,
        is_active=True,
    ).distinct()


# The public tracking page --------------------------------------------------------------------------


def _normal_serial(serial: str) -> str:
    return (serial or "").strip().upper()


def track(serial: str, code: str) -> Case | None:
    """The case with this serial number if the access code matches, else None (the same answer
    for an unknown serial, a wrong code and no code, so serials cannot be probed)."""
    serial = _normal_serial(serial)
    case = Case.objects.filter(serial=serial).select_related("organisation").first() if serial else None
    if case is None or not code:
        rules.check_access_code(Case(access_code_hash="0" * 64), code)  # same work either way
        return None
    return case if rules.check_access_code(case, code) else None


def park_mediation_contact() -> MediationOrganisation | None:
    """The park's general mediation contact: its active park-level organisation (the mediation
    centre of the labour-dispute arbitration commission, kind "arbitration"; 劳动人事争议调解
    委员会 in the demo park), else none."""
    return (
        MediationOrganisation.objects.active()
        .filter(kind=MediationOrganisation.Kind.ARBITRATION)
        .order_by("name")
        .first()
    )


def lost_code_contact(serial: str) -> MediationOrganisation | None:
    """Whom a worker who lost the access code asks for a new one (the organisation re-issues it
    after checking who they are, `services.reissue_access_code`), named on the tracking page's
    answer to a serial number without its right code. Issue 18 item 8; the reasoning is in
    ADR 0013:

    - an existing serial: the organisation handling the case, if active, unless it is an
      enterprise's own committee (Kind.ENTERPRISE), whose name names the enterprise: then the
      active town-level organisation covering the case's town (or the respondent's), which
      passes the request on;
    - otherwise (unknown serial, a case nobody handles yet, no town organisation):
      the park's general mediation contact (`park_mediation_contact`).

    Never a respondent, a worker or an enterprise committee. The answer's wording is the same
    whatever the organisation; an unknown serial is answered like an existing one handled by
    the park-level organisation."""
    number = _normal_serial(serial)
    case = (
        Case.objects.filter(serial=number).select_related("organisation", "respondent_enterprise").first()
        if number
        else None
    )
    if case is not None:
        org = case.organisation
        if org is not None and org.is_active and org.kind != MediationOrganisation.Kind.ENTERPRISE:
            return org
        town_id = case.town_id or (case.respondent_enterprise.town_id if case.respondent_enterprise else None)
        if town_id is not None:
            town_org = (
                MediationOrganisation.objects.active()
                .filter(kind=MediationOrganisation.Kind.TOWN, towns=town_id)
                .order_by("name")
                .first()
            )
            if town_org is not None:
                return town_org
    return park_mediation_contact()


#: What the applicant should expect next, by status (shown on the tracking page).
def next_step(case: Case) -> str:
    if case.status == S.RECEIVED:
        return _(
            "The mediation organisation decides whether to accept your application by %(date)s "
            "(within 3 working days). It will contact you by phone."
        ) % {"date": case.decision_due_on}
    if case.status == S.IN_MEDIATION:
        return _(
            "A mediator is working on your case. If no agreement is reached by %(date)s, you may apply "
            "to the labour-dispute arbitration commission."
        ) % {"date": case.due_on}
    if case.status == S.REFUSED:
        return _(
            "Your application was not accepted for mediation. You may apply to the labour-dispute "
            "arbitration commission directly."
        )
    if case.outcome == Case.Outcome.AGREEMENT:
        return _(
            "An agreement was reached. If it is not performed, you may apply for arbitration, and for "
            "wages, work-injury medical costs, compensation or damages also for a payment order from a court."
        )
    return _("Mediation has ended. You may apply to the labour-dispute arbitration commission.")


def public_timeline(case: Case) -> list[dict]:
    """Dates and what happened, without names, reasons about other people or internal notes; a
    refusal's reason is the applicant's own business and is shown."""
    labels = action_labels()
    rows = []
    for h in case.history.order_by("at"):
        rows.append(
            {
                "at": h.at,
                "label": labels.get(h.action, h.action),
                "reason": h.reason if h.action in ("refuse",) else "",
            }
        )
    return rows


# Figures -------------------------------------------------------------------------------------------


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


#: The cache topic of every figure of mediation: the services that register a case, change its
#: status or clocks, or rename an organisation move it on (`figures_changed`).
FIGURES_TOPIC = "mediation"


def figures(principal, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Cases by status, kind, organisation and month; workers; amounts claimed and agreed; the
    share closed by agreement; average days to close; overdue and collective cases. A dozen
    aggregates over every case of the scope: computed once per scope, period and day and kept
    until a case changes (FIGURES_TOPIC) or for ten minutes."""
    today = timezone.localdate()
    key = f"mediation:figures:v2:{scope_key(principal)}:{date_from}:{date_to}:{today:%Y%m%d}"
    counts = cached_figures(
        key, [FIGURES_TOPIC], lambda: _figure_counts(principal, date_from, date_to, today)
    )
    statuses, outcomes, types = counts["statuses"], counts["outcomes"], counts["types"]
    referrals = counts["referrals"]
    return {
        **{k: v for k, v in counts.items() if k not in ("statuses", "outcomes", "types", "referrals")},
        "referrals": referral_figures(referrals),
        "by_status": [(label, statuses.get(value, 0), value) for value, label in S.choices],
        "by_outcome": [(label, outcomes.get(value, 0), value) for value, label in Case.Outcome.choices],
        "by_type": [(label, types.get(value, 0), value) for value, label in rules.DisputeType.choices],
    }


def referral_figures(counts: dict) -> dict:
    """Re-employment referrals (seed 003) as the figures page shows them: per kind of service,
    how many were referred, found a job and entered training, and the totals; `counts` maps
    "kind:result" to a number (`_referral_counts`)."""
    rows = []
    for kind, label in Referral.Kind.choices:
        by_result = {r: counts.get(f"{kind}:{r}", 0) for r in Referral.Result.values}
        rows.append(
            {
                "kind": kind,
                "label": label,
                "referred": sum(by_result.values()),
                "employed": by_result[Referral.Result.EMPLOYED],
                "training": by_result[Referral.Result.TRAINING],
            }
        )
    by_outcome = [
        (label, sum(n for key, n in counts.items() if key.endswith(f":{value}")), value)
        for value, label in Referral.Result.choices
    ]
    return {
        "referred": sum(row["referred"] for row in rows),
        "employed": sum(row["employed"] for row in rows),
        "training": sum(row["training"] for row in rows),
        "by_kind": rows,
        "by_outcome": by_outcome,
    }


def _referral_counts(cases) -> dict:
    """Referrals of the cases, per "kind:result" (one grouped read)."""
    rows = (
        Referral.objects.filter(case__in=cases)
        .values_list("kind", "result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {f"{kind}:{result}": n for kind, result, n in rows}


def _figure_counts(principal, date_from, date_to, today: dt.date) -> dict:
    """The figures' numbers (no words: the labels follow the reader's language), over the cases
    the principal's figures count (`Case.counted_for`: a union federation's whole scope)."""
    qs = Case.objects.counted_for(principal)
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    done = Q(closed_on__isnull=False, status__in=[S.CLOSED, S.ARCHIVED])
    totals = qs.aggregate(
        cases=Count("pk"),
        workers=Sum("workers_count"),
        claimed=Sum("amount_claimed"),
        agreed=Sum("agreed_amount"),
        collective=Count("pk", filter=Q(is_collective=True)),
        collective_workers=Sum("workers_count", filter=Q(is_collective=True)),
        overdue=Count("pk", filter=overdue_q(today)),
        open=Count("pk", filter=Q(status__in=Case.OPEN)),
        closed=Count("pk", filter=done),
        by_agreement=Count("pk", filter=Q(outcome=Case.Outcome.AGREEMENT)),
        # Days from receipt to closing, summed in the database (date - date is whole days).
        days_to_close=Sum(F("closed_on") - F("received_on"), filter=done),
    )
    closed_days = totals["days_to_close"]
    average_days = (
        round(closed_days.days / totals["closed"], 1)
        if totals["closed"] and closed_days is not None
        else None
    )
    statuses = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    outcomes = dict(
        qs.exclude(outcome="").values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    types = dict(
        CaseType.objects.filter(case__in=qs)
        .values_list("code")
        .annotate(n=Count("pk"))
        .values_list("code", "n")
    )
    by_org = list(
        qs.values("organisation__name")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status__in=Case.OPEN)),
            agreements=Count("pk", filter=Q(outcome=Case.Outcome.AGREEMENT)),
            workers=Sum("workers_count"),
        )
        .order_by("-n", "organisation__name")
    )
    by_month = list(
        qs.annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(
            n=Count("pk"),
            workers=Sum("workers_count"),
            claimed=Sum("amount_claimed"),
            agreed=Sum("agreed_amount"),
        )
        .order_by("month")
    )
    for row in by_month:
        month = row["month"]
        row["month"] = month.strftime("%Y-%m") if month else ""
    return {
        "cases": totals["cases"],
        "open": totals["open"],
        "workers": totals["workers"] or 0,
        "claimed": totals["claimed"] or Decimal("0"),
        "agreed": totals["agreed"] or Decimal("0"),
        "collective": totals["collective"],
        "collective_workers": totals["collective_workers"] or 0,
        "overdue": totals["overdue"],
        "closed": totals["closed"],
        "by_agreement": totals["by_agreement"],
        "agreement_share": _pct(totals["by_agreement"], totals["closed"]),
        "average_days_to_close": average_days,
        "statuses": statuses,
        "outcomes": outcomes,
        "types": types,
        "referrals": _referral_counts(qs),
        "by_organisation": by_org,
        "by_month": by_month,
    }


# PDF -----------------------------------------------------------------------------------------------


#: The kinds of the agreement's PDFs (GeneratedDocument.kind): the final one, with the dates of
#: the signatures and the seal, and the version printed for signing, without them.
AGREEMENT_PDF_KIND = "mediation_agreement"
AGREEMENT_DRAFT_KIND = "mediation_agreement_draft"


def agreement_pdf_context(case: Case, *, draft: bool = False) -> dict:
    """JSON context of the agreement PDF, in two versions:

    - `draft`: the text to be signed (待签署), once its result and items are recorded, with blank
      lines for the signatures, the seal and their dates (LDMAL art. 14: the parties sign or
      seal, the mediator signs, the organisation seals; the dates are written by hand);
    - final (the case closed with the agreement): the same text with the dates recorded and the
      date it took effect.

    Both name the parties as judicial confirmation (民事诉讼法 art. 205, 最高人民法院关于人民调解
    协议司法确认程序的若干规定) and arbitration review need them: each applicant with the full ID
    number, the respondent with its unified social credit code and legal representative (from
    the registry; a blank line to fill by hand for an employer outside it). The ID numbers stay
    encrypted in the stored context (`id_number_token`, the keys of apps.core.personal_data);
    the template decrypts them while rendering, so the JSON column and its admin page never hold
    them in clear. Only those who see applicants' identity download these PDFs
    (`may_download_agreement`)."""
    agreement = Agreement.objects.prefetch_related("items").get(case=case)
    applicants = list(case.applicants.all())
    types = [
        str(rules.DisputeType(t.code).label) for t in case.types.all() if t.code in rules.DisputeType.values
    ]
    enterprise = case.respondent_enterprise

    def day(value):
        return value.isoformat() if value and not draft else ""

    effective_on = None if draft else agreement.effective_on
    return {
        "draft": draft,
        "serial": case.serial,
        "organisation": case.organisation.name if case.organisation else "",
        "mediator": case.mediator.name if case.mediator else "",
        "applicants": [
            {
                "name": a.name,
                "id_number_token": personal_data.encrypt(a.id_number) if a.id_number else "",
                "job": a.job,
                "employer": a.employer,
                "representative": a.is_representative,
            }
            for a in applicants
        ],
        "workers_count": case.workers_count,
        "collective": case.is_collective,
        "respondent": case.respondent_name,
        "respondent_uscc": (enterprise.uscc if enterprise is not None else "") or case.respondent_uscc,
        "respondent_legal_representative": enterprise.legal_representative if enterprise is not None else "",
        "respondent_address": case.respondent_address,
        "types": types,
        "claims": case.claims,
        "result": agreement.result,
        "items": [
            {
                "kind": str(item.get_kind_display()),
                "description": item.description,
                "amount": format_yuan(item.amount),
                "due_on": item.due_on.isoformat() if item.due_on else "",
                "method": str(item.get_method_display()),
            }
            for item in agreement.items.all()
        ],
        "total": format_yuan(sum((i.amount for i in agreement.items.all()), Decimal("0"))),
        "applicant_signed_on": day(agreement.applicant_signed_on),
        "respondent_signed_on": day(agreement.respondent_signed_on),
        "mediator_signed_on": day(agreement.mediator_signed_on),
        "sealed_on": day(agreement.sealed_on),
        "effective_on": day(effective_on),
        "arbitration_due": day(rules.ARBITRATION_CONFIRMATION_PERIOD.due(effective_on).date)
        if effective_on
        else "",
        "judicial_due": day(rules.JUDICIAL_CONFIRMATION_PERIOD.due(effective_on).date)
        if effective_on
        else "",
        "payment_order": rules.payment_order_eligible(agreement),
        "sources": {
            "agreement": rules.AGREEMENT_SOURCE,
            "payment_order": rules.PAYMENT_ORDER_SOURCE,
        },
        "track_url": settings.PUBLIC_BASE_URL + reverse("mediation:track"),
    }


def may_download_agreement(principal, case: Case) -> bool:
    """The agreement's PDFs (for signing and final) carry the applicants' full ID numbers: those
    who see applicants' identity and the case's file download them (the mediators of the
    organisation handling the case, park administrators, district systems with
    `personal_data:read`). Never the respondent's HR, who hold the original their enterprise
    signed (ADR 0013)."""
    return can_see_identity(principal) and sees_case_file(principal, case)


def agreement_draft(agreement: Agreement | None):
    """The newest agreement PDF for signing of the agreement, or None."""
    if agreement is None:
        return None
    return (
        GeneratedDocument.objects.for_object(agreement)
        .filter(kind=AGREEMENT_DRAFT_KIND)
        .order_by("-created_at")
        .first()
    )


# Hooks ---------------------------------------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    """The disputes section of the dossier: hidden (not empty) for a role that may not read cases.
    Park administrators and the enterprise's HR see every case against it (`complete`); others
    (mediators, union officials) only those of the organisations they work for, and the section
    says so instead of "none"."""
    user = principal.user
    if user is None or not user.has_perm("mediation.view_case"):
        return [hidden_section("disputes", _("Labour disputes"))]
    complete = principal.sees_everything or enterprise.organisation_id in principal.organisation_ids(
        Role.ENTERPRISE_HR
    )
    # The newest 20: their keys from the enterprise's index, then those cases; the counts over all
    # of its cases (thousands for the largest) are kept until a case changes.
    own = Case.objects.visible_to(principal).filter(respondent_enterprise=enterprise)
    keys = own.order_by("-received_on", "-serial").only("pk")[:20]
    cases = page_rows(keys, full=False)  # what a row shows: the kinds of dispute, no agreement
    counts = cached_figures(
        f"mediation:dossier:{scope_key(principal)}:{enterprise.pk}",
        [FIGURES_TOPIC],
        lambda: own.aggregate(
            total=Count("pk"), open=Count("pk", filter=Q(status__in=Case.OPEN)), workers=Sum("workers_count")
        ),
    )
    return [
        {
            "key": "disputes",
            "title": _("Labour disputes"),
            "template": "mediation/dossier_disputes.html",
            "wide": True,
            "context": {"cases": cases, "counts": counts, "enterprise": enterprise, "complete": complete},
        }
    ]


def home_cards(principal):
    user = principal.user
    if user is None or not user.has_perm("mediation.view_case"):
        return []
    today = timezone.localdate()
    mediates = user.has_perm("mediation.mediate_case")
    mediator = mediates and principal.has_role("mediator")
    # Counts of the home page: kept until a case changes (FIGURES_TOPIC), per scope and day (and
    # per user for "my cases").
    counts = cached_figures(
        f"mediation:home:{scope_key(principal)}:{user.pk if mediator else ''}:{int(mediates)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: _home_counts(principal, user, today, mediates=mediates, mediator=mediator),
    )
    cards = []
    if mediates:
        if mediator:
            cards.append(
                {
                    "label": _("My open mediation cases"),
                    "value": counts["mine"],
                    "url": reverse("mediation:list") + "?mine=true",
                    "icon": "people",
                }
            )
        cards.append(
            {
                "label": _("Overdue mediation cases"),
                "value": counts["overdue"],
                "url": reverse("mediation:list") + "?overdue=true",
                "icon": "alarm",
            }
        )
    else:
        cards.append(
            {
                "label": _("Open disputes against your enterprise"),
                "value": counts["open"],
                "url": reverse("mediation:list") + "?status=received&status=in_mediation",
                "icon": "people",
            }
        )
    return cards


def _home_counts(principal, user, today: dt.date, *, mediates: bool, mediator: bool) -> dict:
    """Each count a short index read (open and overdue cases are few): no scan of every case."""
    visible = Case.objects.visible_to(principal)
    if not mediates:
        return {"open": visible.filter(status__in=Case.OPEN).count()}
    return {
        "overdue": visible.filter(overdue_q(today)).count(),
        "mine": visible.filter(mediator__user=user, status__in=Case.OPEN).count() if mediator else 0,
    }


# The worklist (issue 20) ---------------------------------------------------------------------------

#: "Cases due soon": open cases whose next deadline falls within this many days.
WORKLIST_SOON_DAYS = 3


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in mediation (hook `worklist`, apps.core.worklist): for those who
    conduct mediation (mediators, a union's officials, park administrators) the cases past a
    deadline, the decisions to accept or refuse, and the cases whose mediation period ends within
    3 days, in the cases they see (`Case.visible_to`: a mediator their organisations', the park
    all). Each count is the number of rows its link lists. One aggregate over the open cases
    (few, read from their index), kept per scope and day until a case changes (FIGURES_TOPIC)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("mediation.mediate_case"):
        return []
    today = today or timezone.localdate()
    decides = user.has_perm("mediation.accept_case")
    counts = cached_figures(
        f"mediation:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: _worklist_counts(principal, today),
    )
    module = _("Mediation")
    url = reverse("mediation:list")
    items = [
        work_item(
            "mediation.overdue",
            ngettext(
                "%(n)d mediation case past its deadline",
                "%(n)d mediation cases past their deadline",
                counts["overdue"],
            )
            % {"n": counts["overdue"]},
            counts["overdue"],
            url=url + "?overdue=true",
            module=module,
            due=counts["overdue_due"],
            state=OVERDUE,
        )
    ]
    if decides:
        items.append(
            work_item(
                "mediation.decide",
                ngettext(
                    "%(n)d application to accept or refuse",
                    "%(n)d applications to accept or refuse",
                    counts["decide"],
                )
                % {"n": counts["decide"]},
                counts["decide"],
                url=url + "?status=received&overdue=false",
                module=module,
                due=counts["decide_due"],
                today=today,
            )
        )
    items.append(
        work_item(
            "mediation.due_soon",
            ngettext(
                "%(n)d mediation case due within %(days)d days",
                "%(n)d mediation cases due within %(days)d days",
                counts["soon"],
            )
            % {"n": counts["soon"], "days": WORKLIST_SOON_DAYS},
            counts["soon"],
            url=url + f"?status=in_mediation&due_within={WORKLIST_SOON_DAYS}",
            module=module,
            due=counts["soon_due"],
            today=today,
        )
    )
    return items


def _worklist_counts(principal, today: dt.date) -> dict:
    """The worklist's numbers: one aggregate over the principal's open cases. The earliest passed
    deadline is the largest `deadline_rank` past today's (`models.deadline_rank_of`)."""
    late = overdue_q(today)
    deciding = Q(status=S.RECEIVED) & ~late
    soon = Q(status=S.IN_MEDIATION) & due_within_q(WORKLIST_SOON_DAYS, today)
    found = (
        Case.objects.visible_to(principal, today=today)
        .filter(status__in=Case.OPEN)
        .aggregate(
            overdue=Count("pk", filter=late),
            overdue_rank=Max("deadline_rank", filter=late),
            decide=Count("pk", filter=deciding),
            decide_due=Min("decision_due_on", filter=deciding),
            soon=Count("pk", filter=soon),
            soon_due=Min("due_on", filter=soon),
        )
    )
    rank = found.pop("overdue_rank")
    found["overdue_due"] = deadline_day(rank) if rank is not None else None
    return found


def deadline_day(rank: int) -> dt.date:
    """The day of a deadline from its `deadline_rank` (the inverse of `deadline_rank_of`)."""
    return RANK_EPOCH - dt.timedelta(days=rank)


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): cases whose serial number is the text or
    begins with it (`TJ2026-00042`, `TJ2026-0004`), read from the serials' prefix index among the
    cases the principal sees; and, for an ID number, the cases it works whose applicant has that
    number (the keyed hash), for those who may see applicants' identities (mediators, the park,
    the officials of a union that runs the organisation: never the respondent's HR)."""
    if not may(principal, "mediation.view_case"):
        return []
    entries = []
    if query.serial:
        kind = _("Mediation case")
        found = list(
            Case.objects.visible_to(principal)
            .filter(serial__startswith=query.serial)
            .select_related("organisation")
            .order_by("-serial")[: PER_KIND + 1]
        )
        entries += [
            hit(
                "mediation",
                kind,
                f"{case.serial} · {case.respondent_name}",
                " · ".join(
                    part
                    for part in (
                        str(case.get_status_display()),
                        case.organisation.name if case.organisation_id else "",
                        f"{case.received_on:%Y-%m-%d}",
                    )
                    if part
                ),
                reverse("mediation:detail", args=[case.pk]),
            )
            for case in found[:PER_KIND]
        ]
        entries.append(searched("mediation", kind))
        if len(found) > PER_KIND:
            entries.append(
                more("mediation", kind, reverse("mediation:list") + "?" + urlencode({"search": query.serial}))
            )
    if query.by_id:
        kind = _("Mediation case (applicant)")
        if not holds(principal, "mediation.view_applicant_identity"):
            return [*entries, denied("mediation", kind)]
        applicants = (
            Applicant.objects.filter(id_number_hash=query.id_hash, case__in=Case.objects.worked_by(principal))
            .select_related("case")
            .order_by("-case__received_on", "-case__serial")[:PER_KIND]
        )
        seen = set()
        for applicant in applicants:
            case = applicant.case
            if case.pk in seen:
                continue
            seen.add(case.pk)
            entries.append(
                hit(
                    "mediation",
                    kind,
                    f"{case.serial} · {case.respondent_name}",
                    f"{applicant.name} · {query.id_masked} · {case.get_status_display()}",
                    reverse("mediation:detail", args=[case.pk]),
                    by_id=True,
                )
            )
        entries.append(searched("mediation", kind, by_id=True))
    return entries
