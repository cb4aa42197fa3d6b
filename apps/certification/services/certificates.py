"""Certification and the title's life: certifying issues the numbered, dated certificate and
queues its PDF; annual reports keep it alive; revocation ends it (programme part 4 (3); domain
guide §4, renewal). Veto events, which revoke titles too, are in vetoes.py."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import DomainError, InvalidTransition, NotAllowed, raise_fields
from apps.documents.services import request_document
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import AnnualReport, Application, Certificate, Level, Round, RuleSet
from ..workflow import CERTIFICATE_WORKFLOW, WORKFLOW, can_report_for
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
