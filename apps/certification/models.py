"""Harmony certification (劳动关系和谐企业认定): rule sets, rounds, applications with their
self-evaluation and review, public notices, objections, certificates, annual reports and veto
events. The rules that read these models are in rules.py, workflow.py and selectors.py; where each
rule comes from is in rules.py and in the rule set itself (domain guide §4)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, ScopedQuerySet, StatusHistory
from apps.enterprises.models import Enterprise


class DeadlineUnitChoice(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class RuleSetQuerySet(models.QuerySet):
    def in_use(self):
        return self.filter(Q(rounds__isnull=False) | Q(applications__isnull=False)).distinct()


class RuleSet(BaseModel):
    """The certification policy of one region and year. Once a round or an application uses it,
    it never changes: `services.new_rule_set_version` copies it into the next version."""

    region = models.CharField(_("region"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("The policy document this rule set follows.")
    )
    min_employees = models.PositiveIntegerField(_("minimum employees"), default=10)
    min_years_operating = models.PositiveSmallIntegerField(_("minimum years in operation"), default=1)
    group_ratio_numerator = models.PositiveSmallIntegerField(
        _("group ratio: numerator"),
        default=2,
        help_text=_("Union and worker representatives must be at least numerator/denominator of the group."),
    )
    group_ratio_denominator = models.PositiveSmallIntegerField(
        _("group ratio: denominator"), default=3, validators=[MinValueValidator(1)]
    )
    disclosure_min_days = models.PositiveSmallIntegerField(
        _("minimum days of disclosure (open factory affairs)"), default=15
    )
    disclosure_congress_allowed = models.BooleanField(
        _("a report to the workers' congress may replace the posting"), default=True
    )
    notice_length = models.PositiveSmallIntegerField(_("public notice length"), default=5)
    notice_unit = models.CharField(
        _("public notice unit"),
        max_length=20,
        choices=DeadlineUnitChoice.choices,
        default=DeadlineUnitChoice.WORKING_DAYS,
    )
    validity_years = models.PositiveSmallIntegerField(_("certificate validity in years"), default=3)
    report_grace_days = models.PositiveSmallIntegerField(
        _("days after each anniversary to hand in the annual report"), default=30
    )
    coverage_target = models.DecimalField(
        _("coverage target"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.900"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of operating enterprises to certify, e.g. 0.900 for 90 %."),
    )
    issuer = models.CharField(_("certificate issuer"), max_length=200)
    certificate_title = models.CharField(_("certificate title"), max_length=200)
    certificate_wording = models.TextField(
        _("certificate wording"),
        help_text=_("May use {enterprise}, {level}, {round} and {region}."),
    )
    number_prefix = models.CharField(_("certificate number prefix"), max_length=10, default="HX")

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["region", "-year", "-version"]
        verbose_name = _("certification rule set")
        verbose_name_plural = _("certification rule sets")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "version"], name="ruleset_region_year_version"),
            models.CheckConstraint(
                condition=Q(group_ratio_numerator__lte=models.F("group_ratio_denominator")),
                name="ruleset_ratio_at_most_one",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def max_points(self) -> Decimal:
        return sum((item.max_points for item in Item.objects.filter(category__rule_set=self)), Decimal(0))


class Level(models.Model):
    """A certification level (A < AA < AAA), climbed one at a time."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 for the lowest level."))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=50)
    min_score = models.DecimalField(_("score cut-off"), max_digits=5, decimal_places=1)
    months_at_lower = models.PositiveSmallIntegerField(_("months required at the level below"), default=12)

    class Meta:
        ordering = ["rule_set", "rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "rank"], name="level_rank_unique"),
            models.UniqueConstraint(fields=["rule_set", "code"], name="level_code_unique"),
        ]

    def __str__(self):
        return self.code


class VetoRule(models.Model):
    """One entry of the veto catalogue (一票否决) with its look-back window."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="veto_rules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    lookback_months = models.PositiveSmallIntegerField(_("look-back window in months"), default=24)

    class Meta:
        ordering = ["rule_set", "order"]
        verbose_name = _("veto rule")
        verbose_name_plural = _("veto rules")
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="vetorule_code_unique")]

    def __str__(self):
        return self.name


class Category(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="categories")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["rule_set", "order"]
        verbose_name = _("scoring category")
        verbose_name_plural = _("scoring categories")
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="category_code_unique")]

    def __str__(self):
        return self.name


class FactTest(models.TextChoices):
    """How a scoring item is checked against a platform fact (`Item.fact_code`); `rules.fact_passes`
    applies it."""

    AT_LEAST = "at_least", _("at least the threshold")
    AT_MOST = "at_most", _("at most the threshold")
    IS_TRUE = "is_true", _("is true")
    IS_FALSE = "is_false", _("is false")
    EQUALS_ZERO = "equals_zero", _("equals zero")


class Item(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("criterion"), max_length=300)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    # The platform fact that checks the item (issue 17; domain guide §9): a code of
    # `apps.core.facts` (e.g. `contracts.signing_rate`), how it is tested, and the threshold of
    # the tests that take one. Blank: the platform cannot check the item.
    fact_code = models.CharField(
        _("platform fact"),
        max_length=80,
        blank=True,
        help_text=_(
            "A fact code such as contracts.signing_rate; blank if the platform cannot check the item."
        ),
    )
    fact_test = models.CharField(_("fact test"), max_length=20, choices=FactTest.choices, blank=True)
    fact_threshold = models.DecimalField(
        _("fact threshold"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For “at least” and “at most”, e.g. 100 for a signing rate of 100 %."),
    )

    class Meta:
        ordering = ["category__order", "order"]
        verbose_name = _("scoring item")
        verbose_name_plural = _("scoring items")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="item_code_unique"),
            models.CheckConstraint(
                condition=Q(fact_code="", fact_test="")
                | (~Q(fact_code="") & Q(fact_test__in=["is_true", "is_false", "equals_zero"]))
                | (~Q(fact_code="") & Q(fact_test__in=["at_least", "at_most"], fact_threshold__isnull=False)),
                name="item_fact_complete",
            ),
        ]

    def __str__(self):
        return self.text


class Round(BaseModel):
    """A yearly certification round (e.g. 2026年度) under one rule set."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        ordering = ["-year", "-opens_on"]
        verbose_name = _("certification round")
        verbose_name_plural = _("certification rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_dates_ordered"
            )
        ]

    def __str__(self):
        return self.name

    def is_open(self, on) -> bool:
        return self.opens_on <= on <= self.closes_on


def _through_enterprise(queryset, principal):
    """The rows of the enterprises the principal sees. Whoever sees every enterprise (an
    administrator, an API client without an area) gets the rows unfiltered: no `IN` over the whole
    registry for the planner to join."""
    if principal.sees_everything:
        return queryset
    if not principal.is_authenticated:
        return queryset.none()
    enterprises = Enterprise.objects.visible_to(principal)
    if not enterprises.query.has_filters():
        return queryset
    return queryset.filter(enterprise__in=enterprises)


class ApplicationQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Through the enterprise: HR see their own enterprise's applications, union officials and
        area roles those of the enterprises they see, administrators all; API clients need the
        certification:read scope (checked by the view) and see their area."""
        return _through_enterprise(self, principal)


class Application(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        RETURNED = "returned", _("Returned for revision")
        PROPOSED = "proposed", _("Proposed for certification")
        IN_NOTICE = "in_notice", _("In public notice")
        CERTIFIED = "certified", _("Certified")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: Statuses in which an application is still open in its round.
    OPEN = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.RETURNED,
        Status.PROPOSED,
        Status.IN_NOTICE,
    )

    class Disclosure(models.TextChoices):
        POSTED = "posted", _("Posted under open factory affairs")
        CONGRESS = "congress", _("Reported to the workers' congress")

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="applications"
    )
    rule_set = models.ForeignKey(
        RuleSet,
        verbose_name=_("rule set"),
        on_delete=models.PROTECT,
        related_name="applications",
        editable=False,
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="certification_applications",
    )
    target_level = models.ForeignKey(
        Level, verbose_name=_("level applied for"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        editable=False,
    )
    self_score = models.DecimalField(_("self-evaluation score"), max_digits=5, decimal_places=1, default=0)
    reviewed_score = models.DecimalField(
        _("reviewed score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    proposed_level = models.ForeignKey(
        Level,
        verbose_name=_("proposed level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Disclosure of the self-evaluation result before submission.
    disclosure_method = models.CharField(
        _("disclosure"), max_length=20, choices=Disclosure.choices, blank=True
    )
    posted_from = models.DateField(_("posted from"), null=True, blank=True)
    posted_to = models.DateField(_("posted to"), null=True, blank=True)
    congress_date = models.DateField(_("workers' congress date"), null=True, blank=True)
    congress_attendance = models.PositiveIntegerField(_("representatives present"), null=True, blank=True)
    congress_representatives = models.PositiveIntegerField(_("representatives in all"), null=True, blank=True)
    congress_votes_for = models.PositiveIntegerField(_("votes in favour"), null=True, blank=True)
    summary = models.TextField(_("summary of the self-evaluation"), blank=True)
    # Review.
    reviewer = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comments = models.TextField(_("review comments"), blank=True)
    site_visit_on = models.DateField(_("on-site check date"), null=True, blank=True)
    site_visit_by = models.CharField(_("on-site check by"), max_length=200, blank=True)
    site_visit_notes = models.TextField(_("on-site check record"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    notice = models.ForeignKey(
        "PublicNotice",
        verbose_name=_("public notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        editable=False,
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certification application")
        verbose_name_plural = _("certification applications")
        permissions = [
            ("prepare_application", _("Prepare and submit the self-evaluation")),
            ("review_application", _("Review certification applications")),
            ("publish_notice", _("Publish certification public notices")),
            ("certify_application", _("Certify enterprises")),
            ("view_certification_figures", _("See certification figures")),
        ]
        constraints = [
            # Also checked (with a message) by services.create_application and on submission.
            models.UniqueConstraint(
                fields=["round", "enterprise"],
                condition=Q(
                    status__in=["draft", "submitted", "under_review", "returned", "proposed", "in_notice"]
                ),
                name="one_open_application_per_round",
            )
        ]
        indexes = [
            models.Index(fields=["round", "status"]),
            # The list's order (newest submission first), park-wide, per status and per enterprise
            # (selectors.LIST_ORDER): a page is an index walk, not a sort of every application.
            models.Index(fields=["-submitted_at", "-created_at", "-id"], name="application_order"),
            models.Index(
                fields=["status", "-submitted_at", "-created_at", "-id"], name="application_status_order"
            ),
            models.Index(
                fields=["enterprise", "-submitted_at", "-created_at", "-id"], name="application_ent_order"
            ),
            # The API's cursor (api.views.ApplicationViewSet.keyset_ordering): immutable columns.
            models.Index(fields=["-created_at", "-id"], name="application_created"),
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="application_updated"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.round} · {self.target_level}"


class ApplicationHistory(StatusHistory):
    subject = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("application history entry")
        verbose_name_plural = _("application history")


class GroupMember(models.Model):
    """A member of the self-evaluation group (自评小组)."""

    class Role(models.TextChoices):
        MANAGEMENT = "management", _("Enterprise management")
        DEPARTMENT_HEAD = "department_head", _("Department head")
        UNION_REP = "union_rep", _("Union representative")
        WORKER_REP = "worker_rep", _("Worker representative")

    #: The roles counted for the 2/3 rule (programme, part 4 (2)).
    REPRESENTATIVES = (Role.UNION_REP, Role.WORKER_REP)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="group")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role in the group"), max_length=20, choices=Role.choices)
    position = models.CharField(_("job or position"), max_length=100, blank=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("self-evaluation group member")
        verbose_name_plural = _("self-evaluation group")

    def __str__(self):
        return self.name


class ItemScore(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(_("self score"), max_digits=5, decimal_places=1, null=True, blank=True)
    self_note = models.TextField(_("explanation"), blank=True)
    review_score = models.DecimalField(
        _("reviewer's score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    review_note = models.TextField(_("reviewer's note"), blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item__category__order", "item__order"]
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="one_score_per_item")]

    def __str__(self):
        return f"{self.item_id}: {self.self_score}"


def evidence_path(instance, filename):
    return f"certification/evidence/{instance.application_id}/{instance.pk}"


class EvidenceQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return self.filter(application__in=Application.objects.visible_to(principal))


class Evidence(BaseModel):
    """A file supporting an item score, the disclosure, or the reviewer's on-site check. Stored
    under a random name; type checked by content and hashed on upload."""

    class Purpose(models.TextChoices):
        ITEM = "item", _("Evidence for an item")
        DISCLOSURE = "disclosure", _("Evidence of the disclosure")
        SITE_VISIT = "site_visit", _("On-site check record")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.ITEM)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name


class PublicNoticeQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(starts_on=None)


class PublicNotice(BaseModel):
    """A batch of proposed applications noticed to the public (公示)."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("notice starts on"))
    ends_on = models.DateField(_("notice ends on"))
    estimated = models.BooleanField(
        _("end date estimated"),
        default=False,
        help_text=_("The holiday calendar of that year is not yet official."),
    )
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.GeneratedDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PublicNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        indexes = [models.Index(fields=["-starts_on", "-created_at", "-id"], name="notice_order")]

    def __str__(self):
        return self.title

    def is_running(self, on) -> bool:
        return self.starts_on <= on <= self.ends_on


class ObjectionQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Objections (and the objector's contact details) are for administrators only."""
        return self if principal.is_park_admin else self.none()


class Objection(BaseModel):
    """An objection to a proposed certification, filed by anyone during the public notice."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld: application rejected")
        DISMISSED = "dismissed", _("Dismissed")

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="objections"
    )
    name = models.CharField(_("your name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("e-mail"), blank=True)
    content = models.TextField(_("objection"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    resolution = models.TextField(_("resolution"), blank=True, editable=False)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        permissions = [("resolve_objection", _("Uphold or dismiss objections"))]
        indexes = [
            # Open objections are few: the list's badge and filter look them up per application.
            models.Index(fields=["application"], condition=Q(status="open"), name="objection_open"),
        ]

    def __str__(self):
        return f"{self.application} · {self.get_status_display()}"


class CertificateQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return _through_enterprise(self, principal)

    def valid_on(self, on):
        return self.filter(status=Certificate.Status.VALID, issued_on__lte=on, valid_until__gte=on)


class Certificate(BaseModel):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        LAPSED = "lapsed", _("Lapsed")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="certificate"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="certificates"
    )
    level = models.ForeignKey(Level, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="certificates"
    )
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.VALID,
        editable=False,
        db_index=True,
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    end_reason = models.TextField(_("reason"), blank=True, editable=False)
    document = models.ForeignKey(
        "documents.GeneratedDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        permissions = [("revoke_certificate", _("Revoke certificates"))]
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            # The list's order (the API's plain pages) and the API's cursor.
            models.Index(fields=["-issued_on", "number"], include=["id"], name="certificate_order"),
            models.Index(fields=["-created_at", "-id"], name="certificate_created"),
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="certificate_updated"),
        ]

    def __str__(self):
        return self.number


class CertificateHistory(StatusHistory):
    subject = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("certificate history entry")
        verbose_name_plural = _("certificate history")


class AnnualReportQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return self.filter(certificate__in=Certificate.objects.visible_to(principal))


class AnnualReport(BaseModel):
    """The yearly report that keeps a title alive (domain guide §4, renewal)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reports")
    year_no = models.PositiveSmallIntegerField(_("year of validity"))
    due_on = models.DateField(_("due on"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    contracts_signed = models.PositiveIntegerField(_("labour contracts in force"), null=True, blank=True)
    disputes = models.PositiveIntegerField(_("labour disputes in the year"), null=True, blank=True)
    content = models.TextField(_("report"), blank=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["certificate", "year_no"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [models.UniqueConstraint(fields=["certificate", "year_no"], name="one_report_per_year")]
        permissions = [("submit_annualreport", _("Hand in annual reports"))]

    def __str__(self):
        return f"{self.certificate} · {self.year_no}"


class VetoEventQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return _through_enterprise(self, principal)

    def confirmed(self):
        """The events that count (look-back window, refusals, revocation): confirmed ones only; a
        proposed event waits for the park, a dismissed one never counts."""
        return self.filter(status=VetoEvent.Status.CONFIRMED)


class VetoEvent(BaseModel):
    """A veto event (一票否决) against an enterprise. Entered by administrators (confirmed at
    once, `services.record_veto_event`), or proposed by the platform from inspection and mediation
    records (`services.propose_veto_event(s)`, issue 17) and then confirmed or dismissed with a
    reason by the park (workflow.VETO_WORKFLOW). Only confirmed events count."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered by an administrator")
        INSPECTION = "inspection", _("Labour inspection")
        MEDIATION = "mediation", _("Dispute mediation")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="veto_events"
    )
    kind = models.SlugField(_("kind"), max_length=40, help_text=_("A code of the veto catalogue."))
    kind_name = models.CharField(_("kind"), max_length=200)
    occurred_on = models.DateField(_("occurred on"))
    source = models.CharField(
        _("source"), max_length=300, help_text=_("E.g. the authority's notice or case number.")
    )
    note = models.TextField(_("note"), blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.CONFIRMED,
        editable=False,
    )

    objects = VetoEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("veto event")
        verbose_name_plural = _("veto events")
        indexes = [
            models.Index(fields=["enterprise", "occurred_on"]),
            # The proposals waiting for the park (the veto list's filter, the home count): few rows.
            models.Index(fields=["-occurred_on"], condition=Q(status="proposed"), name="vetoevent_proposed"),
        ]
        constraints = [
            # One event per record and kind: proposing again from the same record is a no-op.
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=~Q(object_id=""),
                name="vetoevent_one_per_record",
            )
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.kind_name} · {self.occurred_on}"


class VetoEventHistory(StatusHistory):
    subject = models.ForeignKey(VetoEvent, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("veto event history entry")
        verbose_name_plural = _("veto event history")
