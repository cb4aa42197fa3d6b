"""The inspection case lifecycle (domain guide §7; 劳动保障监察条例 arts. 17, 18).

received ──accept──▶ accepted ──start_investigation──▶ investigating ──decide_*──▶ decided
   │                    │                                  │                        │
   └─refuse (reason)─▶ refused                             │        start_follow_up ▼ (an order)
                                                           │                   follow_up
   received | accepted | investigating ──transfer_to_mediation──▶ closed ◀──close──┘ / decided
   closed | refused ──archive──▶ archived

The four decisions (DECISIONS): no violation, order to rectify, penalty recorded, transferred to
the police. An order to rectify is followed up before the case closes; the extension of the
investigation (one, 30 working days) is requested by the inspector and approved by a park
administrator (`extend`, which keeps the status). Who: inspectors (`inspection.handle_case`),
park administrators (every permission; the only ones who approve extensions). The guards read
only fields and prefetched relations, so a list can show `available_actions` without per-row
queries.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.workflow import Transition, Workflow

from . import rules
from .models import Extension, InspectionCase, Interview, RectificationOrder, WrittenReview

S = InspectionCase.Status
D = InspectionCase.Decision

HANDLE, APPROVE, WRITE = "inspection.handle_case", "inspection.approve_extension", "inspection:write"


def _orders(case):
    return list(case.orders.all())


def _extensions(case):
    return list(case.extensions.all())


def pending_extension(case, principal=None):
    """An extension is approved only when one was requested and none was approved before."""
    extensions = _extensions(case)
    if any(e.status == Extension.Status.APPROVED for e in extensions):
        return _(
            "The investigation has already been extended once; only one extension is allowed (%(source)s)."
        ) % {"source": rules.EXTENSION_PERIOD.source}
    if not any(e.status == Extension.Status.REQUESTED for e in extensions):
        return _("No extension has been requested.")
    return None


def needs_follow_up(case, principal=None):
    """The follow-up check exists for an order to rectify."""
    if case.decision != D.ORDER_TO_RECTIFY or not _orders(case):
        return _("Only a decision with an order to rectify is followed up.")
    return None


def may_close(case, principal=None):
    """A case with an order to rectify closes after the follow-up check of every order."""
    if case.status == S.DECIDED and case.decision == D.ORDER_TO_RECTIFY:
        return _("Check whether the order to rectify was carried out before closing the case.")
    if case.status == S.FOLLOW_UP:
        unchecked = [o for o in _orders(case) if not o.result]
        if unchecked:
            return _("Record the result of the follow-up check of every order to rectify first.")
    return None


def _decide(action, label, doc):
    return Transition(
        action,
        {S.INVESTIGATING},
        S.DECIDED,
        label,
        permission=HANDLE,
        scope=WRITE,
        doc=doc,
        source=rules.DECISION_SOURCE,
    )


WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "accept",
            {S.RECEIVED},
            S.ACCEPTED,
            gettext_lazy("Accept"),
            permission=HANDLE,
            scope=WRITE,
            doc="The case is accepted and opened (立案): the 60-working-day investigation clock starts "
            "today. Due within 5 working days of receipt; a late acceptance is still possible and shows "
            "as overdue until it happens.",
            source=rules.ACCEPTANCE_PERIOD.source,
        ),
        Transition(
            "refuse",
            {S.RECEIVED},
            S.REFUSED,
            gettext_lazy("Refuse"),
            permission=HANDLE,
            scope=WRITE,
            needs_reason=True,
            doc="Not accepted, with a ground (`refusal_basis`) and a reason, both required (400 otherwise): "
            "not a labour-inspection matter, outside the park, older than 2 years, already in arbitration "
            "or court.",
            source=rules.ACCEPTANCE_PERIOD.source,
        ),
        Transition(
            "start_investigation",
            {S.ACCEPTED},
            S.INVESTIGATING,
            gettext_lazy("Start the investigation"),
            permission=HANDLE,
            scope=WRITE,
            doc="Investigation records and evidence are gathered.",
            source=rules.INVESTIGATION_PERIOD.source,
        ),
        Transition(
            "extend",
            {S.INVESTIGATING},
            S.INVESTIGATING,
            gettext_lazy("Approve the extension"),
            permission=APPROVE,
            scope=None,
            guard=pending_extension,
            doc="A park administrator approves the inspector's request: the deadline moves by 30 working "
            "days, once (409 on a second).",
            source=rules.EXTENSION_PERIOD.source,
        ),
        _decide(
            "decide_no_violation",
            gettext_lazy("Decide: no violation"),
            "No violation was found.",
        ),
        _decide(
            "decide_order",
            gettext_lazy("Decide: order to rectify"),
            "An order to rectify with its items and deadline (both required, 400 otherwise).",
        ),
        _decide(
            "decide_penalty",
            gettext_lazy("Decide: penalty recorded"),
            "The HR bureau's administrative penalty is recorded; a reason names it.",
        ),
        _decide(
            "decide_police",
            gettext_lazy("Decide: transfer to the police"),
            "Suspected refusal to pay wages (拒不支付劳动报酬罪): transferred to the police.",
        ),
        Transition(
            "start_follow_up",
            {S.DECIDED},
            S.FOLLOW_UP,
            gettext_lazy("Start the follow-up check"),
            permission=HANDLE,
            scope=WRITE,
            guard=needs_follow_up,
            doc="Only after an order to rectify (409 otherwise).",
        ),
        Transition(
            "close",
            {S.DECIDED, S.FOLLOW_UP},
            S.CLOSED,
            gettext_lazy("Close"),
            permission=HANDLE,
            scope=WRITE,
            guard=may_close,
            doc="A case with an order to rectify closes once every order's follow-up result is recorded.",
        ),
        Transition(
            "transfer_to_mediation",
            {S.RECEIVED, S.ACCEPTED, S.INVESTIGATING},
            S.CLOSED,
            gettext_lazy("Transfer to mediation"),
            permission=HANDLE,
            scope=WRITE,
            needs_reason=True,
            doc="The complaint is really a labour dispute: a mediation case is registered with the "
            "workers and a link back, and this case closes with a link to it.",
            source="劳动争议调解仲裁法第二条",
        ),
        Transition(
            "archive",
            {S.CLOSED, S.REFUSED},
            S.ARCHIVED,
            gettext_lazy("Archive"),
            permission=HANDLE,
            scope=WRITE,
            doc="The case becomes read-only.",
        ),
    ],
)

#: Deciding action → decision.
DECISIONS = {
    "decide_no_violation": D.NO_VIOLATION,
    "decide_order": D.ORDER_TO_RECTIFY,
    "decide_penalty": D.PENALTY_RECORDED,
    "decide_police": D.TRANSFERRED_TO_POLICE,
}
#: Actions that need a form of their own (the others take at most a reason).
ACTIONS_WITH_FORMS = {"refuse", "decide_order", "transfer_to_mediation"}


def holds(principal, permission: str) -> bool:
    """Whether the principal holds one of the module's permissions: a user through the role's
    permission, an API client through the `inspection:write` scope, the platform's jobs always."""
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope(WRITE)
    return principal.user is not None and principal.user.has_perm(permission)


def extension_request_refusal(case) -> str | None:
    """Why an extension cannot be requested now, or None: while the investigation clock runs
    before a decision, once, and not while a request waits."""
    if case.status != S.INVESTIGATING:
        return _("An extension is requested while the case is under investigation.")
    extensions = _extensions(case)
    if any(e.status == Extension.Status.APPROVED for e in extensions):
        return _(
            "The investigation has already been extended once; only one extension is allowed (%(source)s)."
        ) % {"source": rules.EXTENSION_PERIOD.source}
    if any(e.status == Extension.Status.REQUESTED for e in extensions):
        return _("An extension request is already waiting for approval.")
    return None


def can_request_extension(case, principal) -> bool:
    return holds(principal, HANDLE) and extension_request_refusal(case) is None


def follow_up_refusal(case, order: RectificationOrder) -> str | None:
    """Why the follow-up result of `order` cannot be recorded now, or None."""
    if case.status != S.FOLLOW_UP:
        return _("The result of the check is recorded during the follow-up.")
    if order.result:
        return _("The result of this check is already recorded.")
    return None


def is_late_decision(case) -> bool:
    return rules.decision_overdue(case, timezone.localdate())


# Interviews (约谈) (room "orders and interviews") -------------------------------------------------
#
# proposed ──send_notice──▶ notified ──record──▶ held ──follow_up──▶ closed
#    └──────────┴──dismiss (reason)──▶ dismissed
#
# Proposed by the daily job when a policy trigger fires, by an inspector, or by the escalation of
# an order found not rectified (services.interviews). Who: inspectors of the enterprise's area and
# park administrators (`inspection.handle_interview`); district systems with `inspection:write`.

IS = Interview.Status
HANDLE_INTERVIEW = "inspection.handle_interview"

INTERVIEW_WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "send_notice",
            {IS.PROPOSED},
            IS.NOTIFIED,
            gettext_lazy("Send the interview notice"),
            permission=HANDLE_INTERVIEW,
            scope=WRITE,
            doc="The notice (约谈通知书) with the date, time and place (both required, the time after now); "
            "its PDF is generated and the enterprise's HR are told.",
            source=rules.INTERVIEW_SOURCE,
        ),
        Transition(
            "record",
            {IS.NOTIFIED},
            IS.HELD,
            gettext_lazy("Record the interview"),
            permission=HANDLE_INTERVIEW,
            scope=WRITE,
            doc="The record: the day held, the attendees, whether the legal representative attended, what was "
            "said, the commitments and a rectification deadline (after the day held).",
            source=rules.INTERVIEW_SOURCE,
        ),
        Transition(
            "follow_up",
            {IS.HELD},
            IS.CLOSED,
            gettext_lazy("Record the follow-up check"),
            permission=HANDLE_INTERVIEW,
            scope=WRITE,
            doc="The check of the commitments: rectified, partly or not; the interview closes.",
        ),
        Transition(
            "dismiss",
            {IS.PROPOSED, IS.NOTIFIED},
            IS.DISMISSED,
            gettext_lazy("Do not pursue"),
            permission=HANDLE_INTERVIEW,
            scope=WRITE,
            needs_reason=True,
            doc="The proposal is not pursued, with a reason (required).",
        ),
    ],
)
#: Interview actions → the fields of their form.
INTERVIEW_ACTIONS = tuple(INTERVIEW_WORKFLOW.transitions)


# Written review (书面审查) ---------------------------------------------------------------------------
# (room: written reviews, issue 16 item 7)
#
# draft ──submit──▶ submitted ──accept──▶ accepted
#   ▲                   │
#   └──(HR corrects)── returned ◀──return (reason)──┘      returned ──submit──▶ submitted
#
# The enterprise's HR fill in and submit (`inspection.change_writtenreview`); the inspectors of the
# area and park administrators accept or return (`inspection.review_written_report`). Saving a
# draft is not a transition: `written_review_edit_refusal` says when it is allowed.


WR = WrittenReview.Status
REVIEW_WRITTEN, FILE_WRITTEN = "inspection.review_written_report", "inspection.change_writtenreview"


def written_review_missing_fields(review) -> list[str]:
    """The figures of a report still empty (all of them are needed to submit)."""
    return [name for name in rules.WRITTEN_REVIEW_FIELDS if getattr(review, name) is None]


def written_review_complete(review, principal=None):
    """A report is submitted with every figure filled in."""
    missing = written_review_missing_fields(review)
    if missing:
        labels = ", ".join(str(WrittenReview._meta.get_field(name).verbose_name) for name in missing)
        return _("Fill in every figure before submitting: %(fields)s.") % {"fields": labels}
    return None


def written_review_edit_refusal(review) -> str | None:
    """The HR change a report while it is a draft or after it was returned; None when they may."""
    if review.status not in (WR.DRAFT, WR.RETURNED):
        return _(
            "A report can be changed only as a draft or after it was returned; this one is “%(status)s”."
        ) % {"status": review.get_status_display()}
    return None


WRITTEN_REVIEW_WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "submit",
            {WR.DRAFT, WR.RETURNED},
            WR.SUBMITTED,
            gettext_lazy("Submit the report"),
            permission=FILE_WRITTEN,
            scope=None,
            guard=written_review_complete,
            doc="The enterprise's HR submit the yearly report once every figure is filled in (409 "
            "otherwise); a report submitted after its due day stays marked late.",
            source=rules.WRITTEN_REVIEW_SOURCE,
        ),
        Transition(
            "accept",
            {WR.SUBMITTED},
            WR.ACCEPTED,
            gettext_lazy("Accept the report"),
            permission=REVIEW_WRITTEN,
            scope=WRITE,
            doc="An inspector of the area (or a park administrator) accepts the report.",
            source=rules.WRITTEN_REVIEW_SOURCE,
        ),
        Transition(
            "return",
            {WR.SUBMITTED},
            WR.RETURNED,
            gettext_lazy("Return for correction"),
            permission=REVIEW_WRITTEN,
            scope=WRITE,
            needs_reason=True,
            doc="The report goes back to the HR with a reason (required), who correct and submit it again.",
            source=rules.WRITTEN_REVIEW_SOURCE,
        ),
    ],
)
