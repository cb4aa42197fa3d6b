"""`/api/v1/contracts/`: the contract library for district systems and the e-signing platform.

The platform pushes filings one by one or in batches of up to 1,000 rows (the columns of the import
format, `importing.COLUMNS`) and uploads its exports as import jobs whose progress it polls. District
systems read the contracts of their area with filters and each enterprise's contract book
(`/api/v1/enterprises/{id}/contract-book/`). Reads go through `contracts.selectors` (a contract
outside the caller's scope is a 404); every write calls one function of `contracts.services`, whose
refusals the API answers as 400 (with `error.fields` keyed by column), 403 or 409. Workers' ID
numbers are masked unless the client has `personal_data:read` (each full view audited)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin, validated
from apps.api.workflow import action_perms, action_scopes, transition_endpoint
from apps.audit import services as audit
from apps.audit.models import AuditEvent
from apps.core.personal_data import search_token
from apps.enterprises.models import Enterprise

from .. import importing, selectors, services, workflow
from ..filters import ContractFilter
from ..models import ImportJob, LabourContract
from ..workflow import WORKFLOW
from . import rows
from .serializers import (
    BatchResultSerializer,
    ContractBookSerializer,
    ContractDetailSerializer,
    ContractOutSerializer,
    ContractRowSerializer,
    IdSearchInSerializer,
    IdSearchOutSerializer,
    ImportInSerializer,
    ImportJobDetailSerializer,
    ImportJobOutSerializer,
    TerminateInSerializer,
    VerificationOutSerializer,
)

READ, WRITE = "contracts:read", "contracts:write"
VIEW = "contracts.view_labourcontract"
FILE = "contracts.file_contract"
IMPORT = "contracts.import_contracts"
VIEW_IMPORTS = "contracts.view_importjob"
#: The most rows one batch may carry; larger sets go through an import job.
MAX_BATCH = 1000


def _row(data) -> dict:
    """The filing row as sent: the columns of the import format, nothing else. The service parses
    and checks it (the same reasons as an import's report)."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("Send one contract as an object of columns.")]})
    return {name: data.get(name) for name in importing.COLUMNS}


def _rows(data) -> list[dict]:
    if not isinstance(data, list):
        raise ValidationError({"non_field_errors": [_("Send a list of contracts (objects of columns).")]})
    if len(data) > MAX_BATCH:
        raise ValidationError(
            {
                "non_field_errors": [
                    _("A batch holds at most %(max)s rows (this one has %(n)s); import a file instead.")
                    % {"max": MAX_BATCH, "n": len(data)}
                ]
            }
        )
    bad = [str(number) for number, row in enumerate(data, start=1) if not isinstance(row, dict)]
    if bad:
        shown = ", ".join(bad[:20]) + ("…" if len(bad) > 20 else "")
        raise ValidationError(
            {"non_field_errors": [_("Rows %(rows)s are not objects of columns.") % {"rows": shown}]}
        )
    return [{name: row.get(name) for name in importing.COLUMNS} for row in data]


def _row_results(rows: list, result) -> list[dict]:
    """Each row sent and what became of it (issue 15): index, contract, status, reason, the columns
    corrected and the problems by column with their codes."""
    errors: dict[int, dict] = {}
    for error in result.errors:
        by_field = errors.setdefault(error.row - result.first_row, {})
        by_field.setdefault(error.field or "non_field_errors", []).append(
            {"code": error.code, "message": error.reason}
        )
    out = []
    for index in range(len(rows)):
        outcome = result.outcomes.get(index) or services.RowOutcome(services.filing.ERROR)
        out.append(
            {
                "index": index,
                "id": outcome.contract_id,
                "status": outcome.status,
                "code": outcome.code or None,
                "changed": list(outcome.changed),
                "errors": errors.get(index, {}),
            }
        )
    return out


#: How a single filing went (issue 15): `created` (201), `updated`, `unchanged` or `duplicate` (200).
FILING_STATUS = OpenApiParameter(
    "Filing-Status",
    str,
    location=OpenApiParameter.HEADER,
    enum=["created", "updated", "unchanged", "duplicate"],
    response=[200, 201],
    description="`created` (201); `updated`: the row repeated a filed contract with other terms, "
    "which were corrected; `unchanged` / `duplicate`: it repeated a platform record / a paper "
    "contract as it is (200).",
)


# Contracts -------------------------------------------------------------------------------------------

_DETAIL = OpenApiResponse(ContractDetailSerializer, description="The contract.")
_MASKING = (
    "Workers' ID numbers are masked unless the client has `personal_data:read` (then in full, each "
    "view written to the audit trail); phones only with that scope."
)


@extend_schema_view(
    list=extend_schema(
        summary="List filed labour contracts",
        description="The contracts the caller may see (a client restricted to an area: those of its "
        "towns' enterprises; enterprise HR: their enterprise's), newest start first. "
        f"{_MASKING} Scope: `contracts:read`.",
    ),
    retrieve=extend_schema(
        summary="One labour contract",
        description=f"With the history and the termination filing's due date. {_MASKING} "
        "Scope: `contracts:read`.",
        responses={200: ContractDetailSerializer},
    ),
    create=extend_schema(
        summary="File one contract",
        description="For the e-signing platform and district systems: one row of the import format. "
        "The Labour Contract Law's checks apply: a refused row is a 400 with every reason in "
        "`error.fields` keyed by column (and the article in the message) and its code in "
        "`error.codes`, and nothing is written; findings that do not refuse are stored in `flags`. "
        "A row that repeats a filed contract (the same `platform` and `record_id`; for a paper "
        "contract the same enterprise, worker, `kind`, `start`, `end` and `contract_number`) is answered "
        "200 with that contract: left as it is when its values are the same (`Filing-Status: "
        "unchanged` or `duplicate`), corrected when they differ (`updated`: the contract's terms, "
        "with a history entry and an audit event). A correction that may not be applied is a 409 "
        "whose `error.code` says why: `contract_terminated`, `contract_expired`, `contract_renewed` "
        "(only contracts in force are corrected), `worker_mismatch` (the worker cannot change), "
        "`not_correctable` (the signing evidence cannot change). A platform record filed for "
        "another enterprise is a 400 (`record_other_enterprise`). "
        "Scope: `contracts:write`.",
        request=ContractRowSerializer,
        responses={
            201: OpenApiResponse(ContractDetailSerializer, description="The contract filed."),
            200: OpenApiResponse(
                ContractDetailSerializer,
                description="The contract the row repeats: corrected, or as it was (`Filing-Status`).",
            ),
            409: OpenApiResponse(
                description="The row repeats a filed contract that it may not correct (`error.code`)."
            ),
        },
        parameters=[FILING_STATUS],
    ),
)
class ContractViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The electronic labour-contract library (电子合同库)."""

    model = LabourContract
    serializer_class = ContractOutSerializer
    filterset_class = ContractFilter
    filter_backends = [DjangoFilterBackend]
    parser_classes = [parsers.JSONParser]
    # The lifecycle actions' scope and permission are the table's; the other writes (filing,
    # verification) need `contracts:write` and the filing permission.
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "id_search": READ,  # and personal_data:read, checked by the action
        "HEAD": READ,
        "OPTIONS": READ,
        **action_scopes(WORKFLOW),
        "*": WRITE,
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        "id_search": VIEW,
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        **action_perms(WORKFLOW),
        "*": FILE,
    }

    #: The library's order, served by an index; `?cursor=` walks it (apps.api.pagination).
    keyset_ordering = ("-start", "-created_at", "-pk")

    def scoped_queryset(self, principal):
        return selectors.contracts_visible_to(principal).order_by(*self.keyset_ordering)

    def get_serializer_class(self):
        return ContractDetailSerializer if self.action == "retrieve" else ContractOutSerializer

    def list(self, request, *args, **kwargs):
        """A page is read as values and written by `rows.represent` (the `Contract` schema, numbers
        masked): a bulk pull of a million contracts at thousands of rows a second (issue 15)."""
        page = self.paginate_queryset(rows.values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(rows.represent(page))

    def filter_queryset(self, queryset):
        # The filters are the list's; a contract is found by its id alone.
        if self.action != "list":
            return queryset
        if self.request.query_params.get("id_token") and not workflow.can_see_full_id(self.principal):
            raise PermissionDenied(_("Searching by ID number needs the `personal_data:read` scope."))
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Search by ID number",
        description="Takes a worker's full ID number in the body (never in an address, so that no "
        "access log holds it) and answers a token valid for an hour to pass as `id_token` to the "
        "contract list: the contracts of that worker the client may see, found through the "
        "number's keyed hash. Scope: `personal_data:read` besides `contracts:read`; the search is "
        "written to the audit trail.",
        request=IdSearchInSerializer,
        responses={200: IdSearchOutSerializer},
    )
    @action(detail=False, methods=["post"], url_path="id-search", filter_backends=[], pagination_class=None)
    def id_search(self, request):
        if not workflow.can_see_full_id(self.principal):
            raise PermissionDenied(_("Searching by ID number needs the `personal_data:read` scope."))
        data = validated(IdSearchInSerializer(data=request.data))
        try:
            token = search_token(data["id_number"])
        except DjangoValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        with transaction.atomic():
            audit.record("contracts.id_search", None, kind=AuditEvent.Kind.SENSITIVE_VIEW, only_changes=False)
        return Response({"id_token": token})

    def _detail(self, contract, code=status.HTTP_200_OK):
        fresh = selectors.get_contract(self.principal, contract.pk)
        return Response(
            ContractDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        contract, outcome = services.file_one(self.principal, _row(request.data))
        created = outcome.status == services.filing.CREATED
        response = self._detail(contract, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        response[FILING_STATUS.name] = outcome.status
        return response

    @extend_schema(
        summary="File a batch of contracts",
        description="Up to 1,000 rows of the import format, checked and written in one transaction. "
        "`results` has one entry per row sent, in order (`index` from 0): its contract's `id` and "
        "`status`: `created`, `updated` (it repeats a filed contract with other terms, which were "
        "corrected: `changed`), `unchanged` / `duplicate` (a platform record / a paper contract "
        "sent again as it is), `not_applied` (it repeats a filed contract it may not correct: "
        "`code`) or `error` (refused by a check: `errors` by column, each with its `code` and "
        "message with the article). Refused and not applied rows are not written; the others are. "
        "A batch with refused rows is still a 200. A repeat is never answered `unchanged` when its "
        "values differ, so a batch may be re-sent safely, corrected or not. `counts` has the rows "
        "per status; `created`, `unchanged`, `errors` and `ids` are kept for older clients. A body "
        "that is not a list of objects, or more than 1,000 rows, is a 400 and nothing is written. "
        "Scope: `contracts:write`.",
        request=ContractRowSerializer(many=True),
        responses={200: BatchResultSerializer},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def batch(self, request):
        rows = _rows(request.data)
        result = services.file_batch(self.principal, rows, source=LabourContract.Source.API)
        body = {
            "results": _row_results(rows, result),
            "counts": result.counts(),
            "created": len(result.created),
            "unchanged": result.unchanged,
            "errors": [error.as_api() for error in result.errors],
            "ids": [contract.pk for contract in result.created],
        }
        return Response(BatchResultSerializer(body).data)

    @transition_endpoint(WORKFLOW, "terminate", request=TerminateInSerializer, response=_DETAIL)
    def terminate(self, request, pk=None):
        contract = self.get_object()
        data = validated(TerminateInSerializer(data=request.data))
        services.terminate(
            self.principal,
            contract,
            terminated_on=data.get("terminated_on"),
            reason=data.get("reason", ""),
        )
        return self._detail(contract)

    @extend_schema(
        summary="Verify the signed file",
        description="Re-hashes the stored signed file of an e-signed contract and compares it with "
        "the SHA-256 declared when it was filed. A mismatch marks the record as tampered "
        "(`esignature.tampered`); every verification is audited. A contract without a stored file "
        "is a 400. Scope: `contracts:write`.",
        request=None,
        responses={200: VerificationOutSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def verify(self, request, pk=None):
        contract = self.get_object()
        intact = services.verify_signed_file(self.principal, contract)
        signature = selectors.get_contract(self.principal, contract.pk).esignature
        body = {
            "intact": intact,
            "sha256": signature.sha256,
            "tampered": signature.tampered,
            "last_verified_at": signature.last_verified_at,
        }
        return Response(VerificationOutSerializer(body).data)


# Import jobs -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List contract imports",
        description="The imports the caller started (park administrators: all), newest first, with "
        "their progress. Scope: `contracts:read`.",
    ),
    retrieve=extend_schema(
        summary="One contract import",
        description="Its status and progress while it runs, then the counts and the report of the "
        "refused rows (row, column, reason). Poll it until `status` is `done` or `failed`. "
        "Scope: `contracts:read`.",
        responses={200: ImportJobDetailSerializer},
    ),
    create=extend_schema(
        summary="Import the signing platform's export",
        description="Upload a file (multipart, field `file`); it is checked and filed in the "
        "background in chunks of 1,000 rows, idempotent on (`platform`, `record_id`), and a signed "
        "PDF whose SHA-256 does not match is reported, not accepted. Answers 202 with the job; "
        "poll `GET /api/v1/contracts/imports/{id}/`. An unreadable file is a 400 on `file`. "
        "Scope: `contracts:write`.",
        request={"multipart/form-data": ImportInSerializer},
        responses={202: OpenApiResponse(ImportJobDetailSerializer, description="The job, queued.")},
    ),
)
class ImportJobViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Imports of the e-signing platform's exports, run as background jobs."""

    model = ImportJob
    serializer_class = ImportJobOutSerializer
    filter_backends = []
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    required_scopes = {"list": READ, "retrieve": READ, "HEAD": READ, "OPTIONS": READ, "*": WRITE}
    required_perms = {
        "list": VIEW_IMPORTS,
        "retrieve": VIEW_IMPORTS,
        "HEAD": VIEW_IMPORTS,
        "OPTIONS": VIEW_IMPORTS,
        "*": IMPORT,
    }

    def scoped_queryset(self, principal):
        return selectors.import_jobs(principal).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ImportJobDetailSerializer if self.action == "retrieve" else ImportJobOutSerializer

    def create(self, request, *args, **kwargs):
        data = validated(ImportInSerializer(data=request.data))
        job = services.start_import(self.principal, data["file"])
        fresh = selectors.import_jobs(self.principal).get(pk=job.pk)
        return Response(ImportJobDetailSerializer(fresh).data, status=status.HTTP_202_ACCEPTED)


# The book per enterprise (一户一册) ------------------------------------------------------------------


@extend_schema(
    summary="An enterprise's contract book (一户一册)",
    description="The figures of the enterprise's filing book: contracts in force, the signing rate "
    "(workers with a contract in force / employees), the share of e-contracts, contracts "
    "expiring within 30 and 60 days, workers without a written contract after one month, late "
    "termination filings, open-ended contracts due and flagged contracts, with the number and "
    "the address of the list behind each figure. An enterprise outside the caller's scope is a "
    "404. Scope: `contracts:read`.",
    responses={200: ContractBookSerializer},
)
class ContractBookView(ScopedViewMixin, generics.GenericAPIView):
    model = Enterprise
    serializer_class = ContractBookSerializer
    filter_backends = []
    pagination_class = None
    required_scopes = {"*": READ}
    required_perms = {"*": VIEW}

    def scoped_queryset(self, principal):
        return Enterprise.objects.visible_to(principal)

    def get(self, request, pk=None):
        enterprise = self.get_object()
        book = selectors.contract_book(self.principal, enterprise)
        return Response(ContractBookSerializer(book, context=self.get_serializer_context()).data)
