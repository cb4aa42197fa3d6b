"""Certification and the title's life: certifying issues the numbered, dated certificate and
queues its PDF; annual reports keep it alive; revocation and veto events (一票否决) end it
(programme part 4 (3); domain guide §4, renewal)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import DomainError, InvalidTransition, NotAllowed, raise_fields
from apps.core.models import object_ref
from apps.core.principal import SYSTEM
from apps.documents.services import request_document
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import AnnualReport, Application, Certificate, Level, Round, RuleSet, VetoEvent
from ..workflow import CERTIFICATE_WORKFLOW, WORKFLOW, can_report_for, may_record_veto_event
from .common import lock, notify_hr, park_today, user_of


def _next_number(round: Round, rule_set: RuleSet, level: Level) -> str:
    Round.objects.select_for_update().filter(pk=round.pk).first()
    prefix = f"{rule_set.number_prefix}{round.year}-{level.code}-"
    used = Certificate.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    seq = max((int(n.rsplit("-", 1)[1]) for n in used if n.rsplit("-", 1)[1].isdigit()), default=0) + 1
    return f"{prefix}{seq:04d}"


@transaction.atomic
def certify(principal, application: Application) -> Certificate:
    """Name the enterprise at its proposed level and issue the certificate (programme part 4)."""
    app = transition(lock(application), WORKFLOW, "certify", principal)
    return issue_certificate(app, principal)


def issue_certificate(app: Application, principal, *, issued_on: dt.date | None = None) -> Certificate:
    rs = app.rule_set
    level = app.proposed_level or app.target_level
    issued_on = issued_on or park_today()
    valid_until = rules.valid_until(rs, issued_on)
    try:
        with transaction.atomic():
            cert = Certificate.objects.create(
                number=_next_number(app.round, rs, level),
                application=app,
                enterprise=app.enterprise,
                level=level,
                round=app.round,
                issuer=rs.issuer,
                issued_on=issued_on,
                valid_until=valid_until,
            )
    except IntegrityError as exc:  # pragma: no cover - the round lock makes this unreachable
        raise DomainError(_("The certificate could not be numbered; try again.")) from exc
    AnnualReport.objects.bulk_create(
        [
            AnnualReport(
                certificate=cert,
                year_no=n,
                due_on=rules.report_due_on(rs, issued_on, n),
            )
            for n in range(1, rs.validity_years)
        ]
    )
    audit.record("certification.issue_certificate", cert, after=audit.snapshot(cert))
    cert.document = request_certificate_pdf(cert, principal)
    cert.save(update_fields=["document", "updated_at"])
    notify_hr(
        app,
        lambda: (
            _("Your enterprise is certified at level %(level)s, certificate %(number)s")
            % {"level": level.code, "number": cert.number}
        ),
    )
    return cert


def request_certificate_pdf(cert: Certificate, principal):
    return request_document(
        kind="certificate",
        title=_("Certificate %(number)s") % {"number": cert.number},
        template_name="certification/pdf/certificate.html",
        context=selectors.certificate_pdf_context(cert),
        owner=cert,
        created_by=user_of(principal),
    )


@transaction.atomic
def submit_annual_report(
    principal, report: AnnualReport, *, employees: int, contracts_signed: int, disputes: int, content: str
) -> AnnualReport:
    rep = AnnualReport.objects.select_for_update().select_related("certificate__enterprise").get(pk=report.pk)
    cert = rep.certificate
    if not can_report_for(principal, cert):
        raise NotAllowed(_("Only the enterprise's HR may hand in its annual report."))
    if cert.status != Certificate.Status.VALID:
        raise InvalidTransition(_("The title is no longer valid."))
    if rep.submitted_at:
        raise InvalidTransition(_("This report has already been handed in."))
    errors: dict = {}
    if employees is None:
        errors["employees"] = [_("Enter the number of employees.")]
    if contracts_signed is not None and employees is not None and contracts_signed > employees:
        errors["contracts_signed"] = [_("More contracts in force than employees.")]
    if not (content or "").strip():
        errors["content"] = [_("Describe the year's labour-relations work.")]
    raise_fields(errors)
    before = audit.snapshot(rep)
    rep.employees = employees
    rep.contracts_signed = contracts_signed
    rep.disputes = disputes
    rep.content = content.strip()
    rep.submitted_at = timezone.now()
    rep.submitted_by = user_of(principal)
    rep.save()
    audit.record("certification.submit_annual_report", rep, before=before, after=audit.snapshot(rep))
    return rep


def end_title(
    principal, cert: Certificate, action: str, reason: str, *, on: dt.date | None = None
) -> Certificate:
    cert = transition(
        cert,
        CERTIFICATE_WORKFLOW,
        action,
        principal,
        reason=reason,
        changes={"ended_on": on or park_today(), "end_reason": reason},
    )
    notify(
        selectors.hr_users(cert.enterprise),
        title=(lambda: _("Your certificate %(number)s was revoked") % {"number": cert.number})
        if action == "revoke"
        else (lambda: _("Your certificate %(number)s has lapsed") % {"number": cert.number}),
        body=reason,
        link=reverse("certification:certificate", args=[cert.number]),
    )
    return cert


@transaction.atomic
def revoke(principal, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a title (a failed spot check, a veto event...); the verification page shows it at once."""
    return end_title(principal, certificate, "revoke", reason)


@transaction.atomic
def record_veto_event(
    principal,
    *,
    enterprise: Enterprise,
    kind: str,
    occurred_on: dt.date,
    source: str,
    note: str = "",
    origin: str = VetoEvent.Origin.MANUAL,
    ref=None,
) -> VetoEvent:
    """Record a veto event (一票否决). A valid title of the enterprise is revoked at once, the
    event being the reason; open applications are refused on submission, proposal and at the end
    of the notice while the event lies in its look-back window."""
    if not may_record_veto_event(principal):
        raise NotAllowed(_("Your role may not record veto events."))
    catalogue = selectors.veto_catalogue()
    errors: dict = {}
    if kind not in catalogue:
        errors["kind"] = [_("Choose a kind from the veto catalogue.")]
    if occurred_on is None:
        errors["occurred_on"] = [_("Enter the date of the event.")]
    elif occurred_on > park_today():
        errors["occurred_on"] = [_("The event cannot be in the future.")]
    if not (source or "").strip():
        errors["source"] = [_("Name the source: the authority's notice, decision or case number.")]
    raise_fields(errors)
    object_type, object_id = object_ref(ref)
    event = VetoEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        kind_name=catalogue[kind],
        occurred_on=occurred_on,
        source=source.strip()[:300],
        note=(note or "").strip(),
        origin=origin,
        object_type=object_type,
        object_id=object_id,
        recorded_by=user_of(principal),
    )
    audit.record("certification.record_veto_event", event, after=audit.snapshot(event))
    reason = _("Veto event “%(kind)s” on %(date)s (%(source)s).") % {
        "kind": event.kind_name,
        "date": occurred_on,
        "source": event.source,
    }
    # The revocation follows from the event, whoever recorded it (an inspector, a district system).
    actor = principal if principal.is_park_admin and not principal.is_system else SYSTEM
    for cert in Certificate.objects.filter(enterprise=enterprise, status=Certificate.Status.VALID):
        end_title(actor, cert, "revoke", reason)
    return event


@transaction.atomic
def note_veto_event(principal, event: VetoEvent, *, on: dt.date, note: str) -> VetoEvent:
    """Add a dated line to a veto event's note, e.g. when inspection removes the enterprise from
    the wage-arrears list the event came from (the event itself stays: it happened, and its
    look-back window still counts it). Who may: those who record veto events."""
    if not may_record_veto_event(principal):
        raise NotAllowed(_("Your role may not record veto events."))
    text = (note or "").strip()
    if not text:
        raise DomainError(_("Enter the note."), field="note")
    event = VetoEvent.objects.select_for_update().get(pk=event.pk)
    before = audit.snapshot(event)
    line = f"{on.isoformat()} {text}"
    event.note = f"{event.note}\n{line}" if event.note else line
    event.save(update_fields=["note", "updated_at"])
    audit.record("certification.note_veto_event", event, before=before, after=audit.snapshot(event))
    return event
