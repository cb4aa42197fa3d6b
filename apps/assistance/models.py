"""Worker assistance (issue 19; seed 002: "an information database for employees in difficulty ...
no omission and precise assistance"): the hardship file (困难职工档案) and the aid paid (帮扶).

- `PovertyThreshold` [POLICY]: the monthly income per head under which a household is in
  difficulty, per area, from a date (the park keeps it in the admin; a default by data migration).
- `HardshipFile`: one worker in difficulty, the enterprise and the union covering it, the kinds of
  difficulty, the household and its income, the assessment and the union's approval; a lifecycle
  (workflow.py) with history and audit; yearly review; exit (脱困) with reason and date.
- `Aid`: one payment of aid to a file (kind, amount, date, funding source, who approved).

Who sees what (`visible_to`): never an enterprise's HR, mediators or inspectors; union officials
the files of the enterprises `Enterprise.objects.visible_to` gives them as union officials; park
administrators everything; API clients their area.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.roles import Role
from apps.core.models import BaseModel, ScopedQuerySet, StatusHistory
from apps.core.personal_data import EncryptedCharField
from apps.core.principal import Principal
from apps.enterprises.models import Enterprise


class Difficulty(models.TextChoices):
    """Kinds of difficulty (全国总工会《关于加强困难职工帮扶工作的意见》; several may apply)."""

    ILLNESS = "illness", _("Serious illness")
    DISABILITY = "disability", _("Disability")
    SINGLE_PARENT = "single_parent", _("Single parent")
    DISASTER = "disaster", _("Disaster or accident")
    UNEMPLOYMENT = "unemployment", _("Unemployment in the family")
    OTHER = "other", pgettext_lazy("difficulty", "Other")


class AidKind(models.TextChoices):
    """The kinds of aid the park union pays (seed 002)."""

    SPRING_FESTIVAL = "spring_festival", _("Spring Festival visit")
    MEDICAL = "medical", _("Medical aid")
    EDUCATION = "education", _("Education aid")
    EMERGENCY = "emergency", _("Emergency aid")
    MUTUAL_MEDICAL = "mutual_medical", _("Mutual medical aid for workers")
    WOMEN_INSURANCE = "women_insurance", _("Women workers' special disease insurance")


class PovertyThreshold(BaseModel):
    """[POLICY] The monthly income per head at or under which a worker's household is in
    difficulty, from a date, for an area (none: the whole park). The newest row in effect on the
    assessment date, for the enterprise's town first, then the park's, applies."""

    effective_from = models.DateField(_("in effect from"))
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole park."),
    )
    monthly_income_per_head = models.DecimalField(
        _("monthly income per head (yuan)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("hardship threshold")
        verbose_name_plural = _("hardship thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from", "area"],
                condition=Q(area__isnull=False),
                name="uniq_threshold_date_area",
            ),
            models.UniqueConstraint(
                fields=["effective_from"], condition=Q(area__isnull=True), name="uniq_threshold_date_park"
            ),
        ]

    def __str__(self):
        return f"{self.effective_from} · {self.area or '—'} · {self.monthly_income_per_head}"


def union_principal(principal) -> Principal:
    """The same user with only their union-official memberships: what they see as a union
    official (an HR membership must never open the files of their enterprise's workers)."""
    return Principal(
        user=principal.user,
        memberships=tuple(m for m in principal.memberships if m[2] == Role.UNION_OFFICIAL),
    )


def visible_enterprises(principal):
    """The enterprises whose workers' files and aid the principal sees (a values("pk") subquery),
    or None for all of them."""
    if principal.sees_everything:
        return None
    if principal.is_api_client:
        return (
            Enterprise.objects.filter(town__in=principal.area_ids).values("pk")
            if principal.area_ids
            else None
        )
    if not principal.is_authenticated or not principal.organisation_ids(Role.UNION_OFFICIAL):
        return Enterprise.objects.none().values("pk")
    return Enterprise.objects.visible_to(union_principal(principal)).values("pk")


class HardshipFileQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators: all. API clients: their area (all without a restriction). Union
        officials: the files of the enterprises their union covers (a federation: its area and
        what its unions cover; `Enterprise.objects.visible_to`). Nobody else: never the
        enterprise's HR, nor mediators or inspectors."""
        enterprises = visible_enterprises(principal)
        return self if enterprises is None else self.filter(enterprise__in=enterprises)

    def open(self):
        return self.filter(status=HardshipFile.Status.APPROVED)


class HardshipFile(BaseModel):
    """The file of one worker in difficulty (困难职工档案)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ASSESSED = "assessed", _("Assessed")
        APPROVED = "approved", _("Approved (on file)")
        REJECTED = "rejected", _("Rejected")
        EXITED = "exited", _("Exited (out of difficulty)")

    name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    worker = models.ForeignKey(
        "contracts.Worker",
        verbose_name=_("worker in the contract library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hardship_files",
        editable=False,
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="hardship_files"
    )
    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("union"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hardship_files",
        editable=False,
    )
    #: Codes of `Difficulty` (several allowed).
    difficulties = models.JSONField(_("kinds of difficulty"), default=list)
    situation = models.TextField(_("situation"), blank=True)
    household_size = models.PositiveSmallIntegerField(
        _("household members"), validators=[MinValueValidator(1)]
    )
    household_monthly_income = models.DecimalField(
        _("household income a month (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    #: Worked out by `rules.income_per_head` whenever the household changes.
    income_per_head = models.DecimalField(
        _("income per head a month (yuan)"), max_digits=10, decimal_places=2, editable=False
    )
    #: The threshold and its source at the assessment (kept: the policy may change later).
    threshold = models.DecimalField(
        _("threshold (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True, editable=False
    )
    threshold_source = models.CharField(_("threshold source"), max_length=300, blank=True, editable=False)
    qualifies = models.BooleanField(_("under the threshold"), null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True, editable=False)
    assessor = models.CharField(_("assessor"), max_length=100, blank=True, editable=False)
    assessment_note = models.TextField(_("assessment"), blank=True, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True, editable=False)
    #: A year after the approval or the last review (`rules.review_due`).
    review_due = models.DateField(_("review due"), null=True, blank=True, editable=False)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True, editable=False)
    #: The `review_due` whose notice the union's officials were sent (the daily job tells them once
    #: per review cycle: a recorded review moves `review_due`, and the next cycle is told again).
    review_notified_for = models.DateField(null=True, blank=True, editable=False)
    exited_on = models.DateField(_("exited on"), null=True, blank=True, editable=False)
    exit_reason = models.CharField(_("exit reason"), max_length=300, blank=True, editable=False)
    #: Where the file came from when the union took it from the "no omission" list.
    origin = models.CharField(_("origin"), max_length=200, blank=True, editable=False)

    objects = HardshipFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        permissions = [
            ("assess_hardshipfile", _("Assess hardship files")),
            ("approve_hardshipfile", _("Approve, review and close hardship files")),
            ("view_full_id_number", _("See the ID numbers of workers in difficulty in full (audited)")),
            ("view_assistance_figures", _("See the assistance figures")),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="hardship_order"),
            models.Index(fields=["enterprise", "status"], name="hardship_ent_status"),
            models.Index(fields=["status", "-created_at", "-id"], name="hardship_status_order"),
            models.Index(fields=["review_due"], condition=Q(status="approved"), name="hardship_review_due"),
            models.Index(fields=["exited_on"], name="hardship_exited_on"),
            models.Index(fields=["updated_at", "id"], name="hardship_updated"),
        ]
        constraints = [
            # One open file per worker: a new one only once the earlier is rejected or exited.
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(status__in=["draft", "assessed", "approved"]),
                name="uniq_hardship_open_per_worker",
            ),
        ]

    def __str__(self):
        return self.name

    def get_difficulties_display(self) -> list[str]:
        labels = dict(Difficulty.choices)
        return [str(labels.get(code, code)) for code in self.difficulties]


class HardshipFileHistory(StatusHistory):
    subject = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("hardship file history")
        verbose_name_plural = _("hardship file history")


class AidQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """The aid of the files the principal sees (`HardshipFile.visible_to`)."""
        enterprises = visible_enterprises(principal)
        return self if enterprises is None else self.filter(file__enterprise__in=enterprises)


class Aid(BaseModel):
    """One payment of aid to a worker on file (帮扶)."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("hardship file"), on_delete=models.PROTECT, related_name="aid"
    )
    kind = models.CharField(_("kind of aid"), max_length=30, choices=AidKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField(_("paid on"))
    funding_source = models.CharField(_("funding source"), max_length=200)
    approved_by = models.CharField(_("approved by"), max_length=150)
    note = models.CharField(_("note"), max_length=300, blank=True)
    #: The Spring Festival campaign (or another bulk payment) it was paid in, e.g. "2026 春节送温暖".
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = AidQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-created_at", "-id"]
        verbose_name = _("aid payment")
        verbose_name_plural = _("aid payments")
        permissions = [("pay_aid", _("Record aid paid to workers on file"))]
        indexes = [
            models.Index(fields=["-paid_on", "-created_at", "-id"], name="aid_order"),
            models.Index(fields=["file", "-paid_on"], name="aid_file_paid"),
            models.Index(fields=["kind", "paid_on"], name="aid_kind_paid"),
            models.Index(fields=["updated_at", "id"], name="aid_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_amount_positive"),
            # A campaign pays each file once.
            models.UniqueConstraint(
                fields=["file", "kind", "campaign"], condition=~Q(campaign=""), name="uniq_aid_campaign_file"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.amount} · {self.paid_on}"
