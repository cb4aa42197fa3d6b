"""Every read of legal aid, scoped by the principal: lists, the detail, the public tracking page,
the routing to the handling union, the mediation cases a request may link, the overdue decisions,
the figures (`union_figures`) and the enterprise dossier's section."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.cache import cached_figures, scope_key
from apps.core.exports import Sheet
from apps.core.models import Area
from apps.core.money import format_yuan
from apps.core.personal_data import mask_id_number
from apps.core.search import PER_KIND, denied, hit, may, searched
from apps.core.worklist import OVERDUE
from apps.core.worklist import item as work_item
from apps.enterprises.models import Enterprise
from apps.enterprises.selectors import hidden_section
from apps.mediation.models import Case
from apps.unions.models import Union, UnionCoverage

from . import rules
from .filters import overdue_q
from .models import AidKind, Lawyer, LegalAidPolicy, LegalAidRequest
from .workflow import WORKFLOW, acts_on, can_handle

FIGURES_TOPIC = "legalaid"
#: The most rows one export writes (the filtered list beyond it is cut, as the other exports do).
EXPORT_LIMIT = 50_000
S = LegalAidRequest.Status


# Policy and routing -------------------------------------------------------------------------------


def policy_in_force(day: dt.date | None = None) -> LegalAidPolicy:
    """[POLICY] The newest policy in effect on `day`; the platform defaults when none is."""
    day = day or timezone.localdate()
    policy = LegalAidPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return policy or rules.default_policy()


def park_federation() -> Union | None:
    """The park's federation: the active federation that reports to none."""
    return (
        Union.objects.filter(kind=Union.Kind.FEDERATION, parent__isnull=True, is_active=True)
        .order_by("name")
        .first()
    )


def handling_union(enterprise: Enterprise | None, town: Area | None = None) -> Union | None:
    """The union that handles a request: the enterprise's covering union (unions.UnionCoverage), if
    active; else the federation of the town (a federation whose organisation's area is the town);
    else the park federation."""
    if enterprise is not None:
        coverage = (
            UnionCoverage.objects.filter(enterprise=enterprise, union__is_active=True)
            .select_related("union")
            .first()
        )
        if coverage is not None:
            return coverage.union
        town = town or enterprise.town
    if town is not None:
        town_fed = (
            Union.objects.filter(kind=Union.Kind.FEDERATION, is_active=True, organisation__area=town)
            .order_by("name")
            .first()
        )
        if town_fed is not None:
            return town_fed
    return park_federation()


def public_enterprises():
    return Enterprise.objects.operating().order_by("name").only("pk", "name")


def public_towns():
    return Area.objects.filter(kind=Area.Kind.TOWN).order_by("code")


def lawyers_for(principal, request: LegalAidRequest):
    """The active lawyers and volunteers of the handling union (or of the whole park)."""
    return (
        Lawyer.objects.active().filter(Q(union__isnull=True) | Q(union_id=request.union_id)).order_by("name")
    )


def linkable_cases(principal):
    """The mediation cases a request may be linked to by this principal: the cases they see in
    mediation, and (a union official) the cases against the enterprises their union covers."""
    q = Q(pk__in=Case.objects.visible_to(principal).values("pk"))
    if (
        not principal.sees_everything
        and not principal.is_api_client
        and principal.is_authenticated
        and principal.organisation_ids(Role.UNION_OFFICIAL)
    ):
        q |= Q(respondent_enterprise__in=Enterprise.objects.visible_to(principal).values("pk"))
    return Case.objects.filter(q)


def linkable_case_by_serial(principal, serial: str) -> Case | None:
    serial = rules.normal_serial(serial)
    if not serial:
        return None
    return linkable_cases(principal).filter(serial=serial).first()


# Lists and detail --------------------------------------------------------------------------------


def requests_for(principal):
    return LegalAidRequest.objects.visible_to(principal)


def list_queryset(principal, today: dt.date | None = None):
    """The list: overdue decisions first, then the newest."""
    today = today or timezone.localdate()
    return (
        requests_for(principal)
        .select_related("union", "enterprise", "town", "lawyer", "applicant")
        .annotate(
            overdue=SqlCase(
                When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-overdue", "-received_on", "-serial", "-id")
    )


def export_sheets(principal, qs) -> list[Sheet]:
    """The (filtered, scoped) list as one sheet, read in chunks with the applicant, union,
    enterprise, lawyer and linked mediation case joined (no query per row). The worker's ID number
    is always masked, and only for those who may see the worker's identity on the request (the
    handling union's officials, park administrators with the permission); never in full."""

    def lines():
        rows = qs.select_related("applicant", "union", "enterprise", "lawyer", "mediation_case")
        for r in rows[:EXPORT_LIMIT].iterator(chunk_size=1000):
            applicant = getattr(r, "applicant", None)
            identity = applicant is not None and can_see_identity(principal, r)
            yield [
                r.serial,
                r.received_on,
                r.get_channel_display(),
                r.get_kind_display(),
                applicant.name if applicant is not None else "",
                (mask_id_number(applicant.id_number) or "") if identity and applicant.id_number else "",
                r.employer_name or (r.enterprise.name if r.enterprise_id else ""),
                r.union.name,
                r.get_status_display(),
                r.decision_due_on,
                r.decided_on,
                r.lawyer.name if r.lawyer_id else "",
                r.mediation_case.serial if r.mediation_case_id else "",
                r.get_outcome_display() if r.outcome else "",
                r.amount_recovered,
            ]

    header = [
        _("Serial number"),
        _("Received on"),
        _("Channel"),
        _("Kind of help"),
        _("Worker"),
        _("ID number"),
        _("Employer"),
        _("Handling union"),
        _("Status"),
        _("Decision due"),
        _("Decided on"),
        _("Lawyer"),
        _("Mediation case"),
        _("Outcome"),
        _("Amount recovered (yuan)"),
    ]
    return [
        Sheet(
            title=str(_("Legal-aid requests")),
            header=[str(h) for h in header],
            rows=lines(),
            widths={0: 16, 5: 22, 6: 36, 7: 24},
            money=[14],
        )
    ]


def detail_queryset(principal):
    return requests_for(principal).select_related(
        "union", "enterprise", "town", "lawyer", "applicant", "mediation_case", "registered_by"
    )


def history(request: LegalAidRequest):
    return request.history.select_related("actor").order_by("at")


def can_see_identity(principal, request: LegalAidRequest | None = None) -> bool:
    """The worker's ID number (masked, or in full on request, audited) and phone: the handling
    union's officials and park administrators with the permission; API clients with
    `personal_data:read`. A federation reading another union's request sees neither."""
    if principal.is_api_client:
        return principal.has_scope("personal_data:read")
    if principal.user is None or not principal.user.has_perm("legalaid.view_worker_identity"):
        return False
    return request is None or acts_on(principal, request)


def applicant_row(principal, request: LegalAidRequest, *, reveal: bool = False, full_allowed=True) -> dict:
    """The worker as the principal may see them. `reveal`: the full ID number (audited). An API
    client sees it in full only in a detail (`full_allowed`) with `personal_data:read`."""
    a = request.applicant
    identity = can_see_identity(principal, request)
    if principal.is_api_client:
        full = identity and full_allowed and bool(a.id_number)
    else:
        full = identity and reveal and bool(a.id_number)
    if full:
        audit.record_sensitive_view(a, "id_number", note=request.serial)
    if identity:
        id_number = a.id_number if full else mask_id_number(a.id_number)
        phone = a.phone if (full_allowed or not principal.is_api_client) else None
    else:
        id_number = mask_id_number(a.id_number) if principal.is_api_client else None
        phone = None
    return {"name": a.name, "id_number": id_number or None, "revealed": full, "phone": phone}


def available_actions(request: LegalAidRequest, principal) -> list:
    return [
        t
        for t in WORKFLOW.transitions.values()
        if request.status in t.sources and WORKFLOW.refusal(request, t, principal) is None
    ]


def detail_context(principal, request: LegalAidRequest, *, reveal=False, today=None) -> dict:
    today = today or timezone.localdate()
    return {
        "req": request,
        "applicant": applicant_row(principal, request, reveal=reveal),
        "may_reveal": can_see_identity(principal, request) and not reveal,
        "actions": available_actions(request, principal),
        "may_handle": can_handle(principal, request),
        "lawyers": lawyers_for(principal, request) if can_handle(principal, request) else [],
        "history": history(request),
        "overdue": rules.is_decision_overdue(request.status, request.decision_due_on, today),
        "outcomes": LegalAidRequest.Outcome.choices,
    }


# The daily job -----------------------------------------------------------------------------------


def overdue_to_notify(today: dt.date):
    """Decisions past their deadline whose union has not been told today."""
    return (
        LegalAidRequest.objects.filter(overdue_q(today))
        .exclude(overdue_notified_on=today)
        .select_related("union")
        .order_by("decision_due_on", "serial")
    )


# Public tracking ---------------------------------------------------------------------------------


def track(serial: str, code: str) -> LegalAidRequest | None:
    """The request if the code matches, else None: the same answer (and the same work) for an
    unknown serial, a wrong code and no code, so serial numbers cannot be probed."""
    serial = rules.normal_serial(serial)
    request = (
        LegalAidRequest.objects.filter(serial=serial).select_related("union", "lawyer").first()
        if serial
        else None
    )
    if request is None or not code:
        rules.check_access_code("0" * 64, code or "")
        return None
    return request if rules.check_access_code(request.access_code_hash, code) else None


#: How many unions the tracking page lists for a lost access code.
LOST_CODE_UNIONS = 8


def lost_code_unions() -> list[dict]:
    """Whom a worker who lost the access code phones or visits (issue 20), shown on the tracking
    page whatever was typed (one list for every answer: it tells nothing about a serial number):
    the park's active federations, the park federation first, with their phone (the handling
    union gives a new code after checking who the worker is, `services.reissue_access_code`; a
    federation passes the request on to an enterprise's union)."""
    unions = (
        Union.objects.filter(kind=Union.Kind.FEDERATION, is_active=True)
        .order_by(F("parent").asc(nulls_first=True), "name")
        .only("pk", "name", "chair_phone")[:LOST_CODE_UNIONS]
    )
    return [{"name": union.name, "phone": union.chair_phone} for union in unions]


def public_view(request: LegalAidRequest) -> dict:
    """What the tracking page shows: nothing about people but the union and the lawyer's name."""
    return {
        "serial": request.serial,
        "received_on": request.received_on,
        "kind": request.get_kind_display(),
        "union": request.union.name,
        "union_phone": request.union.chair_phone,
        "status": request.get_status_display(),
        "status_code": request.status,
        "decision_due_on": request.decision_due_on,
        "decided_on": request.decided_on,
        "refusal_reason": request.refusal_reason if request.status == S.REFUSED else "",
        "lawyer": request.lawyer.name if request.lawyer else "",
        "outcome": request.get_outcome_display() if request.outcome else "",
        "closed_on": request.closed_on,
    }


# Figures ----------------------------------------------------------------------------------------


def _counted(principal, year: int | None, town=None):
    qs = requests_for(principal)
    if year:
        qs = qs.filter(received_on__year=year)
    if town is not None:
        qs = qs.filter(town=town)
    return qs


def _by(qs, field: str, choices) -> list[dict]:
    counts = dict(qs.order_by().values_list(field).annotate(n=Count("pk")))
    return [{"code": code, "label": str(label), "count": counts.get(code, 0)} for code, label in choices]


def figures(principal, year: int | None = None, town=None) -> dict:
    """Requests by kind, decision and outcome, by town and year, and the amount recovered."""

    def compute():
        qs = _counted(principal, year, town)
        totals = qs.aggregate(
            total=Count("pk"),
            accepted=Count("pk", filter=Q(status__in=[S.ACCEPTED, S.CLOSED]) & ~Q(decided_on=None)),
            refused=Count("pk", filter=Q(status=S.REFUSED)),
            pending=Count("pk", filter=Q(status=S.RECEIVED)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
            recovered=Sum("amount_recovered"),
        )
        totals["recovered"] = totals["recovered"] or Decimal("0")
        by_town = list(
            qs.order_by()
            .values("town__name")
            .annotate(n=Count("pk"), recovered=Sum("amount_recovered"))
            .order_by("town__name")
        )
        by_year = list(
            _counted(principal, None, town)
            .order_by()
            .annotate(y=ExtractYear("received_on"))
            .values("y")
            .annotate(n=Count("pk"), recovered=Sum("amount_recovered"))
            .order_by("y")
        )
        return {
            "totals": totals,
            "by_kind": _by(qs, "kind", AidKind.choices),
            "by_status": _by(qs, "status", S.choices),
            "by_outcome": _by(qs.exclude(outcome=""), "outcome", LegalAidRequest.Outcome.choices),
            "by_town": [
                {"town": r["town__name"] or "—", "count": r["n"], "recovered": r["recovered"] or Decimal("0")}
                for r in by_town
            ],
            "by_year": [
                {"year": r["y"], "count": r["n"], "recovered": r["recovered"] or Decimal("0")}
                for r in by_year
            ],
        }

    key = f"legalaid:figures:{scope_key(principal)}:{year or ''}:{getattr(town, 'pk', '')}"
    return cached_figures(key, [FIGURES_TOPIC], compute)


def union_figures(principal, year: int, town=None) -> list[dict]:
    """The union figures page's tables (/unions/figures/): each {"key", "title", "columns",
    "rows"}; `columns` a list of {"key", "label"}, `rows` a list of dicts by column key. Empty for
    a role that may not read legal aid."""
    user = principal.user
    if not principal.is_api_client and (user is None or not user.has_perm("legalaid.view_legalaidrequest")):
        return []
    data = figures(principal, year, town)
    count_cols = [{"key": "label", "label": _("Kind")}, {"key": "count", "label": _("Requests")}]
    t = data["totals"]
    return [
        {
            "key": "legal_aid_totals",
            "title": _("Legal aid"),
            "columns": [{"key": "label", "label": _("Figure")}, {"key": "value", "label": _("Value")}],
            "rows": [
                {"label": _("Requests"), "value": t["total"]},
                {"label": _("Accepted"), "value": t["accepted"]},
                {"label": _("Refused"), "value": t["refused"]},
                {"label": _("Awaiting decision"), "value": t["pending"]},
                {"label": _("Closed"), "value": t["closed"]},
                {"label": _("Amount recovered (yuan)"), "value": format_yuan(t["recovered"], "0.00")},
            ],
        },
        {
            "key": "legal_aid_by_kind",
            "title": _("Legal aid by kind of help"),
            "columns": count_cols,
            "rows": data["by_kind"],
        },
        {
            "key": "legal_aid_by_decision",
            "title": _("Legal aid by status"),
            "columns": count_cols,
            "rows": data["by_status"],
        },
        {
            "key": "legal_aid_by_outcome",
            "title": _("Legal aid by outcome"),
            "columns": count_cols,
            "rows": data["by_outcome"],
        },
        {
            "key": "legal_aid_by_town",
            "title": _("Legal aid by town"),
            "columns": [
                {"key": "town", "label": _("Town")},
                {"key": "count", "label": _("Requests")},
                {"key": "recovered", "label": _("Amount recovered (yuan)"), "money": True},
            ],
            "rows": data["by_town"],
        },
    ]


# Dossier ---------------------------------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    """The legal-aid section of an enterprise's dossier: requests against it (counts and outcomes),
    for the roles that read legal aid (hidden, never "none", for the others: enterprise HR,
    mediators, inspectors). Union officials count the requests they see."""
    user = principal.user
    if user is None or not user.has_perm("legalaid.view_legalaidrequest"):
        return [hidden_section("legal_aid", _("Legal aid"))]

    def compute():
        # One aggregate query: the counts and each outcome's count.
        outcomes = LegalAidRequest.Outcome.choices
        row = (
            requests_for(principal)
            .filter(enterprise=enterprise)
            .aggregate(
                total=Count("pk"),
                open=Count("pk", filter=Q(status__in=LegalAidRequest.OPEN)),
                recovered=Sum("amount_recovered"),
                **{f"o_{code}": Count("pk", filter=Q(outcome=code)) for code, _label in outcomes},
            )
        )
        return {
            "counts": {k: row[k] for k in ("total", "open", "recovered")},
            "outcomes": [
                {"code": code, "label": str(label), "count": row[f"o_{code}"]}
                for code, label in outcomes
                if row[f"o_{code}"]
            ],
        }

    data = cached_figures(
        f"legalaid:dossier:{scope_key(principal)}:{enterprise.pk}", [FIGURES_TOPIC], compute
    )
    return [
        {
            "key": "legal_aid",
            "title": _("Legal aid"),
            "template": "legalaid/dossier_legal_aid.html",
            "context": {**data, "enterprise": enterprise, "complete": principal.sees_everything},
        }
    ]


def home_cards(principal):
    user = principal.user
    if user is None or not user.has_perm("legalaid.decide_request"):
        return []
    today = timezone.localdate()
    n = cached_figures(
        f"legalaid:home:{scope_key(principal)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: LegalAidRequest.objects.handled_by(principal).filter(overdue_q(today)).count(),
    )
    if not n:
        return []
    from django.urls import reverse

    return [
        {
            "label": _("Legal-aid decisions overdue"),
            "value": n,
            "url": reverse("legalaid:list") + "?overdue=true",
            "icon": "exclamation-triangle",
        }
    ]


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): a request by its serial number (exact,
    through its unique index) among those the principal reads; for an ID number, the requests it
    handles whose worker has it (the keyed hash), for those who may see the worker's identity (the
    handling union's officials, park administrators: `can_see_identity`)."""
    if not may(principal, "legalaid.view_legalaidrequest"):
        return []
    entries = []
    if query.serial:
        kind = _("Legal-aid request")
        found = LegalAidRequest.objects.visible_to(principal).filter(serial=query.serial).first()
        if found is not None:
            entries.append(
                hit(
                    "legalaid",
                    kind,
                    f"{found.serial} · {found.get_kind_display()}",
                    f"{found.employer_name} · {found.get_status_display()} · {found.received_on:%Y-%m-%d}",
                    reverse("legalaid:detail", args=[found.pk]),
                )
            )
        entries.append(searched("legalaid", kind))
    if query.by_id:
        kind = _("Legal-aid request (worker)")
        if not may(principal, "legalaid.view_worker_identity"):
            return [*entries, denied("legalaid", kind)]
        requests = (
            LegalAidRequest.objects.handled_by(principal)
            .filter(applicant__id_number_hash=query.id_hash)
            .select_related("applicant")
            .order_by("-received_on", "-serial")[:PER_KIND]
        )
        for found in requests:
            entries.append(
                hit(
                    "legalaid",
                    kind,
                    f"{found.serial} · {found.get_kind_display()}",
                    f"{found.applicant.name} · {query.id_masked} · {found.get_status_display()}",
                    reverse("legalaid:detail", args=[found.pk]),
                    by_id=True,
                )
            )
        entries.append(searched("legalaid", kind, by_id=True))
    return entries


# The worklist (issue 20) -----------------------------------------------------------------------------


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in legal aid (hook `worklist`, apps.core.worklist), for those who
    decide requests (the unions' officials, park administrators): the decisions past their
    deadline and those still to make, in the requests their list shows (`requests_for`), so each
    count is the rows its link lists. One aggregate over the received requests (the index
    `legalaid_status_due`), kept per scope and day until a request changes (FIGURES_TOPIC). It
    replaces the module's home card (`home_cards`)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("legalaid.decide_request"):
        return []
    today = today or timezone.localdate()
    late = overdue_q(today)
    found = cached_figures(
        f"legalaid:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: (
            requests_for(principal)
            .filter(status=LegalAidRequest.Status.RECEIVED)
            .aggregate(
                overdue=Count("pk", filter=late),
                overdue_due=Min("decision_due_on", filter=late),
                pending=Count("pk", filter=~late),
                pending_due=Min("decision_due_on", filter=~late),
            )
        ),
    )
    module = _("Legal aid")
    url = reverse("legalaid:list")
    return [
        work_item(
            "legalaid.decisions_overdue",
            ngettext(
                "%(n)d legal-aid decision past its deadline",
                "%(n)d legal-aid decisions past their deadline",
                found["overdue"],
            )
            % {"n": found["overdue"]},
            found["overdue"],
            url=url + "?overdue=true",
            module=module,
            due=found["overdue_due"],
            state=OVERDUE,
        ),
        work_item(
            "legalaid.decisions_due",
            ngettext(
                "%(n)d legal-aid request to accept or refuse",
                "%(n)d legal-aid requests to accept or refuse",
                found["pending"],
            )
            % {"n": found["pending"]},
            found["pending"],
            url=url + "?status=received&overdue=false",
            module=module,
            due=found["pending_due"],
            today=today,
        ),
    ]
