"""`/api/v1/assistance/hardship-files/` and `/api/v1/assistance/aid/` for district systems (scopes
`assistance:read` / `assistance:write`). Reads through the selectors (outside the caller's scope is
a 404), writes through `assistance.services` (rules refused as 400 with field errors)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin, validated
from apps.api.workflow import ReasonSerializer, action_perms, action_scopes, reason_of, transition_endpoint
from apps.audit.services import record_sensitive_view

from .. import selectors, services
from ..filters import AidFilter, HardshipFileFilter
from ..models import Aid, HardshipFile
from ..workflow import WORKFLOW
from .serializers import (
    AidCreateSerializer,
    AidOutSerializer,
    ApproveSerializer,
    AssessSerializer,
    CampaignSerializer,
    ExitSerializer,
    HardshipFileCreateSerializer,
    HardshipFileOutSerializer,
    HardshipFileUpdateSerializer,
    ReviewSerializer,
)

READ, WRITE = "assistance:read", "assistance:write"
VIEW = "assistance.view_hardshipfile"


@extend_schema_view(
    list=extend_schema(
        summary="List hardship files",
        description="Workers in difficulty of the enterprises in the caller's area. ID numbers masked. "
        "Scope: `assistance:read`.",
    ),
    retrieve=extend_schema(
        summary="One hardship file",
        description="The ID number in full only for clients with `personal_data:read` (audited). "
        "Scope: `assistance:read`.",
    ),
    create=extend_schema(
        summary="Open a hardship file",
        description="A draft file; one open file per worker. Scope: `assistance:write`.",
        request=HardshipFileCreateSerializer,
        responses={201: HardshipFileOutSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct a hardship file",
        description="Only while draft or assessed. Scope: `assistance:write`.",
        request=HardshipFileUpdateSerializer,
        responses={200: HardshipFileOutSerializer},
    ),
)
class HardshipFileViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The hardship files (困难职工档案)."""

    model = HardshipFile
    serializer_class = HardshipFileOutSerializer
    filterset_class = HardshipFileFilter
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "create": WRITE,
        "partial_update": WRITE,
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
        **action_scopes(WORKFLOW),
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": "assistance.add_hardshipfile",
        "partial_update": "assistance.change_hardshipfile",
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "*": "assistance.change_hardshipfile",
        **action_perms(WORKFLOW),
    }

    def scoped_queryset(self, principal):
        return (
            selectors.files_visible_to(principal)
            .select_related("enterprise", "union")
            .order_by("-created_at", "-id")
        )

    def _out(self, file, code=status.HTTP_200_OK, *, full=False):
        context = self.get_serializer_context()
        if full and self.principal.is_api_client and selectors.may_see_full_id(self.principal):
            record_sensitive_view(file, "id_number")
            context["full_ids"] = {str(file.pk)}
        fresh = self.scoped_queryset(self.principal).get(pk=file.pk)
        return Response(HardshipFileOutSerializer(fresh, context=context).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._out(self.get_object(), full=True)

    def create(self, request, *args, **kwargs):
        data = validated(
            HardshipFileCreateSerializer(data=request.data, context=self.get_serializer_context())
        )
        file = services.create_file(self.principal, **data)
        return self._out(file, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        file = self.get_object()
        data = validated(HardshipFileUpdateSerializer(data=request.data, partial=True))
        return self._out(services.update_file(self.principal, file, **data))

    @transition_endpoint(WORKFLOW, "assess", request=AssessSerializer, response=HardshipFileOutSerializer)
    def assess(self, request, pk=None):
        file = self.get_object()
        return self._out(
            services.assess(self.principal, file, **validated(AssessSerializer(data=request.data)))
        )

    @transition_endpoint(WORKFLOW, "approve", request=ApproveSerializer, response=HardshipFileOutSerializer)
    def approve(self, request, pk=None):
        file = self.get_object()
        return self._out(
            services.approve(self.principal, file, **validated(ApproveSerializer(data=request.data)))
        )

    @transition_endpoint(WORKFLOW, "reject", request=ReasonSerializer, response=HardshipFileOutSerializer)
    def reject(self, request, pk=None):
        file = self.get_object()
        return self._out(services.reject(self.principal, file, reason=reason_of(request)))

    @transition_endpoint(WORKFLOW, "review", request=ReviewSerializer, response=HardshipFileOutSerializer)
    def review(self, request, pk=None):
        file = self.get_object()
        return self._out(
            services.review(self.principal, file, **validated(ReviewSerializer(data=request.data)))
        )

    @transition_endpoint(WORKFLOW, "exit", request=ExitSerializer, response=HardshipFileOutSerializer)
    def exit(self, request, pk=None):
        file = self.get_object()
        return self._out(
            services.exit_file(self.principal, file, **validated(ExitSerializer(data=request.data)))
        )


@extend_schema_view(
    list=extend_schema(summary="List aid paid", description="Scope: `assistance:read`."),
    retrieve=extend_schema(summary="One aid payment", description="Scope: `assistance:read`."),
    create=extend_schema(
        summary="Record aid paid",
        description="Only to an approved file (not rejected, not exited). Scope: `assistance:write`.",
        request=AidCreateSerializer,
        responses={201: AidOutSerializer},
    ),
)
class AidViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Aid paid to workers on file (帮扶)."""

    model = Aid
    serializer_class = AidOutSerializer
    filterset_class = AidFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {"list": READ, "retrieve": READ, "HEAD": READ, "OPTIONS": READ, "*": WRITE}
    required_perms = {
        "list": "assistance.view_aid",
        "retrieve": "assistance.view_aid",
        "HEAD": "assistance.view_aid",
        "OPTIONS": "assistance.view_aid",
        "*": "assistance.pay_aid",
    }

    def scoped_queryset(self, principal):
        return (
            selectors.aid_visible_to(principal)
            .select_related("file")
            .order_by("-paid_on", "-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = validated(AidCreateSerializer(data=request.data, context=self.get_serializer_context()))
        aid = services.pay_aid(self.principal, data.pop("file"), **data)
        return Response(AidOutSerializer(aid).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Pay one kind of aid to many files (Spring Festival campaign)",
        description="One transaction; refused as a whole when a file is not approved or was already paid "
        "in the campaign. Scope: `assistance:write`.",
        request=CampaignSerializer,
        responses={201: AidOutSerializer(many=True)},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def campaign(self, request):
        data = validated(CampaignSerializer(data=request.data, context=self.get_serializer_context()))
        files = data.pop("files")
        paid = services.spring_festival_campaign(self.principal, files, **data)
        return Response(AidOutSerializer(paid, many=True).data, status=status.HTTP_201_CREATED)
