"""The mediation case lifecycle (domain guide §5; LDMAL arts. 12-14).

received ──accept──▶ in_mediation ──close_*──▶ closed ──archive──▶ archived
   │  ▲                │    │ ▲
   │  └──transfer──────┘    │ └─extend (both parties' consent)
   ├──refuse──▶ refused ──archive──▶ archived
   └──withdraw / respondent_refused──▶ closed

Closing actions each set one outcome (CLOSING_OUTCOMES): agreement, no agreement, timed
out, withdrawn, respondent refused, referred to arbitration, referred to court. The guards read only
fields and prefetched relations, so a list can show `available_actions` without per-row queries.

Beside the table, every other "may X?" of a case: which work (sessions, the agreement, signatures,
payments, follow-ups, referrals, documents) each status allows (`WORK_STATUSES`, `work_refusal`,
`can_work`), a new access code and a new agreement PDF. The services raise these refusals; the
case page shows its buttons from the same answers.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import DomainError, NotAllowed
from apps.core.workflow import Transition, Workflow

from . import rules
from .models import Agreement, Case, reads_only_own_cases, working_organisation_ids

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
    if case.due_on >= rules.latest_extension(case):
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


def works_on(principal, case) -> bool:
    """Whether the principal acts on this case at all (`Case.worked_by`, read from the case's
    field and the principal's organisations, no query per row): park administrators, the
    platform and API clients (their area is `visible_to`'s) on every case they see; mediators
    and the officials of the running union on their organisations' cases. A union federation
    only reads the overdue cases it supervises; the respondent's HR only read."""
    if principal.is_system or principal.is_api_client or principal.sees_everything:
        return True
    return case.organisation_id is not None and case.organisation_id in working_organisation_ids(principal)


class CaseWorkflow(Workflow):
    """The table, and the case's scope: a role's permission acts only on the cases the principal
    works (`works_on`), so buttons, `available_actions`, the API and the services agree."""

    def refusal(self, obj, transition, principal):
        refusal = super().refusal(obj, transition, principal)
        if refusal is None and not works_on(principal, obj):
            return NotAllowed(_("This case is not handled by your organisation."))
        return refusal


def _closing(action, sources, label, *, guard=None, needs_reason=True, doc="", source=""):
    return Transition(
        action,
        sources,
        S.CLOSED,
        label,
        permission=MEDIATE,
        scope=WRITE,
        guard=guard,
        needs_reason=needs_reason,
        doc=doc,
        source=source,
    )


#: The API's descriptions say what each action does and when it is refused (English, for
#: integrators); `source` is the law it rests on.
WORKFLOW = CaseWorkflow(
    "status",
    [
        Transition(
            "accept",
            {S.RECEIVED},
            S.IN_MEDIATION,
            gettext_lazy("Accept"),
            permission=ACCEPT,
            scope=WRITE,
            doc="The organisation (the one the case was routed to when none is sent) takes the case and "
            "assigns one of its active mediators, who is notified with the respondent's HR. A mediator "
            "accepts only for their own organisation (400 on `organisation`; transfer the case instead).",
            source=rules.DECISION_PERIOD.source,
        ),
        Transition(
            "refuse",
            {S.RECEIVED},
            S.REFUSED,
            gettext_lazy("Refuse"),
            permission=ACCEPT,
            scope=WRITE,
            needs_reason=True,
            doc="Not accepted for mediation (e.g. not a labour dispute, a party does not agree to "
            "mediation). A blank reason is a 400 with `error.fields.reason`; the applicant sees the "
            "reason on the public tracking page.",
            source=rules.DECISION_PERIOD.source,
        ),
        Transition(
            "transfer",
            {S.RECEIVED, S.IN_MEDIATION},
            S.RECEIVED,
            gettext_lazy("Transfer to another organisation"),
            permission=ACCEPT,
            scope=WRITE,
            needs_reason=True,
            doc="E.g. from an enterprise committee to the regional one. The case goes back to `received` "
            "there: the new organisation's 3 working days and the mediation period run from today, and "
            "the mediator is unassigned. Answers 204 when the case leaves what the caller may see (a "
            "mediator's own organisation).",
            source=rules.MEDIATION_PERIOD.source,
        ),
        Transition(
            "extend",
            {S.IN_MEDIATION},
            S.IN_MEDIATION,
            gettext_lazy("Extend the period"),
            permission=MEDIATE,
            scope=WRITE,
            guard=extension_left,
            doc="With both parties' consent recorded: at most 15 days beyond the original deadline in "
            "all, no cap for court-entrusted cases. A date beyond the cap is a 400 on `new_due_on`; once "
            "the 15 days are used up, a 409.",
            source=rules.EXTENSION_SOURCE,
        ),
        _closing(
            "close_agreement",
            {S.IN_MEDIATION},
            gettext_lazy("Close with the agreement"),
            guard=agreement_signed,
            needs_reason=False,
            doc="Once the agreement has its items and both parties, the mediator and the organisation's "
            "seal have signed it (409 otherwise). Fixes the agreed amount, opens the follow-ups and "
            "queues the agreement PDF. The reason is optional.",
            source=rules.AGREEMENT_SOURCE,
        ),
        _closing(
            "close_no_agreement",
            {S.IN_MEDIATION},
            gettext_lazy("Close without agreement"),
            doc="Closed with the outcome `no_agreement`; either party may apply for arbitration.",
        ),
        _closing(
            "close_timed_out",
            {S.IN_MEDIATION},
            gettext_lazy("Close as timed out"),
            guard=deadline_passed,
            needs_reason=False,
            doc="Once `due_on` has passed (409 before): closed with the outcome `timed_out`; either party "
            "may apply for arbitration. The reason is optional.",
            source=rules.MEDIATION_PERIOD.source,
        ),
        _closing(
            "withdraw",
            {S.RECEIVED, S.IN_MEDIATION},
            gettext_lazy("Applicant withdraws"),
            doc="The applicant withdraws: closed with the outcome `withdrawn`. Withdrawing is the "
            "applicant's own act, never the organisation's or a district system's: an API client "
            "only records the applicant's own request, with `applicant_request: true` and, in "
            "`reason`, how and when the applicant asked (403 `applicant_request_required` without "
            "it; a blank reason is a 400).",
            source=rules.WITHDRAW_SOURCE,
        ),
        _closing(
            "respondent_refused",
            {S.RECEIVED, S.IN_MEDIATION},
            gettext_lazy("Respondent refuses mediation"),
            doc="The respondent refuses mediation: closed with the outcome `respondent_refused`.",
        ),
        _closing(
            "refer_arbitration",
            {S.IN_MEDIATION},
            gettext_lazy("Refer to arbitration"),
            doc="Closed with the outcome `arbitration`.",
        ),
        _closing(
            "refer_court",
            {S.IN_MEDIATION},
            gettext_lazy("Refer to court"),
            doc="Closed with the outcome `court`.",
        ),
        Transition(
            "archive",
            {S.CLOSED, S.REFUSED},
            S.ARCHIVED,
            gettext_lazy("Archive"),
            permission=MEDIATE,
            scope=WRITE,
            guard=ready_to_archive,
            doc="The case becomes read-only. A case closed with an agreement is archived once its "
            "performance is recorded and its PDF is ready (409 before). No body.",
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


def withdraw_refusal(principal, *, applicant_request: bool) -> NotAllowed | None:
    """Why the principal may not record a withdrawal now, or None. Withdrawing is the applicant's
    act (`rules.WITHDRAW_SOURCE`): staff record it on the case page when the applicant asks them;
    a district system may only pass on the applicant's own request, which it states
    (`applicant_request`) with how and when it was made (the reason, required by the table)."""
    if principal.is_api_client and not applicant_request:
        return NotAllowed(
            _(
                "Only the applicant may withdraw: record the applicant's own request "
                "(applicant_request: true) and how and when it was made in the reason."
            ),
            code="applicant_request_required",
            field="applicant_request",
            source=rules.WITHDRAW_SOURCE,
        )
    return None


# Work on a case besides the lifecycle -------------------------------------------------------------

#: Where each piece of work on a case besides the lifecycle actions is possible. The services
#: refuse it elsewhere (`check_work`); the case page shows its buttons from the same answers
#: (`can_work`, `work_allowed`). An archived case takes nothing.
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
#: Work on the performance of an agreement: only once the case is closed with one.
PERFORMANCE_WORK = frozenset({"payment", "performance", "follow_up"})


def holds(principal, permission: str, case=None) -> bool:
    """Whether the principal holds one of the module's permissions (on `case`, when given: one it
    works, `works_on`): a user through the role's permission, an API client through the
    `mediation:write` scope."""
    if principal.is_api_client:
        return principal.has_scope(WRITE)
    if principal.user is None or not principal.user.has_perm(permission):
        return False
    return case is None or works_on(principal, case)


def may_mediate(principal, case=None) -> bool:
    """Whether the principal's role may record sessions, the agreement, payments... on the case
    (whether the case's state allows it now is `work_refusal`'s answer; the services check both
    again)."""
    return holds(principal, MEDIATE, case)


def can_see_case_file(principal, case=None) -> bool:
    """Session notes and attendees, referrals and the case's documents (written applications,
    evidence, entrustment letters: names, ID numbers, pay slips, medical records) are the file of
    the organisation that mediates the case. Who sees them (issue 14 finding 8; ADR 0020):

    - park administrators (supervision of every case);
    - the mediators of the organisation handling the case now, any of them (the committee works
      as a body: a case is accepted and assigned before it has a mediator, and a colleague may
      stand in; LDMAL art. 10, 13). Not the mediators of other organisations, district-level
      included, nor those of an organisation the case was transferred away from;
    - the officials of the trade union that runs that organisation (issue 18: the union runs the
      committee, 企业劳动争议协商调解规定 art. 13; they work its cases as its mediators do);
    - district systems (API clients) within their area, as they see the case; not a client
      that only sends cases (`mediation:intake`).

    Never the respondent's HR (they see the dates of the sessions, the agreement and the
    timeline), inspectors, the officials of other unions or a federation supervising overdue
    cases. Without `case`, whether the role may see any case's file at all."""
    if principal.is_api_client:
        # A client that only sends cases (`mediation:intake`, a 12345 hotline) follows their
        # status, not the mediators' file.
        return not reads_only_own_cases(principal)
    if principal.is_park_admin:
        return True
    return holds(principal, MEDIATE, case)


def _archived(case) -> DomainError | None:
    if case.status == S.ARCHIVED:
        return DomainError(_("The case is archived and can no longer be changed."), code="archived")
    return None


def work_refusal(case, work: str) -> DomainError | None:
    """Why `work` (a key of WORK_STATUSES) is not possible on the case now, or None.

    The status table first; then what the work needs: signatures need a drafted agreement, the
    agreement's text is fixed once anyone has signed it (it takes effect on the signatures and the
    seal, LDMAL art. 14), and payments, performance and follow-ups need a case closed with an
    agreement. Reads the case's fields and its (selected) agreement only."""
    refusal = _archived(case)
    if refusal is not None:
        return refusal
    if case.status not in WORK_STATUSES[work]:
        return DomainError(
            _("Not possible while the case is “%(status)s”.") % {"status": case.get_status_display()},
            code="invalid_state",
        )
    agreement = _agreement(case)
    if work == "agreement" and agreement is not None and agreement.signed_by_anyone:
        return DomainError(_("The agreement has been signed; its text can no longer change."), code="signed")
    if work == "signatures" and agreement is None:
        return DomainError(_("Draft the agreement first."), code="no_agreement")
    if work in PERFORMANCE_WORK and (case.outcome != Case.Outcome.AGREEMENT or agreement is None):
        return DomainError(
            _("Only a case closed with an agreement has performance to record."), code="no_agreement"
        )
    return None


def check_work(case, work: str) -> None:
    """Raise `work_refusal`'s answer (the services call it on the locked case)."""
    refusal = work_refusal(case, work)
    if refusal is not None:
        raise refusal


def can_work(case, work: str, principal) -> bool:
    """Whether the principal may do `work` on the case now (its button on the case page)."""
    return may_mediate(principal, case) and work_refusal(case, work) is None


def work_allowed(case, principal) -> set[str]:
    """Which work pages are open on the case now: sessions and the agreement while in mediation
    (its text until someone has signed; signatures once drafted), performance and follow-ups once
    closed with an agreement, referrals while in mediation or closed, documents until the case is
    archived."""
    return {work for work in WORK_STATUSES if can_work(case, work, principal)}


# Other acts on a case -----------------------------------------------------------------------------


def access_code_refusal(case) -> DomainError | None:
    """Why a new access code cannot be issued now, or None: not once the case is archived."""
    return _archived(case)


def can_reissue_access_code(case, principal) -> bool:
    """Whether the principal may give the applicant a new access code: those who accept cases,
    until the case is archived."""
    return holds(principal, ACCEPT, case) and access_code_refusal(case) is None


def agreement_pdf_refusal(case) -> DomainError | None:
    """Why the agreement PDF cannot be generated (again) now, or None: only for a case closed with
    an agreement, and only when there is none or its rendering failed (not while one is being
    generated or is ready)."""
    if case.status != S.CLOSED or case.outcome != Case.Outcome.AGREEMENT:
        return DomainError(
            _("Only a case closed with an agreement has an agreement PDF."), code="no_agreement"
        )
    agreement = _agreement(case)
    document = agreement.document if agreement is not None else None
    if document is not None and document.status != document.Status.FAILED:
        return DomainError(_("The agreement PDF exists or is being generated."), code="pdf_exists")
    return None


def agreement_draft_refusal(case) -> DomainError | None:
    """Why the agreement for signing (the PDF without signature dates) cannot be generated now, or
    None: while the case is in mediation, once the agreement's result and items are recorded.
    Saving the agreement queues it; this answer also lets a mediator generate it again (a
    failed rendering, an agreement drafted before it existed)."""
    refusal = _archived(case)
    if refusal is not None:
        return refusal
    if case.status != S.IN_MEDIATION:
        return DomainError(
            _("The agreement for signing is prepared while the case is in mediation."), code="invalid_state"
        )
    agreement = _agreement(case)
    if agreement is None or not agreement.items.all():
        return DomainError(_("Draft the agreement with its items first."), code="no_agreement")
    return None


def can_generate_agreement_draft(case, principal) -> bool:
    """Whether the principal may have the agreement for signing generated (its button)."""
    return may_mediate(principal, case) and agreement_draft_refusal(case) is None


def can_generate_agreement_pdf(case, principal) -> bool:
    """Whether the principal may have the agreement PDF generated again now (its button)."""
    return may_mediate(principal, case) and agreement_pdf_refusal(case) is None


# Mass incidents (issue 17) ------------------------------------------------------------------------


def mass_incident_refusal(case) -> DomainError | None:
    """Why the case cannot be marked as a mass incident, or None: only a collective dispute (10 or
    more workers with a common claim, LDMAL art. 7) can be one. The mark stays possible once the
    case is closed or archived: the incident may come to light later, and certification reads it."""
    if not case.is_collective:
        return DomainError(
            _(
                "Only a collective dispute (%(threshold)d or more workers with a common claim) can be marked "
                "as a mass incident."
            )
            % {"threshold": rules.COLLECTIVE_THRESHOLD},
            code="not_collective",
            source=rules.COLLECTIVE_SOURCE,
        )
    return None


def may_mark_mass_incident(principal, case=None) -> bool:
    """Whether the principal's role may mark (or unmark) a case as a mass incident: park
    administrators on every case, the mediators of the organisation handling the case (and the
    officials of the union running it, `may_mediate`) on its cases; not API clients (a mass
    incident leads to a certification veto: a person decides it)."""
    if principal.is_system:
        return True
    if principal.is_api_client or principal.user is None:
        return False
    return principal.is_park_admin or may_mediate(principal, case)


def can_mark_mass_incident(case, principal) -> bool:
    """Whether the case page offers the mass-incident form to the principal now."""
    return may_mark_mass_incident(principal, case) and mass_incident_refusal(case) is None
