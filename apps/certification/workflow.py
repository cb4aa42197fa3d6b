"""The certification application lifecycle (domain guide §4; programme part 4).

draft ──submit──▶ submitted ──start_review──▶ under_review ──propose──▶ proposed ──publish──▶ in_notice ──certify──▶ certified
  ▲                  │                            │   │                                       │
  └──── returned ◀───┴───────── return ───────────┘   └── reject ──▶ rejected ◀── reject ─────┘ (objection upheld)
draft / returned / submitted ──withdraw──▶ withdrawn

Submission eligibility (group ratio, disclosure, size, age, ladder, waiting time, veto events, one
open application per round) is `rules.submission_problems` (every reason at once, read for it by
`selectors.submission_problems`), which `services.submit` enforces; the guards here are the checks
that decide whether a button shows at all.

Beside the tables, the "may X?" questions that are not a status change: who prepares the
self-evaluation and in which statuses (`can_prepare`, `EDITABLE`), who reviews, publishes notices,
resolves objections, hands in annual reports and records veto events. Pages, the API and the
services all ask here; templates read the answers the views put in their context.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import InvalidTransition, NotAllowed
from apps.core.principal import Role
from apps.core.workflow import Transition, Workflow

from . import rules
from .models import Application, Certificate, Objection, VetoEvent

S = Application.Status


def _round_open(app, principal):
    today = timezone.localdate()
    if not app.round.is_open(today):
        return _("The round “%(round)s” takes applications from %(opens)s to %(closes)s.") % {
            "round": app.round.name,
            "opens": app.round.opens_on,
            "closes": app.round.closes_on,
        }
    return None


def _fully_reviewed(app, principal):
    # Python over .all() so a list that prefetches "scores" asks nothing per row.
    scores = app.scores.all()
    if not scores or any(s.review_score is None for s in scores):
        return _("Score every item before proposing the application.")
    return None


def _notice_over_and_clear(app, principal):
    today = timezone.localdate()
    if app.notice is None or app.notice.ends_on >= today:
        return _("The public notice runs until %(date)s; certify after it ends.") % {
            "date": app.notice.ends_on if app.notice else "—"
        }
    if any(o.status == Objection.Status.OPEN for o in app.objections.all()):
        return _("An objection is open; uphold or dismiss it first.")
    return None


_ONLY_HR = "Only the enterprise's own HR, signed in, may do it (403 for anyone else)."

WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "submit",
            {S.DRAFT, S.RETURNED},
            S.SUBMITTED,
            gettext_lazy("Submit"),
            permission="certification.prepare_application",
            guard=_round_open,
            doc=f"{_ONLY_HR} Every reason the application is not yet eligible (the self-evaluation "
            "incomplete, the group's share of representatives, the disclosure, the enterprise's size and "
            "age, the ladder of levels and the wait at the level below, veto events in their look-back "
            "window, another open application in the round) is listed at once in `error.fields` (400). "
            "Refused while the round is closed.",
            source=f"{rules.SOURCE_PROGRAMME_EN}, and the round's rule set",
        ),
        Transition(
            "withdraw",
            {S.DRAFT, S.RETURNED, S.SUBMITTED},
            S.WITHDRAWN,
            gettext_lazy("Withdraw"),
            permission="certification.prepare_application",
            doc=f"{_ONLY_HR} The reason is optional.",
        ),
        Transition(
            "start_review",
            {S.SUBMITTED},
            S.UNDER_REVIEW,
            gettext_lazy("Start the review"),
            permission="certification.review_application",
            scope="certification:write",
            doc="The caller becomes the reviewer; the enterprise's HR are notified.",
        ),
        Transition(
            "return",
            {S.SUBMITTED, S.UNDER_REVIEW},
            S.RETURNED,
            gettext_lazy("Return for revision"),
            permission="certification.review_application",
            scope="certification:write",
            needs_reason=True,
            doc="Back to the enterprise, which may correct the self-evaluation and submit it again; its HR "
            "are notified with the reason.",
        ),
        Transition(
            "reject",
            {S.SUBMITTED, S.UNDER_REVIEW, S.PROPOSED, S.IN_NOTICE},
            S.REJECTED,
            gettext_lazy("Reject"),
            permission="certification.review_application",
            scope="certification:write",
            needs_reason=True,
            doc="Ends the application; the enterprise's HR are notified with the reason (upholding an "
            "objection during the public notice rejects it the same way).",
        ),
        Transition(
            "propose",
            {S.UNDER_REVIEW},
            S.PROPOSED,
            gettext_lazy("Propose for certification"),
            permission="certification.review_application",
            scope="certification:write",
            guard=_fully_reviewed,
            doc="Once every item has a reviewer's score (409 before): proposes the level the reviewed "
            "score reaches, never above the level applied for. A score below the cut-off of a level above "
            "the one held, or a veto event in its look-back window, is a 400 naming the rule.",
            source=rules.SOURCE_GUANGXI_EN,
        ),
        Transition(
            "publish",
            {S.PROPOSED},
            S.IN_NOTICE,
            gettext_lazy("Publish in a public notice"),
            permission="certification.publish_notice",
            doc="Proposed applications of one round are published together in a public notice open to "
            "objections from anyone; it lasts the rule set's length, its first day counted.",
            source=rules.SOURCE_NOTICE_EN,
        ),
        Transition(
            "certify",
            {S.IN_NOTICE},
            S.CERTIFIED,
            gettext_lazy("Certify"),
            permission="certification.certify_application",
            guard=_notice_over_and_clear,
            doc="After the public notice has ended with no open objection; issues the certificate. The "
            "daily job certifies what is left when a notice ends.",
            source=rules.SOURCE_NOTICE_EN,
        ),
    ],
)

C = Certificate.Status

CERTIFICATE_WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "revoke",
            {C.VALID},
            C.REVOKED,
            gettext_lazy("Revoke"),
            permission="certification.revoke_certificate",
            scope="certification:write",
            needs_reason=True,
            doc="Ends a valid title at once (a failed spot check, a veto event...); the verification page "
            "shows it as revoked and the enterprise's HR are notified.",
        ),
        Transition(
            "lapse",
            {C.VALID},
            C.LAPSED,
            gettext_lazy("Lapse"),
            permission="certification.revoke_certificate",
            doc="The daily job ends a title whose annual report is overdue or whose validity has ended.",
            source="the rule set's validity and annual-report grace days",
        ),
    ],
)


V = VetoEvent.Status

#: Veto events proposed by the platform from inspection and mediation records (issue 17; domain
#: guide §9: "proposed, then confirmed by the park"). An event recorded by hand is confirmed at once.
VETO_WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "confirm",
            {V.PROPOSED},
            V.CONFIRMED,
            gettext_lazy("Confirm"),
            permission="certification.add_vetoevent",
            scope="certification:write",
            doc="The event counts from now on: the enterprise's valid titles are revoked with the event as the "
            "reason, and its open applications are refused while the event lies in its look-back window.",
            source=rules.SOURCE_GUANGXI_EN,
        ),
        Transition(
            "dismiss",
            {V.PROPOSED},
            V.DISMISSED,
            gettext_lazy("Dismiss"),
            permission="certification.add_vetoevent",
            scope="certification:write",
            needs_reason=True,
            doc="The record is not a veto event (e.g. the incident was not caused by a labour dispute); it "
            "never counts, and proposing it again from the same record changes nothing.",
        ),
    ],
)


def veto_actions(event: VetoEvent, principal) -> list[str]:
    return [t.action for t in VETO_WORKFLOW.available(event, principal)]


# The may-X questions beside the tables ------------------------------------------------------------

#: The self-evaluation is the enterprise's to change only while it is a draft or returned.
EDITABLE = (S.DRAFT, S.RETURNED)


def can_prepare(principal, application: Application) -> bool:
    """Only the enterprise's own HR prepare its self-evaluation (the enterprise scores itself);
    they alone submit and withdraw it."""
    return (
        not principal.is_api_client
        and principal.user is not None
        and principal.user.has_perm("certification.prepare_application")
        and application.enterprise.organisation_id in principal.organisation_ids(Role.ENTERPRISE_HR)
    )


def can_review(principal) -> bool:
    """Reviewers score the items and keep the review record: the review permission, or an API
    client with `certification:write`."""
    if principal.is_api_client:
        return principal.has_scope("certification:write")
    return bool(principal.user and principal.user.has_perm("certification.review_application"))


def may_edit_self_evaluation(principal, application: Application) -> bool:
    return application.status in EDITABLE and can_prepare(principal, application)


def require_prepare(principal, application: Application, *, states=EDITABLE) -> None:
    """Refuse (403, or 409 in another status) unless the principal may change the self-evaluation now."""
    if not can_prepare(principal, application):
        raise NotAllowed(_("Only the enterprise's HR may prepare its self-evaluation."))
    if application.status not in states:
        raise InvalidTransition(
            _(
                "The self-evaluation can be changed only while it is a draft or returned for revision; it is “%(status)s”."
            )
            % {"status": application.get_status_display()}
        )


def require_review(principal, application: Application) -> None:
    """Refuse (403, or 409 unless under review) unless the principal may score and record the review now."""
    if not can_review(principal):
        raise NotAllowed(_("Your role may not review certification applications."))
    if application.status != S.UNDER_REVIEW:
        raise InvalidTransition(
            _("Start the review first; the application is “%(status)s”.")
            % {"status": application.get_status_display()}
        )


def available_actions(application: Application, principal) -> list[str]:
    """What the principal may do with the application now: the table's actions, plus `edit` (the
    enterprise's wizard) and `score` (the reviewer's scores)."""
    # `WORKFLOW.available`, asking only the transitions from the current status: a list asks this for
    # every row, and each refusal of another status would word its message (a translation each).
    actions = [
        t.action
        for t in WORKFLOW.transitions.values()
        if application.status in t.sources and WORKFLOW.refusal(application, t, principal) is None
    ]
    if may_edit_self_evaluation(principal, application):
        actions.insert(0, "edit")
    if application.status == S.UNDER_REVIEW and can_review(principal):
        actions.insert(0, "score")
    # Submitting and withdrawing are for the enterprise itself (can_prepare).
    if not can_prepare(principal, application):
        actions = [a for a in actions if a not in ("submit", "withdraw")]
    return actions


def certificate_actions(certificate: Certificate, principal) -> list[str]:
    return [t.action for t in CERTIFICATE_WORKFLOW.available(certificate, principal) if t.action == "revoke"]


def _user_has(principal, perm: str) -> bool:
    return not principal.is_api_client and principal.user is not None and principal.user.has_perm(perm)


def may_prepare_applications(principal) -> bool:
    """Enterprise HR prepare their enterprise's applications (which enterprise: `can_prepare`)."""
    return _user_has(principal, "certification.prepare_application")


def may_manage_rule_sets(principal) -> bool:
    return principal.is_park_admin


def may_publish_notice(principal) -> bool:
    return _user_has(principal, "certification.publish_notice")


def may_see_notices(principal) -> bool:
    """The list of public notices: those who publish them, and park administrators who see the
    applications."""
    return may_publish_notice(principal) or (
        principal.is_park_admin and _user_has(principal, "certification.view_application")
    )


def may_resolve_objections(principal) -> bool:
    return _user_has(principal, "certification.resolve_objection")


def may_resolve_objection(principal, objection: Objection) -> bool:
    """Uphold or dismiss this objection now: the permission, while it is open."""
    return objection.status == Objection.Status.OPEN and may_resolve_objections(principal)


def can_report_for(principal, certificate: Certificate) -> bool:
    """Annual reports are handed in by the enterprise's own HR."""
    return _user_has(
        principal, "certification.submit_annualreport"
    ) and certificate.enterprise.organisation_id in principal.organisation_ids(Role.ENTERPRISE_HR)


def may_fill_report(principal, report) -> bool:
    """The report form shows while the title is valid and the report is not yet handed in."""
    cert = report.certificate
    return (
        can_report_for(principal, cert)
        and cert.status == Certificate.Status.VALID
        and report.submitted_at is None
    )


def may_record_veto_event(principal) -> bool:
    """Administrators with the permission; district systems with `certification:write`; the
    platform's own jobs."""
    if principal.is_system:
        return True
    if principal.is_api_client:
        return principal.has_scope("certification:write")
    return principal.user is not None and principal.user.has_perm("certification.add_vetoevent")
