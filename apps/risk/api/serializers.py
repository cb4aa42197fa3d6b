"""What `/api/v1/risk/` answers. Links to the records behind a signal are pages for signed-in
users: the API names the record (`ref_type`, `ref_id`) for the client to read with its own scopes."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.core.facts import ACTORS

from ..models import EnterpriseRisk, Level
from ..rules import TRENDS


@extend_schema_serializer(component_name="RiskEnterpriseRef")
class EnterpriseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    uscc = serializers.CharField(help_text="Unified social credit code.")


class RiskSignalSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Signal kind, `<module>.<name>` (e.g. `mediation.disputes`).")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Records of this kind.")
    last_on = serializers.DateField(allow_null=True, help_text="Date of the latest record.")
    points = serializers.IntegerField(
        help_text="Points added to the score (weight × records, up to the cap)."
    )
    detail = serializers.CharField(allow_blank=True)
    ref_type = serializers.CharField(allow_blank=True, help_text="Type of the latest record (`app.model`).")
    ref_id = serializers.CharField(allow_blank=True, help_text="Id of the latest record.")
    actor = serializers.ChoiceField(
        choices=[(a, a) for a in ACTORS], allow_null=True, help_text="Who must act."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["actor"] = data["actor"] or None
        return data


class RiskOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer()
    town = serializers.CharField(source="town.code", help_text="Division code of the town.")
    level = serializers.ChoiceField(choices=Level.choices)
    previous_level = serializers.ChoiceField(
        choices=Level.choices, allow_null=True, help_text="The level before the last change (null: none yet)."
    )
    actors = serializers.ListField(child=serializers.ChoiceField(choices=[(a, a) for a in ACTORS]))
    signals = RiskSignalSerializer(source="explanation", many=True, help_text="Why: highest points first.")

    class Meta:
        model = EnterpriseRisk
        fields = [
            "enterprise",
            "town",
            "industry",
            "score",
            "level",
            "level_since",
            "previous_level",
            "actors",
            "signals",
            "policy_version",
            "computed_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["previous_level"] = data["previous_level"] or None
        return data


class RiskMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month.")
    score = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    policy_version = serializers.IntegerField(allow_null=True)


class RiskHistorySerializer(serializers.Serializer):
    enterprise_id = serializers.UUIDField()
    trend = serializers.ChoiceField(
        choices=[(t, t) for t in TRENDS],
        help_text="The latest month against the one before it.",
    )
    months = RiskMonthSerializer(many=True, help_text="Oldest first; a month without signals counts 0.")
