"""Mass incidents (issue 17): a collective dispute that led to a mass incident (因劳动争议引发群体性
事件) is marked on its case by the park or the case's mediators, with the day and what happened;
certification proposes its veto event from the mark (`apps.mediation.facts.veto_candidates`). A
mark set by mistake is removed with a reason; both are audited.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.errors import NotAllowed, raise_fields

from ..models import Case
from ..workflow import mass_incident_refusal, may_mark_mass_incident
from ._common import _date, _lock, _text, _today

FIELDS = ("mass_incident_on", "mass_incident_note")


def _check(principal, case: Case) -> None:
    if not may_mark_mass_incident(principal, case):
        raise NotAllowed(_("Only park administrators and the case's mediators mark a mass incident."))


@transaction.atomic
def mark_mass_incident(principal, case: Case, *, occurred_on, note: str) -> Case:
    """Mark the collective dispute as having led to a mass incident on `occurred_on` (not in the
    future), saying what happened. Marking a marked case again corrects the day or the note."""
    _check(principal, case)
    case = _lock(case)
    refusal = mass_incident_refusal(case)
    if refusal is not None:
        raise refusal
    errors: dict = {}
    on = _date(occurred_on, "occurred_on", errors, required=True, not_after=_today())
    text = _text(note, 4000)
    if not text:
        errors["note"] = [_("Say what happened (how many workers, where, what was done).")]
    raise_fields(errors)
    before = audit.snapshot(case, fields=FIELDS)
    case.mass_incident_on = on
    case.mass_incident_note = text
    case.save(update_fields=[*FIELDS, "updated_at"])
    audit.record(
        "mediation.mark_mass_incident", case, before=before, after=audit.snapshot(case, fields=FIELDS)
    )
    return case


@transaction.atomic
def unmark_mass_incident(principal, case: Case, *, reason: str) -> Case:
    """Remove a mass-incident mark set by mistake, with the reason (kept in the audit trail)."""
    _check(principal, case)
    case = _lock(case)
    if case.mass_incident_on is None:
        raise_fields({"reason": [_("The case is not marked as a mass incident.")]})
    reason = _text(reason, 2000)
    if not reason:
        raise_fields({"reason": [_("Say why the mark is removed.")]})
    before = audit.snapshot(case, fields=FIELDS)
    case.mass_incident_on = None
    case.mass_incident_note = ""
    case.save(update_fields=[*FIELDS, "updated_at"])
    audit.record(
        "mediation.unmark_mass_incident",
        case,
        before=before,
        after=audit.snapshot(case, fields=FIELDS),
        note=reason,
    )
    return case
