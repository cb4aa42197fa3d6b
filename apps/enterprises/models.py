"""The enterprise registry and the park's yearly survey of every enterprise.

An Enterprise is the registry record of an `accounts.Organisation` of kind "enterprise": the
organisation is what memberships (enterprise HR users) and scoping hang on, the enterprise holds
the registry data. `services.py` keeps the organisation's name, code and area in step
(docs/adr/0011-enterprise-registry.md).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.core.models import Area, BaseModel, ScopedQuerySet

from .choices import Industry, Ownership, Status

#: Roles whose members see the enterprises of their organisation's area (a district-level
#: organisation sees the whole district): federation officials list the enterprises that must set
#: up a union, mediators look up respondents, inspectors their targets. The officials of a
#: grassroots union (an enterprise or joint union) are not an area role: they see the enterprises
#: their union covers (`unions.UnionCoverage`), whatever town the union sits in (least privilege,
#: issue 14 finding 8; ADR 0020).
AREA_ROLES = (Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR)
#: `unions.Union.Kind` values of unions whose organisation gives its officials no area: grassroots
#: unions (an enterprise or joint union: they see what they cover) and industry unions of platform
#: workers (issue 19: they enrol workers, cover no enterprise, so read no enterprise of their area).
GRASSROOTS_UNION_KINDS = ("enterprise", "joint", "industry")


def areas_of(principal, roles) -> models.QuerySet:
    """Areas (with the towns below them) of the organisations where the principal has one of
    `roles`; a grassroots union's organisation counts for no area (see AREA_ROLES)."""
    from apps.accounts.models import Organisation

    org_ids = principal.organisation_ids(*roles)
    org_areas = (
        Organisation.objects.filter(pk__in=org_ids, area__isnull=False)
        .exclude(trade_union__kind__in=GRASSROOTS_UNION_KINDS)
        .values("area")
    )
    return Area.objects.filter(Q(pk__in=org_areas) | Q(parent__in=org_areas)).values("pk")


class EnterpriseQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators: all. API clients: their area, or all without a restriction.
        Enterprise HR: their own enterprise. Officials of a grassroots (enterprise or joint)
        union: the enterprises their union covers. Federation officials, mediators and
        inspectors: the enterprises in their organisation's area, plus those their union covers."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(town__in=principal.area_ids) if principal.area_ids else self
        if not principal.is_authenticated:
            return self.none()
        q = Q(organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR))
        if principal.has_role(*AREA_ROLES):
            q |= Q(town__in=areas_of(principal, AREA_ROLES))
        union_org_ids = principal.organisation_ids(Role.UNION_OFFICIAL)
        if union_org_ids:
            # The enterprises their union covers, and (a federation) those its unions cover; a
            # subquery, so that an enterprise covered twice is listed once.
            covered = self.model.objects.filter(
                Q(union_coverage__union__organisation_id__in=union_org_ids)
                | Q(union_coverage__union__parent__organisation_id__in=union_org_ids)
            ).values("pk")
            q |= Q(pk__in=covered)
        return self.filter(q)

    def operating(self):
        return self.filter(status=Status.OPERATING)


class Enterprise(BaseModel):
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="enterprise",
        editable=False,
    )
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        help_text=_("18 characters with the check character (GB 32100-2015)."),
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    town = models.ForeignKey(
        Area,
        verbose_name=_("town / sub-district"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"kind": Area.Kind.TOWN},
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, db_index=True)
    ownership = models.CharField(_("ownership type"), max_length=20, choices=Ownership.choices)
    established_on = models.DateField(_("date established"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPERATING, db_index=True
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    #: The survey of the most recent year, kept by services.record_survey (for lists and figures).
    latest_survey = models.OneToOneField(
        "EnterpriseSurvey",
        verbose_name=_("latest survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["town", "status"]),
            models.Index(fields=["employees"]),
            models.Index(fields=["name", "id"], name="enterprise_name_order"),  # the list's order
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="enterprise_updated"),
        ]

    def __str__(self):
        return self.name


class SurveyQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return self.filter(enterprise__in=Enterprise.objects.visible_to(principal))


class EnterpriseSurvey(BaseModel):
    """The park's yearly survey of one enterprise (seed 003, 四、工作步骤 (一))."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="surveys"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    employees = models.PositiveIntegerField(_("employees"))
    union_members = models.PositiveIntegerField(_("union members"), default=0)
    women = models.PositiveIntegerField(_("women workers"), default=0)
    migrant_workers = models.PositiveIntegerField(_("migrant workers"), default=0)
    has_union = models.BooleanField(_("union established"), default=False)
    contract_signing_rate = models.DecimalField(
        _("labour-contract signing rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    collective_contract = models.BooleanField(_("collective contract in force"), default=False)
    wage_bargaining = models.BooleanField(_("wage collective bargaining done"), default=False)
    workers_congress = models.BooleanField(_("workers' congress held"), default=False)
    mediation_committee = models.BooleanField(_("enterprise mediation committee set up"), default=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("yearly survey")
        verbose_name_plural = _("yearly surveys")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_survey_enterprise_year"),
            models.CheckConstraint(
                condition=Q(union_members__lte=models.F("employees"))
                & Q(women__lte=models.F("employees"))
                & Q(migrant_workers__lte=models.F("employees")),
                name="survey_parts_within_employees",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.year}"

    @property
    def membership_rate(self):
        return round(self.union_members * 100 / self.employees, 1) if self.employees else None


class ImportBatchQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """An import is seen by whoever uploaded it and by park administrators."""
        if principal.is_park_admin:
            return self
        if principal.user is None or not principal.user.is_authenticated:
            return self.none()
        return self.filter(uploaded_by=principal.user)


class ImportBatch(BaseModel):
    """One uploaded .xlsx of enterprises and surveys: its validation report and the good rows,
    kept until an administrator confirms (written in one transaction) or discards it."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("Validated, awaiting confirmation")
        PROCESSING = "processing", _("Being written")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed, nothing written")
        DISCARDED = "discarded", _("Discarded")

    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.VALIDATED, editable=False
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    #: Normalised good rows (JSON-safe), written on confirmation.
    rows = models.JSONField(_("good rows"), default=list, editable=False)
    #: [{"row": 7, "column": "统一社会信用代码", "value": "...", "reason": "..."}]
    errors = models.JSONField(_("errors"), default=list, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    #: {"created": n, "updated": n, "surveys": n}
    result = models.JSONField(_("result"), default=dict, editable=False)
    #: Why the confirmation was rolled back (status failed), in the uploader's language.
    failure = models.TextField(_("failure"), blank=True, editable=False)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.file_name
