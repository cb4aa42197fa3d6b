"""`/api/v1/legal-aid/requests/`: the union's legal-aid requests for district systems and signed-in
users. Reads go through `selectors` (`LegalAidRequest.visible_to`: a request outside the caller's
scope is a 404); writes call one service each, whose refusals are 400 / 403 / 409. The worker's
ID number is masked, in full only in a detail with `personal_data:read` (audited)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin, validated
from apps.api.workflow import ReasonSerializer, action_perms, action_scopes, reason_of, transition_endpoint

from .. import selectors, services
from ..filters import RequestFilter
from ..models import READ_SCOPE, WRITE_SCOPE, LegalAidRequest
from ..workflow import HANDLE, WORKFLOW
from .serializers import (
    CloseInSerializer,
    CreatedSerializer,
    LawyerInSerializer,
    LinkInSerializer,
    RequestDetailSerializer,
    RequestInSerializer,
    RequestOutSerializer,
)

VIEW = "legalaid.view_legalaidrequest"


@extend_schema_view(
    list=extend_schema(
        summary="Legal-aid requests", description="Scope `legalaid:read`. Overdue decisions first."
    ),
    retrieve=extend_schema(summary="One legal-aid request", description="Scope `legalaid:read`."),
    create=extend_schema(
        summary="Register a legal-aid request",
        description="Scope `legalaid:write`. Routed to the handling union; the answer holds the access code once.",
        request=RequestInSerializer,
        responses={201: CreatedSerializer, 400: OpenApiResponse(description="Invalid input, per field.")},
    ),
)
class LegalAidRequestViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The union's legal-aid requests."""

    model = LegalAidRequest
    serializer_class = RequestOutSerializer
    filterset_class = RequestFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ_SCOPE,
        "retrieve": READ_SCOPE,
        "HEAD": READ_SCOPE,
        "OPTIONS": READ_SCOPE,
        "create": WRITE_SCOPE,
        **action_scopes(WORKFLOW),
        "*": WRITE_SCOPE,
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "create": "legalaid.register_request",
        **action_perms(WORKFLOW),
        "*": HANDLE,
    }

    def scoped_queryset(self, principal):
        return selectors.list_queryset(principal).select_related("mediation_case")

    def get_serializer_class(self):
        return RequestOutSerializer if self.action == "list" else RequestDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["detail"] = self.action != "list"
        return context

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def respond_with(self, req, status_code=status.HTTP_200_OK, **extra):
        fresh = self.scoped_queryset(self.principal).filter(pk=req.pk).first()
        if fresh is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = CreatedSerializer if extra else RequestDetailSerializer
        return Response(
            serializer(fresh, context={**self.get_serializer_context(), **extra}).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        data = dict(validated(RequestInSerializer(data=request.data)))
        req, code = services.register_request(self.principal, **data)
        return self.respond_with(req, status.HTTP_201_CREATED, access_code=code)

    @transition_endpoint(WORKFLOW, "accept", response=RequestDetailSerializer)
    def accept(self, request, pk=None):
        return self.respond_with(services.accept(self.principal, self.get_object()))

    @transition_endpoint(WORKFLOW, "refuse", request=ReasonSerializer, response=RequestDetailSerializer)
    def refuse(self, request, pk=None):
        obj = self.get_object()
        return self.respond_with(services.refuse(self.principal, obj, reason=reason_of(request)))

    @transition_endpoint(WORKFLOW, "withdraw", request=ReasonSerializer, response=RequestDetailSerializer)
    def withdraw(self, request, pk=None):
        obj = self.get_object()
        return self.respond_with(services.withdraw(self.principal, obj, reason=reason_of(request)))

    @transition_endpoint(WORKFLOW, "close", request=CloseInSerializer, response=RequestDetailSerializer)
    def close(self, request, pk=None):
        obj = self.get_object()
        data = validated(CloseInSerializer(data=request.data))
        return self.respond_with(
            services.close(
                self.principal,
                obj,
                outcome=data["outcome"],
                amount_recovered=data.get("amount_recovered"),
                note=data.get("note", ""),
            )
        )

    @extend_schema(
        summary="Assign the lawyer or volunteer",
        description="Scope `legalaid:write`. An accepted request; a lawyer of the handling union or of the park.",
        request=LawyerInSerializer,
        responses={200: RequestDetailSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def lawyer(self, request, pk=None):
        obj = self.get_object()
        data = validated(LawyerInSerializer(data=request.data))
        lawyer = None
        if data["lawyer"] is not None:
            lawyer = selectors.lawyers_for(self.principal, obj).filter(pk=data["lawyer"]).first()
            if lawyer is None:
                raise ValidationError(
                    {"lawyer": [_("Choose an active lawyer or volunteer of the handling union.")]}
                )
        return self.respond_with(services.assign_lawyer(self.principal, obj, lawyer))

    @extend_schema(
        summary="Link the mediation case or an arbitration / court case",
        description="Scope `legalaid:write`. A mediation case within the caller's reach (by id or serial "
        "number; another is refused as unknown), and/or an arbitration or court case number.",
        request=LinkInSerializer,
        responses={200: RequestDetailSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def link(self, request, pk=None):
        obj = self.get_object()
        data = validated(LinkInSerializer(data=request.data))
        return self.respond_with(
            services.link_case(
                self.principal,
                obj,
                mediation_case=data.get("mediation_case"),
                serial=data.get("mediation_case_serial", ""),
                case_reference=data.get("case_reference", ""),
            )
        )
