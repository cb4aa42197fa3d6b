"""`/api/v1/enterprises/`: the enterprise registry for district systems.

Reads go through `selectors.enterprises_visible_to(principal)` (an enterprise outside the caller's
scope is a 404), writes through `services` (which decide who may change what and answer with a
DomainError: 400 with field errors, or 403)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin

from .. import selectors, services
from ..filters import EnterpriseFilter
from ..models import Enterprise
from .serializers import (
    EnterpriseInSerializer,
    EnterpriseOutSerializer,
    SurveyInSerializer,
    SurveyOutSerializer,
)

READ, WRITE = "enterprises:read", "enterprises:write"


@extend_schema_view(
    list=extend_schema(
        summary="List enterprises",
        description="Enterprises the caller may see, filtered and sorted with the same parameters as "
        "the registry page and its exports. Scope: `enterprises:read`.",
    ),
    retrieve=extend_schema(summary="One enterprise", description="Scope: `enterprises:read`."),
    create=extend_schema(
        summary="Register an enterprise",
        description="Registers the enterprise and its organisation. An invalid or duplicate USCC is a "
        "400 with `error.fields.uscc`. A client restricted to an area registers only in its area. "
        "Scope: `enterprises:write`.",
        request=EnterpriseInSerializer,
        responses={201: EnterpriseOutSerializer},
    ),
    update=extend_schema(
        summary="Update an enterprise",
        description="Fields not sent are left unchanged. Enterprise HR may not change `uscc` or "
        "`status`. Scope: `enterprises:write`.",
        request=EnterpriseInSerializer,
        responses={200: EnterpriseOutSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an enterprise",
        description="Enterprise HR may not change `uscc` or `status`. Scope: `enterprises:write`.",
        request=EnterpriseInSerializer,
        responses={200: EnterpriseOutSerializer},
    ),
)
class EnterpriseViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The enterprise registry. No delete: an enterprise that leaves the park is `moved_out` or
    `closed`."""

    model = Enterprise
    serializer_class = EnterpriseOutSerializer
    filterset_class = EnterpriseFilter
    # The FilterSet carries `search` and `ordering` itself.
    filter_backends = [DjangoFilterBackend]
    # `surveys` is one action for GET and POST, so it is keyed by method.
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "create": WRITE,
        "update": WRITE,
        "partial_update": WRITE,
        "GET": READ,
        "HEAD": READ,
        "OPTIONS": READ,
        "POST": WRITE,
        "*": WRITE,
    }
    required_perms = {
        "list": "enterprises.view_enterprise",
        "retrieve": "enterprises.view_enterprise",
        "create": "enterprises.add_enterprise",
        "update": "enterprises.change_enterprise",
        "partial_update": "enterprises.change_enterprise",
        "GET": "enterprises.view_enterprise",
        "HEAD": "enterprises.view_enterprise",
        "OPTIONS": "enterprises.view_enterprise",
        "POST": "enterprises.add_enterprisesurvey",
        "*": "enterprises.change_enterprise",
    }

    def scoped_queryset(self, principal):
        return selectors.enterprises_visible_to(principal).order_by("name", "pk")

    def _out(self, enterprise, code=status.HTTP_200_OK):
        # Re-read through the selector for the annotations (has_union, needs_union).
        fresh = self.scoped_queryset(self.principal).get(pk=enterprise.pk)
        return Response(
            EnterpriseOutSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = EnterpriseInSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        enterprise = services.create_enterprise(self.principal, **serializer.validated_data)
        return self._out(enterprise, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        enterprise = self.get_object()
        serializer = EnterpriseInSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        enterprise = services.update_enterprise(self.principal, enterprise, **serializer.validated_data)
        return self._out(enterprise)

    @extend_schema(
        methods=["GET"],
        summary="Yearly surveys of an enterprise",
        description="Newest first; the most recent survey's `disagreements` with the platform's "
        "records (null for older surveys). Scope: `enterprises:read`.",
        responses=SurveyOutSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record the survey of a year",
        description="Creates the survey of the year, or replaces it if that year is already recorded. "
        "The most recent survey becomes the enterprise's latest survey and sets its employee count. "
        "Answers that disagree with the platform's records are recorded as reported and listed in "
        "`disagreements`. "
        "Counts of union members, women and migrant workers cannot exceed employees "
        "(400 with field errors). Scope: `enterprises:write`.",
        request=SurveyInSerializer,
        responses={201: OpenApiResponse(SurveyOutSerializer, description="The recorded survey.")},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def surveys(self, request, pk=None):
        enterprise = self.get_object()
        if request.method == "GET":
            surveys = list(selectors.surveys_of(self.principal, enterprise))
            # The most recent survey only: the records describe the present (one collection of
            # facts per request, not one per survey).
            marks = {s.pk: selectors.survey_checks(self.principal, enterprise, s) for s in surveys[:1]}
            return Response(SurveyOutSerializer(surveys, many=True, context={"disagreements": marks}).data)
        serializer = SurveyInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = services.record_survey(self.principal, enterprise, **serializer.validated_data)
        marks = {survey.pk: selectors.survey_checks(self.principal, enterprise, survey)}
        return Response(
            SurveyOutSerializer(survey, context={"disagreements": marks}).data, status=status.HTTP_201_CREATED
        )
