"""The lifecycle actions of an inspection case (workflow.WORKFLOW): accept, refuse, investigate,
the four decisions (an order to rectify with its items and deadline), the follow-up check, close,
archive, the extension (requested by the inspector, approved or rejected by a park administrator)
and the transfer to mediation.

Each goes through `apps.audit.history.transition` (row lock, the table checked again on the
locked row, history, audit), so two inspectors accepting the same case at once leave exactly one
result. The services check the case is one the principal sees; the table checks role, scope and
state.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import DomainError, InvalidTransition, raise_fields
from apps.core.principal import SYSTEM
from apps.mediation import services as mediation_services
from apps.mediation.models import Case as MediationCase
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import Extension, InspectionCase, RectificationOrder
from ..workflow import APPROVE, DECISIONS, HANDLE, WORKFLOW, extension_request_refusal, follow_up_refusal
from ._common import _date, _lock, _require, _require_scope, _text, _today, _user
from .interviews import propose_for_order

S = InspectionCase.Status
D = InspectionCase.Decision

#: The ground of a refusal → the rule it rests on (shown with the reason).
REFUSAL_SOURCES = {
    InspectionCase.RefusalBasis.NOT_LABOUR_MATTER: rules.ACCEPTANCE_PERIOD.source,
    InspectionCase.RefusalBasis.OUTSIDE_AREA: rules.ACCEPTANCE_PERIOD.source,
    InspectionCase.RefusalBasis.TIME_BARRED: rules.LIMITATION_SOURCE,
    InspectionCase.RefusalBasis.IN_ARBITRATION_OR_COURT: rules.ACCEPTANCE_PERIOD.source,
    InspectionCase.RefusalBasis.OTHER: rules.ACCEPTANCE_PERIOD.source,
}


@transaction.atomic
def accept(principal, case: InspectionCase, *, inspector=None) -> InspectionCase:
    """Accept and open the case (立案): the 60-working-day investigation clock starts today
    (劳动保障监察条例 art. 17). The inspector in charge is the one accepting unless another is named."""
    _require_scope(principal, case)
    today = _today()
    return transition(
        case,
        WORKFLOW,
        "accept",
        principal,
        changes={
            "accepted_on": today,
            "due_on": rules.investigation_due(today).date,
            "inspector": inspector or _user(principal),
        },
    )


@transaction.atomic
def refuse(principal, case: InspectionCase, *, basis: str, reason: str) -> InspectionCase:
    """Not accepted, on a ground and with a reason the complainant is told in writing
    (关于实施《劳动保障监察条例》若干规定 art. 18; 劳动保障监察条例 art. 20 for time-barred cases)."""
    _require_scope(principal, case)
    if basis not in InspectionCase.RefusalBasis.values:
        raise DomainError(_("Choose the ground for not accepting the case."), field="refusal_basis")
    reason = _text(reason, 4000)
    source = REFUSAL_SOURCES[basis]
    return transition(
        case,
        WORKFLOW,
        "refuse",
        principal,
        reason=f"{reason} ({source})" if reason else "",
        changes={"refusal_basis": basis, "closed_on": _today()},
    )


@transaction.atomic
def start_investigation(principal, case: InspectionCase) -> InspectionCase:
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "start_investigation", principal)


def _clean_items(items, errors: dict) -> list[str]:
    if not isinstance(items, list | tuple):
        errors["items"] = [_("List the items to rectify.")]
        return []
    cleaned = [_text(item, 500) for item in items if _text(item, 500)]
    if not cleaned:
        errors["items"] = [_("List at least one item to rectify.")]
    elif len(cleaned) > 50:
        errors["items"] = [_("List at most 50 items.")]
    return cleaned


@transaction.atomic
def decide(
    principal,
    case: InspectionCase,
    action: str,
    *,
    note: str = "",
    items=None,
    order_due_on=None,
) -> InspectionCase:
    """Decide the investigation (劳动保障监察条例 art. 18): no violation, an order to rectify (its
    items and a deadline after today, required), a penalty recorded or a transfer to the police
    (both with a note naming the decision)."""
    _require_scope(principal, case)
    if action not in DECISIONS:
        raise InvalidTransition(_("Unknown decision."))
    locked = _lock(case)
    WORKFLOW.check(locked, action, principal)
    decision = DECISIONS[action]
    today = _today()
    note = _text(note, 8000)
    errors: dict[str, list] = {}
    if decision in (D.PENALTY_RECORDED, D.TRANSFERRED_TO_POLICE) and not note:
        errors["note"] = [_("Name the penalty decision or the transfer (number, date, authority).")]
    cleaned, due = [], None
    if decision == D.ORDER_TO_RECTIFY:
        cleaned = _clean_items(items, errors)
        due = _date(order_due_on, "order_due_on", errors, required=True)
        if due is not None and due <= today:
            errors["order_due_on"] = [_("The deadline to rectify is a day after today.")]
    raise_fields(errors)
    if decision == D.ORDER_TO_RECTIFY:
        order = RectificationOrder.objects.create(
            case=locked, items=cleaned, issued_on=today, due_on=due, issued_by=_user(principal)
        )
        audit.record("inspection.issue_order", order, after=audit.snapshot(order))
    return transition(
        locked,
        WORKFLOW,
        action,
        principal,
        reason=note,
        changes={"decision": decision, "decided_on": today, "decision_note": note},
    )


@transaction.atomic
def start_follow_up(principal, case: InspectionCase) -> InspectionCase:
    _require_scope(principal, case)
    return transition(
        case, WORKFLOW, "start_follow_up", principal, changes={"follow_up_started_on": _today()}
    )


@transaction.atomic
def record_follow_up(
    principal,
    order: RectificationOrder,
    *,
    result: str,
    checked_on=None,
    note: str = "",
    escalation: str = "",
) -> RectificationOrder:
    """The result of the follow-up check of an order: done, partly or not done; a partly or not
    done order may be escalated (an interview proposed or a penalty recorded)."""
    _require(principal, HANDLE)
    _require_scope(principal, order.case)
    case = _lock(order.case)
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    refusal = follow_up_refusal(case, order)
    if refusal:
        raise InvalidTransition(refusal)
    today = _today()
    errors: dict[str, list] = {}
    if result not in RectificationOrder.Result.values:
        errors["result"] = [_("Choose the result of the check.")]
    checked = _date(checked_on, "checked_on", errors, not_after=today) or today
    if checked < order.issued_on:
        errors["checked_on"] = [_("The check cannot come before the order was issued.")]
    escalation = escalation or ""
    if escalation and escalation not in RectificationOrder.Escalation.values:
        errors["escalation"] = [_("Choose an escalation from the list.")]
    elif escalation and result == RectificationOrder.Result.DONE:
        errors["escalation"] = [_("A rectified order is not escalated.")]
    raise_fields(errors)
    before = audit.snapshot(order)
    order.result = result
    order.checked_on = checked
    order.check_note = _text(note, 4000)
    order.escalation = escalation
    order.save()
    audit.record("inspection.record_follow_up", order, before=before, after=audit.snapshot(order))
    if escalation == RectificationOrder.Escalation.INTERVIEW:
        # The escalation proposes the interview in this transaction (services.interviews).
        propose_for_order(principal, order)
    return order


@transaction.atomic
def close(principal, case: InspectionCase, *, reason: str = "") -> InspectionCase:
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "close", principal, reason=reason, changes={"closed_on": _today()})


@transaction.atomic
def archive(principal, case: InspectionCase) -> InspectionCase:
    _require_scope(principal, case)
    return transition(case, WORKFLOW, "archive", principal, changes={"archived_on": _today()})


# The extension --------------------------------------------------------------------------------------


@transaction.atomic
def request_extension(principal, case: InspectionCase, *, reason: str) -> Extension:
    """The inspector asks for the one extension of 30 working days (劳动保障监察条例 art. 17),
    with a reason; park administrators are notified to approve or reject it."""
    _require(principal, HANDLE)
    _require_scope(principal, case)
    locked = _lock(case)
    refusal = extension_request_refusal(locked)
    if refusal:
        raise InvalidTransition(refusal, source=rules.EXTENSION_PERIOD.source)
    reason = _text(reason, 4000)
    if not reason:
        raise DomainError(_("Say why the investigation needs more time."), field="reason")
    extension = Extension.objects.create(
        case=locked,
        reason=reason,
        requested_by=_user(principal),
        requested_on=_today(),
        previous_due_on=locked.due_on,
    )
    audit.record("inspection.request_extension", extension, after=audit.snapshot(extension))
    serial = locked.serial
    notify(
        selectors.park_admin_users(),
        title=lambda: _("Extension requested for inspection case %(serial)s") % {"serial": serial},
        body=reason,
    )
    return extension


def _pending(case: InspectionCase) -> Extension:
    extension = case.extensions.select_for_update().filter(status=Extension.Status.REQUESTED).first()
    if extension is None:
        raise InvalidTransition(_("No extension has been requested."))
    return extension


@transaction.atomic
def approve_extension(principal, case: InspectionCase, *, note: str = "") -> InspectionCase:
    """A park administrator approves: the deadline moves 30 working days past the current one."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "extend", principal)
    extension = _pending(locked)
    new_due = rules.extended_due(locked.due_on).date
    # The table (its guard reads the pending request) first, then the request becomes the approval.
    case = transition(
        locked,
        WORKFLOW,
        "extend",
        principal,
        reason=extension.reason,
        changes={"due_on": new_due, "overdue_notified_on": None},
    )
    before = audit.snapshot(extension)
    extension.status = Extension.Status.APPROVED
    extension.new_due_on = new_due
    extension.decided_by = _user(principal)
    extension.decided_on = _today()
    extension.decision_note = _text(note, 4000)
    extension.save()
    audit.record("inspection.approve_extension", extension, before=before, after=audit.snapshot(extension))
    return case


@transaction.atomic
def reject_extension(principal, case: InspectionCase, *, note: str) -> Extension:
    """A park administrator rejects the request, saying why; the inspector may ask again."""
    _require(principal, APPROVE)
    _require_scope(principal, case)
    if principal.is_api_client:
        raise InvalidTransition(_("The API client may not decide extensions."))
    locked = _lock(case)
    extension = _pending(locked)
    note = _text(note, 4000)
    if not note:
        raise DomainError(_("Say why the extension is rejected."), field="note")
    before = audit.snapshot(extension)
    extension.status = Extension.Status.REJECTED
    extension.decided_by = _user(principal)
    extension.decided_on = _today()
    extension.decision_note = note
    extension.save()
    audit.record("inspection.reject_extension", extension, before=before, after=audit.snapshot(extension))
    return extension


# Transfer to mediation ------------------------------------------------------------------------------


@transaction.atomic
def transfer_to_mediation(
    principal, case: InspectionCase, *, reason: str
) -> tuple[InspectionCase, MediationCase, str]:
    """The complaint is really a labour dispute (domain guide §7): register a mediation case
    through mediation's own service (channel "inspection", the inspection serial as its reference,
    the workers as applicants), link it here and close this case. Returns (this case, the
    mediation case, the access code to give the worker, shown once).

    The mediation case is registered by the platform (`SYSTEM`): inspectors do not register
    mediation cases themselves; the inspector's act is this transfer, in this case's history and
    the audit trail."""
    _require_scope(principal, case)
    locked = _lock(case)
    WORKFLOW.check(locked, "transfer_to_mediation", principal)
    if not _text(reason, 4000):
        raise DomainError(
            _("Give a reason for “%(action)s”.") % {"action": _("Transfer to mediation")}, field="reason"
        )
    workers = list(locked.workers.order_by("position", "created_at"))
    if not workers:
        raise DomainError(
            _("A mediation case needs the workers concerned as applicants: enter at least one worker first."),
            field="workers",
        )
    types = list(
        dict.fromkeys(rules.MEDIATION_TYPES[m] for m in locked.matters if m in rules.MEDIATION_TYPES)
    )
    claims = locked.facts or "、".join(str(label) for label in locked.matter_labels())
    mediation_case, code = mediation_services.register_case(
        SYSTEM,
        channel=MediationCase.Channel.INSPECTION,
        source_reference=locked.serial,
        applicants=[{"name": w.name, "id_number": w.id_number, "phone": w.phone} for w in workers],
        types=types or ["other"],
        claims=claims,
        respondent_enterprise=locked.enterprise,
        respondent_name=locked.employer_name,
        respondent_uscc=locked.employer_code,
        respondent_address=locked.employer_address,
        town=locked.town,
        amount_claimed=locked.amount_owed,
        workers_count=max(locked.workers_count, len(workers)),
        facts=locked.facts,
    )
    case = transition(
        locked,
        WORKFLOW,
        "transfer_to_mediation",
        principal,
        reason=reason,
        changes={"mediation_case": mediation_case, "closed_on": _today()},
    )
    return case, mediation_case, code
