"""Labour-dispute mediation (domain guide §5): organisations, mediators, cases and agreements.

Law: 劳动争议调解仲裁法 (Labour Dispute Mediation and Arbitration Law, "LDMAL") arts. 2, 7, 10-16,
27; 企业劳动争议协商调解规定; 人民法院在线调解规则. The rules themselves live in `rules.py`; the
lifecycle and what may be done when in `workflow.py`; the vocabulary (TextChoices) here.

A MediationOrganisation is the registry record of an `accounts.Organisation` of kind "mediation":
memberships with the mediator role hang on the organisation (scoping), the record holds the kind
and what the organisation covers; `Mediator` is its roster (who may be assigned a case).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.roles import Role
from apps.core.models import Area, BaseModel, ScopedQuerySet, StatusHistory, YearCounter
from apps.core.personal_data import EncryptedCharField
from apps.unions.models import Union


class DisputeType(models.TextChoices):
    """Labour disputes the law covers (劳动争议调解仲裁法 art. 2, `rules.DISPUTE_TYPE_SOURCE`); item
    (4) and (5) are split so the figures and the payment-order rule (art. 16) can tell them apart.
    The vocabulary lives here, with the tables that store it; `rules.DisputeType` is the same class."""

    RELATIONSHIP = "relationship", _("Confirmation of a labour relationship")
    CONTRACT = "contract", _("Conclusion, performance, change, termination of a labour contract")
    DISMISSAL = "dismissal", _("Removal, dismissal, resignation or leaving")
    WORKING_TIME = "working_time", _("Working time, rest and leave")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    WELFARE = "welfare", _("Welfare, training and labour protection")
    REMUNERATION = "remuneration", _("Labour remuneration (wages)")
    INJURY_MEDICAL = "injury_medical", _("Work-injury medical costs")
    COMPENSATION = "compensation", _("Economic compensation")
    DAMAGES = "damages", _("Damages")
    OTHER = "other", _("Other labour dispute")


def working_organisation_ids(principal) -> frozenset:
    """The mediation organisations (MediationOrganisation pks) whose cases a signed-in user works:
    those where they are a mediator, and those run by a trade union they are an official of
    (`MediationOrganisation.union`: an enterprise union runs the enterprise's committee, a
    federation may run a regional one; 企业劳动争议协商调解规定 art. 13: the committee's chair is
    a union member). Asked once per request (`Principal.remembered`)."""
    mediator = principal.organisation_ids(Role.MEDIATOR)
    union = principal.organisation_ids(Role.UNION_OFFICIAL)
    if not mediator and not union:
        return frozenset()
    return principal.remembered(
        "mediation:working_organisations",
        lambda: frozenset(
            MediationOrganisation.objects.filter(
                Q(organisation_id__in=mediator) | Q(union__organisation_id__in=union)
            ).values_list("pk", flat=True)
        ),
    )


def supervised_scope(principal) -> Q | None:
    """The cases a trade-union federation supervises (read-only: figures and overdue cases, issue
    18): every case for the officials of a federation with no federation above it (the park's),
    the cases of its area's towns for a federation below it; None for anyone else."""
    union = principal.organisation_ids(Role.UNION_OFFICIAL)
    if not union:
        return None

    def compute():
        rows = list(
            Union.objects.filter(organisation_id__in=union, kind=Union.Kind.FEDERATION).values_list(
                "parent_id", "organisation__area_id"
            )
        )
        if not rows:
            return None
        if any(parent is None for parent, _area in rows):
            return Q()
        areas = {area for _parent, area in rows if area}
        return Q(town__in=areas) | Q(town__parent__in=areas)

    return principal.remembered("mediation:supervised_scope", compute)


class MediationOrganisationQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Organisations are public knowledge inside the platform: every signed-in user and API
        client sees the list (intake and transfer need it); the anonymous public sees active ones
        through the application form only."""
        if principal.is_authenticated:
            return self
        return self.filter(is_active=True)

    def active(self):
        return self.filter(is_active=True)


class MediationOrganisation(BaseModel):
    """A mediation organisation of LDMAL art. 10, or the court's pre-litigation mediation."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise labour-dispute mediation committee")
        TOWN = "town", _("Township / sub-district or regional mediation (HR bureau)")
        INDUSTRY = "industry", _("Industry mediation organisation")
        PEOPLE = "people", _("People's mediation committee")
        ARBITRATION = "arbitration", _("Mediation centre of the arbitration commission")
        COURT = "court", _("Court pre-litigation mediation")

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="mediation",
        editable=False,
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    towns = models.ManyToManyField(
        Area,
        verbose_name=_("towns covered"),
        blank=True,
        related_name="mediation_organisations",
        limit_choices_to={"kind": Area.Kind.TOWN},
    )
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        verbose_name=_("enterprises covered"),
        blank=True,
        related_name="mediation_organisations",
        help_text=_(
            "For an enterprise committee: its enterprise; for an industry organisation: its members."
        ),
    )
    union = models.ForeignKey(
        "unions.Union",
        verbose_name=_("run by the trade union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_organisations",
        help_text=_(
            "The union that runs the organisation (an enterprise committee: the enterprise's union; "
            "a regional one: the federation). Its officials see and work the organisation's cases "
            "like its mediators."
        ),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MediationOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("mediation organisation")
        verbose_name_plural = _("mediation organisations")

    def __str__(self):
        return self.name


class Mediator(BaseModel):
    """A member of a mediation organisation who can be assigned cases."""

    organisation = models.ForeignKey(
        MediationOrganisation,
        verbose_name=_("mediation organisation"),
        on_delete=models.CASCADE,
        related_name="mediators",
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediator_roles",
    )
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    #: Dispute type codes (DisputeType) the mediator specialises in.
    specialities = models.JSONField(_("specialities"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(user__isnull=False), name="uniq_mediator_user"
            ),
        ]

    def __str__(self):
        return self.name

    def speciality_labels(self) -> list[str]:
        return [DisputeType(code).label for code in self.specialities if code in DisputeType.values]


class SerialCounter(YearCounter):
    """The last serial number given per year; locked while a case is numbered."""

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")


#: The API scopes of mediation (apps/accounts/scopes.py). A district system with `mediation:read`
#: or `mediation:write` reads the cases of its area; one with only `mediation:intake` (a 12345
#: hotline, issue 15) sends cases and reads those it sent, and acts on none.
READ_SCOPE, WRITE_SCOPE, INTAKE_SCOPE = "mediation:read", "mediation:write", "mediation:intake"


def reads_only_own_cases(principal) -> bool:
    """An API client whose only mediation scope is `mediation:intake`: it reads the cases it sent
    (`Case.created_by_client`), never another system's or the park's."""
    return (
        principal.is_api_client
        and not principal.has_scope(READ_SCOPE)
        and not principal.has_scope(WRITE_SCOPE)
    )


class CaseQuerySet(ScopedQuerySet):
    def worked_by(self, principal):
        """The cases the principal may act on (the role's permissions then say which acts): park
        administrators and the platform every case; API clients those of their area (a client with
        only `mediation:intake` the cases it sent: `reads_only_own_cases`); mediators the cases of
        their organisations; union officials those of the organisations their union runs
        (`working_organisation_ids`). Nobody else."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            qs = self.filter(town__in=principal.area_ids) if principal.area_ids else self
            if reads_only_own_cases(principal):
                qs = qs.filter(created_by_client_id=principal.api_client.pk)
            return qs
        if not principal.is_authenticated:
            return self.none()
        # The organisations' ids first (a short read): the lists then read the cases through
        # their index on the organisation, in order, instead of joining every case.
        return self.filter(organisation_id__in=list(working_organisation_ids(principal)))

    def visible_to(self, principal, *, today: dt.date | None = None):
        """`worked_by`'s cases, and read-only: enterprise HR the cases where their enterprise is
        the respondent (the pages and API then hide applicants' ID numbers and phones); a
        union federation's officials the open cases of its scope past a deadline
        (`supervised_scope`: supervision, without the case file or ID numbers). Nobody else."""
        if principal.sees_everything or principal.is_api_client or not principal.is_authenticated:
            return self.worked_by(principal)
        q = self._read_q(principal)
        supervised = supervised_scope(principal)
        if supervised is not None:
            today = today or timezone.localdate()
            q |= supervised & Q(status__in=Case.OPEN, deadline_rank__gt=deadline_rank_of(today))
        return self.filter(q)

    def counted_for(self, principal):
        """The cases the principal's figures count (numbers only, no case is shown): those they
        see, and for a union federation's officials every case of its scope."""
        if principal.sees_everything or principal.is_api_client or not principal.is_authenticated:
            return self.worked_by(principal)
        supervised = supervised_scope(principal)
        if supervised is None:
            return self.visible_to(principal)
        if not supervised:  # the park's federation: every case
            return self
        return self.filter(self._read_q(principal) | supervised)

    @staticmethod
    def _read_q(principal) -> Q:
        q = Q(organisation_id__in=list(working_organisation_ids(principal)))
        hr_orgs = principal.organisation_ids(Role.ENTERPRISE_HR)
        if hr_orgs:
            q |= Q(respondent_enterprise__organisation_id__in=hr_orgs)
        return q


#: The open case's next deadline as a number that sorts descending (the larger, the nearer the
#: deadline): days from it to 9999-12-31 for the decision while received and for the mediation
#: period while in mediation, 0 once decided for good. One direction for every column of the
#: list's order lets PostgreSQL page through it by a row comparison on one index.
RANK_EPOCH = dt.date(9999, 12, 31)
DEADLINE_RANK_SQL = (
    f"CASE WHEN status = 'received' THEN DATE '{RANK_EPOCH}' - decision_due_on "
    f"WHEN status = 'in_mediation' THEN DATE '{RANK_EPOCH}' - due_on ELSE 0 END"
)
#: The same on SQLite (`make run`), whose dates are text: days between them by julianday().
DEADLINE_RANK_SQLITE = (
    f"CASE WHEN status = 'received' THEN CAST(julianday('{RANK_EPOCH}') - julianday(decision_due_on) AS INTEGER) "
    f"WHEN status = 'in_mediation' THEN CAST(julianday('{RANK_EPOCH}') - julianday(due_on) AS INTEGER) "
    "ELSE 0 END"
)


@deconstructible(path="apps.mediation.models.DeadlineRank")
class DeadlineRank(models.Expression):
    """The generated column's expression, in each database's own date arithmetic (a constant:
    no input reaches it)."""

    output_field = models.IntegerField()

    def as_sql(self, compiler, connection):
        return (DEADLINE_RANK_SQLITE if connection.vendor == "sqlite" else DEADLINE_RANK_SQL), []

    def __eq__(self, other):
        return isinstance(other, DeadlineRank)

    def __hash__(self):
        return hash(DeadlineRank)


#: The case lists' order, most urgent first (issue 20): the open cases by their next deadline, the
#: overdue ones first (the further past, the higher: `deadline_rank`), then the decided ones (rank
#: 0: refused, closed, archived); among equal deadlines collective disputes first (LDMAL art. 7),
#: then the newest. An archived collective case never sits above an open case. Each scope and
#: status has an index in this order (Case.Meta), every column descending, so a list's cursor is
#: one row comparison on it.
LIST_ORDER = ("-deadline_rank", "-is_collective", "-received_on", "-serial", "-id")


def deadline_rank_of(day: dt.date) -> int:
    """The `deadline_rank` of a deadline on `day`: an open case is past its deadline on `today`
    exactly when its rank is above `deadline_rank_of(today)`."""
    return (RANK_EPOCH - day).days


class RankField(models.GeneratedField):
    """A stored generated column whose values are parsed as its output field's (a list's cursor
    carries them back from the address)."""

    def to_python(self, value):
        return self.output_field.to_python(value)


class Case(BaseModel):
    """A labour-dispute mediation case, from application to archive."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_MEDIATION = "in_mediation", _("In mediation")
        REFUSED = "refused", _("Not accepted")
        CLOSED = "closed", pgettext_lazy("mediation case", "Closed")
        ARCHIVED = "archived", _("Archived")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online application")
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", pgettext_lazy("channel", "Phone")
        COURT = "court", _("Entrusted by a court")
        INSPECTION = "inspection", _("Transferred from labour inspection")
        HOTLINE = "hotline", _("12345 hotline referral")

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral (recorded on the spot)")

    class Outcome(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement reached")
        NO_AGREEMENT = "no_agreement", _("No agreement")
        TIMED_OUT = "timed_out", _("Timed out")
        WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
        RESPONDENT_REFUSED = "respondent_refused", _("Respondent refused mediation")
        ARBITRATION = "arbitration", _("Referred to arbitration")
        COURT = "court", _("Referred to court")

    OPEN = (Status.RECEIVED, Status.IN_MEDIATION)
    LIST_ORDER = LIST_ORDER

    serial = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    access_code_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
        editable=False,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    form = models.CharField(
        _("form of application"), max_length=10, choices=Form.choices, default=Form.WRITTEN
    )
    oral_record = models.TextField(
        _("record of the oral application"),
        blank=True,
        help_text=_("LDMAL art. 12: an oral application is recorded on the spot."),
    )
    court_name = models.CharField(_("entrusting court"), max_length=100, blank=True)
    source_reference = models.CharField(
        _("reference of the sender"),
        max_length=60,
        blank=True,
        help_text=_(
            "The court's entrustment number, the inspection case number or the 12345 hotline's "
            "work-order number. One case per channel and reference: sending it again finds this case."
        ),
    )

    # The respondent: an enterprise of the registry, or an employer outside the park.
    respondent_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("respondent (registered enterprise)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_cases",
    )
    respondent_name = models.CharField(_("respondent"), max_length=200)
    respondent_uscc = models.CharField(_("respondent's credit code"), max_length=18, blank=True)
    respondent_contact = models.CharField(_("respondent's contact person"), max_length=50, blank=True)
    respondent_phone = models.CharField(_("respondent's phone"), max_length=30, blank=True)
    respondent_address = models.CharField(_("respondent's address"), max_length=200, blank=True)
    town = models.ForeignKey(
        Area,
        verbose_name=_("town / sub-district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    claims = models.TextField(_("claims"))
    facts = models.TextField(_("facts and reasons"), blank=True)
    amount_claimed = models.DecimalField(
        _("amount claimed (yuan)"), max_digits=14, decimal_places=2, default=0
    )
    workers_count = models.PositiveIntegerField(_("workers involved"), default=1)
    common_claim = models.BooleanField(
        _("the workers share a common claim"),
        default=True,
        help_text=_("LDMAL art. 7: 10 or more workers with a common claim make a collective dispute."),
    )
    is_collective = models.BooleanField(_("collective dispute"), default=False, db_index=True, editable=False)
    #: A collective dispute that led to a mass incident (因劳动争议引发群体性事件): the day it happened
    #: and what happened, marked by the park or the case's mediators (`services.mark_mass_incident`).
    #: Certification reads it as a veto candidate (`facts.veto_candidates`).
    mass_incident_on = models.DateField(_("mass incident on"), null=True, blank=True, editable=False)
    mass_incident_note = models.TextField(_("what happened"), blank=True, editable=False)
    infringed_on = models.DateField(
        _("date the right was known to be infringed"),
        null=True,
        blank=True,
        help_text=_("Starts the one-year limitation period (LDMAL art. 27)."),
    )

    organisation = models.ForeignKey(
        MediationOrganisation,
        verbose_name=_("mediation organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    mediator = models.ForeignKey(
        Mediator,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )

    # Clocks. Dates are in the park's time zone.
    received_on = models.DateField(_("received on"), db_index=True)
    clock_starts_on = models.DateField(
        _("current organisation received it on"),
        help_text=_("The day the organisation now handling the case received it (changes on transfer)."),
    )
    decision_due_on = models.DateField(_("accept or refuse by"))
    due_on = models.DateField(_("mediation deadline"), db_index=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True, db_index=True
    )
    outcome_note = models.TextField(_("closing note"), blank=True)
    agreed_amount = models.DecimalField(_("amount agreed (yuan)"), max_digits=14, decimal_places=2, default=0)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    decision_reminded_on = models.DateField(null=True, blank=True, editable=False)

    deadline_rank = RankField(
        expression=DeadlineRank(),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("order of the next deadline"),
    )

    consent_at = models.DateTimeField(
        _("consent to the processing of personal data"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    #: The district system (API client) that sent the case; a client holding only the
    #: `mediation:intake` scope reads the cases it sent and no other (`CaseQuerySet.worked_by`).
    created_by_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("sent by the district system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-serial"]
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        permissions = [
            ("accept_case", _("Accept, refuse and transfer mediation cases")),
            ("mediate_case", _("Conduct mediation: sessions, extensions, agreements, closing")),
            ("register_case", _("Register a walk-in, phone or entrusted case")),
            ("view_mediation_figures", _("See the mediation figures")),
            ("view_applicant_identity", _("See applicants' ID numbers and phones")),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["status", "decision_due_on"]),
            # The lists in their order (LIST_ORDER): park-wide, per status, per organisation
            # (mediators), per mediator (?mine=true); the respondent's HR see few cases.
            models.Index(fields=list(LIST_ORDER), name="case_order"),
            models.Index(fields=["status", *LIST_ORDER], name="case_status_order"),
            models.Index(fields=["organisation", *LIST_ORDER], name="case_org_order"),
            models.Index(fields=["mediator", *LIST_ORDER], name="case_mediator_order"),
            # The respondent's newest cases (the enterprise's dossier).
            models.Index(
                fields=["respondent_enterprise", "-received_on", "-serial"], name="case_respondent_newest"
            ),
            # The open cases (few) in the list's order: their lists, overdue cases.
            models.Index(
                fields=list(LIST_ORDER),
                condition=Q(status__in=["received", "in_mediation"]),
                name="case_open_order",
            ),
            # Search by serial number or its beginning (TJ2024, TJ2024-001...). The search by part
            # of the respondent's name reads a trigram index (migration 0002: three characters or
            # more are found in the index).
            models.Index(fields=["serial"], name="case_serial_prefix", opclasses=["varchar_pattern_ops"]),
            # District intake (issue 15): the cases a `mediation:intake` client sent, in the list's
            # order (its whole list); incremental sync by the time of the last change.
            models.Index(
                fields=["created_by_client", *LIST_ORDER],
                condition=Q(created_by_client__isnull=False),
                name="case_client_order",
            ),
            models.Index(fields=["updated_at", "id"], name="mediation_case_updated_idx"),
            # The mass incidents (few): risk signals and certification's veto candidates.
            models.Index(
                fields=["mass_incident_on"],
                condition=Q(mass_incident_on__isnull=False),
                name="case_mass_incident",
            ),
        ]
        constraints = [
            # One case per (channel, sender's reference): a referral sent again finds the case
            # registered the first time (services.receive_referral). The reference leads, so the
            # `source_reference=` filter reads this index too.
            models.UniqueConstraint(
                fields=["source_reference", "channel"],
                condition=~Q(source_reference=""),
                name="uniq_case_channel_reference",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_court_entrusted(self) -> bool:
        return self.channel == self.Channel.COURT


class CaseHistory(StatusHistory):
    subject = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name = _("case history")
        verbose_name_plural = _("case history")


class CaseType(models.Model):
    """One dispute type of a case (several allowed; LDMAL art. 2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="types")
    code = models.CharField(_("dispute type"), max_length=30, choices=DisputeType.choices, db_index=True)

    class Meta:
        verbose_name = _("dispute type")
        verbose_name_plural = _("dispute types")
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="uniq_case_type")]

    def __str__(self):
        return self.get_code_display()


class Applicant(BaseModel):
    """A worker who applied. The ID number is sensitive personal data (PIPL art. 28): encrypted at
    rest, looked up by its keyed hash, masked on pages, never shown to the respondent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="applicants")
    name = models.CharField(_("full name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    job = models.CharField(_("job"), max_length=100, blank=True)
    employed_from = models.DateField(_("employed from"), null=True, blank=True)
    employed_until = models.DateField(
        _("employed until"), null=True, blank=True, help_text=_("Empty while still employed.")
    )
    is_representative = models.BooleanField(_("representative"), default=False)
    lost_job = models.BooleanField(_("lost the job in the dispute"), default=False)
    position = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["case", "position", "created_at"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")

    def __str__(self):
        return self.name


class Session(BaseModel):
    """A mediation session."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")
        PHONE = "phone", pgettext_lazy("session mode", "Phone")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    attendees = models.TextField(_("attendees"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["held_at"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")


class Extension(BaseModel):
    """An extension of the mediation period, with both parties' consent (LDMAL art. 14)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    previous_due_on = models.DateField(_("previous deadline"))
    new_due_on = models.DateField(_("new deadline"))
    applicant_consent_on = models.DateField(_("applicant consented on"))
    respondent_consent_on = models.DateField(_("respondent consented on"))
    consent_record = models.TextField(_("how consent was given"))
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")


class Transfer(BaseModel):
    """A transfer of the case to another organisation (the status history records it too)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_organisation = models.ForeignKey(
        MediationOrganisation,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from organisation"),
    )
    to_organisation = models.ForeignKey(
        MediationOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("to organisation")
    )
    transferred_on = models.DateField(_("transferred on"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")


class Agreement(BaseModel):
    """The mediation agreement (LDMAL art. 14): in force once both parties have signed or sealed,
    the mediator has signed and the organisation's seal is affixed."""

    class Performance(models.TextChoices):
        PENDING = "pending", _("Not yet due or not yet paid")
        PARTLY = "partly", _("Partly performed")
        PERFORMED = "performed", _("Performed")
        NOT_PERFORMED = "not_performed", _("Not performed")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="agreement")
    result = models.TextField(_("result of the mediation"))
    applicant_signed_on = models.DateField(_("applicant signed on"), null=True, blank=True)
    respondent_signed_on = models.DateField(_("respondent signed or sealed on"), null=True, blank=True)
    mediator_signed_on = models.DateField(_("mediator signed on"), null=True, blank=True)
    sealed_on = models.DateField(_("organisation's seal affixed on"), null=True, blank=True)
    effective_on = models.DateField(_("in force since"), null=True, blank=True, editable=False)
    performance = models.CharField(
        _("performance"), max_length=20, choices=Performance.choices, default=Performance.PENDING
    )
    document = models.ForeignKey(
        "documents.GeneratedDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self):
        return str(self.case)

    @property
    def signed_by_anyone(self) -> bool:
        return any(
            (self.applicant_signed_on, self.respondent_signed_on, self.mediator_signed_on, self.sealed_on)
        )

    @property
    def is_signed(self) -> bool:
        return all(
            (self.applicant_signed_on, self.respondent_signed_on, self.mediator_signed_on, self.sealed_on)
        )


class AgreementItem(models.Model):
    """One obligation of the agreement: what, how much, by when and how."""

    class Kind(models.TextChoices):
        WAGES = "wages", _("Labour remuneration (wages)")
        INJURY_MEDICAL = "injury_medical", _("Work-injury medical costs")
        COMPENSATION = "compensation", _("Economic compensation")
        DAMAGES = "damages", _("Damages")
        OTHER = "other", _("Other obligation")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, default=0)
    due_on = models.DateField(_("perform by"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.TRANSFER)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agreement item")
        verbose_name_plural = _("agreement items")

    def __str__(self):
        return self.description


class FollowUp(BaseModel):
    """What may follow an agreement, with its deadline (LDMAL art. 16; 劳动人事争议仲裁办案规则;
    民事诉讼法 art. 205 (司法确认))."""

    class Kind(models.TextChoices):
        ARBITRATION_CONFIRMATION = (
            "arbitration_confirmation",
            _("Joint request for confirmation by the arbitration commission"),
        )
        JUDICIAL_CONFIRMATION = "judicial_confirmation", _("Judicial confirmation by a court")
        PAYMENT_ORDER = "payment_order", _("Payment order")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        NOT_PURSUED = "not_pursued", _("Not pursued")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_on", "kind"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="uniq_follow_up_kind")]


class Payment(BaseModel):
    """Performance recorded: an amount paid under the agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(_("amount paid (yuan)"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["paid_on", "created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")


class Referral(BaseModel):
    """A re-employment referral for an applicant who lost the job in the dispute (seed 003:
    link mediation with employment services): the kind of service, who provides it, when, the
    follow-up and the outcome. Counted in the mediation figures."""

    class Kind(models.TextChoices):
        """The public employment services a worker is referred to (就业促进法 arts. 35, 48, 50;
        社会保险法 ch. 5 for unemployment insurance)."""

        JOB_MATCHING = "job_matching", _("Job matching")
        TRAINING = "training", _("Vocational training")
        UNEMPLOYMENT_INSURANCE = "unemployment_insurance", _("Unemployment insurance")
        START_UP = "start_up", _("Start-up support")
        OTHER = "other", pgettext_lazy("referral kind", "Other")

    class Result(models.TextChoices):
        PENDING = "pending", pgettext_lazy("referral result", "Pending")
        EMPLOYED = "employed", _("Found a job")
        TRAINING = "training", _("Entered training")
        DECLINED = "declined", _("Declined")
        NO_RESULT = "no_result", _("No result")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("applicant")
    )
    kind = models.CharField(_("kind of service"), max_length=30, choices=Kind.choices, db_index=True)
    provider = models.CharField(
        _("provider"),
        max_length=200,
        help_text=_(
            "Who provides the service: e.g. the town's public employment service centre, a training school."
        ),
    )
    referred_on = models.DateField(_("referred on"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_note = models.CharField(_("follow-up note"), max_length=300, blank=True)
    result = models.CharField(
        _("outcome"), max_length=20, choices=Result.choices, default=Result.PENDING, db_index=True
    )
    result_on = models.DateField(_("outcome on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["referred_on", "created_at"]
        verbose_name = _("re-employment referral")
        verbose_name_plural = _("re-employment referrals")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.provider}"


class CaseDocument(BaseModel):
    """A file attached to the case (written application, evidence, entrustment letter...)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="mediation/%Y/%m/")
    content_type = models.CharField(max_length=100, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
