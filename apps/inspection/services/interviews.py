"""Orders to rectify as PDFs and interviews (约谈) of legal representatives.

- `propose_interviews` (the daily job, as the platform): every enterprise for which a trigger of
  the policy in force fires on facts no earlier interview cited, and which has no open interview,
  gets a proposal keeping those facts and links to the records (rules.interview_triggers);
- `propose_interview` (an inspector), `propose_for_order` (the escalation of an order found not
  rectified, called by lifecycle.record_follow_up in its transaction);
- the notice, the record, the follow-up and the dismissal (workflow.INTERVIEW_WORKFLOW through
  `apps.audit.history.transition`: row lock, history, audit);
- `render_order_document` / `render_interview_notice`: the Chinese PDFs, rendered by Celery into
  GeneratedDocument (apps.documents), as mediation's agreement.

The interview is the park's practice, not an act named in 劳动保障监察条例 (rules.INTERVIEW_SOURCE);
its triggers are policy data (InspectionPolicy, edited in the admin).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import DomainError, InvalidTransition, NotAllowed, raise_fields
from apps.core.money import format_yuan
from apps.core.principal import SYSTEM
from apps.documents.models import GeneratedDocument
from apps.documents.services import request_document
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import InspectionCase, Interview, InterviewHistory, RectificationOrder
from ..selectors import interviews as reads
from ..workflow import HANDLE, HANDLE_INTERVIEW, INTERVIEW_WORKFLOW
from ._common import _date, _require, _require_scope, _text, _today, _user

IS = Interview.Status
T = Interview.Trigger


def _saved_policy(policy):
    """The policy row to link, None for the platform's defaults (an unsaved policy)."""
    return None if policy._state.adding else policy


def _require_interview_scope(principal, interview: Interview) -> None:
    if not Interview.objects.visible_to(principal).filter(pk=interview.pk).exists():
        raise NotAllowed(_("This interview is not in your area."))


def _tell_staff(interview: Interview, enterprise: Enterprise) -> None:
    """The inspectors of the enterprise's area and the park administrators learn of a proposal."""
    name, pk = enterprise.name, interview.pk
    notify(
        reads.area_inspectors(enterprise) + list(selectors.park_admin_users()),
        title=lambda: _("An interview of %(enterprise)s is proposed") % {"enterprise": name},
        body=lambda: "；".join(
            rules.explain_trigger(t["code"], t.get("params") or {}, t.get("records", []))
            if t.get("params") is not None
            else t.get("facts", "")
            for t in interview.triggers
        ),
        link=reverse("inspection:interview", args=[pk]),
    )


def _create(principal, enterprise, *, triggers: list[dict], case=None, order=None, policy=None, today=None):
    """Create the proposal with its history and audit; IntegrityError when one is open already
    (the database's one-open-interview constraint)."""
    today = today or _today()
    with transaction.atomic():
        interview = Interview.objects.create(
            enterprise=enterprise,
            case=case,
            order=order,
            triggers=triggers,
            proposed_on=today,
            proposed_by=_user(principal),
            policy=policy,
            inspector=_user(principal) if not principal.is_system else None,
        )
    InterviewHistory.objects.create(
        subject=interview,
        action="propose",
        from_status="",
        to_status=IS.PROPOSED,
        actor=_user(principal),
        actor_label=principal.label,
        reason="；".join(t.get("facts", "") for t in triggers)[:4000],
    )
    audit.record("inspection.propose_interview", interview, after=audit.snapshot(interview))
    return interview


def _as_json(fired) -> list[dict]:
    # The stored text is in the platform's language; pages explain `params` again in the reader's.
    with translation.override(None):
        return [t.as_json() for t in fired]


def propose_interviews(today: dt.date | None = None) -> int:
    """The daily job (as the platform): propose an interview for every enterprise for which a
    trigger of the policy in force fires on facts no earlier interview of it cited, unless one is
    open already. Idempotent: a second run the same day proposes nothing. The facts are kept in
    `triggers` with links to the records; the area's inspectors and the park administrators are
    notified. Returns the number proposed."""
    today = today or _today()
    policy = selectors.policy_in_force(today)
    facts = reads.interview_facts(today, policy)
    if not facts:
        return 0
    busy = reads.enterprises_with_open_interview(facts)
    cited = reads.cited_records(facts)
    enterprises = reads.enterprises_by_id(set(facts) - busy)
    count = 0
    for eid, enterprise in enterprises.items():
        fired = rules.new_triggers(rules.interview_triggers(facts[eid], policy), cited.get(eid, set()))
        if not fired:
            continue
        try:
            with transaction.atomic():
                interview = _create(
                    SYSTEM,
                    enterprise,
                    triggers=_as_json(fired),
                    policy=_saved_policy(policy),
                    today=today,
                )
                _tell_staff(interview, enterprise)
        except IntegrityError:
            continue  # proposed at the same moment by an inspector or another run
        count += 1
    return count


def _enterprise_refusal(principal, enterprise) -> str | None:
    if enterprise is None:
        return _("Choose the enterprise from the registry.")
    if not Enterprise.objects.visible_to(principal).filter(pk=enterprise.pk).exists():
        return _("This enterprise is not in your area.")
    return None


def _open_refusal(enterprise) -> str | None:
    current = reads.open_interview_of(enterprise)
    if current is not None:
        return _("An interview of this enterprise is already open (proposed on %(date)s).") % {
            "date": current.proposed_on
        }
    return None


@transaction.atomic
def propose_interview(
    principal,
    enterprise: Enterprise | None,
    *,
    case: InspectionCase | None = None,
    order: RectificationOrder | None = None,
    reason: str = "",
) -> Interview:
    """An inspector proposes an interview of an enterprise of their area, with a reason, possibly
    tied to one of its cases or orders. One open interview per enterprise."""
    _require(principal, HANDLE_INTERVIEW)
    errors: dict[str, list] = {}
    refusal = _enterprise_refusal(principal, enterprise)
    if refusal:
        errors["enterprise"] = [refusal]
    if order is not None:
        case = case or order.case
        if order.case_id != case.pk:
            errors["order"] = [_("The order belongs to another case.")]
    if case is not None:
        if enterprise is not None and case.enterprise_id != enterprise.pk:
            errors["case"] = [_("The case concerns another employer.")]
        elif not InspectionCase.objects.visible_to(principal).filter(pk=case.pk).exists():
            errors["case"] = [_("This case is not in your area.")]
    reason = _text(reason, 4000)
    if not reason:
        errors["reason"] = [_("Say why the enterprise's legal representative is interviewed.")]
    if not errors:
        refusal = _open_refusal(enterprise)
        if refusal:
            errors["enterprise"] = [refusal]
    raise_fields(errors, source=rules.INTERVIEW_SOURCE)
    records = [reads.case_ref(case)] if case is not None else []
    if order is not None:
        records.append(reads.order_ref(order))
    trigger = rules.FiredTrigger(T.INSPECTOR, {"reason": reason}, tuple(records)).as_json()
    try:
        interview = _create(principal, enterprise, triggers=[trigger], case=case, order=order)
    except IntegrityError:
        raise DomainError(_("An interview of this enterprise is already open."), field="enterprise") from None
    _tell_staff(interview, enterprise)
    return interview


def propose_for_order(principal, order: RectificationOrder) -> Interview | None:
    """The escalation of an order found not carried out (lifecycle.record_follow_up with
    `escalation=interview_proposed`, in its transaction): an interview with the trigger
    `order_ignored`, tied to the order and its case. When one is open already for the enterprise,
    the order is added to its triggers instead. None when the case has no registry enterprise (an
    employer not yet linked: there is no one to interview on the platform)."""
    _require(principal, HANDLE_INTERVIEW)
    case = order.case
    if case.enterprise_id is None:
        raise DomainError(
            _("Link the case to an enterprise of the registry before proposing an interview."),
            field="escalation",
        )
    fired = rules.FiredTrigger(T.ORDER_IGNORED, {"count": 1}, (reads.order_ref(order), reads.case_ref(case)))
    trigger = _as_json([fired])[0]
    current = (
        Interview.objects.select_for_update()
        .filter(enterprise_id=case.enterprise_id, status__in=Interview.OPEN)
        .first()
    )
    if current is not None:
        before = audit.snapshot(current)
        current.triggers = [*current.triggers, trigger]
        current.save(update_fields=["triggers", "updated_at"])
        audit.record(
            "inspection.add_interview_trigger", current, before=before, after=audit.snapshot(current)
        )
        return current
    policy = selectors.policy_in_force()
    interview = _create(
        principal, case.enterprise, triggers=[trigger], case=case, order=order, policy=_saved_policy(policy)
    )
    _tell_staff(interview, case.enterprise)
    return interview


# The lifecycle ---------------------------------------------------------------------------------------


def _lock(interview: Interview) -> Interview:
    return (
        Interview.objects.select_related("enterprise", "case")
        .select_for_update(of=("self",))
        .get(pk=interview.pk)
    )


def _datetime(value, field: str, errors: dict):
    if value in (None, ""):
        errors.setdefault(field, []).append(_("Enter the date and time."))
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            errors.setdefault(field, []).append(_("Enter a date and time as YYYY-MM-DD HH:MM."))
            return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        errors.setdefault(field, []).append(_("Enter the time of the interview too."))
        return None
    if not isinstance(value, dt.datetime):
        errors.setdefault(field, []).append(_("Enter a date and time as YYYY-MM-DD HH:MM."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def send_interview_notice(principal, interview: Interview, *, scheduled_at, place: str) -> Interview:
    """The notice (约谈通知书): the date and time (after now) and the place, a document number when
    it has none; its PDF is queued and the enterprise's HR are notified."""
    _require_interview_scope(principal, interview)
    locked = _lock(interview)
    INTERVIEW_WORKFLOW.check(locked, "send_notice", principal)
    errors: dict[str, list] = {}
    when = _datetime(scheduled_at, "scheduled_at", errors)
    if when is not None and when <= timezone.now():
        errors["scheduled_at"] = [_("The interview is held after the notice: choose a later time.")]
    place = _text(place, 200)
    if not place:
        errors["place"] = [_("Enter where the interview is held.")]
    raise_fields(errors)
    today = _today()
    changes = {"scheduled_at": when, "place": place, "notified_on": today}
    if not locked.reference:
        changes["reference"] = reads.interview_number(locked, today)
    interview = transition(locked, INTERVIEW_WORKFLOW, "send_notice", principal, changes=changes)
    _request_notice(principal, interview)
    name, pk, at = interview.enterprise.name, interview.pk, timezone.localtime(when)
    notify(
        reads.enterprise_hr_users(interview.enterprise),
        title=lambda: _("Interview notice for %(enterprise)s") % {"enterprise": name},
        body=lambda: (
            _("The legal representative is asked to attend on %(when)s at %(place)s.")
            % {"when": at.strftime("%Y-%m-%d %H:%M"), "place": place}
        ),
        link=reverse("inspection:interview", args=[pk]),
    )
    return interview


@transaction.atomic
def record_interview(
    principal,
    interview: Interview,
    *,
    held_on,
    attendees: str,
    representative_attended: bool,
    record: str,
    commitments: str = "",
    rectify_by=None,
) -> Interview:
    """The record of the interview: the day held (not in the future, not before the notice), the
    attendees and what was said (required), whether the legal representative attended, the
    commitments and a rectification deadline after the day held."""
    _require_interview_scope(principal, interview)
    locked = _lock(interview)
    INTERVIEW_WORKFLOW.check(locked, "record", principal)
    today = _today()
    errors: dict[str, list] = {}
    held = _date(held_on, "held_on", errors, required=True, not_after=today)
    if held is not None and locked.notified_on and held < locked.notified_on:
        errors["held_on"] = [_("The interview cannot be held before the notice was sent.")]
    attendees = _text(attendees, 4000)
    if not attendees:
        errors["attendees"] = [_("List who attended.")]
    record = _text(record, 20000)
    if not record:
        errors["record"] = [_("Write the record of the interview.")]
    deadline = _date(rectify_by, "rectify_by", errors)
    if deadline is not None and held is not None and deadline <= held:
        errors["rectify_by"] = [_("The rectification deadline comes after the day of the interview.")]
    raise_fields(errors)
    return transition(
        locked,
        INTERVIEW_WORKFLOW,
        "record",
        principal,
        changes={
            "held_on": held,
            "attendees": attendees,
            "representative_attended": bool(representative_attended),
            "record": record,
            "commitments": _text(commitments, 8000),
            "rectify_by": deadline,
        },
    )


@transaction.atomic
def record_interview_follow_up(
    principal, interview: Interview, *, checked_on, result: str, note: str = ""
) -> Interview:
    """The follow-up check of the commitments (rectified, partly, not): the interview closes. A
    result other than rectified says what was found (the note is then required)."""
    _require_interview_scope(principal, interview)
    locked = _lock(interview)
    INTERVIEW_WORKFLOW.check(locked, "follow_up", principal)
    errors: dict[str, list] = {}
    checked = _date(checked_on, "checked_on", errors, required=True, not_after=_today())
    if checked is not None and locked.held_on and checked < locked.held_on:
        errors["checked_on"] = [_("The check cannot come before the interview.")]
    if result not in RectificationOrder.Result.values:
        errors["result"] = [_("Choose the result of the check.")]
    note = _text(note, 4000)
    if result in (RectificationOrder.Result.PARTLY, RectificationOrder.Result.NOT_DONE) and not note:
        errors["note"] = [_("Say what was not rectified.")]
    raise_fields(errors)
    return transition(
        locked,
        INTERVIEW_WORKFLOW,
        "follow_up",
        principal,
        reason=note,
        changes={"checked_on": checked, "result": result, "check_note": note},
    )


@transaction.atomic
def dismiss_interview(principal, interview: Interview, *, reason: str) -> Interview:
    """The proposal is not pursued, with a reason. The facts it cited do not propose another
    interview; new facts do."""
    _require_interview_scope(principal, interview)
    locked = _lock(interview)
    INTERVIEW_WORKFLOW.check(locked, "dismiss", principal)
    reason = _text(reason, 4000)
    if not reason:
        raise DomainError(_("Say why the interview is not pursued."), field="reason")
    return transition(
        locked, INTERVIEW_WORKFLOW, "dismiss", principal, reason=reason, changes={"dismissal_reason": reason}
    )


# PDFs ------------------------------------------------------------------------------------------------


def _issuing_body(town) -> str:
    """The issuing body printed on the PDFs: the inspection brigade of the town, else the park's."""
    return reads.brigade_name(town) or f"{settings.PARK_NAME}劳动保障监察机构"


def order_pdf_context(order: RectificationOrder) -> dict:
    """JSON context of the order to rectify (责令改正通知书). No worker's ID number, no reporter:
    the enterprise receives it."""
    case = order.case
    enterprise = case.enterprise
    return {
        "number": order.reference,
        "serial": case.serial,
        "enterprise": case.employer_name,
        "uscc": case.employer_code,
        "address": case.employer_address or (enterprise.address if enterprise else ""),
        "legal_representative": enterprise.legal_representative if enterprise else "",
        "matters": [str(label) for label in case.matter_labels()],
        "facts": case.facts,
        "workers_count": case.workers_count,
        "amount_owed": format_yuan(case.amount_owed) if case.amount_owed else "",
        "items": list(order.items),
        "issued_on": order.issued_on.isoformat(),
        "due_on": order.due_on.isoformat(),
        "order_source": rules.ORDER_SOURCE,
        "refusal_source": rules.ORDER_REFUSAL_SOURCE,
        "issuing_body": _issuing_body(case.town),
    }


@transaction.atomic
def render_order_document(principal, order: RectificationOrder) -> GeneratedDocument:
    """Queue the order to rectify as a Chinese PDF (rendered by Celery, kept as a
    GeneratedDocument with its SHA-256). The order gets its document number now if it has none
    (`JC2026-00001-Z1`)."""
    _require(principal, HANDLE)
    _require_scope(principal, order.case)
    order = (
        RectificationOrder.objects.select_related("case", "case__enterprise", "case__town")
        .select_for_update(of=("self",))
        .get(pk=order.pk)
    )
    if not order.reference:
        before = audit.snapshot(order)
        order.reference = reads.order_number(order)
        order.save(update_fields=["reference", "updated_at"])
        audit.record("inspection.number_order", order, before=before, after=audit.snapshot(order))
    return request_document(
        kind="inspection_order",
        title=f"责令改正通知书 {order.reference}",
        template_name="inspection/interviews/order_pdf.html",
        context=order_pdf_context(order),
        owner=order,
        created_by=_user(principal),
        language="zh-hans",
    )


def interview_pdf_context(interview: Interview) -> dict:
    """JSON context of the interview notice (约谈通知书): the facts that fired it, in Chinese."""
    enterprise = interview.enterprise
    with translation.override("zh-hans"):
        reasons = [
            rules.explain_trigger(t["code"], t["params"], t.get("records", []))
            if t.get("params") is not None and t.get("code") in Interview.Trigger.values
            else t.get("facts", "")
            for t in interview.triggers
        ]
    when = timezone.localtime(interview.scheduled_at) if interview.scheduled_at else None
    return {
        "number": interview.reference,
        "enterprise": enterprise.name,
        "uscc": enterprise.uscc,
        "address": enterprise.address,
        "legal_representative": enterprise.legal_representative,
        "reasons": reasons,
        "scheduled_at": when.strftime("%Y年%m月%d日 %H:%M") if when else "",
        "place": interview.place,
        "notified_on": (interview.notified_on or _today()).isoformat(),
        "source": rules.INTERVIEW_SOURCE,
        "issuing_body": _issuing_body(enterprise.town),
    }


def _request_notice(principal, interview: Interview) -> GeneratedDocument:
    return request_document(
        kind="inspection_interview_notice",
        title=f"约谈通知书 {interview.reference}",
        template_name="inspection/interviews/notice_pdf.html",
        context=interview_pdf_context(interview),
        owner=interview,
        created_by=_user(principal),
        language="zh-hans",
    )


@transaction.atomic
def render_interview_notice(principal, interview: Interview) -> GeneratedDocument:
    """Queue the interview notice PDF again (after the notice was sent: it carries the time and
    place)."""
    _require(principal, HANDLE_INTERVIEW)
    _require_interview_scope(principal, interview)
    locked = _lock(interview)
    if locked.status not in (IS.NOTIFIED, IS.HELD, IS.CLOSED):
        raise InvalidTransition(_("The notice is generated once it is sent with the time and place."))
    return _request_notice(principal, locked)
