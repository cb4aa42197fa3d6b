"""Serializers of `/api/v1/unions/` and `/api/v1/collective-contracts/`.

Input serializers only type the fields; references to enterprises and unions resolve only to
objects visible to the caller (anything else "does not exist": 400 on that field). The rules
(joint union needs two enterprises, the congress vote, filing dates) live in `unions.services`.
"""

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import AreaRefSerializer, VisiblePrimaryKeyRelatedField
from apps.core.models import Area
from apps.enterprises.api.serializers import EnterpriseRefSerializer
from apps.enterprises.models import Enterprise

from .. import rules
from ..models import CollectiveContract, Platform, PlatformWorker, Union, WorkersCongress
from ..selectors import ContractState, contract_facts, current_membership, platform_worker_id_number

# Unions --------------------------------------------------------------------------------------------


class UnionRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Union")
class UnionOutSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    parent = UnionRefSerializer(read_only=True, allow_null=True)
    organisation_id = serializers.UUIDField(read_only=True)
    area = AreaRefSerializer(source="organisation.area", read_only=True, allow_null=True)
    enterprise_count = serializers.IntegerField(
        read_only=True, help_text="Enterprises the union covers (all of them)."
    )
    enterprises = serializers.SerializerMethodField(
        help_text="The covered enterprises the caller may see, by name."
    )

    class Meta:
        model = Union
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "parent",
            "chair_name",
            "chair_phone",
            "founded_on",
            "members",
            "women_committee",
            "is_active",
            "organisation_id",
            "area",
            "enterprise_count",
            "enterprises",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(EnterpriseRefSerializer(many=True))
    def get_enterprises(self, union):
        # Filled by the view's prefetch (`visible_coverage`), so lists make no query per union.
        coverage = getattr(union, "visible_coverage", None)
        if coverage is None:
            principal = self.context.get("principal")
            enterprises = Enterprise.objects.visible_to(principal) if principal else Enterprise.objects.none()
            coverage = union.coverage.filter(enterprise__in=enterprises).select_related("enterprise")
            coverage = coverage.order_by("enterprise__name")
        return EnterpriseRefSerializer([c.enterprise for c in coverage], many=True).data


@extend_schema_serializer(component_name="Union")
class UnionInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Union.Kind.choices, required=False)
    parent = VisiblePrimaryKeyRelatedField(
        Union,
        also=Q(kind=Union.Kind.FEDERATION),
        required=False,
        allow_null=True,
        help_text="Id of the parent federation.",
    )
    enterprises = VisiblePrimaryKeyRelatedField(
        Enterprise,
        many=True,
        required=False,
        help_text="Ids of the covered enterprises: one for an enterprise union, two or more for a "
        "joint union, none for a federation. On update, replaces the coverage when sent.",
    )
    chair_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    chair_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    founded_on = serializers.DateField(required=False, allow_null=True)
    members = serializers.IntegerField(required=False)
    women_committee = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


# Collective contracts -------------------------------------------------------------------------------


class VoteSerializer(serializers.Serializer):
    adopted = serializers.BooleanField()
    quorum = serializers.BooleanField(help_text="At least two thirds of the representatives present.")
    majority = serializers.BooleanField(help_text="More than half of all representatives approving.")


class CongressRefSerializer(serializers.Serializer):
    """The workers' congress meeting that adopted a contract."""

    id = serializers.UUIDField(read_only=True)
    held_on = serializers.DateField(read_only=True)
    session = serializers.CharField(read_only=True)
    representatives_total = serializers.IntegerField(read_only=True)
    representatives_present = serializers.IntegerField(read_only=True)


@extend_schema_serializer(component_name="CollectiveContract")
class CollectiveContractOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    union = UnionRefSerializer(read_only=True, allow_null=True)
    congress = CongressRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The workers' congress meeting that adopted the contract; its attendance is the "
        "contract's (Provisions on Collective Contracts art. 36).",
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.ChoiceField(
        choices=ContractState.choices,
        source="facts.state",
        read_only=True,
        help_text="Derived from the dates (Provisions on Collective Contracts arts. 42, 47).",
    )
    state_label = serializers.CharField(source="facts.state_label", read_only=True)
    vote = VoteSerializer(
        source="facts.vote",
        read_only=True,
        help_text="The workers' congress vote (Provisions on Collective Contracts art. 36).",
    )
    filing_due = serializers.DateField(
        source="facts.filing_due",
        read_only=True,
        help_text="10 days after signing (Provisions on Collective Contracts art. 42).",
    )
    filed_late = serializers.BooleanField(source="facts.filed_late", read_only=True)
    ends_soon = serializers.BooleanField(
        source="facts.ends_soon", read_only=True, help_text="In force and ending within 90 days."
    )

    class Meta:
        model = CollectiveContract
        fields = [
            "id",
            "enterprise",
            "union",
            "congress",
            "kind",
            "kind_label",
            "title",
            "employer_representative",
            "worker_representative",
            "signed_on",
            "starts_on",
            "ends_on",
            "representatives_total",
            "representatives_present",
            "representatives_approving",
            "vote",
            "state",
            "state_label",
            "filing_due",
            "filed_on",
            "filed_late",
            "objection_on",
            "objection_note",
            "effective_on",
            "ends_soon",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        instance.facts = contract_facts(instance, self.context.get("today"))
        return super().to_representation(instance)


@extend_schema_serializer(component_name="CollectiveContract")
class CollectiveContractInSerializer(serializers.Serializer):
    """The fields of a contract that its parties record (and correct until it is filed)."""

    union = VisiblePrimaryKeyRelatedField(
        Union,
        required=False,
        allow_null=True,
        help_text="The union of the workers' side; by default the union covering the enterprise.",
    )
    congress = VisiblePrimaryKeyRelatedField(
        WorkersCongress,
        required=False,
        allow_null=True,
        help_text="Id of the workers' congress meeting that adopted the contract: the same "
        "enterprise's, held on or before the signing date. Representatives total and present not "
        "sent are taken from it; sent, they must be the meeting's (Provisions on Collective "
        "Contracts art. 36). With none linked, a meeting recorded on the signing date is compared "
        "the same way.",
    )
    kind = serializers.ChoiceField(choices=CollectiveContract.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    employer_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    worker_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    signed_on = serializers.DateField(required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    representatives_total = serializers.IntegerField(required=False)
    representatives_present = serializers.IntegerField(required=False)
    representatives_approving = serializers.IntegerField(required=False)


@extend_schema_serializer(component_name="CollectiveContract")
class CollectiveContractCreateSerializer(CollectiveContractInSerializer):
    enterprise = VisiblePrimaryKeyRelatedField(Enterprise, help_text="Id of the enterprise.")


class FilingSerializer(serializers.Serializer):
    filed_on = serializers.DateField(help_text="The day the HR bureau received the text.")


class ObjectionSerializer(serializers.Serializer):
    objection_on = serializers.DateField(help_text="The day the HR bureau raised the objection.")
    objection_note = serializers.CharField(allow_blank=True, help_text="The reasons for the objection.")


# New forms of employment (issue 19) ----------------------------------------------------------------


class PlatformRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Platform")
class PlatformOutSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    uscc = serializers.CharField(help_text="Blank when not known.")
    enterprise = EnterpriseRefSerializer(
        read_only=True, allow_null=True, help_text="The registry's enterprise, when it is one."
    )

    class Meta:
        model = Platform
        fields = ["id", "name", "kind", "kind_label", "uscc", "enterprise", "is_active", "updated_at"]


class PlatformMembershipOutSerializer(serializers.Serializer):
    union = UnionRefSerializer()
    joined_on = serializers.DateField()


@extend_schema_serializer(component_name="PlatformWorker")
class PlatformWorkerOutSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(
        help_text="Masked (4502**********123X); in full only in one worker's detail for API clients "
        "with the `personal_data:read` scope, each such view written to the audit trail."
    )
    id_number_full = serializers.SerializerMethodField(help_text="Whether `id_number` is the full number.")
    town = AreaRefSerializer(read_only=True)
    occupation_label = serializers.CharField(source="get_occupation_display", read_only=True)
    relationship_label = serializers.CharField(source="get_relationship_display", read_only=True)
    relationship_source = serializers.SerializerMethodField(
        help_text="Where the three situations come from (人社部发〔2021〕56号)."
    )
    platforms = PlatformRefSerializer(many=True, read_only=True)
    registered_by = UnionRefSerializer(read_only=True, allow_null=True)
    membership = serializers.SerializerMethodField(help_text="The current union membership; null when none.")

    class Meta:
        model = PlatformWorker
        fields = [
            "id",
            "name",
            "id_number",
            "id_number_full",
            "phone",
            "town",
            "occupation",
            "occupation_label",
            "relationship",
            "relationship_label",
            "relationship_source",
            "platforms",
            "registered_by",
            "membership",
            "created_at",
            "updated_at",
        ]

    def _number(self, worker) -> tuple[str, bool]:
        cache = self.context.setdefault("_numbers", {})
        if worker.pk not in cache:
            cache[worker.pk] = platform_worker_id_number(
                self.context["principal"], worker, detail=bool(self.context.get("detail"))
            )
        return cache[worker.pk]

    def get_id_number(self, worker) -> str:
        return self._number(worker)[0]

    def get_id_number_full(self, worker) -> bool:
        return self._number(worker)[1]

    def get_relationship_source(self, worker) -> str:
        return str(rules.RELATIONSHIP_SOURCE)

    @extend_schema_field(PlatformMembershipOutSerializer(allow_null=True))
    def get_membership(self, worker):
        membership = current_membership(worker)
        return PlatformMembershipOutSerializer(membership).data if membership else None


class PlatformWorkerInSerializer(serializers.Serializer):
    """Types only: the rules (ID number, one platform at least, the union's kind, one membership at
    a time) are the service's, answered as 400 with field errors."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, help_text="18 characters (GB 11643-1999).")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    town = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN), help_text="Id of the town where they work."
    )
    occupation = serializers.ChoiceField(choices=PlatformWorker.Occupation.choices)
    relationship = serializers.ChoiceField(
        choices=PlatformWorker.Relationship.choices, help_text="人社部发〔2021〕56号 part 1 (2)."
    )
    platforms = serializers.PrimaryKeyRelatedField(
        queryset=Platform.objects.all(), many=True, help_text="Ids of the platforms they work through."
    )
    union = VisiblePrimaryKeyRelatedField(
        Union, required=False, allow_null=True, default=None, help_text="Id of the registering union."
    )
    joined_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="With `union`: they join it that day."
    )


class PlatformWorkerPatchSerializer(serializers.Serializer):
    """Types only, every field optional (PATCH): the rules are `update_platform_worker`'s."""

    name = serializers.CharField(max_length=50, required=False)
    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="18 characters; empty keeps the number."
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    town = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN), required=False, help_text="Id of the town."
    )
    occupation = serializers.ChoiceField(choices=PlatformWorker.Occupation.choices, required=False)
    relationship = serializers.ChoiceField(
        choices=PlatformWorker.Relationship.choices,
        required=False,
        help_text="人社部发〔2021〕56号 part 1 (2).",
    )
    platforms = serializers.PrimaryKeyRelatedField(
        queryset=Platform.objects.all(), many=True, required=False, help_text="Ids of the platforms."
    )


class JoinUnionSerializer(serializers.Serializer):
    union = VisiblePrimaryKeyRelatedField(
        Union, help_text="A joint union, an industry union or the federation."
    )
    joined_on = serializers.DateField()


class LeaveUnionSerializer(serializers.Serializer):
    left_on = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
