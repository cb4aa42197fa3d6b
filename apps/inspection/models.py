"""Labour inspection (劳动保障监察, domain guide §7): cases from every source, the workers
concerned, the confidential reporter, extensions, orders to rectify and the wage-arrears list.

Law: 劳动保障监察条例 arts. 9-21, 30; 关于实施《劳动保障监察条例》若干规定; 拖欠农民工工资失信
联合惩戒对象名单管理暂行办法 (人社部令第45号). The rules themselves live in `rules.py`; the
lifecycle and who may do what in `workflow.py`; the vocabulary (TextChoices) here.

The reporter of a report (举报人) is a model of its own so that scoping can hide it: its
`visible_to` answers only inspectors and park administrators holding the dedicated permission
(劳动保障监察条例 art. 9: the reporter's identity is kept confidential).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.roles import Role
from apps.core.models import Area, BaseModel, ScopedQuerySet, StatusHistory
from apps.core.personal_data import EncryptedCharField
from apps.enterprises.models import areas_of


class Source(models.TextChoices):
    """Where a case comes from (劳动保障监察条例 arts. 9, 14; domain guide §7)."""

    COMPLAINT = "complaint", _("Complaint by the worker concerned")
    REPORT = "report", _("Report")
    PATROL = "patrol", _("Routine patrol finding")
    WRITTEN_REVIEW = "written_review", _("Written review finding")
    CAMPAIGN = "campaign", _("Special campaign")
    REFERRAL = "referral", _("Referral (mediation, 12345 hotline, other departments)")


class Matter(models.TextChoices):
    """The matters a case concerns (several allowed)."""

    WAGE_ARREARS = "wage_arrears", _("Wage arrears")
    NO_WRITTEN_CONTRACT = "no_written_contract", _("No written labour contract")
    HOURS_OVERTIME = "hours_overtime", _("Working hours and overtime")
    REST_DAYS = "rest_days", _("Rest days and leave")
    SOCIAL_INSURANCE = "social_insurance", pgettext_lazy("inspection matter", "Social insurance")
    MINIMUM_WAGE = "minimum_wage", _("Minimum wage")
    CHILD_LABOUR = "child_labour", _("Child labour")
    FEMALE_UNDERAGE = "female_underage_protection", _("Protection of female and underage workers")
    OTHER = "other", _("Other matter")


class InspectionSerialCounter(models.Model):
    """The last serial number given per year; locked while a case is numbered."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("inspection serial counter")
        verbose_name_plural = _("inspection serial counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


def _in_area(principal):
    return Q(town__in=areas_of(principal, (Role.INSPECTOR,)))


class InspectionCaseQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators: every case. API clients: cases in their area (all without a
        restriction). Inspectors: the cases in their brigade's area. Enterprise HR: their
        enterprise's cases that carry an order to rectify. Union officials: the cases of the
        enterprises their union covers. Nobody else. (Reporters are a separate table with a
        narrower rule: `Reporter.objects.visible_to`.)"""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(town__in=principal.area_ids) if principal.area_ids else self
        if not principal.is_authenticated:
            return self.none()
        q = Q(pk__in=[])
        if principal.has_role(Role.INSPECTOR):
            q |= _in_area(principal)
        hr_orgs = principal.organisation_ids(Role.ENTERPRISE_HR)
        if hr_orgs:
            has_order = Exists(RectificationOrder.objects.filter(case=OuterRef("pk")))
            q |= Q(has_order, enterprise__organisation_id__in=hr_orgs)
        union_orgs = principal.organisation_ids(Role.UNION_OFFICIAL)
        if union_orgs:
            q |= Q(enterprise__union_coverage__union__organisation_id__in=union_orgs)
        return self.filter(q)


class InspectionCase(BaseModel):
    """A labour-inspection case, from receipt to archive."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("inspection case", "Received")
        ACCEPTED = "accepted", pgettext_lazy("inspection case", "Accepted")
        REFUSED = "refused", pgettext_lazy("inspection case", "Not accepted")
        INVESTIGATING = "investigating", _("Under investigation")
        DECIDED = "decided", pgettext_lazy("inspection case", "Decided")
        FOLLOW_UP = "follow_up", _("Follow-up check")
        CLOSED = "closed", pgettext_lazy("inspection case", "Closed")
        ARCHIVED = "archived", pgettext_lazy("inspection case", "Archived")

    class Decision(models.TextChoices):
        """劳动保障监察条例 art. 18: the outcomes of an investigation."""

        NO_VIOLATION = "no_violation", _("No violation found")
        ORDER_TO_RECTIFY = "order_to_rectify", _("Order to rectify")
        PENALTY_RECORDED = "penalty_recorded", _("Administrative penalty recorded")
        TRANSFERRED_TO_POLICE = "transferred_to_police", _("Transferred to the police")

    class RefusalBasis(models.TextChoices):
        """Why a complaint is not accepted (关于实施《劳动保障监察条例》若干规定 art. 17;
        劳动保障监察条例 art. 20; domain guide §7)."""

        NOT_LABOUR_MATTER = "not_labour_matter", _("Not a labour-inspection matter")
        OUTSIDE_AREA = "outside_area", _("Outside the park's jurisdiction")
        TIME_BARRED = "time_barred", _("The violation ended more than 2 years ago")
        IN_ARBITRATION_OR_COURT = "in_arbitration_or_court", _("Already in arbitration or court")
        OTHER = "other", _("Other reason")

    OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.INVESTIGATING, Status.DECIDED, Status.FOLLOW_UP)
    #: Statuses in which the 60-working-day investigation clock runs.
    CLOCK_RUNNING = (Status.ACCEPTED, Status.INVESTIGATING, Status.DECIDED, Status.FOLLOW_UP)

    serial = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
        editable=False,
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, db_index=True)
    source_reference = models.CharField(
        _("reference of the sender"),
        max_length=60,
        blank=True,
        help_text=_("E.g. the 12345 ticket or the mediation case number; one case per source and reference."),
    )

    # The employer: an enterprise of the registry, or one not yet registered that the park links later.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_cases",
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    employer_code = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    employer_address = models.CharField(_("employer's address"), max_length=200, blank=True)
    town = models.ForeignKey(
        Area,
        verbose_name=_("town / sub-district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    matters = models.JSONField(_("matters"), default=list, help_text=_("Codes of Matter."))
    facts = models.TextField(_("facts"), blank=True)
    amount_owed = models.DecimalField(_("amount owed (yuan)"), max_digits=14, decimal_places=2, default=0)
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"), max_digits=14, decimal_places=2, default=0
    )
    workers_count = models.PositiveIntegerField(_("workers concerned"), default=1)
    violation_ended_on = models.DateField(
        _("the violation ended on"),
        null=True,
        blank=True,
        help_text=_(
            "Starts the 2-year period after which a violation is not pursued (劳动保障监察条例 art. 20)."
        ),
    )

    # Clocks. Dates are in the park's time zone.
    received_on = models.DateField(_("received on"), db_index=True)
    decision_due_on = models.DateField(_("accept or refuse by"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    due_on = models.DateField(_("investigation deadline"), null=True, blank=True, db_index=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    follow_up_started_on = models.DateField(_("follow-up started on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)

    refusal_basis = models.CharField(
        _("ground for not accepting"), max_length=30, choices=RefusalBasis.choices, blank=True
    )
    decision = models.CharField(
        _("decision"), max_length=30, choices=Decision.choices, blank=True, db_index=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    inspector = models.ForeignKey(
        "accounts.User",
        verbose_name=_("inspector in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_cases",
    )
    mediation_case = models.ForeignKey(
        "mediation.Case",
        verbose_name=_("mediation case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_cases",
        editable=False,
    )
    decision_reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = InspectionCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-serial"]
        verbose_name = _("inspection case")
        verbose_name_plural = _("inspection cases")
        permissions = [
            ("register_case", _("Register inspection cases")),
            ("handle_case", _("Accept, investigate, decide and close inspection cases")),
            ("approve_extension", _("Approve the extension of an investigation")),
            ("view_reporter_identity", _("See who reported a case")),
            ("view_worker_identity", _("See the ID numbers and phones of the workers concerned")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~Q(source_reference=""),
                name="uniq_inspection_source_reference",
            ),
        ]
        indexes = [
            models.Index(
                fields=["decision_due_on", "-received_on", "-serial", "-id"], name="inspection_case_order"
            ),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["status", "decision_due_on"]),
        ]

    def __str__(self):
        return self.serial

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def matter_labels(self) -> list[str]:
        return [Matter(code).label for code in self.matters if code in Matter.values]


class CaseHistory(StatusHistory):
    subject = models.ForeignKey(InspectionCase, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("inspection case history")
        verbose_name_plural = _("inspection case history")


class Worker(BaseModel):
    """A worker concerned (the complainant of a complaint, or a worker the case is about). The ID
    number is sensitive personal data (PIPL art. 28): encrypted at rest, looked up by its keyed
    hash, masked on pages."""

    case = models.ForeignKey(InspectionCase, on_delete=models.CASCADE, related_name="workers")
    name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_complainant = models.BooleanField(_("complainant"), default=False)
    position = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["case", "position", "created_at"]
        verbose_name = _("worker concerned")
        verbose_name_plural = _("workers concerned")

    def __str__(self):
        return self.name


class ReporterQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Only those who handle reports: park administrators, and inspectors holding the
        permission for the cases of their area. Never enterprise HR, union officials or API
        clients (劳动保障监察条例 art. 9)."""
        if principal.is_park_admin:
            return self
        if (
            principal.is_api_client
            or not principal.is_authenticated
            or not principal.has_role(Role.INSPECTOR)
        ):
            return self.none()
        if not principal.user.has_perm("inspection.view_reporter_identity"):
            return self.none()
        return self.filter(case__in=InspectionCase.objects.filter(_in_area(principal)))


class Reporter(BaseModel):
    """Who reported a case (举报人). Confidential (劳动保障监察条例 art. 9): kept apart from the
    case so that every read goes through its own scoping, and every view is audited."""

    case = models.OneToOneField(InspectionCase, on_delete=models.CASCADE, related_name="reporter")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("full name"), max_length=50, blank=True)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact = models.CharField(_("other contact"), max_length=200, blank=True)

    objects = ReporterQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")

    def __str__(self):
        return str(_("Reporter of %(serial)s") % {"serial": self.case.serial})


class Extension(BaseModel):
    """The one extension of an investigation (劳动保障监察条例 art. 17: 30 working days, approved by
    the head of the department; here the park administrator)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(InspectionCase, on_delete=models.CASCADE, related_name="extensions")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, editable=False
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_on = models.DateField(_("requested on"))
    previous_due_on = models.DateField(_("previous investigation deadline"))
    new_due_on = models.DateField(_("new investigation deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="approved"), name="uniq_inspection_extension_approved"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="uniq_inspection_extension_requested"
            ),
        ]


class RectificationOrder(BaseModel):
    """An order to rectify (责令改正 / 限期整改, 劳动保障监察条例 art. 18): items, a deadline and a
    follow-up check with its result."""

    class Result(models.TextChoices):
        DONE = "done", _("Rectified")
        PARTLY = "partly", _("Partly rectified")
        NOT_DONE = "not_done", _("Not rectified")

    class Escalation(models.TextChoices):
        INTERVIEW = "interview_proposed", _("Interview proposed")
        PENALTY = "penalty_recorded", _("Penalty recorded")

    case = models.ForeignKey(InspectionCase, on_delete=models.CASCADE, related_name="orders")
    #: The items to rectify, each a short text.
    items = models.JSONField(_("items"), default=list)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("rectify by"), db_index=True)
    issued_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_on = models.DateField(_("follow-up check on"), null=True, blank=True)
    result = models.CharField(_("result of the check"), max_length=20, choices=Result.choices, blank=True)
    escalation = models.CharField(_("escalation"), max_length=30, choices=Escalation.choices, blank=True)
    check_note = models.TextField(_("note on the check"), blank=True)

    class Meta:
        ordering = ["issued_on", "created_at"]
        verbose_name = _("order to rectify")
        verbose_name_plural = _("orders to rectify")

    def __str__(self):
        return str(_("Order to rectify of %(serial)s") % {"serial": self.case.serial})


class WageArrearsListingQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """The list is published (人社部令第45号): every signed-in user and API client with the
        inspection scope reads it."""
        if principal.is_authenticated:
            return self
        return self.none()

    def listed(self):
        return self.filter(status=WageArrearsListing.Status.LISTED)


class WageArrearsListing(BaseModel):
    """An enterprise on the wage-arrears blacklist (拖欠农民工工资失信联合惩戒对象名单,
    人社部令第45号): listed on a decision, for 3 years, removed early on the conditions of
    `rules.early_removal_refusals`. Listing records a certification veto event; removal is
    recorded on it too."""

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")
        REMOVED = "removed", _("Removed")

    class Removal(models.TextChoices):
        EXPIRED = "expired", _("The term ended")
        EARLY = "early", _("Removed early")
        REVOKED = "revoked", _("Listing decision revoked")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="wage_arrears_listings",
    )
    case = models.ForeignKey(
        InspectionCase,
        verbose_name=_("inspection case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.LISTED,
        db_index=True,
        editable=False,
    )
    listed_on = models.DateField(_("listed on"))
    decision_reference = models.CharField(_("decision reference"), max_length=100)
    expires_on = models.DateField(_("listed until"), editable=False)
    arrears_paid_on = models.DateField(_("arrears paid on"), null=True, blank=True)
    pledge_received_on = models.DateField(_("written credit pledge received on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal = models.CharField(_("removal"), max_length=20, choices=Removal.choices, blank=True)
    removal_note = models.TextField(_("note on the removal"), blank=True)
    removal_approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    veto_event = models.ForeignKey(
        "certification.VetoEvent",
        verbose_name=_("veto event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    listed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = WageArrearsListingQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_on"]
        verbose_name = _("wage-arrears listing")
        verbose_name_plural = _("wage-arrears listings")
        permissions = [
            ("manage_wage_arrears_list", _("List and remove enterprises on the wage-arrears list"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(status="listed"), name="uniq_inspection_listing_current"
            ),
            models.UniqueConstraint(fields=["decision_reference"], name="uniq_inspection_listing_decision"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.listed_on}"
