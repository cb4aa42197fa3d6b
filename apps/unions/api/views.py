"""`/api/v1/unions/` and `/api/v1/collective-contracts/` for district systems.

Reads go through the union selectors (outside the caller's scope is a 404), writes through
`unions.services` (rules refused as 400 with field errors, a caller without the right as 403)."""

import django_filters
from django.db.models import Count, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin
from apps.core.filters import UUIDFilter
from apps.core.principal import SYSTEM
from apps.enterprises.models import Enterprise

from .. import selectors, services
from ..filters import PlatformFilter, PlatformWorkerFilter
from ..models import CollectiveContract, Platform, PlatformWorker, Union, UnionCoverage
from ..selectors import ContractState
from .serializers import (
    CollectiveContractCreateSerializer,
    CollectiveContractInSerializer,
    CollectiveContractOutSerializer,
    FilingSerializer,
    JoinUnionSerializer,
    LeaveUnionSerializer,
    ObjectionSerializer,
    PlatformOutSerializer,
    PlatformWorkerInSerializer,
    PlatformWorkerOutSerializer,
    PlatformWorkerPatchSerializer,
    UnionInSerializer,
    UnionOutSerializer,
)

READ, WRITE = "unions:read", "unions:write"


def _ordering(*fields):
    """`?ordering=` over model fields of the same name, with fixed English labels (django-filter
    formats the descending labels once, at import, in whatever language is active then)."""
    labels = {}
    for name in fields:
        label = name.replace("_", " ").capitalize()
        labels[name], labels[f"-{name}"] = label, f"{label} (descending)"
    return django_filters.OrderingFilter(fields=[(name, name) for name in fields], field_labels=labels)


# Unions --------------------------------------------------------------------------------------------


class UnionFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Search", help_text="Part of the name."
    )
    kind = django_filters.ChoiceFilter(choices=Union.Kind.choices)
    parent = UUIDFilter(field_name="parent", help_text="Id of the parent federation.")
    is_active = django_filters.BooleanFilter()
    town = django_filters.CharFilter(
        field_name="organisation__area__code", help_text="Division code of the union's area."
    )
    ordering = _ordering("name", "kind", "founded_on", "members", "created_at")

    class Meta:
        model = Union
        fields = []


def _with_visible_enterprises(queryset, principal):
    """Prefetch the covered enterprises the principal may see (one query for the whole page)."""
    coverage = (
        UnionCoverage.objects.filter(enterprise__in=Enterprise.objects.visible_to(principal))
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    return queryset.prefetch_related(Prefetch("coverage", queryset=coverage, to_attr="visible_coverage"))


@extend_schema_view(
    list=extend_schema(summary="List trade unions", description="Scope: `unions:read`."),
    retrieve=extend_schema(summary="One trade union", description="Scope: `unions:read`."),
    create=extend_schema(
        summary="Register a trade union",
        description="An enterprise union covers exactly one enterprise, a joint union two or more "
        "(Trade Union Law art. 11), a federation none; an enterprise belongs to one grassroots "
        "union at most. Enterprise ids the caller may not see are a 400. Scope: `unions:write`.",
        request=UnionInSerializer,
        responses={201: UnionOutSerializer},
    ),
    update=extend_schema(
        summary="Update a trade union",
        description="Fields not sent are left unchanged; `enterprises`, when sent, replaces the "
        "coverage. Scope: `unions:write`.",
        request=UnionInSerializer,
        responses={200: UnionOutSerializer},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a trade union",
        description="`enterprises`, when sent, replaces the coverage. Scope: `unions:write`.",
        request=UnionInSerializer,
        responses={200: UnionOutSerializer},
    ),
)
class UnionViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Grassroots unions (of one enterprise or joint) and federations."""

    model = Union
    serializer_class = UnionOutSerializer
    filterset_class = UnionFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "create": WRITE,
        "update": WRITE,
        "partial_update": WRITE,
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
    }
    required_perms = {
        "list": "unions.view_union",
        "retrieve": "unions.view_union",
        "create": "unions.add_union",
        "update": "unions.change_union",
        "partial_update": "unions.change_union",
        "HEAD": "unions.view_union",
        "OPTIONS": "unions.view_union",
        "*": "unions.change_union",
    }

    def scoped_queryset(self, principal):
        return _with_visible_enterprises(selectors.unions_visible_to(principal), principal).order_by(
            "kind", "name", "pk"
        )

    def _out(self, union, code=status.HTTP_200_OK):
        fresh = self.scoped_queryset(self.principal).filter(pk=union.pk).first()
        if fresh is None:
            # A union the caller just registered but does not see by area (e.g. a federation
            # registered by a client restricted to a town): answer with what was written.
            fresh = _with_visible_enterprises(
                Union.objects.filter(pk=union.pk)
                .select_related("parent", "organisation__area")
                .annotate(enterprise_count=Count("coverage")),
                self.principal,
            ).get()
        return Response(UnionOutSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = UnionInSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        union = services.create_union(self.principal, **serializer.validated_data)
        return self._out(union, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        union = self.get_object()
        serializer = UnionInSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        union = services.update_union(self.principal, union, **serializer.validated_data)
        return self._out(union)


# Collective contracts ------------------------------------------------------------------------------


class CollectiveContractFilter(django_filters.FilterSet):
    enterprise = UUIDFilter(field_name="enterprise", help_text="Id of the enterprise.")
    union = UUIDFilter(field_name="union", help_text="Id of the union.")
    kind = django_filters.ChoiceFilter(choices=CollectiveContract.Kind.choices)
    state = django_filters.ChoiceFilter(
        choices=ContractState.choices,
        method="filter_state",
        help_text="Derived state (Provisions on Collective Contracts arts. 42, 47).",
    )
    signed_after = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", help_text="Signed on or after this date."
    )
    signed_before = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", help_text="Signed on or before this date."
    )
    ends_before = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="lte", help_text="Term ends on or before this date."
    )
    ordering = _ordering("signed_on", "ends_on", "filed_on", "title", "created_at")

    class Meta:
        model = CollectiveContract
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(selectors.state_q(value)) if value else queryset


_CC = "Scope: `unions:read`."


@extend_schema_view(
    list=extend_schema(summary="List collective contracts", description=_CC),
    retrieve=extend_schema(summary="One collective contract", description=_CC),
    create=extend_schema(
        summary="Record a collective contract",
        description="Recorded only if the workers' congress adopted it: at least two thirds of the "
        "representatives present and more than half of all approving (Provisions on Collective "
        "Contracts art. 36); otherwise a 400 naming the rule. The attendance is the adopting "
        "meeting's: link it with `congress` (figures not sent are taken from it), or, with none "
        "linked, a meeting recorded on the signing date is compared; figures that contradict the "
        "meeting's are a 400 naming them. Term at most 3 years (art. 38). Scope: `unions:write`.",
        request=CollectiveContractCreateSerializer,
        responses={201: CollectiveContractOutSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct a collective contract",
        description="Only before it is filed (or after an objection). Scope: `unions:write`.",
        request=CollectiveContractInSerializer,
        responses={200: CollectiveContractOutSerializer},
    ),
)
class CollectiveContractViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Collective contracts and special agreements, with their derived state."""

    model = CollectiveContract
    serializer_class = CollectiveContractOutSerializer
    filterset_class = CollectiveContractFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "create": WRITE,
        "partial_update": WRITE,
        "file_contract": WRITE,
        "objection": WRITE,
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
    }
    required_perms = {
        "list": "unions.view_collectivecontract",
        "retrieve": "unions.view_collectivecontract",
        "create": "unions.add_collectivecontract",
        "partial_update": "unions.change_collectivecontract",
        "file_contract": "unions.review_collectivecontract",
        "objection": "unions.review_collectivecontract",
        "HEAD": "unions.view_collectivecontract",
        "OPTIONS": "unions.view_collectivecontract",
        "*": "unions.change_collectivecontract",
    }

    def scoped_queryset(self, principal):
        return selectors.contracts_visible_to(principal).order_by("-signed_on", "pk")

    def _out(self, contract, code=status.HTTP_200_OK):
        fresh = self.scoped_queryset(self.principal).get(pk=contract.pk)
        return Response(
            CollectiveContractOutSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = CollectiveContractCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        enterprise = data.pop("enterprise")
        contract = services.create_collective_contract(self.principal, enterprise, **data)
        return self._out(contract, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        serializer = CollectiveContractInSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        contract = services.update_collective_contract(self.principal, contract, **serializer.validated_data)
        return self._out(contract)

    @extend_schema(
        summary="Record the filing with the HR bureau",
        description="The contract takes effect 15 days after the bureau received it unless an objection "
        "is recorded (Provisions on Collective Contracts arts. 42, 47); filing again after an "
        "objection restarts the review. Scope: `unions:write` (session users: the HR bureau's "
        "review permission).",
        request=FilingSerializer,
        responses={200: CollectiveContractOutSerializer},
    )
    @action(detail=True, methods=["post"], url_path="file", url_name="file", filter_backends=[])
    def file_contract(self, request, pk=None):
        contract = self.get_object()
        serializer = FilingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.file_collective_contract(self.principal, contract, **serializer.validated_data)
        return self._out(contract)

    @extend_schema(
        summary="Record the HR bureau's objection",
        description="Within 15 days of filing (Provisions on Collective Contracts art. 47); the "
        "contract then does not take effect. Scope: `unions:write` (session users: the HR bureau's "
        "review permission).",
        request=ObjectionSerializer,
        responses={200: CollectiveContractOutSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def objection(self, request, pk=None):
        contract = self.get_object()
        serializer = ObjectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.record_objection(
            self.principal,
            contract,
            objection_on=serializer.validated_data["objection_on"],
            note=serializer.validated_data["objection_note"],
        )
        return self._out(contract)


# New forms of employment (issue 19) ----------------------------------------------------------------

_NF_READ = (
    "Scope: `unions:read` (session users: union officials of the registering union and its "
    "federation, park administrators; never enterprise HR)."
)


@extend_schema_view(
    list=extend_schema(summary="List platform companies", description="Scope: `unions:read`."),
    retrieve=extend_schema(summary="One platform company", description="Scope: `unions:read`."),
)
class PlatformViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Platform companies of the new forms of employment (kept by park administrators)."""

    model = Platform
    serializer_class = PlatformOutSerializer
    filterset_class = PlatformFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {"list": READ, "retrieve": READ, "HEAD": READ, "OPTIONS": READ, "*": WRITE}
    required_perms = {
        "list": "unions.view_platformworker",
        "retrieve": "unions.view_platformworker",
        "HEAD": "unions.view_platformworker",
        "OPTIONS": "unions.view_platformworker",
        "*": "unions.change_platformworker",
    }

    def scoped_queryset(self, principal):
        return selectors.platforms_visible_to(principal).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="List platform workers (new forms of employment)",
        description="Drivers, couriers and delivery riders registered by the union, with their "
        "labour relationship (人社部发〔2021〕56号) and current union membership. ID numbers are "
        "masked in the list. " + _NF_READ,
    ),
    retrieve=extend_schema(
        summary="One platform worker",
        description="The ID number in full only for API clients with `personal_data:read` (each "
        "such view audited). " + _NF_READ,
    ),
    create=extend_schema(
        summary="Register a platform worker",
        description="With `union` and `joined_on` the worker joins that union the same day: a joint "
        "union, an industry union or the federation (Trade Union Law art. 11). An ID number "
        "already registered is a 400. Scope: `unions:write`.",
        request=PlatformWorkerInSerializer,
        responses={201: PlatformWorkerOutSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct a platform worker",
        description="Name, ID number (checked again; one another worker has is a 400), phone, town, "
        "occupation, labour relationship, platforms; fields not sent stay as they are. Only the "
        "registering union (its federation) and park-wide clients; audited without the ID number. "
        "Scope: `unions:write`.",
        request=PlatformWorkerPatchSerializer,
        responses={200: PlatformWorkerOutSerializer},
    ),
)
class PlatformWorkerViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Workers of the new forms of employment and their union membership."""

    model = PlatformWorker
    serializer_class = PlatformWorkerOutSerializer
    filterset_class = PlatformWorkerFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "create": WRITE,
        "partial_update": WRITE,
        "join": WRITE,
        "leave": WRITE,
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
    }
    required_perms = {
        "list": "unions.view_platformworker",
        "retrieve": "unions.view_platformworker",
        "create": "unions.add_platformworker",
        "partial_update": "unions.change_platformworker",
        "join": "unions.change_platformworker",
        "leave": "unions.change_platformworker",
        "HEAD": "unions.view_platformworker",
        "OPTIONS": "unions.view_platformworker",
        "*": "unions.change_platformworker",
    }

    def scoped_queryset(self, principal):
        return selectors.platform_workers_visible_to(principal)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["detail"] = self.action != "list"
        return context

    def _out(self, worker, code=status.HTTP_200_OK):
        fresh = self.scoped_queryset(self.principal).filter(pk=worker.pk).first()
        if fresh is None:  # registered by a client that does not see the worker's town
            fresh = selectors.platform_workers_visible_to(SYSTEM).get(pk=worker.pk)
        return Response(
            PlatformWorkerOutSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        serializer = PlatformWorkerInSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        worker = services.register_platform_worker(self.principal, **serializer.validated_data)
        return self._out(worker, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        worker = self.get_object()
        serializer = PlatformWorkerPatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.update_platform_worker(self.principal, worker, **serializer.validated_data)
        return self._out(worker)

    @extend_schema(
        summary="Enrol the worker into a union",
        description="A joint union, an industry union or the federation (Trade Union Law art. 11); "
        "refused (400) while the worker is a member of another union. Scope: `unions:write`.",
        request=JoinUnionSerializer,
        responses={200: PlatformWorkerOutSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def join(self, request, pk=None):
        worker = self.get_object()
        serializer = JoinUnionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.join_union(
            self.principal,
            worker,
            serializer.validated_data["union"],
            joined_on=serializer.validated_data["joined_on"],
        )
        return self._out(worker)

    @extend_schema(
        summary="Record that the worker left their union",
        description="400 when they are not a member, or the date is before joining or in the future. "
        "Scope: `unions:write`.",
        request=LeaveUnionSerializer,
        responses={200: PlatformWorkerOutSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def leave(self, request, pk=None):
        worker = self.get_object()
        serializer = LeaveUnionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.leave_union(self.principal, worker, **serializer.validated_data)
        return self._out(worker)
