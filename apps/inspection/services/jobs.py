"""The daily job of inspection (Celery beat, `inspection.daily` in tasks.py): reminders of cases
not accepted nor refused in time, flags on investigations past their deadline, and the end of
wage-arrears listings whose 3-year term has run out."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import InspectionCase
from ._common import _today
from .grades import compute_credit_grades
from .interviews import propose_interviews
from .listing import remove_expired_listings
from .reviews import remind_written_reviews


def _recipients(case: InspectionCase) -> list:
    users = list(selectors.inspector_users(case)) + list(selectors.park_admin_users())
    if case.inspector_id:
        users.append(case.inspector)
    return users


def flag_overdue(today: dt.date | None = None) -> dict:
    """Remind the brigade and the park of cases not decided within 5 working days and flag
    investigations past their (possibly extended) deadline, once per deadline (an approved
    extension clears the flag); remove listings whose term has ended. Idempotent."""
    today = today or _today()
    reminded = flagged = 0
    for case in (
        selectors.decisions_overdue(today).filter(decision_reminded_on__isnull=True).select_related("town")
    ):
        with transaction.atomic():
            if not InspectionCase.objects.filter(pk=case.pk, decision_reminded_on__isnull=True).update(
                decision_reminded_on=today
            ):
                continue
            serial, due = case.serial, case.decision_due_on
            notify(
                _recipients(case),
                title=lambda serial=serial, due=due: (
                    _("Accept or refuse inspection case %(serial)s: it was due by %(date)s")
                    % {"serial": serial, "date": due}
                ),
                body=lambda: str(rules.ACCEPTANCE_PERIOD.source),
                link=reverse("inspection:detail", args=[case.pk]),
            )
            reminded += 1
    overdue = selectors.investigations_overdue(today).filter(overdue_notified_on__isnull=True)
    for case in overdue.select_related("town", "inspector"):
        with transaction.atomic():
            if not InspectionCase.objects.filter(pk=case.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=today
            ):
                continue
            audit.record("inspection.flag_overdue", case, after={"due_on": case.due_on.isoformat()})
            serial, due = case.serial, case.due_on
            notify(
                _recipients(case),
                title=lambda serial=serial, due=due: (
                    _("Inspection case %(serial)s passed its investigation deadline of %(date)s")
                    % {"serial": serial, "date": due}
                ),
                body=lambda: str(rules.INVESTIGATION_PERIOD.source),
                link=reverse("inspection:detail", args=[case.pk]),
            )
            flagged += 1
    return {"reminded": reminded, "flagged": flagged, "listings_removed": remove_expired_listings(today)}


def daily(today: dt.date | None = None) -> dict:
    """Everything inspection does once a day, each step idempotent; the counts by step."""
    today = today or _today()
    done = {"overdue": flag_overdue(today)}
    # -- each room adds its daily step here --
    done["written_reviews_reminded"] = remind_written_reviews(today)
    done["credit_grades"] = compute_credit_grades(today.year, today)
    done["interviews_proposed"] = propose_interviews(today)
    return done
