"""Enterprise appeals (企业诉求, issue 19 item 5): an enterprise's HR file an appeal, the park routes
it to the department that answers, the department's answer is recorded with who and when, then the
enterprise says whether it is satisfied.

[POLICY] tables kept in the admin: `Department` (who answers) and `AppealDeadline` (how many working
days an appeal of a kind may take, from the date it takes effect). Defaults by data migration."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, ScopedQuerySet, StatusHistory, YearCounter
from apps.core.principal import Role


class Kind(models.TextChoices):
    HIRING = "hiring", _("Hiring and employment")
    TRAINING = "training", _("Training")
    POLICY = "policy", _("Policy questions")
    DISPUTE = "dispute", _("Labour-dispute advice")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class Department(BaseModel):
    """[POLICY] A department that answers appeals (e.g. 区人社局就业科), optionally the platform
    organisation that answers for it (its members are told when an appeal is routed to it)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("answering organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeal_departments",
        help_text=_("Optional: the organisation on the platform whose members answer for the department."),
    )
    kinds = models.JSONField(
        _("usual kinds"),
        default=list,
        blank=True,
        help_text=_("Kinds of appeal this department usually answers (suggested when routing)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("answering department")
        verbose_name_plural = _("answering departments")

    def __str__(self):
        return self.name


class AppealDeadline(BaseModel):
    """[POLICY] The working days within which an appeal of a kind is answered, counted from the day
    it is filed (or reopened); the newest row in effect on that day applies."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    effective_from = models.DateField(_("in effect from"))
    working_days = models.PositiveSmallIntegerField(_("working days to answer"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], name="appeals_deadline_kind_from"),
            models.CheckConstraint(
                condition=Q(working_days__gte=1) & Q(working_days__lte=120), name="appeals_deadline_days"
            ),
        ]
        verbose_name = _("appeal deadline")
        verbose_name_plural = _("appeal deadlines")

    def __str__(self):
        return f"{self.get_kind_display()} {self.working_days} ({self.effective_from})"


class AppealQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators (and the platform's jobs): all. An enterprise's HR: their
        enterprise's appeals only. API clients with `appeals:read`: their area, or all without an
        area restriction. Union officials, mediators, inspectors: none."""
        if principal.is_park_admin:
            return self
        if principal.is_api_client:
            if not principal.has_scope("appeals:read"):
                return self.none()
            return self.filter(town__in=principal.area_ids) if principal.area_ids else self
        org_ids = principal.organisation_ids(Role.ENTERPRISE_HR)
        if not org_ids:
            return self.none()
        return self.filter(enterprise__organisation_id__in=org_ids)


def attachment_path(instance, filename):
    return f"appeals/{instance.submitted_on:%Y/%m}/{filename}"


class Appeal(BaseModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ROUTED = "routed", _("Routed")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed (rated)")

    OPEN = (Status.SUBMITTED, Status.ROUTED)

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    town = models.ForeignKey(
        "core.Area", verbose_name=_("town"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("appeal"))
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=120, blank=True)
    attachment_sha256 = models.CharField(_("attachment SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField(_("filed on"))
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("answer due by"))
    due_days = models.PositiveSmallIntegerField(_("working days to answer"))
    due_source = models.CharField(_("deadline source"), max_length=300, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("answering department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    routed_on = models.DateField(_("routed on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_by_label = models.CharField(_("answered by"), max_length=150, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    rating_comment = models.TextField(_("comment on the answer"), blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened"), default=False)
    #: The first answer and rating, kept when an unsatisfied appeal is reopened.
    first_answer = models.JSONField(_("first answer"), default=dict, blank=True)
    overdue_notified_on = models.DateField(_("overdue notified on"), null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["-submitted_on", "-id"], name="appeals_list_order"),
            models.Index(fields=["status", "due_on"], name="appeals_status_due"),
            models.Index(fields=["answered_on"], name="appeals_answered_on"),
            models.Index(fields=["kind", "status"], name="appeals_kind_status"),
            models.Index(fields=["updated_at", "id"], name="appeals_updated"),
        ]
        permissions = [
            ("file_appeal", "Can file an appeal for one's enterprise"),
            ("route_appeal", "Can route an appeal to a department"),
            ("answer_appeal", "Can record a department's answer"),
            ("rate_appeal", "Can rate the answer for one's enterprise"),
            ("reopen_appeal", "Can reopen an unsatisfied appeal"),
            ("view_appeal_figures", "Can see the appeal figures"),
        ]
        verbose_name = _("enterprise appeal")
        verbose_name_plural = _("enterprise appeals")

    def __str__(self):
        return f"{self.reference} {self.subject}"


class AppealHistory(StatusHistory):
    subject = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("appeal history entry")
        verbose_name_plural = _("appeal history")


class AppealCounter(YearCounter):
    """The last reference number given in a year (locked while the next one is taken)."""

    class Meta:
        verbose_name = _("appeal counter")
        verbose_name_plural = _("appeal counters")
