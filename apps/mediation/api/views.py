"""`/api/v1/mediation/`: cases and organisations for district systems.

District systems send court-entrusted, inspection-transferred and 12345 hotline cases (idempotent
per channel and reference), read the cases of their area with the filters of the case list (a
client with only `mediation:intake` reads the cases it sent), follow the timeline and act on a
case through the workflow's named actions. Reads go through the mediation selectors and
`Case.visible_to` (a case outside the caller's scope is a 404); every write calls one function of
`mediation.services`, whose refusals the API answers as 400 (with `error.fields`), 403 (the caller
may not) or 409 (not in the current state)."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.api import sync
from apps.api.views import ScopedViewMixin, refuse_malformed_parameters, validated
from apps.api.workflow import (
    TRANSITION_ERRORS,
    action_perms,
    action_scopes,
    transition_endpoint,
    transition_endpoints,
)

from .. import selectors, services
from ..filters import CaseFilter
from ..models import INTAKE_SCOPE, READ_SCOPE, WRITE_SCOPE, Case, MediationOrganisation
from ..workflow import WORKFLOW
from .serializers import (
    AcceptInSerializer,
    CaseCreatedSerializer,
    CaseDetailSerializer,
    CaseInSerializer,
    CaseOutSerializer,
    ExtendInSerializer,
    HistoryOutSerializer,
    OrganisationOutSerializer,
    TransferInSerializer,
    WithdrawInSerializer,
)

READ, WRITE, INTAKE = READ_SCOPE, WRITE_SCOPE, INTAKE_SCOPE
#: Reading a case: `mediation:read`, or `mediation:intake` for the cases the client sent itself
#: (`Case.objects.visible_to`). Sending one: `mediation:write` or `mediation:intake`.
READ_OR_INTAKE, WRITE_OR_INTAKE = (READ, INTAKE), (WRITE, INTAKE)
VIEW = "mediation.view_case"
REGISTER = "mediation.register_case"
MEDIATE = "mediation.mediate_case"


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the PDF itself is a FileResponse, so only
    an error body ever passes through here (as JSON)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


# Cases ---------------------------------------------------------------------------------------------

_DETAIL = OpenApiResponse(CaseDetailSerializer, description="The case.")

#: The table's actions that take at most a reason: one endpoint each, performed by
#: `services.perform`, described from the workflow's `Transition` (sources, `doc`, `source`, who).
REASON_ACTIONS = [
    "refuse",
    "close_agreement",
    "close_no_agreement",
    "close_timed_out",
    "respondent_refused",
    "refer_arbitration",
    "refer_court",
]


@extend_schema_view(
    list=extend_schema(
        summary="List mediation cases",
        description="Cases the caller may see (a client restricted to an area: the cases of its "
        "towns), filtered with the same parameters as the case list page. Collective disputes "
        "first, then the nearest deadline, unless `ordering` is given; `?cursor=` walks that "
        "default order page by page, each page as fast as the first. Applicants' ID numbers are "
        "always masked here and phones left out: the case's detail shows them to clients with "
        "`personal_data:read` (each full view is audited). `source_reference` finds the case "
        "sent with a court's, inspection's or 12345 hotline's number. Scope: `mediation:read`, or "
        "`mediation:intake` (then only the cases the client sent).",
    ),
    retrieve=extend_schema(
        summary="One mediation case",
        description="With the sessions, extensions, transfers, the agreement (items, signatures, "
        "follow-ups, payments, the PDF's SHA-256 and download address), referrals, documents and "
        "`available_actions`. Scope: `mediation:read`, or `mediation:intake` for a case the client "
        "sent (404 for any other; without the mediators' file: session notes, referrals and "
        "documents are empty).",
        responses={200: CaseDetailSerializer},
    ),
    create=extend_schema(
        summary="Send a case",
        description="For district systems: a case entrusted by a court (`channel: court`, with "
        "`court_name`), transferred from labour inspection (`channel: inspection`) or referred by "
        "the 12345 hotline (`channel: hotline`, with the work order's number in "
        "`source_reference`). Everything wrong is reported at once in `error.fields`, nested rows "
        "as `applicants.0.id_number` (400); nothing is written then. The deadlines run from "
        "`received_on`: 3 working days to accept or refuse, 15 days to mediate (30 for "
        "court-entrusted cases). The 201 carries the `access_code` of the public tracking page, "
        "returned only there. A case is registered once per (`channel`, `source_reference`): "
        "sending it again, even at the same moment, answers the case registered the first time "
        "with a 200, unchanged (corrections are not applied; `access_code` is null), or a 400 on "
        "`source_reference` when that case is outside what the caller may see. A client "
        "restricted to an area sends cases of its towns only. Scope: `mediation:write`, or "
        "`mediation:intake` (a 12345 hotline: it then reads only the cases it sent and acts on "
        "none).",
        request=CaseInSerializer,
        responses={
            201: OpenApiResponse(CaseCreatedSerializer, description="The case, registered now."),
            200: OpenApiResponse(
                CaseCreatedSerializer,
                description="The case registered before with this channel and reference, unchanged "
                "(`access_code` null).",
            ),
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
    """Labour-dispute mediation cases, from receipt to archive."""

    model = Case
    serializer_class = CaseOutSerializer
    # The list reads through `selectors.case_list`, which applies this filter set; it is declared
    # here for the schema's parameters.
    filterset_class = CaseFilter
    filter_backends = [DjangoFilterBackend]
    # The lifecycle actions' scopes and permissions are the workflow table's.
    required_scopes = {
        "list": READ_OR_INTAKE,
        "retrieve": READ_OR_INTAKE,
        "timeline": READ_OR_INTAKE,
        "agreement_pdf": READ,
        "HEAD": READ_OR_INTAKE,
        "OPTIONS": READ_OR_INTAKE,
        "create": WRITE_OR_INTAKE,
        **action_scopes(WORKFLOW),
        "*": WRITE,
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        "timeline": VIEW,
        "agreement_pdf": VIEW,
        "create": REGISTER,
        **action_perms(WORKFLOW),
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "*": MEDIATE,
    }

    def scoped_queryset(self, principal):
        if self.action == "retrieve":
            return selectors.case_detail_queryset(principal)
        return selectors.cases_visible_to(principal)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseOutSerializer

    def filter_queryset(self, queryset):
        # Only the list filters (in `list`); a detail is found by its id alone.
        return queryset

    #: The list's default order, served by an index; `?cursor=` walks it (apps.api.pagination).
    keyset_ordering = Case.LIST_ORDER

    def list(self, request, *args, **kwargs):
        # Incremental sync (issue 15, apps/api/sync.py): the filter set reads the parameters
        # without `ordering=updated_at`; `updated_since` and that ordering are applied after it.
        params = sync.without_sync_ordering(request.query_params)
        filterset, queryset = selectors.case_list(self.principal, params, request)
        refuse_malformed_parameters(self, queryset)  # as every other list (`ScopedViewMixin`)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        if "cursor" in request.query_params and not selectors.list_ordering(filterset)[1]:
            raise ValidationError(
                {"cursor": [_("A cursor walks the list in its default order: leave out `ordering`.")]}
            )
        queryset = sync.apply(queryset, request.query_params)
        # A page of keys read from the list's index, then those cases with what a row shows (the
        # applicants included): a fixed number of queries, whatever the page's size or depth.
        keys = selectors.page_keys(queryset)
        if sync.sync_keyset(request.query_params):  # the cursor carries each key's updated_at
            keys = keys.only(*selectors.KEY_FIELDS, "updated_at")
        keys = self.paginate_queryset(keys)
        rows = selectors.page_rows(keys, "applicants")
        serializer = CaseOutSerializer(rows, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def create(self, request, *args, **kwargs):
        context = self.get_serializer_context()
        data = validated(CaseInSerializer(data=request.data, context=context))
        case, code = services.receive_referral(self.principal, **data)
        created = code is not None
        fresh = selectors.case_detail_queryset(self.principal).filter(pk=case.pk).first()
        if not created and fresh is None:
            # Sent before by someone whose case the caller may not see: say so without showing it.
            raise ValidationError(
                {
                    "source_reference": [
                        _(
                            "A case with this channel and reference was sent by another system or is outside your area."
                        )
                    ]
                }
            )
        # The sender sees what it sent even if it may not see the case afterwards (a user of
        # one organisation sending it to another).
        body = CaseCreatedSerializer(fresh or case, context={**context, "access_code": code}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def respond_with(self, case):
        """The case's detail after an action; 204 if the caller no longer sees it."""
        fresh = selectors.case_detail_queryset(self.principal).filter(pk=case.pk).first()
        if fresh is None:  # e.g. transferred out of the caller's organisation
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @transition_endpoint(WORKFLOW, "accept", request=AcceptInSerializer, response=_DETAIL)
    def accept(self, request, pk=None):
        case = self.get_object()
        data = validated(AcceptInSerializer(data=request.data, context=self.get_serializer_context()))
        return self.respond_with(
            services.accept(
                self.principal, case, mediator=data["mediator"], organisation=data.get("organisation")
            )
        )

    @extend_schema(
        responses={
            200: _DETAIL,
            204: OpenApiResponse(
                description="Transferred out of what the caller may see (a mediator's own organisation)."
            ),
            **TRANSITION_ERRORS,
        }
    )
    @transition_endpoint(WORKFLOW, "transfer", request=TransferInSerializer, response=_DETAIL)
    def transfer(self, request, pk=None):
        case = self.get_object()
        data = validated(TransferInSerializer(data=request.data, context=self.get_serializer_context()))
        return self.respond_with(
            services.transfer(
                self.principal, case, to_organisation=data["to_organisation"], reason=data["reason"]
            )
        )

    @transition_endpoint(WORKFLOW, "extend", request=ExtendInSerializer, response=_DETAIL)
    def extend(self, request, pk=None):
        case = self.get_object()
        data = validated(ExtendInSerializer(data=request.data))
        return self.respond_with(services.extend(self.principal, case, **data))

    (
        refuse,
        close_agreement,
        close_no_agreement,
        close_timed_out,
        respondent_refused,
        refer_arbitration,
        refer_court,
    ) = transition_endpoints(WORKFLOW, REASON_ACTIONS, perform=services.perform, response=_DETAIL)

    @transition_endpoint(WORKFLOW, "withdraw", request=WithdrawInSerializer, response=_DETAIL)
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = validated(WithdrawInSerializer(data=request.data))
        return self.respond_with(
            services.perform(
                self.principal,
                case,
                "withdraw",
                reason=data.get("reason", ""),
                applicant_request=data["applicant_request"],
            )
        )

    @transition_endpoint(WORKFLOW, "archive", response=_DETAIL)
    def archive(self, request, pk=None):
        return self.respond_with(services.archive(self.principal, self.get_object()))

    @extend_schema(
        summary="The case's timeline",
        description="Every status change, oldest first: when, which action, from and to which "
        "status, who (a user name, `api:<client>` or `system`) and the reason given. "
        "Scope: `mediation:read`, or `mediation:intake` for a case the client sent.",
        responses={200: HistoryOutSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        case = self.get_object()
        return Response(HistoryOutSerializer(selectors.timeline(case), many=True).data)

    @extend_schema(
        summary="Download the agreement PDF",
        description="The mediation agreement in Chinese, once generated (404 before); its SHA-256 "
        "is in the detail's `agreement.pdf_sha256` and the `X-Content-SHA256` header. It names each "
        "applicant with the full ID number (judicial confirmation needs it): a 403 without the "
        "`personal_data:read` scope, and for the respondent's HR. "
        "Scopes: `mediation:read` and `personal_data:read`.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
    )
    def agreement_pdf(self, request, pk=None):
        case = self.get_object()
        if not selectors.may_download_agreement(self.principal, case):
            raise PermissionDenied(_("The agreement names the applicants with their ID numbers."))
        agreement = selectors.agreement_of(case)
        document = agreement.document if agreement is not None else None
        if document is None or document.status != document.Status.READY or not document.file:
            raise NotFound(_("The agreement PDF is not ready."))
        response = FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            filename=f"mediation-agreement-{case.serial}.pdf",
        )
        response["X-Content-SHA256"] = document.sha256
        return response


# Organisations -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List mediation organisations",
        description="Every mediation organisation, with the towns it covers, its mediators and "
        "the number of open cases. Scope: `mediation:read`.",
    ),
    retrieve=extend_schema(summary="One mediation organisation", description="Scope: `mediation:read`."),
)
class MediationOrganisationViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = MediationOrganisation
    serializer_class = OrganisationOutSerializer
    filter_backends = []
    required_scopes = {"list": READ, "retrieve": READ, "*": READ}
    required_perms = {
        "list": "mediation.view_mediationorganisation",
        "retrieve": "mediation.view_mediationorganisation",
        "*": "mediation.view_mediationorganisation",
    }

    def scoped_queryset(self, principal):
        return selectors.organisations(principal).order_by("kind", "name", "pk")
