"""The mediation case lifecycle (domain guide §5; LDMAL arts. 12-14).

received ──accept──▶ in_mediation ──close_*──▶ closed ──archive──▶ archived
   │  ▲                │    │ ▲
   │  └──transfer──────┘    │ └─extend (both parties' consent)
   ├──refuse──▶ refused ──archive──▶ archived
   └──withdraw / respondent_refused──▶ closed

Closing actions each set one outcome (CLOSING_OUTCOMES): agreement, no agreement, timed
out, withdrawn, respondent refused, referred to arbitration, referred to court. The guards read only
fields and prefetched relations, so a list can show `available_actions` without per-row queries.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.workflow import Transition, Workflow

from . import rules
from .models import Agreement, Case

S = Case.Status

ACCEPT, MEDIATE, WRITE = "mediation.accept_case", "mediation.mediate_case", "mediation:write"


def _agreement(case):
    try:
        return case.agreement
    except Agreement.DoesNotExist:
        return None


def agreement_signed(case, principal=None):
    agreement = _agreement(case)
    if agreement is None or not agreement.items.all():
        return _("Draft the agreement with its items first.")
    if not agreement.is_signed:
        return _(
            "The agreement takes effect when both parties have signed or sealed it, the mediator has "
            "signed it and the organisation's seal is affixed (%(source)s). Record the signatures first."
        ) % {"source": rules.AGREEMENT_SOURCE}
    return None


def deadline_passed(case, principal=None):
    today = timezone.localdate()
    if case.due_on >= today:
        return _(
            "The mediation period runs until %(date)s; a case can close as timed out only after it (%(source)s)."
        ) % {
            "date": case.due_on,
            "source": rules.MEDIATION_PERIOD.source,
        }
    return None


def extension_left(case, principal=None):
    if case.is_court_entrusted:
        return None
    if rules.extension_days_used(case) >= rules.MAX_EXTENSION_DAYS:
        return _(
            "The mediation period has already been extended by %(days)s days, the most allowed (%(source)s)."
        ) % {
            "days": rules.MAX_EXTENSION_DAYS,
            "source": rules.EXTENSION_SOURCE,
        }
    return None


def ready_to_archive(case, principal=None):
    if case.outcome != Case.Outcome.AGREEMENT:
        return None
    agreement = _agreement(case)
    if agreement is None:
        return None
    if agreement.performance not in (Agreement.Performance.PERFORMED, Agreement.Performance.NOT_PERFORMED):
        return _("Record whether the agreement was performed before archiving the case.")
    if agreement.document is None or agreement.document.status != "ready":
        return _("The agreement PDF is not ready yet; archive once it has been generated.")
    return None


def _closing(action, sources, label, *, guard=None, needs_reason=True):
    return Transition(
        action,
        sources,
        S.CLOSED,
        label,
        permission=MEDIATE,
        scope=WRITE,
        guard=guard,
        needs_reason=needs_reason,
    )


WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "accept", {S.RECEIVED}, S.IN_MEDIATION, gettext_lazy("Accept"), permission=ACCEPT, scope=WRITE
        ),
        Transition(
            "refuse",
            {S.RECEIVED},
            S.REFUSED,
            gettext_lazy("Refuse"),
            permission=ACCEPT,
            scope=WRITE,
            needs_reason=True,
        ),
        Transition(
            "transfer",
            {S.RECEIVED, S.IN_MEDIATION},
            S.RECEIVED,
            gettext_lazy("Transfer to another organisation"),
            permission=ACCEPT,
            scope=WRITE,
            needs_reason=True,
        ),
        Transition(
            "extend",
            {S.IN_MEDIATION},
            S.IN_MEDIATION,
            gettext_lazy("Extend the period"),
            permission=MEDIATE,
            scope=WRITE,
            guard=extension_left,
        ),
        _closing(
            "close_agreement",
            {S.IN_MEDIATION},
            gettext_lazy("Close with the agreement"),
            guard=agreement_signed,
            needs_reason=False,
        ),
        _closing("close_no_agreement", {S.IN_MEDIATION}, gettext_lazy("Close without agreement")),
        _closing(
            "close_timed_out",
            {S.IN_MEDIATION},
            gettext_lazy("Close as timed out"),
            guard=deadline_passed,
            needs_reason=False,
        ),
        _closing("withdraw", {S.RECEIVED, S.IN_MEDIATION}, gettext_lazy("Applicant withdraws")),
        _closing(
            "respondent_refused", {S.RECEIVED, S.IN_MEDIATION}, gettext_lazy("Respondent refuses mediation")
        ),
        _closing("refer_arbitration", {S.IN_MEDIATION}, gettext_lazy("Refer to arbitration")),
        _closing("refer_court", {S.IN_MEDIATION}, gettext_lazy("Refer to court")),
        Transition(
            "archive",
            {S.CLOSED, S.REFUSED},
            S.ARCHIVED,
            gettext_lazy("Archive"),
            permission=MEDIATE,
            scope=WRITE,
            guard=ready_to_archive,
        ),
    ],
)

#: Closing action → outcome.
CLOSING_OUTCOMES = {
    "close_agreement": Case.Outcome.AGREEMENT,
    "close_no_agreement": Case.Outcome.NO_AGREEMENT,
    "close_timed_out": Case.Outcome.TIMED_OUT,
    "withdraw": Case.Outcome.WITHDRAWN,
    "respondent_refused": Case.Outcome.RESPONDENT_REFUSED,
    "refer_arbitration": Case.Outcome.ARBITRATION,
    "refer_court": Case.Outcome.COURT,
}

#: Actions that need a form of their own (the others take at most a reason).
ACTIONS_WITH_FORMS = {"accept", "transfer", "extend"}


#: Where each piece of work on a case besides the lifecycle actions is possible. The services
#: refuse it elsewhere; the case page shows its buttons from the same table
#: (`selectors.work_allowed`). An archived case takes nothing.
WORK_STATUSES = {
    "session": (S.IN_MEDIATION,),
    "agreement": (S.IN_MEDIATION,),
    "signatures": (S.IN_MEDIATION,),
    "referral": (S.IN_MEDIATION, S.CLOSED),
    "document": (S.RECEIVED, S.IN_MEDIATION, S.CLOSED, S.REFUSED),
    "payment": (S.CLOSED,),
    "performance": (S.CLOSED,),
    "follow_up": (S.CLOSED,),
}
