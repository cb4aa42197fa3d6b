"""`/api/v1/appeals/`: enterprise appeals. Reads (`appeals:read`) through the selectors (an appeal
outside the caller's scope is a 404); route and answer for district systems with `appeals:write`.
Filing (POST) and rating are the enterprise HR's own acts: session users only (an API client gets
403), so an appeal always comes from, and is rated by, the enterprise itself."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin, validated
from apps.api.workflow import action_perms, action_scopes, transition_endpoint

from .. import selectors, services
from ..filters import AppealFilter
from ..models import Appeal
from ..workflow import FILE, WORKFLOW
from .serializers import (
    AnswerInSerializer,
    AppealInSerializer,
    AppealOutSerializer,
    HistoryOutSerializer,
    RateInSerializer,
    ReopenInSerializer,
    RouteInSerializer,
)

READ = "appeals:read"
NOT_FOUND = {404: OpenApiResponse(description="Not found, or outside what the caller may see.")}


@extend_schema_view(
    list=extend_schema(
        summary="List enterprise appeals",
        description="The appeals the caller may see (an enterprise's HR: their enterprise's; the park and "
        "district systems: all, or their area), newest first; filtered by kind, department, status, "
        "overdue, town and search. Scope: `appeals:read`.",
    ),
    retrieve=extend_schema(
        summary="One enterprise appeal",
        description="Scope: `appeals:read`.",
        responses={200: AppealOutSerializer, **NOT_FOUND},
    ),
)
class AppealViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = Appeal
    serializer_class = AppealOutSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AppealFilter
    keyset_ordering = selectors.LIST_ORDER
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "timeline": READ,
        "HEAD": READ,
        "OPTIONS": READ,
        "create": None,
        **action_scopes(WORKFLOW),
    }
    required_perms = {
        "list": selectors.VIEW,
        "retrieve": selectors.VIEW,
        "timeline": selectors.VIEW,
        "HEAD": selectors.VIEW,
        "OPTIONS": selectors.VIEW,
        "create": FILE,
        **action_perms(WORKFLOW),
    }

    def scoped_queryset(self, principal):
        return selectors.visible(principal).order_by(*selectors.LIST_ORDER)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def respond_with(self, appeal, code=status.HTTP_200_OK):
        fresh = self.scoped_queryset(self.principal).get(pk=appeal.pk)
        return Response(AppealOutSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="File an appeal",
        description="An enterprise's HR (session users with `appeals.file_appeal`) file an appeal for their "
        "own enterprise (400 on `enterprise` otherwise); the due date is the park's policy for the kind in "
        "working days from today. Not available to API clients (403): an appeal is the enterprise's own. "
        "Attachments are uploaded on the page.",
        request=AppealInSerializer,
        responses={
            201: AppealOutSerializer,
            400: OpenApiResponse(description="Invalid input."),
            403: OpenApiResponse(description="Not an enterprise's HR."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = validated(AppealInSerializer(data=request.data))
        enterprise = selectors.filing_enterprises(self.principal).filter(pk=data["enterprise"]).first()
        if enterprise is None:
            raise ValidationError({"enterprise": [_("You file appeals only for your own enterprise.")]})
        appeal = services.file_appeal(self.principal, **{**data, "enterprise": enterprise})
        return self.respond_with(appeal, status.HTTP_201_CREATED)

    @transition_endpoint(WORKFLOW, "route", request=RouteInSerializer, response=AppealOutSerializer)
    def route(self, request, pk=None):
        appeal = self.get_object()  # outside the caller's scope: 404 before the body is read
        data = validated(RouteInSerializer(data=request.data))
        return self.respond_with(services.route(self.principal, appeal, **data))

    @transition_endpoint(WORKFLOW, "reroute", request=RouteInSerializer, response=AppealOutSerializer)
    def reroute(self, request, pk=None):
        appeal = self.get_object()  # outside the caller's scope: 404 before the body is read
        data = validated(RouteInSerializer(data=request.data))
        return self.respond_with(services.route(self.principal, appeal, **data))

    @transition_endpoint(WORKFLOW, "answer", request=AnswerInSerializer, response=AppealOutSerializer)
    def answer(self, request, pk=None):
        appeal = self.get_object()
        data = validated(AnswerInSerializer(data=request.data))
        appeal = services.answer(
            self.principal, appeal, text=data["answer"], answered_on=data.get("answered_on")
        )
        return self.respond_with(appeal)

    @transition_endpoint(WORKFLOW, "rate", request=RateInSerializer, response=AppealOutSerializer)
    def rate(self, request, pk=None):
        appeal = self.get_object()
        data = validated(RateInSerializer(data=request.data))
        return self.respond_with(services.rate(self.principal, appeal, **data))

    @transition_endpoint(WORKFLOW, "reopen", request=ReopenInSerializer, response=AppealOutSerializer)
    def reopen(self, request, pk=None):
        appeal = self.get_object()
        data = validated(ReopenInSerializer(data=request.data))
        return self.respond_with(services.reopen(self.principal, appeal, reason=data["reason"]))

    @extend_schema(
        summary="The appeal's timeline",
        description="Every status change, oldest first. Scope: `appeals:read`.",
        responses={200: HistoryOutSerializer(many=True), **NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        return Response(HistoryOutSerializer(selectors.history(self.get_object()), many=True).data)
