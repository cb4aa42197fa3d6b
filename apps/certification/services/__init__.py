"""Every write of harmony certification, one function per business action, by topic:

- `applications`: the enterprise's self-evaluation (scores with evidence, the group, the
  disclosure), submission and withdrawal, the review up to the proposal;
- `notices`: the public notice and objections (programme part 4 (3));
- `certificates`: certifying, the certificate and its PDF, annual reports, revocation;
- `vetoes`: veto events recorded by hand (confirmed at once) or proposed by the platform from
  inspection and mediation records, then confirmed or dismissed by the park;
- `rule_sets`: a new version of a rule set;
- `jobs`: the daily jobs (closing ended notices, lapsing titles).

Each runs in a transaction, checks who may act (workflow.py), writes an audit event, and changes
an application's or certificate's status only through the transition tables in workflow.py. The
rules and their sources are in rules.py (submission eligibility, the notice period, the validity
of a title...); the reads they need (the title held, veto events in their window, recipients) in
selectors.py. Other modules call these names from `apps.certification.services`, e.g.
`services.record_veto_event`.
"""

from .applications import (
    add_evidence,
    change_target_level,
    create_application,
    delete_evidence,
    propose,
    reject,
    return_for_revision,
    save_disclosure,
    save_group,
    save_review_and_scores,
    save_review_record,
    save_review_scores,
    save_self_scores,
    start_review,
    submit,
    withdraw,
)
from .certificates import (
    certify,
    issue_certificate,
    request_certificate_pdf,
    revoke,
    submit_annual_report,
)
from .jobs import close_notices, lapse_titles
from .notices import file_objection, publish_notice, request_notice_pdf, resolve_objection
from .rule_sets import new_rule_set_version
from .vetoes import (
    confirm_veto_event,
    dismiss_veto_event,
    note_veto_event,
    propose_veto_event,
    propose_veto_events,
    record_veto_event,
)

__all__ = [
    "add_evidence",
    "certify",
    "change_target_level",
    "close_notices",
    "confirm_veto_event",
    "create_application",
    "delete_evidence",
    "dismiss_veto_event",
    "file_objection",
    "issue_certificate",
    "lapse_titles",
    "new_rule_set_version",
    "note_veto_event",
    "propose",
    "propose_veto_event",
    "propose_veto_events",
    "publish_notice",
    "record_veto_event",
    "reject",
    "request_certificate_pdf",
    "request_notice_pdf",
    "resolve_objection",
    "return_for_revision",
    "revoke",
    "save_disclosure",
    "save_group",
    "save_review_and_scores",
    "save_review_record",
    "save_review_scores",
    "save_self_scores",
    "start_review",
    "submit",
    "submit_annual_report",
    "withdraw",
]
