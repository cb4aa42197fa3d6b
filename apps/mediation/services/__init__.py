"""Writes of labour-dispute mediation, one function per named action, by topic:

- `intake`: organisations and mediators, registering an application (a district system's
  referral idempotent per channel and reference), a new access code;
- `lifecycle`: accept, refuse, transfer, extend, the closings, archive (workflow.WORKFLOW);
- `casework`: sessions, re-employment referrals, documents;
- `agreement`: the agreement, its signatures, follow-ups, payments, performance and PDF;
- `incidents`: marking a collective dispute as a mass incident (and removing a mark set by mistake);
- `jobs`: the daily deadline job.

Every rule from law names its source (rules.py); which work each status allows is workflow.py's
answer; reads and look-ups are selectors.py's. State changes go through
`apps.audit.history.transition` with the table in workflow.py (row lock, history, audit), so two
mediators accepting the same case at once leave exactly one result. The public names are
re-exported here: callers write `services.accept(...)`.
"""

from .agreement import (
    generate_agreement_draft,
    record_payment,
    record_signatures,
    regenerate_agreement_pdf,
    request_agreement_pdf,
    save_agreement,
    set_performance,
    update_follow_up,
)
from .casework import add_document, add_referral, record_referral_result, record_session
from .incidents import mark_mass_incident, unmark_mass_incident
from .intake import (
    apply_online,
    create_organisation,
    new_access_code,
    receive_referral,
    register_case,
    reissue_access_code,
    save_mediator,
    update_organisation,
)
from .jobs import flag_overdue
from .lifecycle import accept, archive, close, extend, perform, refuse, transfer

__all__ = [
    "accept",
    "add_document",
    "add_referral",
    "apply_online",
    "archive",
    "close",
    "create_organisation",
    "extend",
    "flag_overdue",
    "mark_mass_incident",
    "generate_agreement_draft",
    "new_access_code",
    "perform",
    "receive_referral",
    "record_payment",
    "record_referral_result",
    "record_session",
    "record_signatures",
    "refuse",
    "unmark_mass_incident",
    "regenerate_agreement_pdf",
    "register_case",
    "reissue_access_code",
    "request_agreement_pdf",
    "save_agreement",
    "save_mediator",
    "set_performance",
    "transfer",
    "update_follow_up",
    "update_organisation",
]
