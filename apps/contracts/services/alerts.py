"""The daily alerts to enterprise HR about their contracts (Celery beat, after the expiry job)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.services import notify

from .. import rules, selectors
from ..models import AlertLog


def send_contract_alerts(today: dt.date | None = None) -> dict:
    """Daily (Celery beat, after the expiry job): one notification to the HR users of each
    enterprise with contracts expiring within 30 days, workers without a written contract after
    one month (arts. 10, 82) or open-ended contracts due (art. 14), with the three counts and a
    link to the enterprise's book. Idempotent per day (`AlertLog`): a second run the same day
    sends nothing; an enterprise with nothing to report, or without an active HR user, gets
    nothing (`selectors.alerts_to_send`). Park administrators see the totals in the book
    (`selectors.park_totals`)."""
    today = today or timezone.localdate()
    sent = recipients = 0
    for enterprise, counts, users in selectors.alerts_to_send(today):
        with transaction.atomic():
            _log, created = AlertLog.objects.get_or_create(
                enterprise=enterprise, day=today, defaults={"counts": counts}
            )
            if not created:
                continue  # another worker sent it meanwhile
            notify(
                users,
                title=lambda name=enterprise.name: (
                    _("Labour contracts of %(enterprise)s need attention") % {"enterprise": name}
                ),
                body=lambda c=counts: "\n".join(
                    [
                        _("Contracts expiring within 30 days: %(n)s") % {"n": c["expiring_30"]},
                        _("Workers without a written contract after one month (%(source)s): %(n)s")
                        % {"n": c["without_contract"], "source": rules.ART_82},
                        _("Open-ended contracts due (%(source)s): %(n)s")
                        % {"n": c["open_ended_due"], "source": rules.ART_14},
                        _("The lists are in the enterprise's contract book."),
                    ]
                ),
                link=reverse("enterprises:detail", args=[enterprise.pk]) + "#contracts",
            )
        sent += 1
        recipients += len({u.pk for u in users})
    return {"enterprises": sent, "recipients": recipients}
