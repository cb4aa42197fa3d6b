"""The legal-aid request lifecycle.

received ──accept──▶ accepted ──close──▶ closed
   ├──refuse (reason)──▶ refused
   └──withdraw──▶ closed (outcome "withdrawn")

Who acts: the officials of the handling union and park administrators (`acts_on`); a federation
reads its area's requests without acting on those another union handles. API clients act with
`legalaid:write`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.roles import Role
from apps.core.errors import NotAllowed
from apps.core.workflow import Transition, Workflow

from . import rules
from .models import WRITE_SCOPE, LegalAidRequest

S = LegalAidRequest.Status
DECIDE, HANDLE = "legalaid.decide_request", "legalaid.handle_request"


def acts_on(principal, request: LegalAidRequest) -> bool:
    """Whether the principal acts on this request (read from its field, no query)."""
    if principal.is_system or principal.is_api_client or principal.sees_everything:
        return True
    return any(
        org == request.union.organisation_id for org in principal.organisation_ids(Role.UNION_OFFICIAL)
    )


class RequestWorkflow(Workflow):
    def refusal(self, obj, transition, principal):
        refusal = super().refusal(obj, transition, principal)
        if refusal is None and not acts_on(principal, obj):
            return NotAllowed(_("This request is handled by another union."))
        return refusal


WORKFLOW = RequestWorkflow(
    "status",
    [
        Transition(
            "accept",
            {S.RECEIVED},
            S.ACCEPTED,
            gettext_lazy("Accept"),
            permission=DECIDE,
            scope=WRITE_SCOPE,
            doc="The union takes the request; the closing deadline runs from today (policy).",
            source=rules.UNION_SOURCE,
        ),
        Transition(
            "refuse",
            {S.RECEIVED},
            S.REFUSED,
            gettext_lazy("Refuse"),
            permission=DECIDE,
            scope=WRITE_SCOPE,
            needs_reason=True,
            doc="The union refuses the request; the reason is required and shown to the worker.",
        ),
        Transition(
            "withdraw",
            {S.RECEIVED, S.ACCEPTED},
            S.CLOSED,
            gettext_lazy("Withdrawn by the worker"),
            permission=HANDLE,
            scope=WRITE_SCOPE,
            needs_reason=True,
            doc="The worker withdrew the request; closes it with the outcome `withdrawn`.",
        ),
        Transition(
            "close",
            {S.ACCEPTED},
            S.CLOSED,
            gettext_lazy("Close with the outcome"),
            permission=HANDLE,
            scope=WRITE_SCOPE,
            doc="Closes an accepted request with its outcome and the amount recovered.",
        ),
    ],
)


def can_handle(principal, request: LegalAidRequest) -> bool:
    """May the principal assign a lawyer or link a case now (an accepted request they act on)."""
    if request.status != S.ACCEPTED or not acts_on(principal, request):
        return False
    if principal.is_api_client:
        return principal.has_scope(WRITE_SCOPE)
    if principal.is_system:
        return True
    return principal.user.has_perm(HANDLE)
