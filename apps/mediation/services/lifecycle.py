"""The lifecycle actions of a mediation case (workflow.WORKFLOW): accept, refuse, transfer,
extend, the closings and archive.

Each goes through `apps.audit.history.transition` (row lock, the table checked again on the locked
row, history, audit), so two mediators acting on the same case at once leave exactly one result.
The services check the case is one the principal sees; the table checks role, scope and state.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from apps.audit.history import transition as history_transition
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, raise_fields
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import (
    AgreementItem,
    Case,
    Extension,
    MediationOrganisation,
    Mediator,
    Transfer,
    working_organisation_ids,
)
from ..workflow import CLOSING_OUTCOMES, WORKFLOW, withdraw_refusal
from ._common import _date, _link, _lock, _require_scope, _text, _today, _user
from .agreement import open_follow_ups, request_agreement_pdf


def transition(case: Case, workflow, action: str, principal, **kwargs) -> Case:
    """`apps.audit.history.transition`, and the figures of mediation (the figures page, the home
    cards) computed again after the commit: every action changes a status or a clock."""
    moved = history_transition(case, workflow, action, principal, **kwargs)
    figures_changed(selectors.FIGURES_TOPIC)
    return moved


def _check_organisation_for(principal, organisation: MediationOrganisation) -> None:
    if principal.sees_everything or principal.is_api_client:
        return
    if organisation.pk not in working_organisation_ids(principal):
        raise DomainError(
            _("You can only accept cases for your own organisation; transfer it instead."),
            field="organisation",
        )


@transaction.atomic
def accept(
    principal, case: Case, *, mediator: Mediator, organisation: MediationOrganisation | None = None
) -> Case:
    """Accept the case for an organisation and assign a mediator of it."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "accept", principal)
    organisation = organisation or locked.organisation
    errors = {}
    if organisation is None:
        errors["organisation"] = [_("Choose the organisation that takes the case.")]
    elif not organisation.is_active:
        errors["organisation"] = [_("This organisation no longer takes cases.")]
    if mediator is None:
        errors["mediator"] = [_("Assign a mediator.")]
    elif organisation is not None and (mediator.organisation_id != organisation.pk or not mediator.is_active):
        errors["mediator"] = [_("Choose an active mediator of %(org)s.") % {"org": organisation.name}]
    raise_fields(errors)
    _check_organisation_for(principal, organisation)
    case = transition(
        locked,
        WORKFLOW,
        "accept",
        principal,
        changes={"organisation": organisation, "mediator": mediator, "accepted_on": _today()},
    )
    serial = case.serial
    notify(
        [mediator.user] if mediator.user_id else [],
        title=lambda: _("Case %(serial)s is assigned to you") % {"serial": serial},
        link=_link(case),
    )
    notify(
        selectors.hr_users(case),
        title=lambda: (
            _("A mediation case against your enterprise was accepted: %(serial)s") % {"serial": serial}
        ),
        body=lambda: _("The mediator will contact you. Deadline: %(date)s.") % {"date": case.due_on},
        link=_link(case),
    )
    return case


@transaction.atomic
def refuse(principal, case: Case, reason: str) -> Case:
    """Not accepted (e.g. not a labour dispute, or a party does not agree to mediation); the
    applicant is told why on the tracking page."""
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "refuse", principal, reason=reason, changes={"closed_on": _today()})


@transaction.atomic
def transfer(principal, case: Case, *, to_organisation: MediationOrganisation, reason: str) -> Case:
    """Send the case to another organisation (e.g. from an enterprise committee to the regional
    one). The new organisation receives it today: its 3-working-day decision and the mediation
    period run from today (LDMAL art. 14 counts from the organisation's receipt)."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "transfer", principal)
    if to_organisation is None or not to_organisation.is_active:
        raise DomainError(_("Choose an active organisation."), field="to_organisation")
    if to_organisation.pk == locked.organisation_id:
        raise DomainError(
            _("The case is already with %(org)s.") % {"org": to_organisation.name}, field="to_organisation"
        )
    today = _today()
    decision_due, due = rules.clocks(today, locked.channel)
    Transfer.objects.create(
        case=locked,
        from_organisation=locked.organisation,
        to_organisation=to_organisation,
        transferred_on=today,
        reason=(reason or "").strip()[:2000],
    )
    case = transition(
        locked,
        WORKFLOW,
        "transfer",
        principal,
        reason=reason,
        changes={
            "organisation": to_organisation,
            "mediator": None,
            "accepted_on": None,
            "clock_starts_on": today,
            "decision_due_on": decision_due,
            "due_on": due,
            "decision_reminded_on": None,
            "overdue_notified_on": None,
        },
    )
    serial = case.serial
    notify(
        selectors.mediator_users(to_organisation),
        title=lambda: _("Case %(serial)s was transferred to your organisation") % {"serial": serial},
        body=reason,
        link=_link(case),
    )
    return case


@transaction.atomic
def extend(
    principal,
    case: Case,
    *,
    new_due_on,
    applicant_consent_on,
    respondent_consent_on,
    consent_record: str,
) -> Case:
    """Extend the mediation period; both parties' consent must be recorded (LDMAL art. 14;
    企业劳动争议协商调解规定 art. 26: at most 15 days in all, except court-entrusted cases)."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "extend", principal)
    today = _today()
    errors: dict = {}
    new_due = _date(new_due_on, "new_due_on", errors, required=True)
    a_on = _date(applicant_consent_on, "applicant_consent_on", errors, required=True, not_after=today)
    r_on = _date(respondent_consent_on, "respondent_consent_on", errors, required=True, not_after=today)
    consent_record = _text(consent_record, 4000)
    if not consent_record:
        errors["consent_record"] = [_("Say how each party consented (signed note, recorded call...).")]
    for field, value in (("applicant_consent_on", a_on), ("respondent_consent_on", r_on)):
        if value and value < locked.received_on:
            errors.setdefault(field, []).append(_("Consent cannot predate the application."))
    if new_due and new_due <= locked.due_on:
        # A past date is fine: extensions are often recorded after the parties agreed.
        errors.setdefault("new_due_on", []).append(
            _("The new deadline must be after the current one (%(date)s).") % {"date": locked.due_on}
        )
    elif new_due and not locked.is_court_entrusted:
        limit = rules.latest_extension(locked)
        if new_due > limit:
            errors.setdefault("new_due_on", []).append(
                _(
                    "With both parties' consent the period may be extended by at most %(days)s days, to %(date)s."
                )
                % {"days": rules.MAX_EXTENSION_DAYS, "date": limit}
            )
    raise_fields(errors, source=rules.EXTENSION_SOURCE)
    Extension.objects.create(
        case=locked,
        previous_due_on=locked.due_on,
        new_due_on=new_due,
        applicant_consent_on=a_on,
        respondent_consent_on=r_on,
        consent_record=consent_record,
        recorded_by=_user(principal),
    )
    return transition(
        locked,
        WORKFLOW,
        "extend",
        principal,
        reason=_("Extended to %(date)s with both parties' consent.") % {"date": new_due},
        changes={"due_on": new_due, "overdue_notified_on": None},
    )


@transaction.atomic
def close(principal, case: Case, action: str, *, reason: str = "", applicant_request: bool = False) -> Case:
    """Close the case with the outcome of `action` (workflow.CLOSING_OUTCOMES). Closing with the
    agreement fixes the agreed amount, opens the follow-ups and queues the agreement PDF.
    Withdrawing is the applicant's act: a district system records it only as the applicant's own
    request (`applicant_request`, with how and when in the reason; `workflow.withdraw_refusal`)."""
    if action not in CLOSING_OUTCOMES:
        raise DomainError(_("Unknown way of closing."), field="action")
    _require_scope(principal, case)
    if action == "withdraw":
        WORKFLOW.check(case, action, principal)  # scope, role and state first: a 403/409 says so
        refusal = withdraw_refusal(principal, applicant_request=applicant_request)
        if refusal is not None:
            raise refusal
    outcome = CLOSING_OUTCOMES[action]
    changes = {"outcome": outcome, "outcome_note": (reason or "").strip()[:4000], "closed_on": _today()}
    if outcome == Case.Outcome.AGREEMENT:
        total = AgreementItem.objects.filter(agreement__case=case).aggregate(s=Sum("amount"))["s"] or Decimal(
            "0"
        )
        changes["agreed_amount"] = total
    case = transition(case, WORKFLOW, action, principal, reason=reason, changes=changes)
    if outcome == Case.Outcome.AGREEMENT:
        open_follow_ups(case.agreement)
        request_agreement_pdf(case, principal)
    serial, label = case.serial, case.get_outcome_display
    notify(
        selectors.hr_users(case),
        title=lambda: (
            _("Mediation case %(serial)s closed: %(outcome)s") % {"serial": serial, "outcome": label()}
        ),
        link=_link(case),
    )
    return case


def perform(principal, case: Case, action: str, *, reason: str = "", applicant_request: bool = False) -> Case:
    """Perform a table action that needs no form of its own (refuse, archive, closing...);
    `applicant_request` only for `withdraw` (see `close`)."""
    if action in CLOSING_OUTCOMES:
        return close(principal, case, action, reason=reason, applicant_request=applicant_request)
    if action == "refuse":
        return refuse(principal, case, reason)
    if action == "archive":
        return archive(principal, case)
    raise DomainError(_("This action needs its own form."), field="action")


@transaction.atomic
def archive(principal, case: Case) -> Case:
    """Archive: the case becomes read-only with its documents and timeline."""
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "archive", principal, changes={"archived_on": _today()})
