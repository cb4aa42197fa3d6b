import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Organisation
from apps.accounts.selectors import organisations_visible_to
from apps.api.views import ScopedViewMixin
from apps.core.scoping import principal_for_request

from .serializers import MeSerializer, OrganisationOutSerializer


class MeView(APIView):
    """The authenticated principal: a user with memberships, or an API client with scopes."""

    any_client = True

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request):
        p = principal_for_request(request)
        if p.is_api_client:
            c = p.api_client
            data = {
                "type": "api_client",
                "id": c.pk,
                "name": c.name,
                "roles": [],
                "memberships": [],
                "scopes": sorted(c.scopes),
                "area_restriction": c.area.code if c.area_id else None,
                "expires_at": c.expires_at,
            }
        else:
            u = p.user
            data = {
                "type": "user",
                "id": u.pk,
                "name": str(u),
                "roles": sorted(p.roles),
                "memberships": [
                    {"organisation_id": o, "organisation_kind": k, "role": r} for o, k, r in p.memberships
                ],
                "scopes": [],
                "area_restriction": None,
                "expires_at": None,
            }
        return Response(MeSerializer(data).data)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    area = django_filters.CharFilter(field_name="area__code", label="Area division code")

    class Meta:
        model = Organisation
        fields = ["kind", "area", "is_active"]


class OrganisationViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Organisations the caller may see. Scope: `organisations:read`."""

    serializer_class = OrganisationOutSerializer
    filterset_class = OrganisationFilter
    search_fields = ["name", "code"]
    ordering_fields = ["name", "kind", "created_at"]
    ordering = ["kind", "name"]
    required_scopes = {"*": "organisations:read"}

    model = Organisation

    def scoped_queryset(self, principal):
        return organisations_visible_to(principal)
