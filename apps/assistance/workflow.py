"""The lifecycle of a hardship file: draft → assessed → approved (on file) / rejected; a yearly
review keeps an approved file on file; exit (脱困) closes it. One table answers the buttons, the
API and the services (apps.core.workflow)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.core.workflow import Transition, Workflow

from . import rules
from .models import HardshipFile

S = HardshipFile.Status
ASSESS = "assistance.assess_hardshipfile"
APPROVE = "assistance.approve_hardshipfile"
WRITE_SCOPE = "assistance:write"

WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "assess",
            {S.DRAFT},
            S.ASSESSED,
            _("Record the assessment"),
            permission=ASSESS,
            scope=WRITE_SCOPE,
            doc="Records the assessment (date, assessor, finding) and compares the income per head "
            "with the threshold in effect.",
            source=rules.THRESHOLD_SOURCE,
        ),
        Transition(
            "approve",
            {S.ASSESSED},
            S.APPROVED,
            _("Approve (put on file)"),
            permission=APPROVE,
            scope=WRITE_SCOPE,
            doc="The union approves: the worker is on file; the yearly review is due a year later.",
            source=rules.THRESHOLD_SOURCE,
        ),
        Transition(
            "reject",
            {S.ASSESSED},
            S.REJECTED,
            _("Reject"),
            permission=APPROVE,
            scope=WRITE_SCOPE,
            needs_reason=True,
            doc="The union does not put the worker on file; a reason is required.",
        ),
        Transition(
            "review",
            {S.APPROVED},
            S.APPROVED,
            _("Record the yearly review"),
            permission=APPROVE,
            scope=WRITE_SCOPE,
            doc="The yearly review confirms the file; the next review is due a year later.",
            source=rules.REVIEW_SOURCE,
        ),
        Transition(
            "exit",
            {S.APPROVED},
            S.EXITED,
            _("Close: out of difficulty"),
            permission=APPROVE,
            scope=WRITE_SCOPE,
            needs_reason=True,
            doc="The worker is out of difficulty (脱困): the file is closed with its reason and date.",
            source=rules.REVIEW_SOURCE,
        ),
    ],
)


def can_edit(principal, file: HardshipFile) -> bool:
    """The household and the difficulty may be corrected until the file is approved."""
    if file.status not in (S.DRAFT, S.ASSESSED):
        return False
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope(WRITE_SCOPE)
    return principal.user is not None and principal.user.has_perm("assistance.change_hardshipfile")


def can_create(principal) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope(WRITE_SCOPE)
    return principal.user is not None and principal.user.has_perm("assistance.add_hardshipfile")


def can_pay(principal) -> bool:
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope(WRITE_SCOPE)
    return principal.user is not None and principal.user.has_perm("assistance.pay_aid")
