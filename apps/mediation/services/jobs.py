"""The daily job of mediation (Celery beat, `mediation.flag_overdue` in tasks.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import Case
from ._common import _link, _today

S = Case.Status


def flag_overdue(today: dt.date | None = None) -> dict:
    """Daily (Celery beat): remind organisations of applications not decided within 3 working
    days and flag cases past their mediation deadline, notifying the mediator, the organisation
    and the park administrators once per deadline. Idempotent."""
    today = today or _today()
    reminded = flagged = 0
    undecided = Case.objects.filter(
        status=S.RECEIVED, decision_due_on__lt=today, decision_reminded_on__isnull=True
    ).select_related("organisation")
    for case in undecided:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, decision_reminded_on__isnull=True).update(
                decision_reminded_on=today
            ):
                continue
            serial, due = case.serial, case.decision_due_on
            notify(
                list(selectors.mediator_users(case.organisation)) + list(selectors.park_admins()),
                title=lambda serial=serial, due=due: (
                    _("Decide on mediation application %(serial)s: it was due by %(date)s")
                    % {"serial": serial, "date": due}
                ),
                body=lambda: str(rules.DECISION_PERIOD.source),
                link=_link(case),
            )
            reminded += 1
    overdue = Case.objects.filter(
        status=S.IN_MEDIATION, due_on__lt=today, overdue_notified_on__isnull=True
    ).select_related("organisation", "mediator__user")
    for case in overdue:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=today
            ):
                continue
            audit.record("mediation.flag_overdue", case, after={"due_on": case.due_on.isoformat()})
            serial, due = case.serial, case.due_on
            recipients = list(selectors.mediator_users(case.organisation)) + list(selectors.park_admins())
            if case.mediator and case.mediator.user:
                recipients.append(case.mediator.user)
            notify(
                recipients,
                title=lambda serial=serial, due=due: (
                    _("Mediation case %(serial)s passed its deadline of %(date)s")
                    % {"serial": serial, "date": due}
                ),
                body=lambda: (
                    _(
                        "Either party may now apply for arbitration (%(source)s). Close the case as timed out, "
                        "or record an extension both parties agreed to."
                    )
                    % {"source": rules.MEDIATION_PERIOD.source}
                ),
                link=_link(case),
            )
            flagged += 1
    return {"reminded": reminded, "flagged": flagged}
