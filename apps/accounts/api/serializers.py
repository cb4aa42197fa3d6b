from rest_framework import serializers

from apps.accounts.models import Organisation
from apps.api.serializers import AreaRefSerializer


class OrganisationOutSerializer(serializers.ModelSerializer):
    area = AreaRefSerializer(allow_null=True)
    parent_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "code", "area", "parent_id", "is_active", "created_at", "updated_at"]


class MembershipOutSerializer(serializers.Serializer):
    organisation_id = serializers.UUIDField()
    organisation_kind = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "api_client"])
    id = serializers.UUIDField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipOutSerializer(many=True)
    scopes = serializers.ListField(child=serializers.CharField())
    area_restriction = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the API client's key expires (null: it does not; users: null)."
    )
