"""`/api/v1/inspection/`: cases, orders to rectify, interviews, written reviews, the wage-arrears
list, published serious violations and credit grades, for district systems (the 12345 hotline,
the district's inspection system) and signed-in users.

District systems send referrals (idempotent on source and reference), read the cases of their area
with the filters of the case list, follow the timeline and act on a case through the workflow's
named actions. Reads go through the inspection selectors and `Model.objects.visible_to` (an object
outside the caller's scope is a 404); every write calls one function of `inspection.services`,
whose refusals the API answers as 400 (with `error.fields`), 403 (the caller may not) or 409 (not
in the current state). The reporter of a report is never in any answer (劳动保障监察条例 art. 9).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin, validated
from apps.api.workflow import (
    TRANSITION_ERRORS,
    ReasonSerializer,
    action_perms,
    action_scopes,
    reason_of,
    transition_endpoint,
)

from .. import selectors, services
from ..models import (
    CreditGrade,
    InspectionCase,
    Interview,
    RectificationOrder,
    SeriousViolation,
    WageArrearsListing,
    WrittenReview,
)
from ..workflow import (
    APPROVE,
    HANDLE,
    HANDLE_INTERVIEW,
    INTERVIEW_WORKFLOW,
    REVIEW_WRITTEN,
    WORKFLOW,
    WRITTEN_REVIEW_WORKFLOW,
)
from .filters import (
    CaseFilter,
    CreditGradeFilter,
    InterviewFilter,
    ListingFilter,
    OrderFilter,
    SeriousViolationFilter,
    WrittenReviewFilter,
)
from .serializers import (
    CaseDetailSerializer,
    CaseInSerializer,
    CaseOutSerializer,
    CaseTransferredSerializer,
    CreditGradeOutSerializer,
    DecideInSerializer,
    DecideOrderInSerializer,
    FollowUpInSerializer,
    HistoryOutSerializer,
    InterviewFollowUpInSerializer,
    InterviewNoticeInSerializer,
    InterviewOutSerializer,
    InterviewRecordInSerializer,
    ListingOutSerializer,
    NoteInSerializer,
    OrderOutSerializer,
    RefuseInSerializer,
    RejectExtensionInSerializer,
    RequestExtensionInSerializer,
    SeriousViolationOutSerializer,
    WrittenReviewOutSerializer,
)

READ, WRITE = "inspection:read", "inspection:write"
VIEW = "inspection.view_inspectioncase"
REGISTER = "inspection.register_case"

#: What a detail may answer besides 200 (a list's 400 and 404 are documented for every list by
#: apps.api.schema; the error body is the API's one format).
DETAIL_ERRORS = {404: OpenApiResponse(description="Not found, or outside what the caller may see.")}
#: What a write may answer besides its success.
WRITE_ERRORS = {
    400: OpenApiResponse(
        description="Invalid input or a rule refused it: `error.fields` names each field; nothing is written."
    ),
    404: OpenApiResponse(description="Not found, or outside what the caller may see."),
    **TRANSITION_ERRORS,
}


# Cases ---------------------------------------------------------------------------------------------

_DETAIL = OpenApiResponse(CaseDetailSerializer, description="The case.")
_DECISIONS = ["decide_no_violation", "decide_penalty", "decide_police"]


@extend_schema_view(
    list=extend_schema(
        summary="List inspection cases",
        description="Cases the caller may see (a client restricted to an area: the cases of its towns), "
        "filtered by status, source, matter, town, enterprise (id or credit code), the day received "
        "and whether a clock has passed. The nearest decision deadline first, then the newest; "
        "`?cursor=` walks that order page by page, each page as fast as the first. Workers' ID "
        "numbers are always masked here and phones left out; the reporter of a report is never "
        "part of any answer (劳动保障监察条例第九条). Scope: `inspection:read`.",
        responses={200: CaseOutSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One inspection case",
        description="With the clocks (each deadline with its unit and source), the 2-year warning, "
        "the orders to rectify, the extension and `available_actions`. The workers' ID numbers and "
        "phones are shown in full to clients with `personal_data:read` (each full view audited), "
        "masked otherwise. Never the reporter. Scope: `inspection:read`.",
        responses={200: CaseDetailSerializer, **DETAIL_ERRORS},
    ),
    create=extend_schema(
        summary="Send a case",
        description="For district systems: a referral (the 12345 hotline, mediation, another "
        "department: `source: referral` with `source_reference`), a complaint with the workers "
        "concerned, or a report with its reporter (stored apart, never returned). A case is "
        "registered once per (`source`, `source_reference`): sending it again answers the case "
        "already registered with a 200, unchanged, instead of the 201 of a new case. Everything "
        "wrong is reported at once in `error.fields`, nested rows as `workers.0.id_number` (400); "
        "nothing is written then. The clocks run from `received_on`: 5 working days to accept or "
        "refuse. A client restricted to an area sends cases of its towns only. "
        "Scope: `inspection:write`.",
        request=CaseInSerializer,
        responses={
            201: OpenApiResponse(CaseDetailSerializer, description="The case, registered now."),
            200: OpenApiResponse(
                CaseDetailSerializer, description="The case registered before with this source and reference."
            ),
            400: WRITE_ERRORS[400],
        },
    ),
)
class CaseViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Labour-inspection cases, from receipt to archive."""

    model = InspectionCase
    serializer_class = CaseOutSerializer
    filterset_class = CaseFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "timeline": READ,
        "HEAD": READ,
        "OPTIONS": READ,
        "create": WRITE,
        **action_scopes(WORKFLOW),
        "request_extension": WRITE,
        # A park administrator's decision: not for API clients (as approving, the table's `extend`).
        "reject_extension": None,
        "*": WRITE,
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        "timeline": VIEW,
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "create": REGISTER,
        **action_perms(WORKFLOW),
        "request_extension": HANDLE,
        "reject_extension": APPROVE,
        "*": HANDLE,
    }

    #: The list's default order, served by the index `inspection_case_order`; `?cursor=` walks it.
    keyset_ordering = selectors.LIST_ORDER

    def scoped_queryset(self, principal):
        # What a row, its clocks and its `available_actions` read, in a fixed number of queries.
        return selectors.visible_cases(principal).prefetch_related("workers").order_by(*selectors.LIST_ORDER)

    def get_serializer_class(self):
        return CaseOutSerializer if self.action == "list" else CaseDetailSerializer

    def filter_queryset(self, queryset):
        # Only the list filters; a detail is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def create(self, request, *args, **kwargs):
        context = self.get_serializer_context()
        data = dict(validated(CaseInSerializer(data=request.data, context=context)))
        data["workers"] = [dict(row) for row in data.get("workers") or []]
        if data.get("reporter") is not None:
            data["reporter"] = dict(data["reporter"])
        case, created = services.register_case(self.principal, **data)
        fresh = self.scoped_queryset(self.principal).filter(pk=case.pk).first()
        if not created and fresh is None:
            # Sent before by someone whose case the caller may not see: say so without showing it.
            raise ValidationError(
                {
                    "source_reference": [
                        _("A case with this source and reference is registered outside your area.")
                    ]
                }
            )
        body = CaseDetailSerializer(fresh or case, context=context).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def respond_with(self, case, serializer=CaseDetailSerializer, **extra):
        """The case's detail after an action; 204 if the caller no longer sees it."""
        fresh = self.scoped_queryset(self.principal).filter(pk=case.pk).first()
        if fresh is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(serializer(fresh, context={**self.get_serializer_context(), **extra}).data)

    @transition_endpoint(WORKFLOW, "accept", response=_DETAIL)
    def accept(self, request, pk=None):
        return self.respond_with(services.accept(self.principal, self.get_object()))

    @transition_endpoint(WORKFLOW, "refuse", request=RefuseInSerializer, response=_DETAIL)
    def refuse(self, request, pk=None):
        case = self.get_object()
        data = validated(RefuseInSerializer(data=request.data))
        return self.respond_with(
            services.refuse(self.principal, case, basis=data["refusal_basis"], reason=data["reason"])
        )

    @transition_endpoint(WORKFLOW, "start_investigation", response=_DETAIL)
    def start_investigation(self, request, pk=None):
        return self.respond_with(services.start_investigation(self.principal, self.get_object()))

    @transition_endpoint(WORKFLOW, "extend", request=NoteInSerializer, response=_DETAIL)
    def extend(self, request, pk=None):
        case = self.get_object()
        data = validated(NoteInSerializer(data=request.data))
        return self.respond_with(services.approve_extension(self.principal, case, note=data.get("note", "")))

    def _decide(self, request, name):
        case = self.get_object()
        data = validated(DecideInSerializer(data=request.data))
        return self.respond_with(services.decide(self.principal, case, name, note=data.get("note", "")))

    @transition_endpoint(WORKFLOW, "decide_no_violation", request=DecideInSerializer, response=_DETAIL)
    def decide_no_violation(self, request, pk=None):
        return self._decide(request, "decide_no_violation")

    @transition_endpoint(WORKFLOW, "decide_order", request=DecideOrderInSerializer, response=_DETAIL)
    def decide_order(self, request, pk=None):
        case = self.get_object()
        data = validated(DecideOrderInSerializer(data=request.data))
        return self.respond_with(
            services.decide(
                self.principal,
                case,
                "decide_order",
                note=data.get("note", ""),
                items=data["items"],
                order_due_on=data["order_due_on"],
            )
        )

    @transition_endpoint(WORKFLOW, "decide_penalty", request=DecideInSerializer, response=_DETAIL)
    def decide_penalty(self, request, pk=None):
        return self._decide(request, "decide_penalty")

    @transition_endpoint(WORKFLOW, "decide_police", request=DecideInSerializer, response=_DETAIL)
    def decide_police(self, request, pk=None):
        return self._decide(request, "decide_police")

    @transition_endpoint(WORKFLOW, "start_follow_up", response=_DETAIL)
    def start_follow_up(self, request, pk=None):
        return self.respond_with(services.start_follow_up(self.principal, self.get_object()))

    @transition_endpoint(WORKFLOW, "close", request=ReasonSerializer, response=_DETAIL)
    def close(self, request, pk=None):
        case = self.get_object()
        return self.respond_with(services.close(self.principal, case, reason=reason_of(request)))

    @extend_schema(
        responses={
            200: OpenApiResponse(
                CaseTransferredSerializer,
                description="The case, closed, with the mediation case and its access code.",
            ),
            **TRANSITION_ERRORS,
        }
    )
    @transition_endpoint(
        WORKFLOW,
        "transfer_to_mediation",
        request=ReasonSerializer,
        response=_DETAIL,
        note="The workers concerned become the mediation case's applicants (at least one, 400 "
        "otherwise); the answer carries the mediation case's access code, returned only here.",
    )
    def transfer_to_mediation(self, request, pk=None):
        case = self.get_object()
        case, _mediation_case, code = services.transfer_to_mediation(
            self.principal, case, reason=reason_of(request)
        )
        return self.respond_with(case, CaseTransferredSerializer, mediation_access_code=code)

    @transition_endpoint(WORKFLOW, "archive", response=_DETAIL)
    def archive(self, request, pk=None):
        return self.respond_with(services.archive(self.principal, self.get_object()))

    @extend_schema(
        summary="Request an extension",
        description="From `investigating`, once: the inspector asks for the one extension of 30 "
        "working days with a reason (required, 400 otherwise); park administrators approve it "
        "(`extend`) or reject it (`reject_extension`). Rule: 劳动保障监察条例第十七条. 409 while a "
        "request waits, after an approved extension or in another status. Scope: `inspection:write` "
        "(session users: the permission `inspection.handle_case`).",
        request=RequestExtensionInSerializer,
        responses={200: _DETAIL, **TRANSITION_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="request_extension",
        url_name="request-extension",
        filter_backends=[],
        pagination_class=None,
    )
    def request_extension(self, request, pk=None):
        case = self.get_object()
        data = validated(RequestExtensionInSerializer(data=request.data))
        services.request_extension(self.principal, case, reason=data["reason"])
        return self.respond_with(case)

    @extend_schema(
        summary="Reject the extension",
        description="A park administrator rejects the waiting request, saying why (`note`, required, "
        "400 otherwise); the inspector may ask again. 409 when no request waits. Not available to "
        "API clients; session users need the permission `inspection.approve_extension`.",
        request=RejectExtensionInSerializer,
        responses={200: _DETAIL, **TRANSITION_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="reject_extension",
        url_name="reject-extension",
        filter_backends=[],
        pagination_class=None,
    )
    def reject_extension(self, request, pk=None):
        case = self.get_object()
        data = validated(RejectExtensionInSerializer(data=request.data))
        services.reject_extension(self.principal, case, note=data["note"])
        return self.respond_with(case)

    @extend_schema(
        summary="The case's timeline",
        description="Every status change, oldest first: when, which action, from and to which "
        "status, who (a user name, `api:<client>` or `system`) and the reason given. "
        "Scope: `inspection:read`.",
        responses={200: HistoryOutSerializer(many=True), **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        case = self.get_object()
        return Response(HistoryOutSerializer(selectors.history(case), many=True).data)


# Orders to rectify ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List orders to rectify",
        description="The orders of the cases the caller may see (an enterprise's HR: its own), the "
        "nearest deadline first. Scope: `inspection:read`.",
        responses={200: OrderOutSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One order to rectify",
        description="Scope: `inspection:read`.",
        responses={200: OrderOutSerializer, **DETAIL_ERRORS},
    ),
)
class OrderViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Orders to rectify (责令改正, 劳动保障监察条例第十八条) and their follow-up check."""

    model = RectificationOrder
    serializer_class = OrderOutSerializer
    filterset_class = OrderFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {"list": READ, "retrieve": READ, "HEAD": READ, "OPTIONS": READ, "*": WRITE}
    required_perms = {
        "list": "inspection.view_rectificationorder",
        "retrieve": "inspection.view_rectificationorder",
        "HEAD": "inspection.view_rectificationorder",
        "OPTIONS": "inspection.view_rectificationorder",
        "*": HANDLE,
    }
    keyset_ordering = ("due_on", "-issued_on", "-id")

    def scoped_queryset(self, principal):
        return (
            RectificationOrder.objects.visible_to(principal)
            .select_related("case")
            .order_by(*self.keyset_ordering)
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        summary="Record the follow-up result",
        description="While the case is in its follow-up check (`start_follow_up`), once per order: "
        "done, partly or not done, the day of the check (today by default, not before the order "
        "was issued) and, for an order partly or not carried out, the escalation (an interview "
        "proposed or a penalty recorded). 409 outside the follow-up or when already recorded. "
        "Scope: `inspection:write` (session users: the permission `inspection.handle_case`).",
        request=FollowUpInSerializer,
        responses={200: OrderOutSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def record_follow_up(self, request, pk=None):
        order = self.get_object()
        data = validated(FollowUpInSerializer(data=request.data))
        order = services.record_follow_up(
            self.principal,
            order,
            result=data["result"],
            checked_on=data.get("checked_on"),
            note=data.get("note", ""),
            escalation=data.get("escalation", ""),
        )
        fresh = self.scoped_queryset(self.principal).get(pk=order.pk)
        return Response(OrderOutSerializer(fresh, context=self.get_serializer_context()).data)


# Published lists and grades ------------------------------------------------------------------------


class _ReadOnly(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = [DjangoFilterBackend]
    permission_name = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.permission_name:
            cls.required_scopes = {"*": READ}
            cls.required_perms = {"*": cls.permission_name}

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset


def _read_views(name: str, plural: str, description: str, serializer):
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}",
            description=f"{description} Scope: `inspection:read`.",
            responses={200: serializer(many=True)},
        ),
        retrieve=extend_schema(
            summary=f"One {name}",
            description="Scope: `inspection:read`.",
            responses={200: serializer, **DETAIL_ERRORS},
        ),
    )


@_read_views(
    "wage-arrears listing",
    "the wage-arrears list",
    "Enterprises listed for wage arrears (拖欠农民工工资失信联合惩戒对象名单, 人社部令第45号): "
    "published, so every caller reads all of it; newest first. A listing lasts 3 years and "
    "is removed early only when the arrears are paid, 6 months have passed and a written "
    "pledge is recorded.",
    ListingOutSerializer,
)
class WageArrearsListingViewSet(_ReadOnly):
    model = WageArrearsListing
    serializer_class = ListingOutSerializer
    filterset_class = ListingFilter
    permission_name = "inspection.view_wagearrearslisting"
    keyset_ordering = ("-listed_on", "-id")

    def scoped_queryset(self, principal):
        return (
            WageArrearsListing.objects.visible_to(principal)
            .select_related("enterprise", "case")
            .order_by(*self.keyset_ordering)
        )


@_read_views(
    "serious violation",
    "published serious violations",
    "Serious violations published by decision of the HR bureau (重大劳动保障违法行为社会公布办法): "
    "published, so every caller reads all of them; the newest decision first.",
    SeriousViolationOutSerializer,
)
class SeriousViolationViewSet(_ReadOnly):
    model = SeriousViolation
    serializer_class = SeriousViolationOutSerializer
    filterset_class = SeriousViolationFilter
    permission_name = "inspection.view_seriousviolation"
    keyset_ordering = ("-decided_on", "-id")

    def scoped_queryset(self, principal):
        return (
            SeriousViolation.objects.visible_to(principal)
            .select_related("enterprise", "case")
            .order_by(*self.keyset_ordering)
        )


@_read_views(
    "credit grade",
    "credit grades",
    "Yearly credit grades A/B/C (企业劳动保障守法诚信等级评价办法) of the enterprises the caller may "
    "see, with the facts that decided each; the newest year first.",
    CreditGradeOutSerializer,
)
class CreditGradeViewSet(_ReadOnly):
    model = CreditGrade
    serializer_class = CreditGradeOutSerializer
    filterset_class = CreditGradeFilter
    permission_name = "inspection.view_creditgrade"
    keyset_ordering = ("-year", "-id")

    def scoped_queryset(self, principal):
        return (
            CreditGrade.objects.visible_to(principal)
            .select_related("enterprise")
            .order_by(*self.keyset_ordering)
        )


# Interviews and written reviews --------------------------------------------------------------------


class _WithActions(_ReadOnly):
    """A read-only collection whose objects also take the actions of a transition table."""

    workflow = None
    read_permission = ""
    write_permission = ""
    #: Method names that differ from the table's action (`return` is a Python keyword).
    renamed: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        scopes = action_scopes(cls.workflow)
        perms = action_perms(cls.workflow)
        for action_name, method in cls.renamed.items():
            scopes[method], perms[method] = scopes.pop(action_name), perms.pop(action_name)
        read = {"list": READ, "retrieve": READ, "HEAD": READ, "OPTIONS": READ}
        cls.required_scopes = {**read, **scopes, "*": WRITE}
        cls.required_perms = {**dict.fromkeys(read, cls.read_permission), **perms, "*": cls.write_permission}

    def respond_with(self, obj):
        fresh = self.scoped_queryset(self.principal).filter(pk=obj.pk).first()
        if fresh is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer_class()(fresh, context=self.get_serializer_context()).data)


@_read_views(
    "interview",
    "interviews",
    "Interviews (约谈) of the enterprises the caller may see (an enterprise's HR: its own), with "
    "what fired each proposal; the newest first.",
    InterviewOutSerializer,
)
class InterviewViewSet(_WithActions):
    model = Interview
    serializer_class = InterviewOutSerializer
    filterset_class = InterviewFilter
    workflow = INTERVIEW_WORKFLOW
    read_permission = "inspection.view_interview"
    write_permission = HANDLE_INTERVIEW
    keyset_ordering = ("-proposed_on", "-id")

    def scoped_queryset(self, principal):
        return (
            Interview.objects.visible_to(principal)
            .select_related("enterprise", "case", "inspector")
            .order_by(*self.keyset_ordering)
        )

    @transition_endpoint(
        INTERVIEW_WORKFLOW,
        "send_notice",
        request=InterviewNoticeInSerializer,
        response=InterviewOutSerializer,
    )
    def send_notice(self, request, pk=None):
        interview = self.get_object()
        data = validated(InterviewNoticeInSerializer(data=request.data))
        return self.respond_with(services.send_interview_notice(self.principal, interview, **data))

    @transition_endpoint(
        INTERVIEW_WORKFLOW, "record", request=InterviewRecordInSerializer, response=InterviewOutSerializer
    )
    def record(self, request, pk=None):
        interview = self.get_object()
        data = validated(InterviewRecordInSerializer(data=request.data))
        return self.respond_with(services.record_interview(self.principal, interview, **data))

    @transition_endpoint(
        INTERVIEW_WORKFLOW,
        "follow_up",
        request=InterviewFollowUpInSerializer,
        response=InterviewOutSerializer,
    )
    def follow_up(self, request, pk=None):
        interview = self.get_object()
        data = validated(InterviewFollowUpInSerializer(data=request.data))
        return self.respond_with(services.record_interview_follow_up(self.principal, interview, **data))

    @transition_endpoint(
        INTERVIEW_WORKFLOW, "dismiss", request=ReasonSerializer, response=InterviewOutSerializer
    )
    def dismiss(self, request, pk=None):
        interview = self.get_object()
        return self.respond_with(
            services.dismiss_interview(self.principal, interview, reason=reason_of(request))
        )


@_read_views(
    "written review report",
    "written review reports",
    "The yearly employment reports of the written review (书面审查, 劳动保障监察条例第十四条) of the "
    "enterprises the caller may see (an enterprise's HR: its own), with what the platform "
    "proposed and what the HR changed; the newest year first.",
    WrittenReviewOutSerializer,
)
class WrittenReviewViewSet(_WithActions):
    model = WrittenReview
    serializer_class = WrittenReviewOutSerializer
    filterset_class = WrittenReviewFilter
    workflow = WRITTEN_REVIEW_WORKFLOW
    read_permission = "inspection.view_writtenreview"
    write_permission = REVIEW_WRITTEN
    renamed = {"return": "return_"}
    keyset_ordering = ("-year", "-id")

    def scoped_queryset(self, principal):
        return (
            WrittenReview.objects.visible_to(principal)
            .select_related("enterprise")
            .order_by(*self.keyset_ordering)
        )

    @transition_endpoint(WRITTEN_REVIEW_WORKFLOW, "submit", response=WrittenReviewOutSerializer)
    def submit(self, request, pk=None):
        return self.respond_with(services.submit_written_review(self.principal, self.get_object()))

    @transition_endpoint(WRITTEN_REVIEW_WORKFLOW, "accept", response=WrittenReviewOutSerializer)
    def accept(self, request, pk=None):
        return self.respond_with(services.accept_written_review(self.principal, self.get_object()))

    @transition_endpoint(
        WRITTEN_REVIEW_WORKFLOW, "return", request=ReasonSerializer, response=WrittenReviewOutSerializer
    )
    def return_(self, request, pk=None):
        review = self.get_object()
        return self.respond_with(
            services.return_written_review(self.principal, review, reason=reason_of(request))
        )
