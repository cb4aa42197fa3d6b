"""The demo park's risk watch list (issue 17): the scores of today and of the five months before,
computed from the other seeders' records (so it runs last).

Each past month is computed as of its last day (`services.recompute(today=...)`: the signals
look back from that day), oldest first, then today: the chart shows how the park's risk grew
with the year of disputes, inspection cases and contracts the other seeders made. No one is
notified of the demo's level changes (they are audited). Idempotent: the past months are computed
only when the history has none; today's run writes nothing when nothing changed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.risk import rules, services
from apps.risk.models import EnterpriseRisk, Level, RiskMonth

#: Months of history before the current one.
HISTORY_MONTHS = 5


def seed(rng, stdout) -> None:
    today = timezone.localdate()
    months = rules.previous_months(today, HISTORY_MONTHS + 1)
    if not RiskMonth.objects.filter(month__lt=months[-1]).exists():
        for month in months[:-1]:
            month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            services.recompute(month_end, notify_changes=False)
    result = services.recompute(today, notify_changes=False)
    at_risk = EnterpriseRisk.objects.exclude(level=Level.NONE).count()
    stdout.write(
        f"Risk: {result['enterprises']} enterprises scored with policy v{result['policy_version']}, "
        f"{at_risk} at risk; history from {months[0]:%Y-%m}."
    )
