"""The public notice (公示) and objections (programme part 4 (3)): proposed applications are
noticed to the public for the rule set's length; anyone may object while it runs; an upheld
objection rejects the application, an open one holds up its certification."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core import personal_data
from apps.core.errors import DomainError, InvalidTransition, NotAllowed, raise_fields
from apps.documents.services import request_document
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import Application, Objection, PublicNotice, Round
from ..workflow import WORKFLOW, may_publish_notice, may_resolve_objections
from .applications import reject
from .common import notify_hr, park_today, user_of

S = Application.Status


@transaction.atomic
def publish_notice(
    principal, *, round: Round, applications, title: str = "", starts_on: dt.date | None = None
) -> PublicNotice:
    """Publish proposed applications of one round in a public notice (programme part 4 (3))."""
    if not may_publish_notice(principal):
        raise NotAllowed(_("Your role may not publish public notices."))
    today = park_today()
    starts_on = starts_on or today
    errors: dict = {}
    if starts_on < today:
        errors["starts_on"] = [_("A notice cannot start in the past.")]
    apps = list(Application.objects.select_for_update().filter(pk__in=[a.pk for a in applications]))
    if not apps:
        errors["applications"] = [_("Choose at least one proposed application.")]
    for app in apps:
        if app.round_id != round.pk:
            errors.setdefault("applications", []).append(
                _("%(name)s belongs to another round.") % {"name": app.enterprise.name}
            )
        elif app.status != S.PROPOSED:
            errors.setdefault("applications", []).append(
                _("%(name)s is not proposed for certification.") % {"name": app.enterprise.name}
            )
    raise_fields(errors)
    ends_on, estimated = rules.notice_period(round.rule_set, starts_on)
    notice = PublicNotice.objects.create(
        round=round,
        title=(title or "").strip()[:200]
        or _("Public notice of enterprises proposed for the %(round)s harmony certification")
        % {"round": round.name},
        starts_on=starts_on,
        ends_on=ends_on,
        estimated=estimated,
        published_by=user_of(principal),
    )
    audit.record("certification.publish_notice", notice, after=audit.snapshot(notice))
    for app in apps:
        app = transition(app, WORKFLOW, "publish", principal, changes={"notice": notice})
        notify_hr(
            app,
            lambda: _("Your enterprise is in the public notice until %(date)s") % {"date": ends_on},
        )
    notice.document = request_notice_pdf(notice, principal)
    notice.save(update_fields=["document", "updated_at"])
    return notice


def request_notice_pdf(notice: PublicNotice, principal):
    return request_document(
        kind="certification_notice",
        title=notice.title,
        template_name="certification/pdf/notice.html",
        context=selectors.notice_pdf_context(notice),
        owner=notice,
        created_by=user_of(principal),
    )


@transaction.atomic
def file_objection(
    application: Application, *, name: str, phone: str, content: str, email: str = ""
) -> Objection:
    """Anyone may object while the notice runs; contact details are required so the office can
    follow up (programme part 4 (3): 接受社会监督)."""
    # Lock the application row only: PostgreSQL refuses FOR UPDATE on the nullable (outer-joined) notice.
    app = (
        Application.objects.select_for_update(of=("self",))
        .select_related("notice", "enterprise")
        .get(pk=application.pk)
    )
    today = park_today()
    errors: dict = {}
    if app.status != S.IN_NOTICE or app.notice is None or not app.notice.is_running(today):
        raise InvalidTransition(_("Objections are accepted only while the public notice runs."))
    name = (name or "").strip()
    phone, phone_problem = personal_data.check_phone(phone)
    content = (content or "").strip()
    if not name:
        errors["name"] = [_("Enter your name.")]
    if phone_problem or not phone:
        errors["phone"] = [
            phone_problem or _("Enter a mobile number (11 digits) or a landline with its area code.")
        ]
    if len(content) < 10:
        errors["content"] = [_("Describe the objection in at least 10 characters.")]
    raise_fields(errors)
    objection = Objection.objects.create(
        application=app,
        name=name[:50],
        phone=phone[:30],
        email=(email or "").strip()[:254],
        content=content[:4000],
    )
    audit.record("certification.file_objection", objection, after={"application": str(app.pk)})
    enterprise = app.enterprise.name
    notify(
        selectors.reviewer_users(),
        title=lambda: _("Objection filed against %(name)s") % {"name": enterprise},
        body=content[:300],
        link=reverse("certification:detail", args=[app.pk]),
    )
    return objection


@transaction.atomic
def resolve_objection(principal, objection: Objection, *, uphold: bool, reason: str) -> Objection:
    """Uphold (the application is rejected) or dismiss an objection, with reasons."""
    if not may_resolve_objections(principal):
        raise NotAllowed(_("Your role may not resolve objections."))
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    reason = (reason or "").strip()
    if obj.status != Objection.Status.OPEN:
        raise InvalidTransition(_("This objection has already been resolved."))
    if not reason:
        raise DomainError(_("Give the reasons for the decision."), field="reason")
    before = audit.snapshot(obj)
    obj.status = Objection.Status.UPHELD if uphold else Objection.Status.DISMISSED
    obj.resolution = reason
    obj.resolved_by = user_of(principal)
    obj.resolved_at = timezone.now()
    obj.save()
    audit.record("certification.resolve_objection", obj, before=before, after=audit.snapshot(obj))
    if uphold:
        reject(principal, obj.application, _("Objection upheld: %(reason)s") % {"reason": reason})
    else:
        notify_hr(obj.application, lambda: _("An objection to your certification was dismissed"))
    return obj
