"""Serializers of `/api/v1/legal-aid/requests/`. They shape data; the services decide."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import BlankAsNullChoiceField

from .. import selectors
from ..models import AidKind, LegalAidRequest


@extend_schema_serializer(component_name="LegalAidWorker")
class WorkerOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_number = serializers.CharField(
        allow_null=True,
        help_text="Masked (4502**********123X); in full only in a request's detail for API clients with "
        "the `personal_data:read` scope (never in a list); every such view is written to the audit trail.",
    )
    id_number_full = serializers.BooleanField(
        source="revealed", help_text="Whether `id_number` is the full number."
    )
    phone = serializers.CharField(
        allow_null=True, help_text="In a detail for clients with `personal_data:read`; null otherwise."
    )


@extend_schema_serializer(component_name="LegalAidRequest")
class RequestOutSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    outcome = BlankAsNullChoiceField(
        choices=LegalAidRequest.Outcome.choices, help_text="How the request ended; null while open."
    )
    union_name = serializers.CharField(source="union.name", read_only=True)
    lawyer_name = serializers.CharField(source="lawyer.name", read_only=True, allow_null=True, default=None)
    mediation_case_serial = serializers.CharField(
        source="mediation_case.serial", read_only=True, allow_null=True, default=None
    )
    worker = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = LegalAidRequest
        fields = [
            "id",
            "serial",
            "channel",
            "received_on",
            "enterprise",
            "employer_name",
            "town",
            "kind",
            "kind_label",
            "union",
            "union_name",
            "status",
            "status_label",
            "decision_due_on",
            "decided_on",
            "refusal_reason",
            "due_on",
            "lawyer",
            "lawyer_name",
            "mediation_case",
            "mediation_case_serial",
            "case_reference",
            "outcome",
            "amount_recovered",
            "closed_on",
            "worker",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(WorkerOutSerializer)
    def get_worker(self, obj):
        principal = self.context["principal"]
        full = self.context.get("detail", False)
        return WorkerOutSerializer(selectors.applicant_row(principal, obj, full_allowed=full)).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, obj):
        return [t.action for t in selectors.available_actions(obj, self.context["principal"])]


@extend_schema_serializer(component_name="LegalAidRequestDetail")
class RequestDetailSerializer(RequestOutSerializer):
    facts = serializers.CharField(read_only=True)
    claims = serializers.CharField(read_only=True)

    class Meta(RequestOutSerializer.Meta):
        fields = [*RequestOutSerializer.Meta.fields, "facts", "claims"]
        read_only_fields = fields


class RequestInSerializer(serializers.Serializer):
    """A request registered by a district system or a union official (channel `counter`)."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30)
    enterprise = serializers.UUIDField(required=False, allow_null=True)
    employer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    town = serializers.UUIDField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=AidKind.choices)
    facts = serializers.CharField(max_length=4000)
    claims = serializers.CharField(max_length=4000)
    consent = serializers.BooleanField(
        help_text="The worker agreed to the processing of their personal data."
    )


class CloseInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=LegalAidRequest.Outcome.choices)
    amount_recovered = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class LawyerInSerializer(serializers.Serializer):
    lawyer = serializers.UUIDField(allow_null=True)


class LinkInSerializer(serializers.Serializer):
    mediation_case = serializers.UUIDField(required=False, allow_null=True)
    mediation_case_serial = serializers.CharField(max_length=20, required=False, allow_blank=True)
    case_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


@extend_schema_serializer(component_name="LegalAidRequestCreated")
class CreatedSerializer(RequestDetailSerializer):
    access_code = serializers.SerializerMethodField(help_text="Shown once: give it to the worker.")

    class Meta(RequestDetailSerializer.Meta):
        fields = [*RequestDetailSerializer.Meta.fields, "access_code"]
        read_only_fields = fields

    def get_access_code(self, obj) -> str:
        return self.context.get("access_code", "")
