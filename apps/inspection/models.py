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
from apps.core.models import Area, BaseModel, ScopedQuerySet, StatusHistory, YearCounter
from apps.core.personal_data import EncryptedCharField
from apps.enterprises.models import areas_of


class Source(models.TextChoices):
    """Where a case comes from (劳动保障监察条例 arts. 9, 14; domain guide §7)."""

    COMPLAINT = "complaint", _("Complaint by the worker concerned")
    REPORT = "report", pgettext_lazy("inspection source", "Report")
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


class InspectionSerialCounter(YearCounter):
    """The last serial number given per year; locked while a case is numbered."""

    class Meta:
        verbose_name = _("inspection serial counter")
        verbose_name_plural = _("inspection serial counters")


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
        """Why a complaint is not accepted (关于实施《劳动保障监察条例》若干规定 art. 18;
        劳动保障监察条例 art. 20; domain guide §7)."""

        NOT_LABOUR_MATTER = "not_labour_matter", _("Not a labour-inspection matter")
        OUTSIDE_AREA = "outside_area", _("Outside the park's jurisdiction")
        TIME_BARRED = "time_barred", _("The violation ended more than 2 years ago")
        IN_ARBITRATION_OR_COURT = "in_arbitration_or_court", _("Already in arbitration or court")
        OTHER = "other", _("Other reason")

    OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.INVESTIGATING, Status.DECIDED, Status.FOLLOW_UP)
    #: Statuses in which the 60-working-day investigation clock runs.
    CLOCK_RUNNING = (Status.ACCEPTED, Status.INVESTIGATING, Status.DECIDED, Status.FOLLOW_UP)

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, without an account")
        COUNTER = "counter", _("At the counter or by phone")
        PLATFORM = "platform", _("Recorded on the platform")
        API = "api", _("Sent by another system")

    serial = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    #: Keyed hash of the access code given to an online complainant for the tracking page.
    access_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
        editable=False,
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, db_index=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PLATFORM, editable=False
    )
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
            "Starts the 2-year period after which a violation is not pursued (Regulations on Labour "
            "Security Supervision art. 20)."
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
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="inspection_case_updated"),
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


class OrderQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Whoever sees the case sees its orders (enterprise HR: their own enterprise's)."""
        return self.filter(case__in=InspectionCase.objects.visible_to(principal))


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
    reference = models.CharField(_("document number"), max_length=40, blank=True, db_index=True)
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

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["issued_on", "created_at"]
        verbose_name = _("order to rectify")
        verbose_name_plural = _("orders to rectify")
        indexes = [
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="inspection_order_updated"),
        ]

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


def _through_enterprise(queryset, principal, *, hr: bool = True, union: bool = True):
    """The rows of the enterprises a principal works on in inspection: park administrators all;
    API clients their area (all without one); inspectors their brigade's area; enterprise HR
    their own enterprise (when `hr`); union officials the enterprises their union covers (when
    `union`). Nobody else."""
    if principal.sees_everything:
        return queryset
    if principal.is_api_client:
        return queryset.filter(enterprise__town__in=principal.area_ids) if principal.area_ids else queryset
    if not principal.is_authenticated:
        return queryset.none()
    q = Q(pk__in=[])
    if principal.has_role(Role.INSPECTOR):
        q |= Q(enterprise__town__in=areas_of(principal, (Role.INSPECTOR,)))
    if hr:
        hr_orgs = principal.organisation_ids(Role.ENTERPRISE_HR)
        if hr_orgs:
            q |= Q(enterprise__organisation_id__in=hr_orgs)
    if union:
        union_orgs = principal.organisation_ids(Role.UNION_OFFICIAL)
        if union_orgs:
            q |= Q(enterprise__union_coverage__union__organisation_id__in=union_orgs)
    return queryset.filter(q)


def default_checklist() -> list[dict]:
    """The patrol checklist of domain guide §7 (劳动保障监察条例 art. 11: the matters inspected)."""
    return [
        {"code": "contracts", "label": "劳动合同订立"},
        {"code": "wages_on_time", "label": "工资按时足额支付"},
        {"code": "minimum_wage", "label": "最低工资标准执行"},
        {"code": "hours_overtime", "label": "工作时间和加班"},
        {"code": "rest_days", "label": "休息休假"},
        {"code": "social_insurance", "label": "社会保险参保缴费"},
        {"code": "child_labour", "label": "禁止使用童工"},
        {"code": "female_underage", "label": "女职工和未成年工特殊保护"},
    ]


def default_credit_rule() -> dict:
    return {
        "grades": [
            [
                "C",
                [
                    "penalty_recorded",
                    "transferred_to_police",
                    "wage_arrears_listed",
                    "serious_violation_published",
                    "order_not_rectified",
                ],
            ],
            ["B", ["order_to_rectify"]],
        ],
        "default": "A",
    }


class InspectionPolicy(BaseModel):
    """[POLICY] The park's inspection policy, by the date it takes effect (the newest in effect on
    a day applies; every change is audited by the admin): the interview triggers (domain guide §7),
    the patrol checklist and frequencies, the written review's due day and the credit-grade rule
    (企业劳动保障守法诚信等级评价办法). Defaults are those of the domain guide."""

    effective_from = models.DateField(_("in effect from"), unique=True)
    # Interview triggers (约谈); a trigger with 0 is switched off.
    trigger_arrears_complaints = models.PositiveSmallIntegerField(
        _("wage-arrears complaints that trigger an interview"), default=3
    )
    trigger_arrears_months = models.PositiveSmallIntegerField(
        _("... counted over the last (months)"), default=12
    )
    trigger_arrears_amount = models.DecimalField(
        _("arrears on open cases that trigger an interview (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=500000,
    )
    trigger_workers = models.PositiveIntegerField(
        _("workers concerned on open cases that trigger an interview"), default=20
    )
    trigger_collective_dispute = models.BooleanField(
        _("a collective dispute triggers an interview"), default=True
    )
    trigger_order_ignored = models.BooleanField(
        _("an order to rectify not carried out triggers an interview"), default=True
    )
    # Patrols.
    checklist = models.JSONField(
        _("patrol checklist"),
        default=default_checklist,
        help_text=_('A list of {"code": ..., "label": ...}; codes are kept on the findings.'),
    )
    patrol_interval_days = models.PositiveSmallIntegerField(
        _("days between patrols of an enterprise"), default=365
    )
    patrol_interval_days_high_risk = models.PositiveSmallIntegerField(
        _("days between patrols of a C-grade or watch-list enterprise"), default=90
    )
    # Written review (书面审查).
    written_review_due_month = models.PositiveSmallIntegerField(
        _("written reviews of a year are due in month (of the next year)"), default=5
    )
    written_review_due_day = models.PositiveSmallIntegerField(_("... on day"), default=31)
    # Credit grade.
    credit_rule = models.JSONField(
        _("credit-grade rule"),
        default=default_credit_rule,
        help_text=_(
            'The first grade whose facts the year shows: {"grades": [["C", [facts]], ["B", [facts]]], '
            '"default": "A"}.'
        ),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("inspection policy")
        verbose_name_plural = _("inspection policies")

    def __str__(self):
        return str(self.effective_from)


class InterviewQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Inspectors (their area), park administrators, the enterprise's HR and the union
        officials covering it."""
        return _through_enterprise(self, principal)

    def open(self):
        return self.filter(status__in=Interview.OPEN)


class Interview(BaseModel):
    """An interview (约谈) of an enterprise's legal representative, proposed by the daily job when
    a trigger of the policy fires (domain guide §7) or by an inspector; then the notice, the record
    (attendees, commitments, a rectification deadline) and the follow-up."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        NOTIFIED = "notified", _("Notice sent")
        HELD = "held", _("Held")
        CLOSED = "closed", pgettext_lazy("interview", "Closed")
        DISMISSED = "dismissed", _("Not pursued")

    class Trigger(models.TextChoices):
        ARREARS_COMPLAINTS = "arrears_complaints", _("Repeated wage-arrears complaints")
        ARREARS_AMOUNT = "arrears_amount", _("Large wage arrears")
        WORKERS = "workers", _("Many workers concerned")
        COLLECTIVE_DISPUTE = "collective_dispute", _("Collective dispute")
        ORDER_IGNORED = "order_ignored", _("Order to rectify not carried out")
        INSPECTOR = "inspector", _("Proposed by an inspector")

    OPEN = (Status.PROPOSED, Status.NOTIFIED, Status.HELD)

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="inspection_interviews",
    )
    case = models.ForeignKey(
        InspectionCase,
        verbose_name=_("inspection case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interviews",
    )
    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=_("order to rectify"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interviews",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
        editable=False,
    )
    #: What fired: [{"code": Trigger, "facts": "...", "records": [{"type", "id", "label"}]}].
    triggers = models.JSONField(_("triggers"), default=list, editable=False)
    proposed_on = models.DateField(_("proposed on"))
    proposed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    policy = models.ForeignKey(
        InspectionPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The notice.
    scheduled_at = models.DateTimeField(_("interview on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    notified_on = models.DateField(_("notice sent on"), null=True, blank=True)
    reference = models.CharField(_("document number"), max_length=40, blank=True)
    # The record.
    held_on = models.DateField(_("held on"), null=True, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    representative_attended = models.BooleanField(_("the legal representative attended"), default=False)
    record = models.TextField(_("record of the interview"), blank=True)
    commitments = models.TextField(_("commitments"), blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True, db_index=True)
    # The follow-up.
    checked_on = models.DateField(_("follow-up check on"), null=True, blank=True)
    result = models.CharField(
        _("result of the check"), max_length=20, choices=RectificationOrder.Result.choices, blank=True
    )
    check_note = models.TextField(_("note on the check"), blank=True)
    dismissal_reason = models.TextField(_("why it is not pursued"), blank=True)
    inspector = models.ForeignKey(
        "accounts.User",
        verbose_name=_("inspector in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-created_at"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        permissions = [("handle_interview", _("Propose, hold and follow up interviews"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["proposed", "notified", "held"]),
                name="uniq_inspection_interview_open",
            )
        ]
        indexes = [
            models.Index(fields=["status", "proposed_on"]),
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="inspection_interview_updated"),
        ]

    def __str__(self):
        return str(_("Interview of %(enterprise)s") % {"enterprise": self.enterprise})


class InterviewHistory(StatusHistory):
    subject = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("interview history")
        verbose_name_plural = _("interview history")


class SeriousViolationQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Published (重大劳动保障违法行为社会公布办法): every signed-in user reads them."""
        return self if principal.is_authenticated else self.none()


class SeriousViolation(BaseModel):
    """A serious violation published by decision of the HR bureau (重大劳动保障违法行为社会公布办法:
    published within 20 working days of the decision). Publication records the certification
    veto event for the enterprise."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="serious_violations",
    )
    case = models.ForeignKey(
        InspectionCase,
        verbose_name=_("inspection case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    decided_on = models.DateField(_("decided on"))
    decision_reference = models.CharField(_("decision reference"), max_length=100, unique=True)
    publish_by = models.DateField(_("publish by"), editable=False)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    summary = models.TextField(_("violation published"))
    veto_event = models.ForeignKey(
        "certification.VetoEvent",
        verbose_name=_("veto event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = SeriousViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("published serious violation")
        verbose_name_plural = _("published serious violations")

    def __str__(self):
        return f"{self.enterprise} · {self.decision_reference}"


class CreditGradeQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return _through_enterprise(self, principal)


class CreditGrade(BaseModel):
    """The yearly credit grade of an enterprise (守法诚信等级, 企业劳动保障守法诚信等级评价办法),
    computed from the platform's records with the policy's rule; the facts that decided it are
    kept with it."""

    class Grade(models.TextChoices):
        A = "A", _("A: law-abiding")
        B = "B", _("B: basically law-abiding")
        C = "C", _("C: not law-abiding")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="credit_grades",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, db_index=True)
    #: [{"code": fact, "label": "...", "record": "JC2026-00001", "on": "2026-03-02"}]
    facts = models.JSONField(_("facts"), default=list)
    computed_on = models.DateField(_("computed on"))
    policy = models.ForeignKey(
        InspectionPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CreditGradeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "enterprise"]
        verbose_name = _("credit grade")
        verbose_name_plural = _("credit grades")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_credit_grade_year")]
        indexes = [
            models.Index(fields=["year", "grade"]),
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="inspection_grade_updated"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.year} · {self.grade}"


class PatrolQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Inspectors (their area) and park administrators; not enterprises nor unions (they see
        the orders and cases that follow from a patrol)."""
        return _through_enterprise(self, principal, hr=False, union=False)


class PatrolPlan(BaseModel):
    """A patrol plan (日常巡视检查计划): which enterprises (by town, industry, credit grade, the
    watch list) over which period; how often follows the policy's intervals."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    towns = models.ManyToManyField(
        Area, verbose_name=_("towns / sub-districts"), blank=True, related_name="+"
    )
    industries = models.JSONField(_("industries"), default=list, blank=True, help_text=_("Industry codes."))
    credit_grades = models.JSONField(_("credit grades"), default=list, blank=True)
    include_watch_list = models.BooleanField(_("enterprises on the risk watch list"), default=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("patrol plan")
        verbose_name_plural = _("patrol plans")
        permissions = [("handle_patrol", _("Plan and record patrols"))]

    def __str__(self):
        return self.name


class Patrol(BaseModel):
    """One patrol visit of an enterprise (日常巡视检查), with a finding per checklist item."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")

    plan = models.ForeignKey(
        PatrolPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="patrols"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    planned_on = models.DateField(_("planned on"), db_index=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True, db_index=True)
    inspector = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The checklist used, copied from the policy in effect when the patrol was recorded.
    checklist = models.JSONField(_("checklist"), default=list, editable=False)
    summary = models.TextField(_("summary"), blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-created_at"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        indexes = [models.Index(fields=["enterprise", "-visited_on"])]

    def __str__(self):
        return f"{self.enterprise} · {self.visited_on or self.planned_on}"


class PatrolFinding(BaseModel):
    """The finding on one checklist item of a patrol; a violation may become a case, or a case
    with an order to rectify, in one step."""

    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        VIOLATION = "violation", _("Violation found")
        NOT_CHECKED = "not_checked", _("Not checked")

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField(_("checklist item"), max_length=40)
    item_label = models.CharField(_("checklist item"), max_length=100)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    case = models.ForeignKey(
        InspectionCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="patrol_findings"
    )

    class Meta:
        ordering = ["patrol", "created_at"]
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        constraints = [models.UniqueConstraint(fields=["patrol", "item"], name="uniq_patrol_finding_item")]


def attachment_path(instance, filename):
    return f"inspection/attachments/{instance.pk}"


class Attachment(BaseModel):
    """A photo or document of a patrol finding. Stored under a random name; type checked by
    content, size-limited and hashed on upload (apps.core.uploads), as certification evidence."""

    finding = models.ForeignKey(PatrolFinding, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class WrittenReviewQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Inspectors (their area), park administrators and the enterprise's own HR."""
        return _through_enterprise(self, principal, union=False)


class WrittenReview(BaseModel):
    """The yearly employment report an enterprise files for the written review (书面审查,
    劳动保障监察条例 art. 14). Prefilled from the platform's records (`prefill`); what the HR
    changed is kept in `changed`; the inspector accepts it or returns it with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        ACCEPTED = "accepted", pgettext_lazy("written review", "Accepted")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="written_reviews",
    )
    year = models.PositiveSmallIntegerField(_("year reported"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        editable=False,
    )
    due_on = models.DateField(_("due on"))
    headcount = models.PositiveIntegerField(_("employees at the end of the year"), null=True, blank=True)
    contracts_signed = models.PositiveIntegerField(
        _("employees with a written labour contract"), null=True, blank=True
    )
    wages_paid_on_time = models.BooleanField(_("wages paid in full and on time"), null=True, blank=True)
    lowest_monthly_wage = models.DecimalField(
        _("lowest monthly wage paid (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    average_weekly_hours = models.DecimalField(
        _("average weekly working hours"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    social_insurance_insured = models.PositiveIntegerField(
        _("employees insured for social insurance"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    #: The values the platform proposed, by field: {"headcount": {"value": 120, "source": "..."}}.
    prefill = models.JSONField(default=dict, editable=False)
    #: The fields whose value the HR changed from the proposal.
    changed = models.JSONField(default=list, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    return_reason = models.TextField(_("reason for returning"), blank=True, editable=False)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = WrittenReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "enterprise"]
        verbose_name = _("written review report")
        verbose_name_plural = _("written review reports")
        permissions = [("review_written_report", _("Accept or return written review reports"))]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_written_review_year")
        ]
        indexes = [
            models.Index(fields=["year", "status"]),
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="inspection_review_updated"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.year}"


class WrittenReviewHistory(StatusHistory):
    subject = models.ForeignKey(WrittenReview, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("written review history")
        verbose_name_plural = _("written review history")
