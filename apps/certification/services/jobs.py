"""The daily jobs (tasks.py runs them): closing ended public notices and lapsing titles. Both
are idempotent and act as the platform (SYSTEM); the workflow's guards still apply."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.principal import SYSTEM

from .. import selectors
from ..models import Application, Certificate, PublicNotice
from .applications import reject
from .certificates import certify, end_title
from .common import park_today

S = Application.Status


def close_notices(today: dt.date | None = None) -> dict:
    """Daily job: for every notice that has ended, certify each application in it that has no
    open objection and no veto event in its window (those are rejected with the reason); an
    application with an open objection waits. A notice closes when nothing in it is waiting.
    `today` may be earlier than the real date (a re-run); certifying itself checks the real date
    (workflow guard), so a later `today` certifies nothing early."""
    today = today or park_today()
    result = {"certified": 0, "rejected": 0, "waiting": 0}
    for notice in PublicNotice.objects.filter(ends_on__lt=today, closed_at__isnull=True):
        for app in notice.applications.filter(status=S.IN_NOTICE).select_related("enterprise", "rule_set"):
            if selectors.has_open_objections(app):
                result["waiting"] += 1
                continue
            with transaction.atomic():
                vetoes = selectors.vetoes_in_window(app.enterprise, app.rule_set, today)
                if vetoes:
                    rule, event = vetoes[0]
                    reject(
                        SYSTEM,
                        app,
                        _("Veto event “%(kind)s” on %(date)s.")
                        % {"kind": rule.name, "date": event.occurred_on},
                    )
                    result["rejected"] += 1
                else:
                    certify(SYSTEM, app)
                    result["certified"] += 1
        if not notice.applications.filter(status=S.IN_NOTICE).exists():
            with transaction.atomic():
                PublicNotice.objects.filter(pk=notice.pk).update(closed_at=timezone.now())
                audit.record("certification.close_notice", notice, after={"closed": str(today)})
    return result


def lapse_titles(today: dt.date | None = None) -> int:
    """Daily job: a title lapses when an annual report is overdue or its validity has ended."""
    today = today or park_today()
    count = 0
    overdue = (
        Certificate.objects.filter(status=Certificate.Status.VALID)
        .filter(reports__due_on__lt=today, reports__submitted_at__isnull=True)
        .distinct()
    )
    for cert in overdue:
        report = cert.reports.filter(due_on__lt=today, submitted_at__isnull=True).order_by("due_on").first()
        with transaction.atomic():
            end_title(
                SYSTEM,
                cert,
                "lapse",
                _("The annual report due on %(date)s was not handed in.") % {"date": report.due_on},
                on=today,
            )
        count += 1
    for cert in Certificate.objects.filter(status=Certificate.Status.VALID, valid_until__lt=today):
        with transaction.atomic():
            end_title(
                SYSTEM,
                cert,
                "lapse",
                _("The validity ended on %(date)s.") % {"date": cert.valid_until},
                on=today,
            )
        count += 1
    return count
