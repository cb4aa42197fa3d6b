"""Serializers of `/api/v1/certification/`.

Output and input are separate. Input serializers only type and shape the fields; every rule (who
may act, in which state, the score maxima, the reasons required, the veto catalogue) lives in
`certification.services` (who may act: `certification.workflow`), whose DomainError the API turns into a 400 with field errors (403, 409).
Components carry a `Certification…` name where a bare one (`Status`, `Level`, `Round`) would clash
with another module's, so the schema's enums are named after them too.
"""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import OptionalChoiceField, VisiblePrimaryKeyRelatedField, principal_of
from apps.core.errors import DomainError
from apps.enterprises.api.serializers import EnterpriseRefSerializer
from apps.enterprises.models import Enterprise
from apps.enterprises.services import normalize_uscc

from .. import selectors, workflow
from ..models import (
    Application,
    ApplicationHistory,
    Category,
    Certificate,
    Item,
    ItemScore,
    Level,
    RuleSet,
    VetoEvent,
    VetoRule,
)
from ..workflow import CERTIFICATE_WORKFLOW, VETO_WORKFLOW, WORKFLOW

#: Every action `available_actions` may name: the workflow's, plus the page-only `edit` (HR change
#: the self-evaluation) and `score` (the reviewer scores the items).
APPLICATION_ACTIONS = [("edit", "edit"), ("score", "score")] + [
    (action, action) for action in WORKFLOW.transitions
]
CERTIFICATE_ACTIONS = [(action, action) for action in CERTIFICATE_WORKFLOW.transitions]


# References ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CertificationRoundRef")
class RoundRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="CertificationNoticeRef")
class NoticeRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


@extend_schema_serializer(component_name="CertificationLevelRef")
class LevelRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# Applications --------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CertificationItemScore")
class ItemScoreOutSerializer(serializers.ModelSerializer):
    item_id = serializers.IntegerField(read_only=True)
    item = serializers.CharField(source="item.code", read_only=True, help_text="Code of the item.")
    category = serializers.CharField(
        source="item.category.code", read_only=True, help_text="Code of the item's category."
    )
    text = serializers.CharField(source="item.text", read_only=True)
    max_points = serializers.DecimalField(
        source="item.max_points", max_digits=5, decimal_places=1, read_only=True
    )

    class Meta:
        model = ItemScore
        fields = [
            "item_id",
            "item",
            "category",
            "text",
            "max_points",
            "self_score",
            "self_note",
            "review_score",
            "review_note",
            "reviewed_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="CertificationHistoryEntry")
class HistoryOutSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    actor = serializers.CharField(
        source="actor_label", read_only=True, help_text="User name, `api:<client>` or `system`."
    )

    class Meta:
        model = ApplicationHistory
        fields = ["action", "action_label", "from_status", "to_status", "at", "actor", "reason"]
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        transition = WORKFLOW.transitions.get(entry.action)
        return str(transition.label) if transition else entry.action


@extend_schema_serializer(component_name="CertificationApplication")
class ApplicationOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    round = RoundRefSerializer(read_only=True)
    target_level = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="Code of the level applied for (A, AA, AAA)."
    )
    proposed_level = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Code of the level the reviewed score reaches, once proposed.",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    notice = NoticeRefSerializer(
        read_only=True, allow_null=True, help_text="The public notice it was published in."
    )
    certificate = serializers.CharField(
        source="certificate.number",
        read_only=True,
        allow_null=True,
        help_text="Number of the certificate issued on it, if certified.",
    )
    available_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: the names of the action endpoints (`return` is "
        "`/return/`, `score` is `/review_scores/`); `edit` is the enterprise's own wizard."
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=APPLICATION_ACTIONS)))
    def get_available_actions(self, application):
        principal = principal_of(self)
        return workflow.available_actions(application, principal) if principal else []

    class Meta:
        model = Application
        fields = [
            "id",
            "enterprise",
            "round",
            "rule_set",
            "target_level",
            "proposed_level",
            "status",
            "status_label",
            "self_score",
            "reviewed_score",
            "submitted_at",
            "notice",
            "certificate",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _json_value(value):
    """A fact's value for JSON: numbers as numbers, dates as ISO text, booleans, text or null."""
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@extend_schema_serializer(component_name="PlatformFact")
class FactOutSerializer(serializers.Serializer):
    """A fact the platform holds about the enterprise (`apps.core.facts.Fact`)."""

    code = serializers.CharField(help_text="Stable code, e.g. `contracts.signing_rate`.")
    label = serializers.CharField()
    value = serializers.JSONField(
        help_text="Number, boolean, text, ISO date, or null when the platform cannot tell."
    )
    display = serializers.CharField(help_text="The value in words, as the pages show it.")
    as_of = serializers.DateField(allow_null=True)
    source = serializers.CharField(help_text="The records (and the law) the fact rests on.")
    url = serializers.CharField(
        allow_blank=True,
        help_text="A page of the records behind it, only if the caller may open it; else empty.",
    )

    def to_representation(self, row):
        fact, link = row
        return {
            "code": fact.code,
            "label": str(fact.label),
            "value": _json_value(fact.value),
            "display": str(fact.display),
            "as_of": fact.as_of.isoformat() if fact.as_of else None,
            "source": str(fact.source),
            "url": link,
        }


FACT_STATES = [("agree", "agree"), ("disagree", "disagree"), ("unknown", "unknown")]


@extend_schema_serializer(component_name="CertificationFactCheck")
class FactCheckOutSerializer(serializers.Serializer):
    """A scoring item the platform can check: the self-score beside the fact, and whether they agree."""

    item_id = serializers.IntegerField()
    item = serializers.CharField(help_text="Code of the item.")
    fact_code = serializers.CharField()
    rule = serializers.CharField(help_text="The item's test in words, e.g. `contract signing rate ≥ 100`.")
    self_score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    max_points = serializers.DecimalField(max_digits=5, decimal_places=1)
    state = serializers.ChoiceField(
        choices=FACT_STATES,
        help_text="`disagree`: full points claimed while the record fails the test, or no points while it "
        "meets it; `unknown`: no module provides the fact, it has no value, or the item is not scored.",
    )
    passes = serializers.BooleanField(allow_null=True, help_text="Whether the record meets the item's test.")
    message = serializers.CharField()
    fact = FactOutSerializer(allow_null=True, help_text="Null when no module provides the fact.")

    def to_representation(self, row):
        item = row.item
        return {
            "item_id": item.pk,
            "item": item.code,
            "fact_code": item.fact_code,
            "rule": row.check.rule,
            "self_score": None if row.score is None else f"{row.score:.1f}",
            "max_points": f"{item.max_points:.1f}",
            "state": row.check.state,
            "passes": row.check.passes,
            "message": str(row.check.message),
            "fact": FactOutSerializer().to_representation((row.fact, row.link)) if row.fact else None,
        }


class ApplicationDetailsSerializer(serializers.Serializer):
    """What the detail adds to the list's fields."""

    scores = ItemScoreOutSerializer(many=True, read_only=True, help_text="One row per item of the form.")
    history = HistoryOutSerializer(many=True, read_only=True, help_text="Status changes, oldest first.")
    fact_checks = serializers.SerializerMethodField(
        help_text="Each item the platform can check (the rule set maps it to a fact): the self-score "
        "beside the platform's record, flagged `disagree` where they disagree (issue 17)."
    )
    facts = serializers.SerializerMethodField(
        help_text="Everything the platform's modules hold about the enterprise, by code."
    )

    def _review(self, application):
        # Collected once per application (both fields read it).
        review = getattr(application, "_fact_review", None)
        if review is None:
            principal = principal_of(self)
            review = selectors.fact_review(principal, application, selectors.form_sections(application))
            application._fact_review = review
        return review

    @extend_schema_field(FactCheckOutSerializer(many=True))
    def get_fact_checks(self, application):
        return [
            FactCheckOutSerializer().to_representation(row)
            for row in self._review(application).by_item.values()
        ]

    @extend_schema_field(FactOutSerializer(many=True))
    def get_facts(self, application):
        return [
            FactOutSerializer().to_representation((row.fact, row.link))
            for row in self._review(application).facts
        ]


@extend_schema_serializer(component_name="CertificationApplicationDetail")
class ApplicationDetailSerializer(ApplicationOutSerializer, ApplicationDetailsSerializer):
    """The list's fields plus the scores, the history and the available actions. The schema shows
    it as `allOf` the list's component and these (ApplicationDetailSchema), so that the status enum
    has one component and keeps its name."""

    class Meta(ApplicationOutSerializer.Meta):
        fields = [*ApplicationOutSerializer.Meta.fields, "scores", "history", "fact_checks", "facts"]
        read_only_fields = fields


class ApplicationDetailSchema(OpenApiSerializerExtension):
    target_class = ApplicationDetailSerializer

    def map_serializer(self, auto_schema, direction):
        summary = auto_schema.resolve_serializer(ApplicationOutSerializer, direction)
        details = auto_schema._map_serializer(ApplicationDetailsSerializer(), direction)
        return {"allOf": [summary.ref, details]}


@extend_schema_serializer(component_name="CertificationReviewScore")
class ReviewScoreInSerializer(serializers.Serializer):
    item = serializers.CharField(
        help_text="The item: its id, its code, or `category.code` where a code is used in two categories."
    )
    score = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        allow_null=True,
        help_text="From 0 to the item's maximum, in tenths of a point (rounded to one decimal "
        "place); null clears the reviewer's score.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="The reviewer's note; replaces the previous one."
    )


@extend_schema_serializer(component_name="CertificationReviewScores")
class ReviewScoresInSerializer(serializers.Serializer):
    scores = ReviewScoreInSerializer(many=True, allow_empty=False)


# Certificates --------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Certificate")
class CertificateOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    level = LevelRefSerializer(read_only=True)
    round = RoundRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 of the certificate PDF once generated; empty before."
    )
    verify_url = serializers.SerializerMethodField(
        help_text="The public verification page (printed on the certificate as a QR code)."
    )
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "enterprise",
            "level",
            "round",
            "application",
            "issuer",
            "issued_on",
            "valid_until",
            "status",
            "status_label",
            "ended_on",
            "end_reason",
            "sha256",
            "verify_url",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_sha256(self, cert) -> str:
        doc = cert.document
        return doc.sha256 if doc is not None and doc.status == doc.Status.READY else ""

    def get_verify_url(self, cert) -> str:
        return selectors.verification_url(cert.number)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=CERTIFICATE_ACTIONS)))
    def get_available_actions(self, cert):
        principal = principal_of(self)
        return workflow.certificate_actions(cert, principal) if principal else []


@extend_schema_serializer(component_name="CertificateVerificationEnterprise")
class VerifiedEnterpriseSerializer(serializers.Serializer):
    name = serializers.CharField()
    uscc = serializers.CharField()


@extend_schema_serializer(component_name="CertificateVerification")
class VerificationOutSerializer(serializers.Serializer):
    """What the public verification page says about a certificate number."""

    number = serializers.CharField(source="certificate.number")
    state = serializers.ChoiceField(
        choices=list(selectors.VERIFY_LABELS.items()),
        help_text="`valid` only while the title is in force today.",
    )
    label = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the certificate PDF; compare it with the file.")
    enterprise = VerifiedEnterpriseSerializer(source="certificate.enterprise")
    level = LevelRefSerializer(source="certificate.level")
    round = serializers.CharField(source="certificate.round.name")
    issuer = serializers.CharField(source="certificate.issuer")
    issued_on = serializers.DateField(source="certificate.issued_on")
    valid_until = serializers.DateField(source="certificate.valid_until")
    ended_on = serializers.DateField(source="certificate.ended_on", allow_null=True)
    verify_url = serializers.SerializerMethodField()

    def get_verify_url(self, verification) -> str:
        return selectors.verification_url(verification.certificate.number)


class VerifyQuerySerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The certificate number, e.g. HX2026-A-0001.")


class TitleQuerySerializer(serializers.Serializer):
    """The parameter of an enterprise's current title (issue 15)."""

    uscc = serializers.CharField(
        max_length=40,
        help_text="The enterprise's unified social credit code: 18 characters with its check "
        "character (GB 32100-2015); a malformed one is a 400.",
    )

    def validate_uscc(self, value):
        try:
            return normalize_uscc(value)
        except DomainError as exc:
            raise serializers.ValidationError(str(exc.message)) from None


# Rule sets -----------------------------------------------------------------------------------------

_POINTS = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)


def _points(values) -> str:
    return _POINTS.to_representation(sum(values, Decimal(0)))


@extend_schema_serializer(component_name="CertificationLevel")
class LevelOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["rank", "code", "name", "min_score", "months_at_lower"]
        read_only_fields = fields


@extend_schema_serializer(component_name="CertificationVetoRule")
class VetoRuleOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = VetoRule
        fields = ["order", "code", "name", "lookback_months"]
        read_only_fields = fields


@extend_schema_serializer(component_name="CertificationItem")
class ItemOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "order", "code", "text", "max_points", "evidence_required"]
        read_only_fields = fields


@extend_schema_serializer(component_name="CertificationCategory")
class CategoryOutSerializer(serializers.ModelSerializer):
    items = ItemOutSerializer(many=True, read_only=True)
    max_points = serializers.SerializerMethodField(help_text="Sum of the items' maximum points.")

    class Meta:
        model = Category
        fields = ["order", "code", "name", "max_points", "items"]
        read_only_fields = fields

    @extend_schema_field(_POINTS)
    def get_max_points(self, category):
        return _points(item.max_points for item in category.items.all())


@extend_schema_serializer(component_name="CertificationRuleSet")
class RuleSetOutSerializer(serializers.ModelSerializer):
    notice_unit_label = serializers.CharField(source="get_notice_unit_display", read_only=True)
    max_points = serializers.SerializerMethodField(help_text="The scoring form's total (100).")
    levels = LevelOutSerializer(many=True, read_only=True)
    veto_rules = VetoRuleOutSerializer(many=True, read_only=True)
    categories = CategoryOutSerializer(many=True, read_only=True)

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "region",
            "year",
            "version",
            "name",
            "source",
            "min_employees",
            "min_years_operating",
            "group_ratio_numerator",
            "group_ratio_denominator",
            "disclosure_min_days",
            "disclosure_congress_allowed",
            "notice_length",
            "notice_unit",
            "notice_unit_label",
            "validity_years",
            "report_grace_days",
            "coverage_target",
            "issuer",
            "certificate_title",
            "certificate_wording",
            "number_prefix",
            "max_points",
            "levels",
            "veto_rules",
            "categories",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(_POINTS)
    def get_max_points(self, rule_set):
        # From the prefetched form (RuleSet.max_points would query).
        return _points(item.max_points for cat in rule_set.categories.all() for item in cat.items.all())


# Veto events ---------------------------------------------------------------------------------------


VETO_ACTIONS = [(action, action) for action in VETO_WORKFLOW.transitions]


@extend_schema_serializer(component_name="VetoEvent")
class VetoEventOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    origin_label = serializers.CharField(source="get_origin_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    available_actions = serializers.SerializerMethodField(
        help_text="`confirm` / `dismiss` while the platform's proposal waits for the park."
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=VETO_ACTIONS)))
    def get_available_actions(self, event):
        principal = principal_of(self)
        return workflow.veto_actions(event, principal) if principal else []

    class Meta:
        model = VetoEvent
        fields = [
            "id",
            "enterprise",
            "kind",
            "kind_name",
            "occurred_on",
            "source",
            "note",
            "origin",
            "origin_label",
            "status",
            "status_label",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="VetoEvent")
class VetoEventInSerializer(serializers.Serializer):
    enterprise = VisiblePrimaryKeyRelatedField(Enterprise, help_text="Id of the enterprise.")
    kind = serializers.CharField(help_text="A code of the veto catalogue (see the rule sets' `veto_rules`).")
    occurred_on = serializers.DateField()
    source = serializers.CharField(
        allow_blank=True, help_text="The authority's notice, decision or case number."
    )
    note = serializers.CharField(required=False, allow_blank=True)
    origin = OptionalChoiceField(  # generated clients: null (or "") means not sent
        choices=VetoEvent.Origin.choices,
        help_text="Where the event comes from; `manual` when not sent (or null).",
    )
