"""The mediator's file on a case: sessions, re-employment referrals and documents.

Which status allows which work is the table in workflow.py (`check_work`); the page's buttons
read the same answers.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, raise_fields
from apps.core.uploads import check_upload

from .. import rules
from ..models import Applicant, Case, CaseDocument, Referral, Session
from ..selectors import FIGURES_TOPIC
from ..workflow import check_work
from ._common import _date, _lock, _require, _text, _today, _user


@transaction.atomic
def record_session(principal, case: Case, *, held_at, mode: str, attendees: str, notes: str = "") -> Session:
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "session")
    errors: dict = {}
    if not isinstance(held_at, dt.datetime):
        errors["held_at"] = [_("Enter the date and time of the session.")]
    else:
        if timezone.is_naive(held_at):
            held_at = timezone.make_aware(held_at)
        if held_at > timezone.now() + dt.timedelta(minutes=5):
            errors["held_at"] = [_("Record a session once it has taken place.")]
        elif timezone.localtime(held_at).date() < case.received_on:
            errors["held_at"] = [_("The session cannot predate the application.")]
    if mode not in Session.Mode.values:
        errors["mode"] = [_("Choose in person, video or phone.")]
    attendees = _text(attendees, 2000)
    if not attendees:
        errors["attendees"] = [_("List who attended.")]
    raise_fields(errors)
    session = Session.objects.create(
        case=case,
        held_at=held_at,
        mode=mode,
        attendees=attendees,
        notes=_text(notes, 8000),
        recorded_by=_user(principal),
    )
    audit.record("mediation.record_session", session, after=audit.snapshot(session))
    return session


#: A keyword left out: the value already recorded stays.
KEEP = object()


def _follow_up(follow_up_on, referred_on, errors: dict):
    """The follow-up date: optional, in the future allowed (it is when the mediator calls the
    worker or the provider again), never before the referral."""
    day = _date(follow_up_on, "follow_up_on", errors)
    if day and referred_on and day < referred_on:
        errors.setdefault("follow_up_on", []).append(_("The follow-up cannot predate the referral."))
    return day


@transaction.atomic
def add_referral(
    principal,
    case: Case,
    *,
    applicant: Applicant,
    kind: str,
    provider: str,
    referred_on,
    follow_up_on=None,
    follow_up_note: str = "",
    note: str = "",
) -> Referral:
    """Refer an applicant who lost the job in the dispute to an employment service (seed 003;
    就业促进法 arts. 35, 48, 50): the kind of service, its provider, the day, when to follow up.
    Everything wrong is reported per field and nothing is written."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "referral")
    errors: dict = {}
    if applicant is None or applicant.case_id != case.pk:
        errors["applicant"] = [_("Choose an applicant of this case.")]
    if kind not in Referral.Kind.values:
        errors["kind"] = [_("Choose the kind of employment service.")]
    provider = _text(provider, 200)
    if not provider:
        errors["provider"] = [_("Name the provider of the service.")]
    day = _date(referred_on, "referred_on", errors, required=True, not_after=_today())
    if day and day < case.received_on:
        errors.setdefault("referred_on", []).append(_("The referral cannot predate the application."))
    follow_up = _follow_up(follow_up_on, day, errors)
    raise_fields(errors)
    if not applicant.lost_job:
        applicant.lost_job = True
        applicant.save(update_fields=["lost_job", "updated_at"])
    referral = Referral.objects.create(
        case=case,
        applicant=applicant,
        kind=kind,
        provider=provider,
        referred_on=day,
        follow_up_on=follow_up,
        follow_up_note=_text(follow_up_note, 300),
        note=_text(note, 300),
    )
    audit.record("mediation.add_referral", referral, after=audit.snapshot(referral))
    figures_changed(FIGURES_TOPIC)
    return referral


@transaction.atomic
def record_referral_result(
    principal,
    referral: Referral,
    *,
    result: str,
    result_on=None,
    follow_up_on=KEEP,
    follow_up_note: str | None = None,
    note: str = "",
) -> Referral:
    """The follow-up and the outcome of a referral (found a job, entered training...): the
    outcome's date is required once there is an outcome; the follow-up date may be moved."""
    _require(principal, "mediation.mediate_case", referral.case)
    check_work(_lock(referral.case), "referral")
    errors: dict = {}
    if result not in Referral.Result.values:
        errors["result"] = [_("Choose the outcome.")]
    day = _date(
        result_on, "result_on", errors, required=result != Referral.Result.PENDING, not_after=_today()
    )
    if day and day < referral.referred_on:
        errors.setdefault("result_on", []).append(_("The outcome cannot predate the referral."))
    if follow_up_on is KEEP:
        follow_up = referral.follow_up_on
    else:
        follow_up = _follow_up(follow_up_on, referral.referred_on, errors)
    raise_fields(errors)
    before = audit.snapshot(referral)
    referral.result, referral.result_on = result, day
    referral.follow_up_on = follow_up
    if follow_up_note is not None:
        referral.follow_up_note = _text(follow_up_note, 300)
    referral.note = _text(note, 300) or referral.note
    referral.save()
    audit.record("mediation.record_referral_result", referral, before=before, after=audit.snapshot(referral))
    figures_changed(FIGURES_TOPIC)
    return referral


@transaction.atomic
def add_document(principal, case: Case, *, uploaded, title: str) -> CaseDocument:
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "document")
    title = _text(title, 200)
    if not title:
        raise DomainError(_("Give the document a title."), field="title")
    content_type, sha256, size = check_upload(uploaded, max_bytes=rules.DOCUMENT_MAX_BYTES)
    doc = CaseDocument(
        case=case,
        title=title,
        content_type=content_type,
        sha256=sha256,
        size=size,
        uploaded_by=_user(principal),
    )
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(content_type, "bin")
    uploaded.name = f"{secrets.token_hex(12)}.{extension}"
    doc.file = uploaded
    doc.save()
    audit.record("mediation.add_document", doc, after=audit.snapshot(doc))
    return doc
