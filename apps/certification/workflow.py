"""The certification application lifecycle (domain guide §4; programme part 4).

draft ──submit──▶ submitted ──start_review──▶ under_review ──propose──▶ proposed ──publish──▶ in_notice ──certify──▶ certified
  ▲                  │                            │   │                                       │
  └──── returned ◀───┴───────── return ───────────┘   └── reject ──▶ rejected ◀── reject ─────┘ (objection upheld)
draft / returned / submitted ──withdraw──▶ withdrawn

Submission eligibility (group ratio, disclosure, size, age, ladder, waiting time, veto events, one
open application per round) is checked by `services.submit`, which gathers every reason at once;
the guards here are the checks that decide whether a button shows at all.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.workflow import Transition, Workflow

from .models import Application, Certificate, Objection

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
        ),
        Transition(
            "withdraw",
            {S.DRAFT, S.RETURNED, S.SUBMITTED},
            S.WITHDRAWN,
            gettext_lazy("Withdraw"),
            permission="certification.prepare_application",
        ),
        Transition(
            "start_review",
            {S.SUBMITTED},
            S.UNDER_REVIEW,
            gettext_lazy("Start the review"),
            permission="certification.review_application",
            scope="certification:write",
        ),
        Transition(
            "return",
            {S.SUBMITTED, S.UNDER_REVIEW},
            S.RETURNED,
            gettext_lazy("Return for revision"),
            permission="certification.review_application",
            scope="certification:write",
            needs_reason=True,
        ),
        Transition(
            "reject",
            {S.SUBMITTED, S.UNDER_REVIEW, S.PROPOSED, S.IN_NOTICE},
            S.REJECTED,
            gettext_lazy("Reject"),
            permission="certification.review_application",
            scope="certification:write",
            needs_reason=True,
        ),
        Transition(
            "propose",
            {S.UNDER_REVIEW},
            S.PROPOSED,
            gettext_lazy("Propose for certification"),
            permission="certification.review_application",
            scope="certification:write",
            guard=_fully_reviewed,
        ),
        Transition(
            "publish",
            {S.PROPOSED},
            S.IN_NOTICE,
            gettext_lazy("Publish in a public notice"),
            permission="certification.publish_notice",
        ),
        Transition(
            "certify",
            {S.IN_NOTICE},
            S.CERTIFIED,
            gettext_lazy("Certify"),
            permission="certification.certify_application",
            guard=_notice_over_and_clear,
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
        ),
        Transition(
            "lapse", {C.VALID}, C.LAPSED, gettext_lazy("Lapse"), permission="certification.revoke_certificate"
        ),
    ],
)
