"""Labour-contract filing (domain guide §6; seed 003 三、(三)): the contract library (电子合同库), the
e-signing platform's evidence (乐签平台数据库) and, through selectors, the book per enterprise
(一户一册).

Law: 劳动合同法 arts. 10, 12, 14, 17, 19, 50, 68-72, 82 (rules.py); 电子劳动合同订立指引 (2021).
The checks live in `rules.py` (pure) and `services.py`; the lifecycle in `workflow.py`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.roles import Role
from apps.core.models import BaseModel, ScopedQuerySet, StatusHistory
from apps.core.personal_data import EncryptedCharField


class Kind(models.TextChoices):
    """Contract types (劳动合同法 art. 12), with part-time work (arts. 68-72)."""

    FIXED_TERM = "fixed_term", _("Fixed-term")
    OPEN_ENDED = "open_ended", _("Open-ended")
    TASK = "task", _("For the completion of a task")
    PART_TIME = "part_time", _("Part-time")


class HoursSystem(models.TextChoices):
    """Working-hour systems (劳动法 art. 39: other than the standard one with the labour
    department's approval)."""

    STANDARD = "standard", _("Standard working hours")
    COMPREHENSIVE = "comprehensive", _("Comprehensive calculation of working hours")
    FLEXIBLE = "flexible", _("Flexible working hours")


class ContractPolicy(BaseModel):
    """[POLICY] The local figures the checks use, by the date they take effect. The newest one in
    effect on a contract's start applies."""

    effective_from = models.DateField(_("in effect from"), unique=True)
    monthly_minimum_wage = models.DecimalField(
        _("monthly minimum wage (yuan)"), max_digits=8, decimal_places=2
    )
    hourly_minimum_wage = models.DecimalField(
        _("hourly minimum wage for part-time work (yuan)"), max_digits=6, decimal_places=2
    )
    termination_filing_days = models.PositiveSmallIntegerField(
        _("terminations filed within (working days)"), default=7
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("contract filing policy")
        verbose_name_plural = _("contract filing policies")

    def __str__(self):
        return f"{self.effective_from} · {self.monthly_minimum_wage}"


class WorkerQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators and API clients (within their area): all; enterprise HR: workers
        with a contract filed by their enterprise."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            if principal.area_ids:
                return self.filter(contracts__enterprise__town__in=principal.area_ids).distinct()
            return self
        hr_orgs = principal.organisation_ids(Role.ENTERPRISE_HR)
        if not hr_orgs:
            return self.none()
        return self.filter(contracts__enterprise__organisation_id__in=hr_orgs).distinct()


class Worker(BaseModel):
    """A worker, once across all employers: identified by the keyed hash of the ID number (PIPL
    art. 28: the number itself is encrypted and shown masked)."""

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [
            # The library's name search is a prefix search (surname first): LIKE 'x%' on PostgreSQL.
            models.Index(fields=["name"], name="worker_name_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name


class ContractQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators: all. API clients: their area (all without a restriction). Enterprise
        HR: their enterprise's contracts. Nobody else."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(enterprise__town__in=principal.area_ids) if principal.area_ids else self
        hr_orgs = principal.organisation_ids(Role.ENTERPRISE_HR)
        if not hr_orgs:
            return self.none()
        # The enterprises' ids first (one small query), so the contracts are read through the
        # (enterprise, order) index rather than joined to every enterprise of the park.
        own = list(
            self.model._meta.get_field("enterprise")
            .related_model.objects.filter(organisation_id__in=hr_orgs)
            .values_list("pk", flat=True)
        )
        return self.filter(enterprise_id__in=own)

    def in_force(self):
        return self.filter(status=LabourContract.Status.IN_FORCE)


class LabourContract(BaseModel):
    """One filed labour contract."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", pgettext_lazy("labour contract", "In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        RENEWED = "renewed", _("Renewed")

    class Signing(models.TextChoices):
        PAPER = "paper", _("On paper")
        E_SIGNATURE = "e_signature", _("E-signature")

    class Source(models.TextChoices):
        PAGE = "page", _("Filed on the page")
        IMPORT = "import", _("Imported from the signing platform")
        API = "api", _("Pushed through the API")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField(_("contract number"), max_length=60, blank=True)
    kind = models.CharField(_("contract type"), max_length=20, choices=Kind.choices)
    employment_start = models.DateField(_("employment started on"))
    start = models.DateField(_("contract starts on"))
    end = models.DateField(_("contract ends on"), null=True, blank=True, db_index=True)
    task = models.CharField(_("task"), max_length=300, blank=True)
    probation_end = models.DateField(_("probation ends on"), null=True, blank=True)
    job = models.CharField(_("job"), max_length=100)
    workplace = models.CharField(_("place of work"), max_length=200, blank=True)
    hours_system = models.CharField(
        _("working-hour system"), max_length=20, choices=HoursSystem.choices, default=HoursSystem.STANDARD
    )
    hours_approval = models.CharField(_("approval number for the working hours"), max_length=100, blank=True)
    monthly_pay = models.DecimalField(
        _("monthly pay (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    hourly_pay = models.DecimalField(
        _("hourly pay (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    weekly_hours = models.DecimalField(
        _("hours a week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    social_insurance = models.BooleanField(_("social insurance paid"), default=True)
    signed_on = models.DateField(_("signed on"))
    signing = models.CharField(
        _("signing method"), max_length=20, choices=Signing.choices, default=Signing.PAPER
    )
    #: The filing says this contract renews an earlier contract of the worker at the employer that
    #: is not filed (续订，前一份合同未备案: a first import without the earlier contracts). The
    #: one-month rule then counts from this contract's start, and the contract is marked
    #: "predecessor not filed" instead of "written late" (`rules._check_written_in_time`).
    renews_unfiled = models.BooleanField(_("renews an earlier contract that is not filed"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.IN_FORCE,
        editable=False,
        db_index=True,
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True, editable=False)
    termination_reason = models.CharField(_("termination reason"), max_length=300, blank=True, editable=False)
    termination_filed_on = models.DateField(_("termination filed on"), null=True, blank=True, editable=False)
    #: The last day to file the termination, decided when it is filed (`rules.termination_filing`:
    #: the policy's working days after `terminated_on`), so lists ask the database which filings
    #: were late instead of recomputing every deadline.
    termination_filing_due = models.DateField(
        _("termination to be filed by"), null=True, blank=True, editable=False
    )
    #: Codes of the rules.py findings flagged when filed (e.g. "probation_too_long").
    flags = models.JSONField(_("flags"), default=list, blank=True, editable=False)
    source = models.CharField(
        _("filed through"), max_length=10, choices=Source.choices, default=Source.PAGE, editable=False
    )
    filed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-created_at", "-id"]
        verbose_name = _("labour contract")
        verbose_name_plural = _("labour contracts")
        permissions = [
            ("file_contract", _("File labour contracts for the own enterprise")),
            ("import_contracts", _("Import filings from the e-signing platform")),
            ("view_contract_figures", _("See the park's contract figures")),
            ("view_full_id_number", _("See workers' ID numbers in full (audited)")),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["worker", "enterprise"]),
            # The library's order, park-wide, per enterprise and per status (keyset pages walk these).
            models.Index(fields=["-start", "-created_at", "-id"], name="contract_order"),
            models.Index(fields=["enterprise", "-start", "-created_at", "-id"], name="contract_ent_order"),
            models.Index(fields=["status", "-start", "-created_at", "-id"], name="contract_status_order"),
            # Contracts in force by their end: the expiring lists and the daily expiry job.
            models.Index(fields=["end"], condition=Q(status="in_force"), name="contract_in_force_end"),
            models.Index(
                fields=["enterprise", "end"], condition=Q(status="in_force"), name="contract_ent_in_force_end"
            ),
            # Incremental sync (issue 15): `updated_since` / `ordering=updated_at` park-wide and for an
            # area (the index walked, the enterprises' towns joined), and per enterprise (HR, `enterprise`).
            models.Index(fields=["updated_at", "id"], name="contract_updated"),
            models.Index(fields=["enterprise", "updated_at", "id"], name="contract_ent_updated"),
            # The cockpit's signing rate (issue 20): workers with a contract in force on a date, per
            # group of enterprises, read from the index alone (no visit to the table's rows).
            models.Index(
                fields=["enterprise", "start"],
                include=["worker", "end", "terminated_on"],
                name="contract_signed_count",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="contract_end_after_start"
            ),
        ]

    def __str__(self):
        return self.reference or f"{self.worker} · {self.start}"


class ContractHistory(StatusHistory):
    subject = models.ForeignKey(LabourContract, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("contract history")
        verbose_name_plural = _("contract history")


class ESignature(BaseModel):
    """The e-signing platform's evidence of one contract (电子劳动合同订立指引): the platform's
    record, each party's signing time, the trusted timestamp, and the signed file with its SHA-256.
    Idempotent filing: one record per (platform, record id)."""

    contract = models.OneToOneField(LabourContract, on_delete=models.CASCADE, related_name="esignature")
    platform = models.CharField(_("signing platform"), max_length=50)
    record_id = models.CharField(_("platform record id"), max_length=100)
    employer_signed_at = models.DateTimeField(_("employer signed at"))
    worker_signed_at = models.DateTimeField(_("worker signed at"))
    timestamp_authority = models.CharField(_("timestamp authority"), max_length=100, blank=True)
    timestamp_token = models.TextField(_("timestamp token"), blank=True)
    file = models.FileField(_("signed file"), upload_to="contracts/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64)
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True, editable=False)
    tampered = models.BooleanField(_("file altered"), default=False, editable=False)

    class Meta:
        verbose_name = _("e-signature record")
        verbose_name_plural = _("e-signature records")
        constraints = [
            models.UniqueConstraint(fields=["platform", "record_id"], name="uniq_esign_platform_record")
        ]
        # The contract list's `record_id` filter without `platform` (issue 15).
        indexes = [models.Index(fields=["record_id"], name="esignature_record")]

    def __str__(self):
        return f"{self.platform}:{self.record_id}"


class ImportJobQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators see every import; others the imports they started (API clients:
        theirs)."""
        if principal.is_park_admin:
            return self
        if principal.is_api_client:
            return self.filter(api_client=principal.api_client)
        if principal.user is None or not principal.user.is_authenticated:
            return self.none()
        return self.filter(created_by=principal.user)


class ImportJob(BaseModel):
    """One import of the signing platform's export, run in Celery with visible progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="contract-imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0, editable=False)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0, editable=False)
    created_count = models.PositiveIntegerField(_("filed"), default=0, editable=False)
    unchanged_count = models.PositiveIntegerField(_("already filed"), default=0, editable=False)
    #: Rows that repeated a filed contract with other terms, which were corrected (issue 15).
    updated_count = models.PositiveIntegerField(_("corrected"), default=0, editable=False)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0, editable=False)
    #: [{"row", "field", "reason"}], at most importing.REPORT_LIMIT entries.
    report = models.JSONField(_("report"), default=list, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    #: For enterprise HR: the only enterprise the rows may belong to.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contract import")
        verbose_name_plural = _("contract imports")

    def __str__(self):
        return self.file_name

    @property
    def progress(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class AlertLog(models.Model):
    """The daily alert to an enterprise's HR was sent (the job is idempotent per day)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("contract alert")
        verbose_name_plural = _("contract alerts")
        constraints = [models.UniqueConstraint(fields=["enterprise", "day"], name="uniq_contract_alert_day")]

    def __str__(self):
        return f"{self.enterprise_id} {self.day}"
