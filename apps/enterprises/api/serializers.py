"""Serializers of `/api/v1/enterprises/`.

Output and input are separate. Input serializers only type and shape the fields; every business
rule (USCC check character, duplicates, who may change what) lives in `enterprises.services`, whose
DomainError the API turns into a 400 with field errors. Output and input of one resource share a
component name, so the schema shows `Enterprise` / `EnterpriseRequest` / `PatchedEnterpriseRequest`.
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import AreaRefSerializer, BlankAsNullEmailField
from apps.core.models import Area

from ..choices import Industry, Ownership, SizeBand, Status, size_band
from ..models import Enterprise, EnterpriseSurvey


class SurveySummarySerializer(serializers.ModelSerializer):
    """The enterprise's most recent yearly survey, as lists show it."""

    membership_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Union members per 100 employees."
    )

    class Meta:
        model = EnterpriseSurvey
        fields = ["id", "year", "employees", "union_members", "membership_rate", "has_union"]
        read_only_fields = fields


@extend_schema_serializer(component_name="Enterprise")
class EnterpriseOutSerializer(serializers.ModelSerializer):
    town = AreaRefSerializer()
    contact_email = BlankAsNullEmailField(
        help_text="The contact's e-mail address; null when none is recorded."
    )
    industry_label = serializers.CharField(source="get_industry_display", read_only=True)
    ownership_label = serializers.CharField(source="get_ownership_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_union = serializers.BooleanField(
        read_only=True, help_text="Covered by an active grassroots union in the union registry."
    )
    needs_union = serializers.BooleanField(
        read_only=True,
        help_text="25 or more union members (latest survey) and no union committee of its own "
        "(Trade Union Law art. 11).",
    )
    size = serializers.SerializerMethodField(help_text="Size band by employees.")
    latest_survey = SurveySummarySerializer(read_only=True, allow_null=True)
    organisation_id = serializers.UUIDField(
        read_only=True, help_text="The organisation that memberships and scoping hang on."
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "name",
            "legal_representative",
            "address",
            "town",
            "industry",
            "industry_label",
            "ownership",
            "ownership_label",
            "established_on",
            "employees",
            "status",
            "status_label",
            "contact_name",
            "contact_phone",
            "contact_email",
            "has_union",
            "needs_union",
            "size",
            "latest_survey",
            "organisation_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SizeBand.choices, allow_null=True))
    def get_size(self, obj):
        return size_band(obj.employees)


@extend_schema_serializer(component_name="Enterprise")
class EnterpriseInSerializer(serializers.Serializer):
    """Types only. A PUT must carry the fields a new enterprise needs; fields not sent are left
    unchanged (on PUT and PATCH alike). The service validates and decides who may change what."""

    uscc = serializers.CharField(
        allow_blank=True,
        trim_whitespace=True,
        help_text="Unified social credit code, 18 characters with the check character (GB 32100-2015). "
        "Only the park (and clients with enterprises:write) may change it.",
    )
    name = serializers.CharField(max_length=200)
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    town = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        help_text="Division code of the town / sub-district.",
    )
    industry = serializers.ChoiceField(choices=Industry.choices, help_text="GB/T 4754-2017 section.")
    ownership = serializers.ChoiceField(choices=Ownership.choices)
    established_on = serializers.DateField(required=False, allow_null=True)
    employees = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Only the park may change it."
    )
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


@extend_schema_serializer(component_name="EnterpriseSurvey")
class SurveyOutSerializer(serializers.ModelSerializer):
    membership_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Union members per 100 employees."
    )
    disagreements = serializers.SerializerMethodField(
        help_text="The answers that disagree with the platform's records: field name -> what the "
        "record says (the union register, the contract book's signing rate, collective contracts, "
        "workers' congress meetings, the registry's employees). Computed for the most recent survey "
        "(and the one just recorded), against the records at the end of its year; null for older "
        "surveys. The survey is kept as reported."
    )

    class Meta:
        model = EnterpriseSurvey
        fields = [
            "id",
            "year",
            "employees",
            "union_members",
            "women",
            "migrant_workers",
            "membership_rate",
            "has_union",
            "contract_signing_rate",
            "collective_contract",
            "wage_bargaining",
            "workers_congress",
            "mediation_committee",
            "disagreements",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField(), allow_null=True))
    def get_disagreements(self, survey):
        """The marks the view computed (`selectors.survey_checks`), by survey id."""
        return self.context.get("disagreements", {}).get(survey.pk)


@extend_schema_serializer(component_name="EnterpriseSurvey")
class SurveyInSerializer(serializers.Serializer):
    """The survey of one year; sending a year already recorded replaces that year's survey."""

    year = serializers.IntegerField()
    employees = serializers.IntegerField()
    union_members = serializers.IntegerField(required=False)
    women = serializers.IntegerField(required=False)
    migrant_workers = serializers.IntegerField(required=False)
    has_union = serializers.BooleanField(required=False)
    contract_signing_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, help_text="Percent, 0 to 100."
    )
    collective_contract = serializers.BooleanField(required=False)
    wage_bargaining = serializers.BooleanField(required=False)
    workers_congress = serializers.BooleanField(required=False)
    mediation_committee = serializers.BooleanField(required=False)


class EnterpriseRefSerializer(serializers.Serializer):
    """How other resources (unions, collective contracts) point at an enterprise."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    uscc = serializers.CharField()
