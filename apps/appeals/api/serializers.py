"""Serializers of `/api/v1/appeals/`. The rules are the services'; these only shape data."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import BlankAsNullChoiceField

from ..models import Appeal, AppealHistory, Department, Kind, Satisfaction
from ..rules import is_overdue
from ..workflow import WORKFLOW, available_actions

ACTIONS = [(name, name) for name in WORKFLOW.transitions]


@extend_schema_serializer(component_name="AppealDepartment")
class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]
        read_only_fields = fields


@extend_schema_serializer(component_name="AppealOut")
class AppealOutSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    enterprise = serializers.UUIDField(source="enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    town = serializers.CharField(source="town.code", read_only=True, allow_null=True, default=None)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    satisfaction = BlankAsNullChoiceField(
        choices=Satisfaction.choices, help_text="The enterprise's rating; null until it has rated."
    )
    overdue = serializers.SerializerMethodField(help_text="Submitted or routed and past `due_on`.")
    has_attachment = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: the names of the action endpoints (`route` is "
        "`POST /appeals/{id}/route/`)."
    )

    class Meta:
        model = Appeal
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "kind",
            "kind_label",
            "enterprise",
            "enterprise_name",
            "town",
            "subject",
            "text",
            "contact_name",
            "contact_phone",
            "has_attachment",
            "submitted_on",
            "due_on",
            "due_days",
            "due_source",
            "overdue",
            "department",
            "routed_on",
            "answer",
            "answered_on",
            "answered_by_label",
            "satisfaction",
            "rating_comment",
            "rated_on",
            "reopened",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, appeal) -> bool:
        return is_overdue(appeal, self.context.get("today"))

    def get_has_attachment(self, appeal) -> bool:
        return bool(appeal.attachment)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_available_actions(self, appeal):
        principal = self.context.get("principal")
        return available_actions(appeal, principal) if principal else []


@extend_schema_serializer(component_name="AppealIn")
class AppealInSerializer(serializers.Serializer):
    enterprise = serializers.UUIDField(help_text="The HR user's enterprise (its id).")
    kind = serializers.ChoiceField(choices=Kind.choices)
    subject = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=5000)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30)


class RouteInSerializer(serializers.Serializer):
    department = serializers.UUIDField(help_text="Id of an active answering department.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AnswerInSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)
    answered_on = serializers.DateField(required=False, help_text="Left out: today.")


class RateInSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReopenInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


@extend_schema_serializer(component_name="AppealHistoryEntry")
class HistoryOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealHistory
        fields = ["at", "action", "from_status", "to_status", "actor_label", "reason"]
        read_only_fields = fields
