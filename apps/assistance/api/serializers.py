"""Serializers of `/api/v1/assistance/`. Input serializers only type the fields; the rules live in
`assistance.services`. ID numbers are masked unless the API client holds `personal_data:read`
(one file's detail, each full view audited)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import VisiblePrimaryKeyRelatedField
from apps.enterprises.api.serializers import EnterpriseRefSerializer
from apps.enterprises.models import Enterprise
from apps.unions.api.serializers import UnionRefSerializer

from ..models import Aid, AidKind, Difficulty, HardshipFile
from ..selectors import masked


@extend_schema_serializer(component_name="HardshipFile")
class HardshipFileOutSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(
        help_text="Masked (first 4 and last 4 characters), in full only in one file's detail for API "
        "clients with `personal_data:read` (each full view is audited)."
    )
    id_number_full = serializers.SerializerMethodField()
    enterprise = EnterpriseRefSerializer(read_only=True)
    union = UnionRefSerializer(read_only=True, allow_null=True)
    difficulties = serializers.ListField(
        child=serializers.ChoiceField(choices=Difficulty.choices), read_only=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    worker_linked = serializers.SerializerMethodField(
        help_text="A worker with the same ID number is in the contract library."
    )

    class Meta:
        model = HardshipFile
        fields = [
            "id",
            "name",
            "id_number",
            "id_number_full",
            "phone",
            "enterprise",
            "union",
            "worker_linked",
            "difficulties",
            "situation",
            "household_size",
            "household_monthly_income",
            "income_per_head",
            "threshold",
            "threshold_source",
            "qualifies",
            "status",
            "status_label",
            "assessed_on",
            "assessor",
            "assessment_note",
            "approved_on",
            "approved_by",
            "review_due",
            "last_reviewed_on",
            "exited_on",
            "exit_reason",
            "origin",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _full(self, file) -> bool:
        return bool(self.context.get("full_ids")) and str(file.pk) in self.context["full_ids"]

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, file):
        return file.id_number if self._full(file) else masked(file)

    @extend_schema_field(serializers.BooleanField())
    def get_id_number_full(self, file):
        return self._full(file)

    @extend_schema_field(serializers.BooleanField())
    def get_worker_linked(self, file):
        return file.worker_id is not None


@extend_schema_serializer(component_name="HardshipFileCreate")
class HardshipFileCreateSerializer(serializers.Serializer):
    enterprise = VisiblePrimaryKeyRelatedField(Enterprise, help_text="Id of the enterprise.")
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, help_text="The worker's full resident ID number.")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    difficulties = serializers.ListField(
        child=serializers.ChoiceField(choices=Difficulty.choices), min_length=1
    )
    situation = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    household_size = serializers.IntegerField(min_value=1, max_value=30)
    household_monthly_income = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)


@extend_schema_serializer(component_name="HardshipFileUpdate")
class HardshipFileUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    difficulties = serializers.ListField(
        child=serializers.ChoiceField(choices=Difficulty.choices), min_length=1, required=False
    )
    situation = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    household_size = serializers.IntegerField(min_value=1, max_value=30, required=False)
    household_monthly_income = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )


class AssessSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    assessor = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ApproveSerializer(serializers.Serializer):
    approved_on = serializers.DateField(required=False, help_text="Today when left out.")


class ReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField(required=False, help_text="Today when left out.")
    household_size = serializers.IntegerField(min_value=1, max_value=30, required=False)
    household_monthly_income = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ExitSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    exited_on = serializers.DateField(required=False, help_text="Today when left out.")


class FileRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Aid")
class AidOutSerializer(serializers.ModelSerializer):
    file = FileRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Aid
        fields = [
            "id",
            "file",
            "kind",
            "kind_label",
            "amount",
            "paid_on",
            "funding_source",
            "approved_by",
            "note",
            "campaign",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="AidCreate")
class AidCreateSerializer(serializers.Serializer):
    file = VisiblePrimaryKeyRelatedField(HardshipFile, help_text="Id of the hardship file (approved).")
    kind = serializers.ChoiceField(choices=AidKind.choices)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    paid_on = serializers.DateField()
    funding_source = serializers.CharField(max_length=200)
    approved_by = serializers.CharField(max_length=150)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CampaignSerializer(serializers.Serializer):
    files = VisiblePrimaryKeyRelatedField(
        HardshipFile, many=True, help_text="Ids of approved hardship files."
    )
    kind = serializers.ChoiceField(choices=AidKind.choices, default=AidKind.SPRING_FESTIVAL)
    campaign = serializers.CharField(max_length=100, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    paid_on = serializers.DateField()
    funding_source = serializers.CharField(max_length=200)
    approved_by = serializers.CharField(max_length=150)
