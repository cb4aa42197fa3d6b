"""Serializers of `/api/v1/unions/` and `/api/v1/collective-contracts/`.

Input serializers only type the fields; references to enterprises and unions resolve only to
objects visible to the caller (anything else "does not exist": 400 on that field). The rules
(joint union needs two enterprises, the congress vote, filing dates) live in `unions.services`.
"""

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import AreaRefSerializer, VisiblePrimaryKeyRelatedField
from apps.enterprises.api.serializers import EnterpriseRefSerializer
from apps.enterprises.models import Enterprise

from ..models import CollectiveContract, Union, WorkersCongress
from ..selectors import ContractState, contract_facts

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
