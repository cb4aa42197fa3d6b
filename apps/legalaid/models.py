"""Legal aid (法律援助) of the union for workers (issue 19 item 3).

A worker asks the union for legal aid, online without an account (the public form: consent,
serial number and access code shown once, a tracking page) or at the counter (a union official
registers it). The union that handles it is the enterprise's covering union, else the town's or
the park's federation (`selectors.handling_union`). The union decides (accept, or refuse with a
reason) within the policy's deadline (`LegalAidPolicy`, [POLICY] data from a date), assigns a
lawyer or volunteer, links the mediation case it supports (or an arbitration / court case
reference), and closes it with an outcome.

The worker's ID number is sensitive personal data (PIPL art. 28): it is kept on `Applicant`, apart
from the request, so the request's history and audit snapshots never carry it; encrypted at rest,
looked up by its keyed hash, masked on pages.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.core.models import BaseModel, ScopedQuerySet, StatusHistory, YearCounter
from apps.core.personal_data import EncryptedCharField
from apps.enterprises.models import areas_of

READ_SCOPE, WRITE_SCOPE = "legalaid:read", "legalaid:write"


class AidKind(models.TextChoices):
    ADVICE = "advice", _("Legal advice")
    MEDIATION = "mediation", _("Representation in mediation")
    ARBITRATION = "arbitration", _("Representation in arbitration")
    LITIGATION = "litigation", _("Representation in litigation")
    DOCUMENTS = "documents", _("Drafting documents")


class LegalAidPolicy(BaseModel):
    """[POLICY] The union's legal-aid deadlines, by the date they take effect (the newest in effect
    on the day a request is received applies; kept in the admin, every change audited). The
    defaults are the platform's (5 working days to decide, 90 days to close), not law."""

    effective_from = models.DateField(_("in effect from"), unique=True)
    decision_days = models.PositiveSmallIntegerField(_("working days to decide"), default=5)
    close_days = models.PositiveSmallIntegerField(
        _("days to close after acceptance"),
        default=90,
        help_text=_("Calendar days; a last day on a holiday or rest day moves to the next working day."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("legal-aid policy")
        verbose_name_plural = _("legal-aid policies")

    def __str__(self):
        return f"{self.effective_from}: {self.decision_days} / {self.close_days}"


class LawyerQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        if principal.sees_everything or principal.is_api_client:
            return self
        if not principal.is_authenticated:
            return self.none()
        own = principal.organisation_ids(Role.UNION_OFFICIAL)
        return self.filter(
            Q(union__isnull=True)
            | Q(union__organisation_id__in=own)
            | Q(union__parent__organisation_id__in=own)
        )

    def active(self):
        return self.filter(is_active=True)


class Lawyer(BaseModel):
    """A lawyer or volunteer who gives the union's legal aid; of one union, or of the whole park
    (no union). Kept in the admin."""

    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        VOLUNTEER = "volunteer", _("Volunteer")

    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_aid_lawyers",
        help_text=_("Empty: available to every union of the park."),
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LAWYER)
    firm = models.CharField(_("law firm or organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = LawyerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal-aid lawyer or volunteer")
        verbose_name_plural = _("legal-aid lawyers and volunteers")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class SerialCounter(YearCounter):
    """The last serial number given per year; locked while a request is numbered."""

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")


class RequestQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators (and the platform): all. API clients: their area, or all. Union
        officials: the requests their union handles, those of the unions below it (a federation),
        and a federation's area. Enterprise HR, mediators and inspectors: nothing, ever (the
        worker's request for help against their employer is not the employer's to read)."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(town__in=principal.area_ids) if principal.area_ids else self
        if not principal.is_authenticated:
            return self.none()
        own = principal.organisation_ids(Role.UNION_OFFICIAL)
        if not own:
            return self.none()
        q = Q(union__organisation_id__in=own) | Q(union__parent__organisation_id__in=own)
        q |= Q(town__in=areas_of(principal, (Role.UNION_OFFICIAL,)))
        return self.filter(q)

    def handled_by(self, principal):
        """The requests the principal acts on: the handling union's officials (and park
        administrators, the platform, API clients within `visible_to`)."""
        if principal.is_system or principal.sees_everything or principal.is_api_client:
            return self.visible_to(principal)
        return self.filter(union__organisation_id__in=principal.organisation_ids(Role.UNION_OFFICIAL))


class LegalAidRequest(BaseModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online (public form)")
        COUNTER = "counter", _("At the counter")

    class Outcome(models.TextChoices):
        WON = "won", _("Won")
        SETTLED = "settled", _("Settled")
        MEDIATED = "mediated", _("Mediation agreement")
        LOST = "lost", _("Lost")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OTHER = "other", _("Other")

    OPEN = (Status.RECEIVED, Status.ACCEPTED)

    serial = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    access_code_hash = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    # The employer: an enterprise of the registry, or a free name.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_aid_requests",
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    town = models.ForeignKey(
        "core.Area",
        verbose_name=_("town / sub-district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    facts = models.TextField(_("what happened"))
    claims = models.TextField(_("what is asked"))
    kind = models.CharField(_("kind of help"), max_length=20, choices=AidKind.choices, db_index=True)
    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("handling union"),
        on_delete=models.PROTECT,
        related_name="legal_aid_requests",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, editable=False
    )
    decision_due_on = models.DateField(_("decision due on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    due_on = models.DateField(_("to be closed by"), null=True, blank=True)
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer or volunteer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    mediation_case = models.ForeignKey(
        "mediation.Case",
        verbose_name=_("mediation case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_aid_requests",
    )
    case_reference = models.CharField(_("arbitration or court case number"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    #: When the worker agreed to the processing of their personal data (PIPL art. 13/14).
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True, editable=False)
    #: A notice of an overdue decision was sent on this day (the daily job sends one per request).
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-serial"]
        indexes = [
            models.Index(fields=["status", "decision_due_on"], name="legalaid_status_due"),
            models.Index(fields=["union", "-received_on", "-serial"], name="legalaid_union_newest"),
            models.Index(fields=["enterprise", "-received_on"], name="legalaid_enterprise_newest"),
            models.Index(fields=["updated_at", "id"], name="legalaid_updated"),
            models.Index(fields=["received_on"], name="legalaid_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="legalaid_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="legalaid_closed_has_outcome"
            ),
        ]
        permissions = [
            ("register_request", "Can register legal-aid requests"),
            ("decide_request", "Can decide on legal-aid requests"),
            ("handle_request", "Can handle legal-aid requests (lawyer, case, outcome)"),
            ("view_worker_identity", "Can see the worker's ID number on legal-aid requests"),
            ("view_legalaid_figures", "Can see legal-aid figures"),
        ]
        verbose_name = _("legal-aid request")
        verbose_name_plural = _("legal-aid requests")

    def __str__(self):
        return self.serial

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class RequestHistory(StatusHistory):
    subject = models.ForeignKey(LegalAidRequest, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("legal-aid request history")
        verbose_name_plural = _("legal-aid request history")


class Applicant(BaseModel):
    """The worker who asks for legal aid (one per request)."""

    request = models.OneToOneField(LegalAidRequest, on_delete=models.CASCADE, related_name="applicant")
    name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30)

    class Meta:
        verbose_name = _("worker asking for legal aid")
        verbose_name_plural = _("workers asking for legal aid")

    def __str__(self):
        return self.name
