"""The worklist of labour inspection (issue 20; hook `worklist`, apps.core.worklist): what needs
the principal today, each item a group of rows of a list its link opens.

Inspectors and park administrators (their area, `InspectionCase.visible_to`): cases to accept or
refuse, cases past a deadline, cases with an order to rectify past its deadline (the follow-up
check is due), interviews proposed, coming and to follow up, written reports to check. Enterprise
HR: their orders to rectify, interviews they are summoned to, and their written review report
when it is due within 30 days or late. The numbers come from a few aggregates kept per scope and
day until a case, an order, an interview or a report changes (`figures.FIGURES_TOPIC`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.roles import Role
from apps.core.cache import cached_figures, scope_key
from apps.core.worklist import OVERDUE, WAITING
from apps.core.worklist import item as work_item

from ..models import InspectionCase, Interview, RectificationOrder, WrittenReview
from . import overdue_q, pending_order_q
from .figures import FIGURES_TOPIC
from .interviews import may_handle_interviews
from .reviews import FILED, due_on, hr_enterprises, may_review, report_year, reviews_to_check

S = InspectionCase.Status
#: The written review report shows on HR's worklist from this many days before its due day.
REVIEW_NOTICE_DAYS = 30


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("inspection.view_inspectioncase"):
        return []
    today = today or timezone.localdate()
    handles = user.has_perm("inspection.handle_case")
    interviews = may_handle_interviews(principal)
    reviews = may_review(principal)
    hr = bool(principal.organisation_ids(Role.ENTERPRISE_HR)) and user.has_perm(
        "inspection.view_rectificationorder"
    )
    if not (handles or hr):
        return []
    flags = "".join(str(int(v)) for v in (handles, interviews, reviews, hr))
    counts = cached_figures(
        f"inspection:worklist:{scope_key(principal)}:{flags}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: _counts(principal, today, handles=handles, reviews=reviews, hr=hr),
    )
    module = _("Labour inspection")
    cases = reverse("inspection:list")
    rooms = reverse("inspection:interviews")
    items = []
    if handles:
        n = counts["received"]
        items.append(
            work_item(
                "inspection.decide",
                ngettext(
                    "%(n)d inspection case to accept or refuse",
                    "%(n)d inspection cases to accept or refuse",
                    n,
                )
                % {"n": n},
                n,
                url=cases + "?status=received&overdue=false",
                module=module,
                due=counts["received_due"],
                today=today,
            )
        )
        n = counts["overdue"]
        items.append(
            work_item(
                "inspection.overdue",
                ngettext(
                    "%(n)d inspection case past its deadline",
                    "%(n)d inspection cases past their deadline",
                    n,
                )
                % {"n": n},
                n,
                url=cases + "?overdue=true",
                module=module,
                due=counts["overdue_due"],
                state=OVERDUE,
            )
        )
        n = counts["orders_overdue"]
        items.append(
            work_item(
                "inspection.orders_follow_up",
                ngettext(
                    "%(n)d case whose order to rectify is past its deadline: check it",
                    "%(n)d cases whose order to rectify is past its deadline: check them",
                    n,
                )
                % {"n": n},
                n,
                url=cases + "?order=overdue",
                module=module,
                due=counts["orders_overdue_due"],
                state=OVERDUE,
            )
        )
    if hr:
        n = counts["orders_open"]
        items.append(
            work_item(
                "inspection.orders_due",
                ngettext(
                    "%(n)d order to rectify to carry out",
                    "%(n)d orders to rectify to carry out",
                    n,
                )
                % {"n": n},
                n,
                url=cases + "?order=open",
                module=module,
                due=counts["orders_open_due"],
                today=today,
            )
        )
    if interviews:
        n = counts["proposed"]
        items.append(
            work_item(
                "inspection.interviews_proposed",
                ngettext("%(n)d interview proposed", "%(n)d interviews proposed", n) % {"n": n},
                n,
                url=rooms + "?status=proposed",
                module=module,
                state=WAITING,
            )
        )
        n = counts["follow_up"]
        items.append(
            work_item(
                "inspection.interviews_follow_up",
                ngettext("%(n)d interview to follow up", "%(n)d interviews to follow up", n) % {"n": n},
                n,
                url=rooms + "?status=held",
                module=module,
                due=counts["follow_up_due"],
                today=today,
            )
        )
    if interviews or hr:
        n = counts["coming"]
        items.append(
            work_item(
                "inspection.interviews_coming",
                ngettext("%(n)d interview coming", "%(n)d interviews coming", n) % {"n": n},
                n,
                url=rooms + "?status=notified",
                module=module,
                due=counts["coming_due"],
                today=today,
            )
        )
    if reviews:
        n = counts["to_check"]
        items.append(
            work_item(
                "inspection.reviews_to_check",
                ngettext(
                    "%(n)d written review report to check",
                    "%(n)d written review reports to check",
                    n,
                )
                % {"n": n},
                n,
                url=reverse("inspection:reviews") + "?status=submitted",
                module=module,
                state=WAITING,
            )
        )
    if hr:
        n, year, due = counts["review_missing"], counts["review_year"], counts["review_due"]
        items.append(
            work_item(
                "inspection.review_to_file",
                ngettext(
                    "%(n)d written review report for %(year)d to file",
                    "%(n)d written review reports for %(year)d to file",
                    n,
                )
                % {"n": n, "year": year},
                n,
                url=reverse("inspection:reviews"),
                module=module,
                due=due,
                today=today,
                soon_days=REVIEW_NOTICE_DAYS,
            )
        )
    return items


def _counts(principal, today: dt.date, *, handles: bool, reviews: bool, hr: bool) -> dict:
    counts: dict = {}
    visible = InspectionCase.objects.visible_to(principal)
    if handles:
        late = overdue_q(today)
        received = Q(status=S.RECEIVED)
        to_decide = received & ~late
        counts.update(
            visible.filter(status__in=InspectionCase.OPEN).aggregate(
                received=Count("pk", filter=to_decide),
                received_due=Min("decision_due_on", filter=to_decide),
                overdue=Count("pk", filter=late),
                overdue_decision=Min("decision_due_on", filter=late & received),
                overdue_clock=Min("due_on", filter=late & ~received),
            )
        )
        days = [d for d in (counts.pop("overdue_decision"), counts.pop("overdue_clock")) if d]
        counts["overdue_due"] = min(days) if days else None
    if handles or hr:
        # The orders not yet checked of the cases the principal sees, per case (the list's rows).
        pending = RectificationOrder.objects.filter(case__in=visible, result="").aggregate(
            overdue_due=Min("due_on", filter=Q(due_on__lt=today)),
            open_due=Min("due_on"),
        )
        counts["orders_overdue"] = visible.filter(pending_order_q("overdue", today)).count() if handles else 0
        counts["orders_overdue_due"] = pending["overdue_due"]
        counts["orders_open"] = visible.filter(pending_order_q("open", today)).count() if hr else 0
        counts["orders_open_due"] = pending["open_due"]
    found = Interview.objects.visible_to(principal).aggregate(
        proposed=Count("pk", filter=Q(status=Interview.Status.PROPOSED)),
        # Held interviews wait for their follow-up check: due on the rectification deadline.
        follow_up=Count("pk", filter=Q(status=Interview.Status.HELD)),
        follow_up_due=Min("rectify_by", filter=Q(status=Interview.Status.HELD)),
        coming=Count("pk", filter=Q(status=Interview.Status.NOTIFIED)),
        coming_at=Min("scheduled_at", filter=Q(status=Interview.Status.NOTIFIED)),
    )
    coming_at = found.pop("coming_at")
    found["coming_due"] = timezone.localtime(coming_at).date() if coming_at else None
    counts.update(found)
    counts["to_check"] = reviews_to_check(principal).count() if reviews else 0
    counts.update(review_missing=0, review_year=report_year(today), review_due=None)
    if hr:
        year = report_year(today)
        due = due_on(year).date
        if today >= due - dt.timedelta(days=REVIEW_NOTICE_DAYS):
            enterprises = hr_enterprises(principal)
            filed = WrittenReview.objects.filter(
                enterprise__in=enterprises, year=year, status__in=FILED
            ).values("enterprise")
            counts["review_missing"] = enterprises.exclude(pk__in=filed).count()
            counts["review_due"] = due
    return counts
