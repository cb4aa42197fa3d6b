"""The appeal lifecycle.

submitted ──route──▶ routed ──answer──▶ answered ──rate──▶ closed
                      ▲  │ reroute                            │
                      └──┴──────────────── reopen (once, "not satisfied", reason) ──┘

Who: park administrators route, answer on behalf of the department and reopen
(`appeals.route_appeal`, `appeals.answer_appeal`, `appeals.reopen_appeal`); the enterprise's HR
rate (`appeals.rate_appeal`, their own enterprise's appeals only: `visible_to`); district systems
with `appeals:write` route and answer. Guards read only fields (lists show `available_actions`
without queries)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from apps.core.workflow import Transition, Workflow

from . import rules
from .models import Appeal

S = Appeal.Status
WRITE = "appeals:write"
FILE, ROUTE, ANSWER, RATE, REOPEN = (
    "appeals.file_appeal",
    "appeals.route_appeal",
    "appeals.answer_appeal",
    "appeals.rate_appeal",
    "appeals.reopen_appeal",
)


def _reopen_guard(appeal, principal=None):
    return rules.reopen_refusal(appeal)


WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "route",
            {S.SUBMITTED},
            S.ROUTED,
            gettext_lazy("Route to a department"),
            permission=ROUTE,
            scope=WRITE,
            doc="The park sends the appeal to the department that answers (`department`, required, an active "
            "department; 400 otherwise). The deadline set at filing stays.",
        ),
        Transition(
            "reroute",
            {S.ROUTED},
            S.ROUTED,
            gettext_lazy("Route to another department"),
            permission=ROUTE,
            scope=WRITE,
            doc="Another department answers (`department`, required and different); the deadline stays.",
        ),
        Transition(
            "answer",
            {S.ROUTED},
            S.ANSWERED,
            gettext_lazy("Record the answer"),
            permission=ANSWER,
            scope=WRITE,
            doc="The department's answer (`answer`, required); who and when are recorded; the enterprise's HR "
            "are told. An answer after the due date is recorded and counted as late.",
        ),
        Transition(
            "rate",
            {S.ANSWERED},
            S.CLOSED,
            gettext_lazy("Rate the answer"),
            permission=RATE,
            scope=None,
            doc="The enterprise's HR say whether they are satisfied (`satisfaction`: satisfied, basically, "
            "not_satisfied; a comment is required when not satisfied). Not available to API clients.",
        ),
        Transition(
            "reopen",
            {S.CLOSED},
            S.ROUTED,
            gettext_lazy("Reopen"),
            permission=REOPEN,
            scope=None,
            guard=_reopen_guard,
            needs_reason=True,
            doc="Once, and only when the enterprise was not satisfied: the appeal goes back to its department "
            "with a new deadline counted from today; the first answer and rating are kept.",
        ),
    ],
)


def available_actions(appeal, principal) -> list[str]:
    return [t.action for t in WORKFLOW.available(appeal, principal)]


def holds(principal, permission: str) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope(WRITE) and permission in (ROUTE, ANSWER)
    return principal.user is not None and principal.user.has_perm(permission)
