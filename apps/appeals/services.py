"""Writes of enterprise appeals: one function per named action, each in a transaction, status
changes through `apps.audit.history.transition` (history row + audit event), refusals as
`DomainError` with the field."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, NotAllowed
from apps.core.uploads import check_upload
from apps.notifications.services import notify

from . import rules, selectors
from .models import Appeal, AppealCounter, AppealHistory, Department, Kind, Satisfaction
from .workflow import FILE, WORKFLOW, holds

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _text(value, limit: int, field: str, *, required: bool, message=None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(message or _("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(
            _("At most %(limit)s characters (this is %(length)s).") % {"limit": limit, "length": len(value)},
            field=field,
        )
    return value


def _next_reference(day: dt.date) -> str:
    return f"SQ{day.year}{AppealCounter.take(day.year):05d}"


@transaction.atomic
def file_appeal(
    principal,
    *,
    enterprise,
    kind: str,
    subject: str,
    text: str,
    contact_name: str,
    contact_phone: str,
    attachment=None,
    today: dt.date | None = None,
) -> Appeal:
    """An enterprise's HR file an appeal for their enterprise. The due date is the policy's
    working days for the kind, counted from today."""
    if principal.is_api_client or not holds(principal, FILE):
        raise NotAllowed(_("Only an enterprise's HR file appeals, for their own enterprise."))
    if enterprise is None or not selectors.filing_enterprises(principal).filter(pk=enterprise.pk).exists():
        raise DomainError(_("You file appeals only for your own enterprise."), field="enterprise")
    if kind not in Kind.values:
        raise DomainError(_("Choose the kind of appeal."), field="kind")
    subject = _text(subject, rules.SUBJECT_MAX, "subject", required=True)
    text = _text(text, rules.TEXT_MAX, "text", required=True, message=_("Describe the appeal."))
    contact_name = _text(contact_name, 50, "contact_name", required=True)
    contact_phone = _text(contact_phone, 30, "contact_phone", required=True)
    if (
        not all(c.isdigit() or c in "+- " for c in contact_phone)
        or sum(c.isdigit() for c in contact_phone) < 7
    ):
        raise DomainError(_("Give a phone number (digits, at least 7)."), field="contact_phone")
    today = today or timezone.localdate()
    due_on, period = rules.due_date(selectors.policies(), kind, today)
    appeal = Appeal(
        reference=_next_reference(today),
        enterprise=enterprise,
        town_id=enterprise.town_id,
        kind=kind,
        subject=subject,
        text=text,
        contact_name=contact_name,
        contact_phone=contact_phone,
        submitted_on=today,
        submitted_by=_user(principal),
        due_on=due_on,
        due_days=period.deadline.days,
        due_source=period.deadline.source,
    )
    if attachment:
        content_type, sha256, _size = check_upload(
            attachment, field="attachment", max_bytes=rules.ATTACHMENT_MAX_BYTES
        )
        attachment.name = f"{secrets.token_hex(12)}.{EXTENSIONS.get(content_type, 'bin')}"
        appeal.attachment = attachment
        appeal.attachment_type, appeal.attachment_sha256 = content_type, sha256
    appeal.save()
    AppealHistory.objects.create(
        subject=appeal,
        action="submit",
        from_status="",
        to_status=appeal.status,
        actor=_user(principal),
        actor_label=principal.label,
    )
    audit.record("appeals.submit", appeal, after=audit.snapshot(appeal))
    figures_changed(selectors.FIGURES_TOPIC)
    reference, subject_ = appeal.reference, appeal.subject
    notify(
        selectors.park_admin_users(),
        title=lambda: (
            _("New enterprise appeal %(ref)s: %(subject)s") % {"ref": reference, "subject": subject_}
        ),
        body=lambda: (
            _("Route it to the department that answers; the answer is due by %(date)s.") % {"date": due_on}
        ),
        link=reverse("appeals:detail", args=[appeal.pk]),
    )
    return appeal


def _department(value, field: str = "department") -> Department:
    if isinstance(value, Department):
        department = value
    else:
        department = Department.objects.filter(pk=value).first() if value else None
    if department is None or not department.is_active:
        raise DomainError(_("Choose an active answering department."), field=field)
    return department


def _tell_department(appeal):
    users = selectors.department_users(appeal.department)
    if not users:
        return
    reference, due = appeal.reference, appeal.due_on
    notify(
        users,
        title=lambda: (
            _("Appeal %(ref)s was routed to your department; answer by %(date)s")
            % {"ref": reference, "date": due}
        ),
        link=reverse("appeals:detail", args=[appeal.pk]),
    )


def route(principal, appeal: Appeal, *, department, reason: str = "") -> Appeal:
    """The park routes a submitted appeal (or, `reroute`, a routed one) to a department."""
    action = "reroute" if appeal.status == Appeal.Status.ROUTED else "route"
    WORKFLOW.check(appeal, action, principal)
    department = _department(department)
    if action == "reroute" and department.pk == appeal.department_id:
        raise DomainError(_("The appeal is already with this department."), field="department")
    with transaction.atomic():
        appeal = transition(
            appeal,
            WORKFLOW,
            action,
            principal,
            reason=reason,
            changes={"department": department, "routed_on": timezone.localdate()},
        )
        figures_changed(selectors.FIGURES_TOPIC)
        _tell_department(appeal)
    return appeal


def answer(principal, appeal: Appeal, *, text: str, answered_on: dt.date | None = None) -> Appeal:
    """The department's answer, recorded by the park (on its behalf) or a district system; the
    enterprise's HR are told."""
    WORKFLOW.check(appeal, "answer", principal)
    text = _text(text, rules.ANSWER_MAX, "answer", required=True, message=_("Write the answer."))
    today = timezone.localdate()
    answered_on = answered_on or today
    if answered_on > today:
        raise DomainError(_("The answer cannot be dated in the future."), field="answered_on")
    if answered_on < appeal.submitted_on:
        raise DomainError(_("The answer cannot be dated before the appeal was filed."), field="answered_on")
    with transaction.atomic():
        appeal = transition(
            appeal,
            WORKFLOW,
            "answer",
            principal,
            changes={
                "answer": text,
                "answered_on": answered_on,
                "answered_by": _user(principal),
                "answered_by_label": principal.label,
            },
        )
        figures_changed(selectors.FIGURES_TOPIC)
        reference = appeal.reference
        notify(
            selectors.hr_users(appeal.enterprise),
            title=lambda: _("Your appeal %(ref)s was answered") % {"ref": reference},
            body=lambda: str(gettext_lazy("Read the answer and say whether you are satisfied.")),
            link=reverse("appeals:detail", args=[appeal.pk]),
        )
    return appeal


def rate(principal, appeal: Appeal, *, satisfaction: str, comment: str = "") -> Appeal:
    """The enterprise's HR rate the answer; the appeal closes."""
    WORKFLOW.check(appeal, "rate", principal)
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Say whether you are satisfied with the answer."), field="satisfaction")
    comment = _text(
        comment,
        rules.COMMENT_MAX,
        "comment",
        required=satisfaction == Satisfaction.NOT_SATISFIED,
        message=_("Say why you are not satisfied."),
    )
    with transaction.atomic():
        appeal = transition(
            appeal,
            WORKFLOW,
            "rate",
            principal,
            changes={
                "satisfaction": satisfaction,
                "rating_comment": comment,
                "rated_on": timezone.localdate(),
            },
        )
        figures_changed(selectors.FIGURES_TOPIC)
        if satisfaction == Satisfaction.NOT_SATISFIED:
            reference = appeal.reference
            notify(
                selectors.park_admin_users(),
                title=lambda: (
                    _("The enterprise is not satisfied with the answer to appeal %(ref)s")
                    % {"ref": reference}
                ),
                link=reverse("appeals:detail", args=[appeal.pk]),
            )
    return appeal


def reopen(principal, appeal: Appeal, *, reason: str) -> Appeal:
    """The park reopens an unsatisfied appeal, once: back to its department with a new deadline
    from today; the first answer and rating are kept in `first_answer`."""
    WORKFLOW.check(appeal, "reopen", principal)
    today = timezone.localdate()
    due_on, period = rules.due_date(selectors.policies(), appeal.kind, today)
    first = {
        "answer": appeal.answer,
        "answered_on": appeal.answered_on.isoformat() if appeal.answered_on else None,
        "answered_by": appeal.answered_by_label,
        "due_on": appeal.due_on.isoformat(),
        "satisfaction": appeal.satisfaction,
        "comment": appeal.rating_comment,
    }
    with transaction.atomic():
        appeal = transition(
            appeal,
            WORKFLOW,
            "reopen",
            principal,
            reason=reason,
            changes={
                "reopened": True,
                "first_answer": first,
                "answer": "",
                "answered_on": None,
                "answered_by": None,
                "answered_by_label": "",
                "satisfaction": "",
                "rating_comment": "",
                "rated_on": None,
                "due_on": due_on,
                "due_days": period.deadline.days,
                "due_source": period.deadline.source,
                "overdue_notified_on": None,
            },
        )
        figures_changed(selectors.FIGURES_TOPIC)
        _tell_department(appeal)
    return appeal


def perform(principal, appeal: Appeal, action: str, **data) -> Appeal:
    """One entry for the pages and the API: the action with its fields."""
    if action in ("route", "reroute"):
        return route(principal, appeal, department=data.get("department"), reason=data.get("reason", ""))
    if action == "answer":
        return answer(principal, appeal, text=data.get("answer", ""), answered_on=data.get("answered_on"))
    if action == "rate":
        return rate(
            principal, appeal, satisfaction=data.get("satisfaction", ""), comment=data.get("comment", "")
        )
    if action == "reopen":
        return reopen(principal, appeal, reason=data.get("reason", ""))
    WORKFLOW.get(action)  # raises for an unknown action
    raise DomainError(_("Unknown action."))


def flag_overdue(today: dt.date | None = None) -> dict:
    """The daily job: tell the park (and the department's organisation) of each appeal past its
    due date, once per deadline (a reopening clears the flag). Idempotent."""
    today = today or timezone.localdate()
    flagged = 0
    admins = list(selectors.park_admin_users())
    rows = list(
        selectors.overdue(today)
        .filter(overdue_notified_on__isnull=True)
        .select_related("department", "enterprise")
        .order_by("due_on")
    )
    for appeal in rows:
        with transaction.atomic():
            if not Appeal.objects.filter(pk=appeal.pk, overdue_notified_on__isnull=True).update(
                overdue_notified_on=today
            ):
                continue
            audit.record("appeals.flag_overdue", appeal, after={"due_on": appeal.due_on.isoformat()})
            reference, due, name = appeal.reference, appeal.due_on, appeal.enterprise.name
            notify(
                admins + list(selectors.department_users(appeal.department)),
                title=lambda reference=reference, due=due, name=name: (
                    _("Appeal %(ref)s of %(enterprise)s was due by %(date)s and is not answered")
                    % {"ref": reference, "enterprise": name, "date": due}
                ),
                link=reverse("appeals:detail", args=[appeal.pk]),
            )
            flagged += 1
    return {"overdue": len(rows), "flagged": flagged}
