"""Rules of enterprise appeals (pure functions: no queries).

The answer period is the park's policy (`AppealDeadline`, [POLICY]): working days per kind, from
the date a row takes effect; counted with the official calendar (apps.core.calendar), from the day
after the appeal is filed or reopened (民法典第二百零一条)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.core.calendar import Deadline, DeadlineUnit

from .models import Kind, Satisfaction

#: The defaults of the data migration (working days), when the park has set nothing for a kind.
DEFAULT_WORKING_DAYS = {
    Kind.HIRING: 5,
    Kind.TRAINING: 10,
    Kind.POLICY: 5,
    Kind.DISPUTE: 3,
    Kind.OTHER: 10,
}
DEFAULT_SOURCE = "园区企业诉求办理规定（默认值）"

#: The answer and the appeal's texts.
SUBJECT_MAX, TEXT_MAX, ANSWER_MAX, COMMENT_MAX = 200, 5000, 5000, 2000
#: An attachment: the upload checker's types, at most 10 MB.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
#: An unsatisfied appeal is reopened at most this many times.
MAX_REOPENS = 1
#: The rating that allows a reopening.
REOPENABLE = Satisfaction.NOT_SATISFIED
#: How a late answer is sourced in messages.
POLICY_SOURCE = _("the park's appeal deadlines (policy)")


@dataclass(frozen=True)
class Period:
    deadline: Deadline
    effective_from: dt.date | None


def period_for(policies: list, kind: str, day: dt.date) -> Period:
    """The answer period of an appeal of `kind` filed (or reopened) on `day`: the newest policy
    row of the kind in effect on that day (`policies`: rows with kind, effective_from,
    working_days, source), else the default."""
    rows = [p for p in policies if p.kind == kind and p.effective_from <= day]
    if rows:
        row = max(rows, key=lambda p: p.effective_from)
        return Period(Deadline(row.working_days, DeadlineUnit.WORKING_DAYS, row.source), row.effective_from)
    return Period(Deadline(DEFAULT_WORKING_DAYS[kind], DeadlineUnit.WORKING_DAYS, DEFAULT_SOURCE), None)


def due_date(
    policies: list, kind: str, day: dt.date, *, overrides: dict | None = None
) -> tuple[dt.date, Period]:
    period = period_for(policies, kind, day)
    return period.deadline.due(day, overrides=overrides).date, period


def is_overdue(appeal, today: dt.date) -> bool:
    """Not answered by its due date (an open appeal only: submitted or routed)."""
    return appeal.status in ("submitted", "routed") and appeal.due_on is not None and appeal.due_on < today


def answered_on_time(appeal) -> bool | None:
    if appeal.answered_on is None:
        return None
    return appeal.answered_on <= appeal.due_on


def days_to_answer(submitted_on: dt.date, answered_on: dt.date) -> int:
    """Calendar days from filing to the answer (0: answered the same day)."""
    return (answered_on - submitted_on).days


def median(values: list) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def reopen_refusal(appeal) -> str | None:
    """An appeal is reopened by the park once, and only when the enterprise was not satisfied."""
    if appeal.satisfaction != REOPENABLE:
        return str(_("Only an appeal whose answer the enterprise rated “not satisfied” can be reopened."))
    if appeal.reopened:
        return str(_("This appeal was already reopened once; it cannot be reopened again."))
    return None
