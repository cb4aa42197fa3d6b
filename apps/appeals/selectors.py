"""Reads of enterprise appeals, scoped by the principal (`Appeal.objects.visible_to`): the queue,
one appeal, the figures (answered by kind, department and time to answer), the union figures
hook, the dossier section and who is told what."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.cache import cached_figures, scope_key
from apps.core.exports import Sheet
from apps.core.search import hit, may, searched
from apps.core.worklist import OVERDUE, WAITING
from apps.core.worklist import item as work_item
from apps.enterprises.models import Enterprise

from . import rules
from .filters import AppealFilter
from .models import Appeal, AppealDeadline, Department, Kind
from .workflow import available_actions

VIEW = "appeals.view_appeal"
FIGURES = "appeals.view_appeal_figures"
FIGURES_TOPIC = "appeals"
#: The queue's order (index `appeals_list_order`).
LIST_ORDER = ("-submitted_on", "-id")
#: The newest appeals shown in the dossier (it says how many there are).
DOSSIER_SHOWN = 20
#: The most rows one export writes (the filtered list beyond it is cut, as the other exports do).
EXPORT_LIMIT = 50_000


def may_view(principal) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope("appeals:read")
    return principal.user is not None and principal.user.has_perm(VIEW)


def visible(principal):
    return Appeal.objects.visible_to(principal).select_related("enterprise", "town", "department")


def appeal_list(principal, params, request=None):
    filterset = AppealFilter(params or {}, queryset=visible(principal).order_by(*LIST_ORDER), request=request)
    qs = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, qs


def export_sheets(qs, today: dt.date) -> list[Sheet]:
    """The (filtered, scoped) queue as one sheet: one row per appeal, read in chunks with its
    enterprise, town and department joined (no query per row)."""

    def lines():
        for a in qs.select_related("enterprise", "town", "department")[:EXPORT_LIMIT].iterator(
            chunk_size=2000
        ):
            yield [
                a.reference,
                a.enterprise.name,
                a.town.name if a.town_id else "",
                a.get_kind_display(),
                a.subject,
                a.get_status_display(),
                a.department.name if a.department_id else "",
                a.submitted_on,
                a.due_on,
                _("Yes") if rules.is_overdue(a, today) else _("No"),
                a.answered_on,
                rules.days_to_answer(a.submitted_on, a.answered_on) if a.answered_on else None,
                a.get_satisfaction_display() if a.satisfaction else "",
            ]

    header = [
        _("Reference"),
        _("Enterprise"),
        _("Town / sub-district"),
        _("Kind"),
        _("Subject"),
        _("Status"),
        _("Department"),
        _("Filed on"),
        _("Due by"),
        _("Overdue"),
        _("Answered on"),
        _("Days to answer"),
        _("Satisfaction"),
    ]
    return [
        Sheet(
            title=_("Enterprise appeals"),
            header=[str(h) for h in header],
            rows=lines(),
            widths={0: 16, 1: 36, 4: 48, 6: 24},
        )
    ]


def get_appeal(principal, pk) -> Appeal:
    """The appeal if the principal may see it (Appeal.DoesNotExist otherwise: a 404)."""
    return visible(principal).select_related("submitted_by", "answered_by").get(pk=pk)


def history(appeal):
    return list(appeal.history.order_by("at"))


def policies() -> list[AppealDeadline]:
    return list(AppealDeadline.objects.all())


def deadlines_in_force(day: dt.date | None = None) -> list[dict]:
    """Each kind's period on `day` (for the filing page)."""
    day = day or timezone.localdate()
    rows = policies()
    return [
        {"kind": label, "days": rules.period_for(rows, value, day).deadline.days}
        for value, label in Kind.choices
    ]


def active_departments():
    return Department.objects.filter(is_active=True)


def filing_enterprises(principal):
    """The enterprises the principal files for: those of their HR memberships."""
    if principal.is_api_client or principal.user is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR))


def overdue(today: dt.date):
    return Appeal.objects.filter(status__in=Appeal.OPEN, due_on__lt=today)


def park_admin_users():
    return User.objects.filter(memberships__role=Role.PARK_ADMIN, is_active=True).distinct()


def hr_users(enterprise):
    return User.objects.filter(
        memberships__organisation_id=enterprise.organisation_id,
        memberships__role=Role.ENTERPRISE_HR,
        is_active=True,
    ).distinct()


def department_users(department):
    if department is None or not department.organisation_id:
        return User.objects.none()
    return User.objects.filter(
        memberships__organisation_id=department.organisation_id, is_active=True
    ).distinct()


# Figures -------------------------------------------------------------------------------------------


def _summary(rows: list[tuple]) -> dict:
    """rows: (submitted_on, answered_on, due_on)."""
    days = [rules.days_to_answer(s, a) for s, a, _d in rows]
    on_time = sum(1 for _s, a, d in rows if a <= d)
    return {
        "answered": len(rows),
        "median_days": rules.median(days),
        "average_days": round(sum(days) / len(days), 1) if days else None,
        "on_time": on_time,
        "on_time_share": round(100 * on_time / len(rows), 1) if rows else None,
    }


def _compute_figures(principal, year: int, town_code: str | None) -> dict:
    qs = Appeal.objects.visible_to(principal).filter(answered_on__year=year, answered_on__isnull=False)
    filed = Appeal.objects.visible_to(principal).filter(submitted_on__year=year)
    if town_code:
        qs = qs.filter(town__code=town_code)
        filed = filed.filter(town__code=town_code)
    rows = list(qs.values_list("kind", "department__name", "submitted_on", "answered_on", "due_on"))
    by_kind, by_department = defaultdict(list), defaultdict(list)
    for kind, department, submitted, answered, due in rows:
        by_kind[kind].append((submitted, answered, due))
        by_department[department or ""].append((submitted, answered, due))
    kind_labels = dict(Kind.choices)
    counts = filed.aggregate(
        filed=Count("pk"),
        open=Count("pk", filter=Q(status__in=Appeal.OPEN)),
        satisfied=Count("pk", filter=Q(satisfaction__in=["satisfied", "basically"])),
        rated=Count("pk", filter=~Q(satisfaction="")),
    )
    return {
        "year": year,
        "total": _summary([(s, a, d) for _k, _dep, s, a, d in rows]),
        "filed": counts,
        "by_kind": [
            {"kind": value, "label": str(kind_labels[value]), **_summary(by_kind[value])}
            for value, _label in Kind.choices
            if by_kind.get(value)
        ],
        "by_department": [
            {"department": name or _("Not routed"), **_summary(items)}
            for name, items in sorted(by_department.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
    }


def figures(principal, year: int, town: str | None = None) -> dict:
    """Appeals answered in `year` (by the day of the answer): in all, by kind and by department,
    with the median and average calendar days from filing to answer and the share answered by
    the due date; and the appeals filed in the year (open, rated, satisfied)."""
    scope = (
        "all" if principal.sees_everything else f"{principal.label}:{sorted(principal.organisation_ids())}"
    )
    return cached_figures(
        f"appeals:figures:{scope}:{year}:{town or ''}",
        [FIGURES_TOPIC],
        lambda: _compute_figures(principal, year, town),
    )


def years_with_appeals() -> list[int]:
    today = timezone.localdate()
    return list(range(today.year, today.year - 5, -1))


def union_figures(principal, year: int, town=None) -> list[dict]:
    """The union figures page's block (hook `union_figures` on the AppConfig): appeals answered in
    `year` by kind, one row each and a total row. `town`: an Area, a division code or None.
    Empty for a viewer who may not see the appeal figures."""
    if not principal.is_system and (
        principal.user is None or not principal.user.has_perm(FIGURES) or principal.is_api_client
    ):
        return []
    code = getattr(town, "code", town) or None
    data = figures(principal, year, code)
    columns = [
        {"key": "label", "label": _("Kind")},
        {"key": "answered", "label": _("Answered")},
        {"key": "median_days", "label": _("Median days to answer")},
        {"key": "average_days", "label": _("Average days to answer")},
        {"key": "on_time_share", "label": _("Answered on time (%)")},
    ]
    keys = [c["key"] for c in columns]
    rows = [{k: row[k] for k in keys} for row in data["by_kind"]]
    rows.append({**{k: data["total"][k] for k in keys if k != "label"}, "label": _("Total")})
    return [{"key": "appeals", "title": _("Enterprise appeals answered"), "columns": columns, "rows": rows}]


# Dossier -------------------------------------------------------------------------------------------


def dossier_sections(principal, enterprise) -> list[dict]:
    """The "appeals" section of the enterprise's dossier: park administrators and the enterprise's
    HR see its appeals; every other role is told the section is not visible to it (decided by the
    permission, never by whether appeals exist)."""
    title = _("Enterprise appeals")
    if principal.is_api_client or not may_view(principal):
        return [{"key": "appeals", "title": title, "hidden": True}]
    qs = visible(principal).filter(enterprise_id=enterprise.pk)
    shown = list(qs.order_by(*LIST_ORDER)[:DOSSIER_SHOWN])
    total = len(shown) if len(shown) < DOSSIER_SHOWN else qs.count()
    today = timezone.localdate()
    for appeal in shown:
        appeal.is_overdue = rules.is_overdue(appeal, today)
    return [
        {
            "key": "appeals",
            "title": title,
            "template": "appeals/dossier_appeals.html",
            "context": {
                "hidden": False,
                "appeals": shown,
                "total": total,
                "list_url": reverse("appeals:list"),
            },
        }
    ]


def decorate(appeals, today: dt.date, principal=None) -> list:
    out = []
    for appeal in appeals:
        appeal.is_overdue = rules.is_overdue(appeal, today)
        if principal is not None:
            appeal.actions = available_actions(appeal, principal)
        out.append(appeal)
    return out


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): an appeal by its reference (exact, through
    its unique index) among those the principal sees (HR: their enterprise's; the park: all)."""
    if not query.serial or not may(principal, VIEW):
        return []
    kind = _("Enterprise appeal")
    appeal = (
        Appeal.objects.visible_to(principal)
        .filter(reference=query.serial)
        .select_related("enterprise")
        .first()
    )
    entries = []
    if appeal is not None:
        entries.append(
            hit(
                "appeals",
                kind,
                f"{appeal.reference} · {appeal.subject}",
                f"{appeal.enterprise.name} · {appeal.get_status_display()} · {appeal.submitted_on:%Y-%m-%d}",
                reverse("appeals:detail", args=[appeal.pk]),
            )
        )
    return [*entries, searched("appeals", kind)]


# The worklist (issue 20) -----------------------------------------------------------------------------


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in enterprise appeals (hook `worklist`, apps.core.worklist): for
    the park, the appeals to route, the answers past their due date and those still due; for an
    enterprise's HR, the answers to rate. Each the rows of the queue's filter its link sets
    (`AppealFilter`, in `Appeal.visible_to`); one aggregate over the appeals not yet closed (the
    index `appeals_status_due`), kept per scope and day until an appeal changes (FIGURES_TOPIC)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm(VIEW):
        return []
    today = today or timezone.localdate()
    routes, answers = user.has_perm("appeals.route_appeal"), user.has_perm("appeals.answer_appeal")
    rates = user.has_perm("appeals.rate_appeal")
    if not (routes or answers or rates):
        return []
    late = Q(status__in=Appeal.OPEN, due_on__lt=today)
    to_route = Q(status=Appeal.Status.SUBMITTED) & ~late
    to_answer = Q(status=Appeal.Status.ROUTED) & ~late
    found = cached_figures(
        f"appeals:worklist:{scope_key(principal)}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: (
            Appeal.objects.visible_to(principal)
            .exclude(status=Appeal.Status.CLOSED)
            .aggregate(
                overdue=Count("pk", filter=late),
                overdue_due=Min("due_on", filter=late),
                route=Count("pk", filter=to_route),
                route_due=Min("due_on", filter=to_route),
                answer=Count("pk", filter=to_answer),
                answer_due=Min("due_on", filter=to_answer),
                rate=Count("pk", filter=Q(status=Appeal.Status.ANSWERED)),
            )
        ),
    )
    module = _("Enterprise appeals")
    url = reverse("appeals:list")
    items = []
    if routes:
        n = found["route"]
        items.append(
            work_item(
                "appeals.route",
                ngettext("%(n)d appeal to route", "%(n)d appeals to route", n) % {"n": n},
                n,
                url=url + "?status=submitted&overdue=false",
                module=module,
                due=found["route_due"],
                today=today,
            )
        )
    if answers:
        n = found["overdue"]
        items.append(
            work_item(
                "appeals.overdue",
                ngettext(
                    "%(n)d appeal not answered by its due date",
                    "%(n)d appeals not answered by their due date",
                    n,
                )
                % {"n": n},
                n,
                url=url + "?overdue=true",
                module=module,
                due=found["overdue_due"],
                state=OVERDUE,
            )
        )
        n = found["answer"]
        items.append(
            work_item(
                "appeals.answer",
                ngettext("%(n)d answer due from a department", "%(n)d answers due from departments", n)
                % {"n": n},
                n,
                url=url + "?status=routed&overdue=false",
                module=module,
                due=found["answer_due"],
                today=today,
            )
        )
    if rates and not principal.sees_everything:
        n = found["rate"]
        items.append(
            work_item(
                "appeals.rate",
                ngettext("%(n)d answer to rate", "%(n)d answers to rate", n) % {"n": n},
                n,
                url=url + "?status=answered",
                module=module,
                state=WAITING,
            )
        )
    return items
