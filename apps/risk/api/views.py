"""`/api/v1/risk/`: the watch list (the page's filters), one enterprise's risk, its monthly
history. Read-only, scope `risk:read`; reads through `apps.risk.selectors` (an enterprise outside
the caller's scope is a 404)."""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.sync import UPDATED_SINCE
from apps.api.views import ScopedViewMixin

from .. import selectors
from ..filters import RiskFilter
from ..models import EnterpriseRisk, Level
from .serializers import RiskHistorySerializer, RiskOutSerializer

READ = "risk:read"
NOT_FOUND = {404: OpenApiResponse(description="Not found, or outside what the caller may see.")}
ENTERPRISE_ID = OpenApiParameter(
    "enterprise_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The enterprise's id."
)


@extend_schema_view(
    list=extend_schema(
        summary="List the risk watch list",
        description="The enterprises at risk (watch, warning or serious) that the caller may see, highest "
        "score first, with why (each signal's records, latest date and points) and who must act; "
        "filtered by town, industry, level and signal. `level=none` lists the enterprises not at risk; "
        "with `updated_since`, every level (a sync also sees an enterprise leave the list). "
        "Scope: `risk:read`.",
        responses={200: RiskOutSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One enterprise's risk",
        description="Its score, level, why and who must act. Scope: `risk:read`.",
        parameters=[ENTERPRISE_ID],
        responses={200: RiskOutSerializer, **NOT_FOUND},
    ),
    history=extend_schema(
        summary="One enterprise's monthly risk history",
        description="The score and level at the end of each of the last 24 months (the current month: the "
        "latest run) and the trend. Scope: `risk:read`.",
        parameters=[ENTERPRISE_ID],
        responses={200: RiskHistorySerializer, **NOT_FOUND},
    ),
)
class RiskViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = EnterpriseRisk
    serializer_class = RiskOutSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RiskFilter
    lookup_field = "pk"
    lookup_url_kwarg = "enterprise_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    keyset_ordering = ("-score", "-pk")
    required_scopes = {"*": READ}
    required_perms = {"*": selectors.VIEW}

    def scoped_queryset(self, principal):
        return (
            EnterpriseRisk.objects.visible_to(principal)
            .select_related("enterprise", "town")
            .order_by(*self.keyset_ordering)
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        queryset = super().filter_queryset(queryset)
        params = self.request.query_params
        if not params.get("level") and UPDATED_SINCE not in params:
            queryset = queryset.exclude(level=Level.NONE)
        return queryset

    @action(detail=True, methods=["get"], serializer_class=RiskHistorySerializer)
    def history(self, request, enterprise_id=None):
        risk = self.get_object()
        rows = selectors.history(risk.enterprise_id, timezone.localdate())
        data = {"enterprise_id": risk.enterprise_id, "trend": selectors.trend_of(rows), "months": rows}
        return Response(RiskHistorySerializer(data).data)
