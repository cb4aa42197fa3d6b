"""Reads of labour inspection: scoped lists and details, the reporter (confidential, every view
audited), the workers' identity, the clocks of a case, the overdue queries for reminders and the
look-ups the services make (unscoped by design, marked as such).

Every read of cases goes through `InspectionCase.objects.visible_to(principal)`; a case outside
the principal's scope answers 404 (`get_visible_or_404`), as everywhere.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.personal_data import mask_id_number
from apps.core.scoping import get_visible_or_404

from .. import rules
from ..models import (
    CaseHistory,
    Extension,
    InspectionCase,
    InspectionPolicy,
    RectificationOrder,
    Reporter,
    WageArrearsListing,
    Worker,
)
from ..workflow import WORKFLOW

S = InspectionCase.Status


#: The case list's order: the nearest decision deadline first, then the newest; the key makes it
#: total. Served by the index `inspection_case_order`.
LIST_ORDER = ("decision_due_on", "-received_on", "-serial", "-id")


def visible_cases(principal):
    """The cases the principal may see, with what a list row and its actions read."""
    return (
        InspectionCase.objects.visible_to(principal)
        .select_related("enterprise", "town", "inspector", "mediation_case")
        .prefetch_related(
            Prefetch("orders", queryset=RectificationOrder.objects.order_by("issued_on", "created_at")),
            Prefetch("extensions", queryset=Extension.objects.order_by("created_at")),
        )
    )


def case_detail(principal, pk) -> InspectionCase:
    """One case the principal may see, or 404."""
    return get_visible_or_404(visible_cases(principal), principal, pk=pk)


def available_actions(case: InspectionCase, principal) -> list:
    return WORKFLOW.available(case, principal)


def labelled_history(rows, workflow, extra: dict | None = None) -> list:
    """History rows ready for a page: `action_label` (the transition table's label; `extra` names
    the acts beside the table) and `who` (the user, or what the platform and an online visitor are
    called)."""
    labels = {t.action: t.label for t in workflow.transitions.values()}
    labels.update(extra or {})
    others = {"system": _("the platform"), "anonymous": _("online, without an account")}
    rows = list(rows)
    for h in rows:
        h.action_label = labels.get(h.action, h.action)
        h.who = str(h.actor) if h.actor_id else others.get(h.actor_label, h.actor_label)
    return rows


def history(case: InspectionCase) -> list:
    return labelled_history(
        CaseHistory.objects.filter(subject=case).select_related("actor").order_by("at"),
        WORKFLOW,
        {"receive": _("Case received")},
    )


def can_see_reporter(principal) -> bool:
    """Whether the principal's role may ever see reporters (the page shows the section only then)."""
    return principal.is_park_admin or (
        not principal.is_api_client
        and principal.has_role(Role.INSPECTOR)
        and principal.user.has_perm("inspection.view_reporter_identity")
    )


def reporter_for(principal, case: InspectionCase) -> Reporter | None:
    """The reporter of a case, for those who may see it (劳动保障监察条例 art. 9), with the view
    audited; None for everyone else and for cases without a reporter."""
    reporter = Reporter.objects.visible_to(principal).filter(case=case).first()
    if reporter is not None:
        audit.record_sensitive_view(reporter, "reporter", note=case.serial)
    return reporter


def can_see_worker_identity(principal) -> bool:
    """Inspectors and park administrators see the workers' full ID numbers and phones; enterprise
    HR and union officials see them masked."""
    if principal.is_park_admin:
        return True
    if principal.is_api_client:
        return principal.has_scope("personal_data:read")
    return principal.user is not None and principal.user.has_perm("inspection.view_worker_identity")


def workers_for(principal, case: InspectionCase) -> list[dict]:
    """The workers concerned as the principal may see them: full ID numbers and phones (each full
    view audited) for those who may, masked numbers and no phone for the others."""
    full = can_see_worker_identity(principal)
    rows = []
    for worker in Worker.objects.filter(case=case).order_by("position", "created_at"):
        if full and worker.id_number:
            audit.record_sensitive_view(worker, "id_number", note=case.serial)
        rows.append(
            {
                "name": worker.name,
                "is_complainant": worker.is_complainant,
                "id_number": worker.id_number if full else mask_id_number(worker.id_number),
                "phone": worker.phone if full else "",
            }
        )
    return rows


def clocks(case: InspectionCase, today: dt.date | None = None) -> list[dict]:
    """The deadlines of a case, each with its date, unit, source and whether it has passed: for
    the page and the API."""
    today = today or timezone.localdate()
    rows = [
        {
            "name": "decision",
            "due_on": case.decision_due_on,
            "unit": rules.ACCEPTANCE_PERIOD.unit,
            "days": rules.ACCEPTANCE_PERIOD.days,
            "source": rules.ACCEPTANCE_PERIOD.source,
            "overdue": rules.decision_overdue(case, today),
        }
    ]
    if case.due_on:
        extended = any(e.status == Extension.Status.APPROVED for e in case.extensions.all())
        rows.append(
            {
                "name": "investigation",
                "due_on": case.due_on,
                "unit": rules.INVESTIGATION_PERIOD.unit,
                "days": rules.INVESTIGATION_PERIOD.days + (rules.EXTENSION_PERIOD.days if extended else 0),
                "source": rules.INVESTIGATION_PERIOD.source,
                "overdue": rules.investigation_overdue(case, today),
            }
        )
    return rows


def limitation_warning(case: InspectionCase):
    return rules.limitation_warning(case.violation_ended_on, case.received_on)


# Overdue queries (reminders, the inspector's home page) ------------------------------------------------


def matter_q(code: str, prefix: str = "") -> Q:
    """Cases whose matters include `code`: JSON containment where the database has it (PostgreSQL),
    else the quoted code in the JSON text (SQLite, which `make run` uses)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{prefix}matters__contains": [code]})
    return Q(**{f"{prefix}matters__icontains": f'"{code}"'})


def overdue_q(today: dt.date) -> Q:
    """Cases past a running clock: not accepted nor refused by their day, or investigated past
    their (possibly extended) deadline."""
    return Q(status=S.RECEIVED, decision_due_on__lt=today) | Q(
        status__in=InspectionCase.CLOCK_RUNNING, due_on__lt=today
    )


#: The `order` parameter of the case list: cases with an order to rectify not yet checked
#: ("open"), or one past its deadline without a follow-up check ("overdue").
ORDER_FILTERS = ("open", "overdue")


def pending_order_q(which: str, today: dt.date) -> Q:
    """Cases with an order to rectify without a follow-up result (`which` = "open"), or with one
    past its deadline (`which` = "overdue"): an EXISTS per case, so a case with two orders is
    listed once."""
    pending = RectificationOrder.objects.filter(case=OuterRef("pk"), result="")
    if which == "overdue":
        pending = pending.filter(due_on__lt=today)
    return Q(Exists(pending))


def home_cards(principal):
    """The inspector's (and park administrator's) day: cases waiting for acceptance, overdue
    cases and overdue orders, in their scope."""
    user = principal.user
    if user is None or not user.has_perm("inspection.handle_case"):
        return []
    today = timezone.localdate()
    visible = InspectionCase.objects.visible_to(principal)
    url = reverse("inspection:list")
    return [
        {
            "label": _("Inspection cases to accept or refuse"),
            "value": visible.filter(status=S.RECEIVED).count(),
            "url": url + "?status=received",
            "icon": "inbox",
        },
        {
            "label": _("Overdue inspection cases"),
            "value": visible.filter(overdue_q(today)).count(),
            "url": url + "?overdue=true",
            "icon": "alarm",
        },
        {
            "label": _("Orders to rectify past their deadline"),
            "value": orders_overdue(today, principal).count(),
            "url": url + "?status=decided",
            "icon": "clipboard-x",
        },
        # -- each room adds its cards here --
        *reviews.home_cards(principal),
        *interviews.home_cards(principal),
    ]


def decisions_overdue(today: dt.date, principal=None):
    """Received cases not accepted nor refused by their day. Unscoped for the daily job; scoped
    when a principal is given."""
    qs = (
        InspectionCase.objects.visible_to(principal)
        if principal is not None
        else InspectionCase.objects.all()
    )
    return qs.filter(status=S.RECEIVED, decision_due_on__lt=today)


def investigations_overdue(today: dt.date, principal=None):
    """Cases whose investigation clock runs past its (possibly extended) deadline."""
    qs = (
        InspectionCase.objects.visible_to(principal)
        if principal is not None
        else InspectionCase.objects.all()
    )
    return qs.filter(status__in=InspectionCase.CLOCK_RUNNING, due_on__lt=today)


def orders_overdue(today: dt.date, principal=None):
    """Orders to rectify past their deadline without a follow-up result."""
    qs = RectificationOrder.objects.filter(result="", due_on__lt=today).select_related("case")
    if principal is not None:
        qs = qs.filter(case__in=InspectionCase.objects.visible_to(principal))
    return qs


def listings_expired(today: dt.date):
    """Listings whose 3-year term has ended (the day after `expires_on`): for the job that removes them."""
    return WageArrearsListing.objects.listed().filter(expires_on__lt=today)


# Look-ups for the services (unscoped by design) --------------------------------------------------------


def existing_by_reference(source: str, reference: str) -> InspectionCase | None:
    """The case already registered for (source, reference), if any: referrals are idempotent."""
    if not reference:
        return None
    return InspectionCase.objects.filter(source=source, source_reference=reference).first()


def inspector_users(case: InspectionCase):
    """The inspectors of the case's area (the recipients of what happens to it)."""
    if case.town_id is None:
        return User.objects.none()
    orgs = Organisation.objects.filter(kind=Organisation.Kind.INSPECTION, area__isnull=False).filter(
        area__in=[case.town_id, *([case.town.parent_id] if case.town.parent_id else [])]
    )
    return User.objects.filter(
        memberships__organisation__in=orgs, memberships__role=Role.INSPECTOR, is_active=True
    ).distinct()


def park_admin_users():
    return User.objects.filter(memberships__role=Role.PARK_ADMIN, is_active=True).distinct()


def policy_in_force(day: dt.date | None = None) -> InspectionPolicy:
    """[POLICY] The inspection policy in effect on `day` (today by default): the newest one taking
    effect on or before it; the domain guide's defaults (an unsaved policy) when the park has not
    set one."""
    day = day or timezone.localdate()
    policy = InspectionPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return policy or InspectionPolicy(effective_from=dt.date(2000, 1, 1), source=str(_("Platform defaults")))


# The rooms' selector modules, imported last: they import helpers of this module (`matter_q`,
# `overdue_q`, `policy_in_force`), which must be defined first.
from . import (  # noqa: E402
    interviews,  # the orders-and-interviews room (selectors/interviews.py)
    reviews,  # the written-review room (selectors/reviews.py)
)
from .dossier import dossier_sections as dossier_sections  # noqa: E402  (selectors/dossier.py)
from .lookup import search as search  # noqa: E402  (selectors/lookup.py: the search across modules)
from .todo import worklist as worklist  # noqa: E402  (selectors/todo.py: the home page's worklist)
