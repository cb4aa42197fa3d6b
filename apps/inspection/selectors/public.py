"""Reads of the public complaint pages (no login): the registry enterprises and towns a
complainant may name, and the tracking look-up by serial number and access code.

The tracking answer is a plain dict built here, not the case: it carries the serial, the status,
the dates and the next step, and nothing about people (no names, ID numbers, phones, reporter,
facts, amounts or the inspector). An unknown serial and a wrong code give the same answer (None)
after the same work, so serial numbers cannot be probed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.accounts.models import Organisation
from apps.core.models import Area
from apps.enterprises.models import Enterprise

from .. import rules
from ..models import InspectionCase, Source

S = InspectionCase.Status
D = InspectionCase.Decision

#: The fields the tracking look-up reads: nothing personal is even loaded.
TRACK_FIELDS = (
    "pk",
    "serial",
    "access_code_hash",
    "source",
    "status",
    "received_on",
    "decision_due_on",
    "accepted_on",
    "due_on",
    "decided_on",
    "follow_up_started_on",
    "closed_on",
    "archived_on",
    "refusal_basis",
    "decision",
    "mediation_case_id",
)


def public_enterprises():
    """The registered enterprises a complainant can choose on the public form: operating ones,
    by name only (the names are public; nothing else of the registry is shown)."""
    return Enterprise.objects.operating().order_by("name").only("pk", "name")


def public_towns():
    """The towns and sub-districts of the park, for an employer not in the registry."""
    return Area.objects.filter(kind=Area.Kind.TOWN).order_by("code").only("pk", "name", "code")


#: 人力资源和社会保障服务热线: the national human-resources and social-security hotline, which
#: takes labour-inspection complaints and questions everywhere in China.
HOTLINE = "12333"
#: How many brigades the tracking page names.
LOST_CODE_BRIGADES = 5


def lost_code_contacts() -> dict:
    """Whom a complainant who lost the access code phones or visits (issue 20), shown on the
    tracking page whatever was typed (one answer for every serial number: it tells nothing about
    one): the labour-inspection brigades of the park with their public phone and address (an
    inspector gives a new code after checking who the worker is, `services.issue_access_code`) and
    the 12333 hotline."""
    brigades = (
        Organisation.objects.filter(kind=Organisation.Kind.INSPECTION, is_active=True)
        .order_by("name")
        .values("name", "phone", "address")
    )
    return {"brigades": list(brigades[:LOST_CODE_BRIGADES]), "hotline": HOTLINE}


def normal_serial(serial) -> str:
    return (serial if isinstance(serial, str) else "").strip().upper()[:30]


def track(serial: str, code: str) -> dict | None:
    """What the complainant or reporter may know of the case with this serial number and access
    code, or None when either is wrong (the same answer, after the same work, for both)."""
    serial = normal_serial(serial)
    case = InspectionCase.objects.filter(serial=serial).only(*TRACK_FIELDS).first() if serial else None
    if case is None:
        rules.check_access_code(InspectionCase(access_code_hash="0" * 64), code)  # same work either way
        return None
    if not rules.check_access_code(case, code):
        return None
    return {
        "serial": case.serial,
        "kind": Source(case.source).label if case.source in Source.values else "",
        "status": case.get_status_display(),
        "status_code": case.status,
        "dates": public_dates(case),
        "next_step": next_step(case),
    }


def public_dates(case: InspectionCase) -> list[dict]:
    """The milestones of the case with their dates, in order; a deadline is marked as such."""
    rows = [
        {"label": pgettext("inspection milestone", "Received"), "on": case.received_on, "deadline": False}
    ]
    if case.status == S.RECEIVED:
        rows.append({"label": _("Decision on acceptance due"), "on": case.decision_due_on, "deadline": True})
    if case.accepted_on:
        rows.append({"label": _("Accepted"), "on": case.accepted_on, "deadline": False})
    if case.due_on and case.status in InspectionCase.CLOCK_RUNNING and not case.decided_on:
        rows.append({"label": _("Investigation to end by"), "on": case.due_on, "deadline": True})
    if case.decided_on:
        rows.append({"label": _("Decided"), "on": case.decided_on, "deadline": False})
    if case.follow_up_started_on:
        rows.append(
            {"label": _("Follow-up check started"), "on": case.follow_up_started_on, "deadline": False}
        )
    if case.closed_on:
        rows.append(
            {"label": pgettext("inspection milestone", "Closed"), "on": case.closed_on, "deadline": False}
        )
    return rows


def next_step(case: InspectionCase) -> str:
    """What the complainant or reporter should expect next, by status, with the rule's source."""
    if case.status == S.RECEIVED:
        return _(
            "The labour inspection brigade decides by %(date)s whether to accept the case (within "
            "%(days)s working days, %(source)s). It may contact you on the phone number you gave."
        ) % {
            "date": case.decision_due_on,
            "days": rules.ACCEPTANCE_PERIOD.days,
            "source": rules.ACCEPTANCE_PERIOD.source,
        }
    if case.status == S.REFUSED:
        basis = InspectionCase.RefusalBasis(case.refusal_basis).label if case.refusal_basis else ""
        text = _("The case was not accepted.")
        if basis:
            text += " " + _("Ground: %(basis)s.") % {"basis": basis}
        return (
            text
            + " "
            + _(
                "If it is a dispute with your employer about money owed to you, you may apply for "
                "labour-dispute mediation or arbitration."
            )
        )
    if case.status in (S.ACCEPTED, S.INVESTIGATING):
        return _(
            "The case was accepted and is being investigated. The investigation should end by "
            "%(date)s (%(days)s working days from acceptance, which may be extended once, %(source)s)."
        ) % {
            "date": case.due_on,
            "days": rules.INVESTIGATION_PERIOD.days,
            "source": rules.INVESTIGATION_PERIOD.source,
        }
    if case.status == S.FOLLOW_UP:
        return _(
            "The employer was ordered to put things right; the inspector is checking that it has done so."
        )
    outcome = {
        D.NO_VIOLATION: _("The investigation found no violation."),
        D.ORDER_TO_RECTIFY: _("The employer was ordered to put things right."),
        D.PENALTY_RECORDED: _("An administrative penalty was decided against the employer."),
        D.TRANSFERRED_TO_POLICE: _("The case was transferred to the police."),
    }.get(case.decision, "")
    if case.status == S.DECIDED:
        return (outcome + " " + _("The case will be closed after any follow-up check.")).strip()
    if case.mediation_case_id:
        return _(
            "The case was transferred to labour-dispute mediation, which handles disputes about money "
            "between a worker and an employer. The mediation organisation will contact you."
        )
    return (outcome + " " + _("The case is closed.")).strip()
