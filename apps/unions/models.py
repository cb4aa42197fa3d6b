"""Trade unions, collective contracts and workers' congresses.

Rules from law (kept next to the code that applies them, in services.py and here):
- Trade Union Law (工会法, 2021) art. 11: an enterprise with 25 or more union members sets up a
  grassroots union committee; smaller ones may set up their own or a joint one with others.
- 集体合同规定 (劳动和社会保障部令第22号, 2004) art. 36: the workers' congress adopts a draft with
  at least 2/3 of the representatives present and more than half of all representatives approving;
  art. 42: filed with the labour administration within 10 days of signing; art. 47: effective if
  the administration raises no objection within 15 days of receiving it; art. 38: term 1 to 3 years.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.core.models import Area, BaseModel, ScopedQuerySet
from apps.core.personal_data import EncryptedCharField
from apps.enterprises.models import AREA_ROLES, Enterprise, areas_of


class UnionQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators and unrestricted API clients: all. Restricted API clients: unions in
        their area. Union officials: their union, the unions below it and the federation above it
        (read: the union reports to it and names it as its parent); federation officials also
        the unions in their federation's area, grassroots officials nothing more (ADR 0020).
        Enterprise HR: the unions covering their enterprise."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(organisation__area__in=principal.area_ids) if principal.area_ids else self
        if not principal.is_authenticated:
            return self.none()
        own = principal.organisation_ids(Role.UNION_OFFICIAL)
        q = Q(organisation_id__in=own) | Q(parent__organisation_id__in=own)
        if own:
            q |= Q(
                pk__in=Union.objects.filter(organisation_id__in=own, parent__isnull=False).values("parent")
            )
        if principal.has_role(*AREA_ROLES):
            q |= Q(organisation__area__in=areas_of(principal, AREA_ROLES))
        hr = principal.organisation_ids(Role.ENTERPRISE_HR)
        if hr:
            q |= Q(pk__in=UnionCoverage.objects.filter(enterprise__organisation_id__in=hr).values("union"))
        return self.filter(q)


class Union(BaseModel):
    """A grassroots union (of one enterprise, or a joint union of several small ones) or a
    federation. Backed by an `accounts.Organisation` of kind "union" for memberships."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise union")
        JOINT = "joint", _("Joint union of several enterprises")
        FEDERATION = "federation", _("Federation of trade unions")
        #: 产业工会 / 行业工会联合会 (Trade Union Law art. 11): organises a trade or industry, e.g.
        #: the platform workers of the new forms of employment (issue 19).
        INDUSTRY = "industry", _("Industry union")

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="trade_union",
        editable=False,
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent federation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": "federation"},
    )
    chair_name = models.CharField(_("chair"), max_length=50, blank=True)
    chair_phone = models.CharField(_("chair's phone"), max_length=30, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    women_committee = models.BooleanField(_("women workers' committee"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        indexes = [
            models.Index(fields=["kind", "name", "id"], name="union_list_order"),
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="union_updated"),
        ]
        verbose_name = _("trade union")
        verbose_name_plural = _("trade unions")

    def __str__(self):
        return self.name

    @property
    def is_grassroots(self):
        return self.kind in (self.Kind.ENTERPRISE, self.Kind.JOINT)


class UnionCoverage(models.Model):
    """Which enterprises a grassroots union covers: one for an enterprise union, several for a
    joint union. An enterprise belongs to one grassroots union at most."""

    union = models.ForeignKey(Union, on_delete=models.CASCADE, related_name="coverage")
    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="union_coverage")

    class Meta:
        verbose_name = _("union coverage")
        verbose_name_plural = _("union coverage")

    def __str__(self):
        return f"{self.union} → {self.enterprise}"


class UnionTarget(BaseModel):
    """[POLICY] The park's targets for union coverage and membership rate, from a year on."""

    from_year = models.PositiveSmallIntegerField(_("from year"), unique=True)
    coverage = models.DecimalField(_("union coverage target (%)"), max_digits=5, decimal_places=2)
    membership_rate = models.DecimalField(_("membership rate target (%)"), max_digits=5, decimal_places=2)
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-from_year"]
        verbose_name = _("union target")
        verbose_name_plural = _("union targets")

    def __str__(self):
        return f"{self.from_year}: {self.coverage}% / {self.membership_rate}%"

    #: The note migration 0002 gave the park plan's default targets: two languages in one text,
    #: shown in the reader's language instead (issue 20).
    SEEDED_NOTE = "默认目标（园区创建方案）/ default targets of the park plan"

    @property
    def display_note(self) -> str:
        """The note as a reader sees it: the seeded default note in their language, any other
        note as written."""
        if self.note == self.SEEDED_NOTE:
            return str(_("Default targets of the park plan"))
        return self.note


class ByEnterpriseQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return self.filter(enterprise__in=Enterprise.objects.visible_to(principal))


class CollectiveContract(BaseModel):
    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("Comprehensive collective contract")
        WAGE = "wage", _("Special agreement on wages")
        WOMEN = "women", _("Special agreement on female workers' rights")
        SAFETY = "safety", _("Special agreement on occupational safety and health")
        OTHER = "other", _("Other special agreement")

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="collective_contracts",
    )
    union = models.ForeignKey(
        Union,
        verbose_name=_("union (workers' side)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_contracts",
    )
    #: The workers' congress meeting that adopted the contract (集体合同规定 art. 36): its
    #: attendance is the contract's (rules.attendance_errors).
    congress = models.ForeignKey(
        "WorkersCongress",
        verbose_name=_("adopted by the workers' congress meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_contracts",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    employer_representative = models.CharField(_("employer's chief representative"), max_length=50)
    worker_representative = models.CharField(_("workers' chief representative"), max_length=50)
    signed_on = models.DateField(_("signing date"))
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    representatives_total = models.PositiveIntegerField(_("congress representatives, total"))
    representatives_present = models.PositiveIntegerField(_("representatives present"))
    representatives_approving = models.PositiveIntegerField(_("representatives approving"))
    filed_on = models.DateField(_("filed with the HR bureau on"), null=True, blank=True)
    objection_on = models.DateField(_("objection received on"), null=True, blank=True)
    objection_note = models.TextField(_("objection"), blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    expiry_reminded_on = models.DateField(_("expiry reminder sent on"), null=True, blank=True, editable=False)

    objects = ByEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("collective contract")
        verbose_name_plural = _("collective contracts")
        indexes = [
            # Incremental sync (issue 15): `updated_since` and `ordering=updated_at` walk this index.
            models.Index(fields=["updated_at", "id"], name="collective_contract_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(representatives_present__lte=models.F("representatives_total"))
                & Q(representatives_approving__lte=models.F("representatives_present")),
                name="cc_vote_counts_consistent",
            ),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="cc_term_positive"),
        ]

    def __str__(self):
        return self.title


class WorkersCongress(BaseModel):
    """A meeting of the workers' congress (职工代表大会) of one enterprise."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="congresses"
    )
    held_on = models.DateField(_("date"))
    session = models.CharField(
        _("session"), max_length=100, blank=True, help_text=_("E.g. the 3rd committee, 2nd meeting")
    )
    representatives_total = models.PositiveIntegerField(_("representatives, total"))
    representatives_present = models.PositiveIntegerField(_("representatives present"))
    resolutions = models.TextField(_("resolutions"), blank=True)

    objects = ByEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("workers' congress meeting")
        verbose_name_plural = _("workers' congress meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(representatives_present__lte=models.F("representatives_total")),
                name="congress_present_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.held_on}"


# New forms of employment (新就业形态劳动者, issue 19) ------------------------------------------------


class PlatformQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """A platform company is public registry information: every signed-in user and API client
        reads the list (who works through it is `PlatformWorker.visible_to`'s business)."""
        if principal.sees_everything or principal.is_api_client or principal.is_authenticated:
            return self
        return self.none()


class Platform(BaseModel):
    """A platform company through which drivers, couriers and riders find their work."""

    class Kind(models.TextChoices):
        RIDE_HAILING = "ride_hailing", _("Ride-hailing")
        FOOD_DELIVERY = "food_delivery", _("Food delivery")
        EXPRESS = "express", _("Express delivery")
        FREIGHT = "freight", _("Freight matching")
        OTHER = "other", _("Other platform")

    name = models.CharField(_("name"), max_length=200, unique=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise in the registry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="platforms",
        help_text=_("When the platform company (or its local branch) is in the park's registry."),
    )
    kind = models.CharField(_("kind of platform"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform company")
        verbose_name_plural = _("platform companies")
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="platform_uscc_unique"),
        ]

    def __str__(self):
        return self.name


class PlatformWorkerQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators: all. API clients: the workers of their area (all without one).
        Union officials: the workers their union registered or enrolled (a federation's officials:
        also those of the unions below it, and every worker who works in the federation's area).
        Enterprise HR (a platform company's included), mediators, inspectors: none: the union's
        member list is the union's (issue 19)."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(town__in=principal.area_ids) if principal.area_ids else self
        if not principal.is_authenticated:
            return self.none()
        own = principal.organisation_ids(Role.UNION_OFFICIAL)
        if not own:
            return self.none()
        unions = Union.objects.filter(Q(organisation_id__in=own) | Q(parent__organisation_id__in=own))
        q = Q(registered_by__in=unions) | Q(
            pk__in=PlatformMembership.objects.filter(union__in=unions).values("worker")
        )
        federation_areas = Union.objects.filter(
            organisation_id__in=own, kind=Union.Kind.FEDERATION, organisation__area__isnull=False
        ).values("organisation__area")
        q |= Q(town__in=Area.objects.filter(Q(pk__in=federation_areas) | Q(parent__in=federation_areas)))
        return self.filter(q)


class PlatformWorker(BaseModel):
    """A worker of the new forms of employment: works through one or more platforms. Identified by
    the keyed hash of the ID number (PIPL art. 28: encrypted, shown masked)."""

    class Occupation(models.TextChoices):
        DRIVER = "driver", _("Ride-hailing driver")
        COURIER = "courier", _("Courier")
        RIDER = "rider", _("Delivery rider")
        TRUCK_DRIVER = "truck_driver", _("Truck driver")
        OTHER = "other", _("Other")

    class Relationship(models.TextChoices):
        """人社部发〔2021〕56号 part 1 (2): the three situations (rules.RELATIONSHIP_RULES)."""

        LABOUR_CONTRACT = "labour_contract", _("Labour contract")
        NOT_FULLY = "not_fully", _("Not fully a labour relationship")
        INDEPENDENT = "independent", _("Independent business through the platform")

    name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    town = models.ForeignKey(
        Area,
        verbose_name=_("town where they work"),
        on_delete=models.PROTECT,
        related_name="platform_workers",
        limit_choices_to={"kind": "town"},
    )
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation.choices)
    platforms = models.ManyToManyField(Platform, verbose_name=_("platforms"), related_name="workers")
    relationship = models.CharField(
        _("labour relationship"), max_length=20, choices=Relationship.choices, db_index=True
    )
    registered_by = models.ForeignKey(
        Union,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_platform_workers",
        null=True,
        blank=True,
    )

    objects = PlatformWorkerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform worker")
        verbose_name_plural = _("platform workers")
        indexes = [
            models.Index(fields=["name", "id"], name="platform_worker_order"),
            models.Index(fields=["town", "occupation"], name="platform_worker_town"),
            models.Index(fields=["updated_at", "id"], name="platform_worker_updated"),
        ]

    def __str__(self):
        return self.name


class PlatformMembershipQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return self.filter(worker__in=PlatformWorker.objects.visible_to(principal))

    def current_on(self, day):
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


class PlatformMembership(BaseModel):
    """A platform worker's membership of a joint, industry union or federation (入会), from
    `joined_on` until `left_on`. One current membership per worker."""

    worker = models.ForeignKey(
        PlatformWorker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="memberships"
    )
    union = models.ForeignKey(
        Union, verbose_name=_("union"), on_delete=models.PROTECT, related_name="platform_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    objects = PlatformMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-joined_on"]
        verbose_name = _("platform worker's union membership")
        verbose_name_plural = _("platform workers' union memberships")
        indexes = [models.Index(fields=["union", "joined_on"], name="platform_membership_union")]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(left_on__isnull=True), name="platform_membership_one_current"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="platform_membership_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.worker} · {self.union}"
