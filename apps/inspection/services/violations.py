"""Published serious violations (重大劳动保障违法行为社会公布办法, 人社部令第29号): the HR bureau's
decision is recorded with its reference and the day it must be published by (20 working days,
rules.PUBLICATION_PERIOD); publication proposes certification's veto event
`serious_violation` ("重大劳动保障违法行为被社会公布") for the enterprise, linked to the record,
as a listing on the wage-arrears list does (the park confirms or dismisses it, issue 17). Kept by park administrators
(`inspection.manage_wage_arrears_list`, the same hands as the list)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.certification import services as certification_services
from apps.certification.models import VetoEvent
from apps.core.errors import InvalidTransition, raise_fields
from apps.enterprises.models import Enterprise

from .. import rules
from ..models import InspectionCase, SeriousViolation
from ._common import _date, _require, _text, _today, _user
from .listing import MANAGE, _veto_actor


@transaction.atomic
def record_serious_violation(
    principal,
    *,
    enterprise: Enterprise | None,
    case: InspectionCase | None = None,
    decided_on,
    decision_reference: str,
    summary: str,
    published_on=None,
) -> SeriousViolation:
    """Record the HR bureau's decision to publish a serious violation; it is due for publication
    within 20 working days of the decision. With `published_on`, it is published at once (the
    veto event is proposed in the same transaction)."""
    _require(principal, MANAGE)
    today = _today()
    errors: dict[str, list] = {}
    if enterprise is None:
        errors["enterprise"] = [_("Choose the enterprise from the registry.")]
    decided = _date(decided_on, "decided_on", errors, required=True, not_after=today)
    reference = _text(decision_reference, 100)
    if not reference:
        errors["decision_reference"] = [_("Enter the reference of the decision.")]
    elif SeriousViolation.objects.filter(decision_reference=reference).exists():
        errors["decision_reference"] = [_("A serious violation with this decision reference exists already.")]
    text = _text(summary, 4000)
    if not text:
        errors["summary"] = [_("Describe the violation as it is published.")]
    if case is not None and enterprise is not None and case.enterprise_id != enterprise.pk:
        errors["case"] = [_("The case concerns another employer.")]
    raise_fields(errors)
    violation = SeriousViolation.objects.create(
        enterprise=enterprise,
        case=case,
        decided_on=decided,
        decision_reference=reference,
        publish_by=rules.publication_due(decided).date,
        summary=text,
        recorded_by=_user(principal),
    )
    audit.record("inspection.record_serious_violation", violation, after=audit.snapshot(violation))
    if published_on not in (None, ""):
        violation = publish_serious_violation(principal, violation, published_on=published_on)
    return violation


@transaction.atomic
def publish_serious_violation(principal, violation: SeriousViolation, *, published_on) -> SeriousViolation:
    """Record that the violation was published on `published_on` (not before the decision, not in
    the future; a publication after the 20 working days is recorded and shows as late) and propose
    certification's veto event for the enterprise, linked to this record (once the park confirms
    it, its valid titles are revoked and open applications refused while the event lies in the
    look-back window)."""
    _require(principal, MANAGE)
    violation = SeriousViolation.objects.select_for_update().get(pk=violation.pk)
    if violation.published_on is not None:
        raise InvalidTransition(_("This serious violation is already published."))
    errors: dict[str, list] = {}
    on = _date(published_on, "published_on", errors, required=True, not_after=_today())
    if on is not None and on < violation.decided_on:
        errors.setdefault("published_on", []).append(
            _("The publication cannot come before the decision of %(date)s.") % {"date": violation.decided_on}
        )
    raise_fields(errors)
    before = audit.snapshot(violation)
    event = certification_services.propose_veto_event(
        _veto_actor(principal),
        enterprise=violation.enterprise,
        kind=rules.SERIOUS_VIOLATION_VETO_KIND,
        occurred_on=on,
        source=_("Published serious violation, decision %(reference)s")
        % {"reference": violation.decision_reference},
        note=rules.PUBLICATION_PERIOD.source,
        origin=VetoEvent.Origin.INSPECTION,
        ref=violation,
    )
    violation.published_on = on
    violation.veto_event = event
    violation.save(update_fields=["published_on", "veto_event", "updated_at"])
    audit.record(
        "inspection.publish_serious_violation", violation, before=before, after=audit.snapshot(violation)
    )
    return violation
