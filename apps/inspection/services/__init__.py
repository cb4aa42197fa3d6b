"""Writes of labour inspection, one function per named action, by topic:

- `intake`: registering a case from any source (idempotent on source and reference);
- `lifecycle`: accept, refuse, investigate, decide, follow up, close, archive, the extension
  (request, approve, reject) and the transfer to mediation (workflow.WORKFLOW);
- `listing`: the wage-arrears list, with its certification veto event;
- `jobs`: the daily reminders and flags, and the end of expired listings.

Every rule from law names its source (rules.py); what may be done when is workflow.py's answer;
reads and look-ups are selectors.py's. State changes go through `apps.audit.history.transition`
(row lock, history, audit), so two inspectors accepting the same case at once leave exactly one
result. Callers write `services.accept(...)`.
"""

from .grades import compute_credit_grades
from .intake import link_enterprise, register_case
from .interviews import (
    dismiss_interview,
    propose_interview,
    propose_interviews,
    record_interview,
    record_interview_follow_up,
    render_interview_notice,
    render_order_document,
    send_interview_notice,
)
from .jobs import daily, flag_overdue
from .lifecycle import (
    accept,
    approve_extension,
    archive,
    close,
    decide,
    record_follow_up,
    refuse,
    reject_extension,
    request_extension,
    start_follow_up,
    start_investigation,
    transfer_to_mediation,
)
from .listing import list_wage_arrears, remove_expired_listings, remove_listing
from .patrols import add_attachment, create_plan, finding_to_case, record_patrol
from .public import issue_access_code, submit_complaint
from .reviews import (
    accept_written_review,
    remind_written_reviews,
    return_written_review,
    review_to_case,
    save_written_review,
    start_written_review,
    submit_written_review,
)
from .violations import publish_serious_violation, record_serious_violation

__all__ = [
    "accept_written_review",
    "remind_written_reviews",
    "return_written_review",
    "review_to_case",
    "save_written_review",
    "start_written_review",
    "submit_written_review",
    "compute_credit_grades",
    "publish_serious_violation",
    "record_serious_violation",
    "dismiss_interview",
    "propose_interview",
    "propose_interviews",
    "record_interview",
    "record_interview_follow_up",
    "render_interview_notice",
    "render_order_document",
    "send_interview_notice",
    "add_attachment",
    "create_plan",
    "finding_to_case",
    "record_patrol",
    "accept",
    "approve_extension",
    "archive",
    "close",
    "daily",
    "decide",
    "flag_overdue",
    "issue_access_code",
    "link_enterprise",
    "list_wage_arrears",
    "record_follow_up",
    "refuse",
    "register_case",
    "reject_extension",
    "remove_expired_listings",
    "remove_listing",
    "request_extension",
    "start_follow_up",
    "start_investigation",
    "submit_complaint",
    "transfer_to_mediation",
]
