"""Serializers of `/api/v1/contracts/`.

Output and input are separate. The filing row (`ContractRowSerializer`) documents the columns of
`importing.COLUMNS`, the import format of the signing platform; the views pass the row as sent to
`services.file_contract` / `file_batch`, which parse and check it and report every problem per
column (the same reasons as an import's report). What a caller sees of the worker is decided by
`workflow.api_shows_personal_data` and `selectors.id_number_for` (masked, or in full and audited).
Components carry a `Contract…` name so that their enums never clash with another module's.
"""

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import OptionalChoiceField, principal_of
from apps.core.urls_helpers import absolute_url
from apps.enterprises.api.serializers import EnterpriseRefSerializer

from .. import selectors, services, workflow
from ..models import ContractHistory, ESignature, HoursSystem, ImportJob, Kind, LabourContract, Worker

# The filing row (the import format) ------------------------------------------------------------------


# Named "Contract" as the output: the request component is then "ContractRequest" and each enum
# (kind, signing, hours_system) keeps one name.
@extend_schema_serializer(component_name="Contract")
class ContractRowSerializer(serializers.Serializer):
    """One contract to file: the columns of the signing platform's import format
    (docs/contracts-import.md). Values may also be sent as strings, as in a CSV file."""

    enterprise_uscc = serializers.CharField(
        help_text="The employer's unified social credit code (18 characters); an enterprise of the "
        "registry the caller may file for (a client restricted to an area: its area's)."
    )
    worker_name = serializers.CharField(max_length=50)
    worker_id_number = serializers.CharField(
        help_text="Resident ID number (18 characters, check character verified). Stored encrypted; "
        "the birth date and sex are derived from it."
    )
    worker_phone = serializers.CharField(required=False, allow_blank=True, help_text="Mobile or landline.")
    contract_number = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="The employer's contract number."
    )
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="Contract type (art. 12; arts. 68-72).")
    employment_start = serializers.DateField(
        help_text="The day work started (a written contract more than a month later is flagged, art. 82)."
    )
    start = serializers.DateField(help_text="The contract's first day.")
    end = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day: required for fixed-term contracts, empty for open-ended ones.",
    )
    task = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="The task, for task-based contracts."
    )
    probation_end = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Last day of probation; empty without one (none for part-time or task-based work; "
        "art. 19 limits it by term).",
    )
    job = serializers.CharField(max_length=100)
    workplace = serializers.CharField(required=False, allow_blank=True, max_length=200)
    # Generated clients: null (or "") means the default.
    hours_system = OptionalChoiceField(choices=HoursSystem.choices, default=HoursSystem.STANDARD)
    hours_approval = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The labour department's approval number; required for comprehensive or flexible hours.",
    )
    monthly_pay = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Yuan a month (a number or a string); below the local minimum wage is flagged.",
    )
    hourly_pay = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Yuan an hour, for part-time work.",
    )
    weekly_hours = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="Hours a week, for part-time work (at most 24, art. 68).",
    )
    social_insurance = serializers.BooleanField(
        required=False, default=True, help_text="Social insurance paid (also `yes`/`no`, `是`/`否`)."
    )
    signed_on = serializers.DateField(help_text="The day both parties signed; not in the future.")
    signing = OptionalChoiceField(
        choices=LabourContract.Signing.choices, default=LabourContract.Signing.PAPER
    )
    renews_unfiled = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The contract renews an earlier contract of the worker at the employer that is not "
        "filed (续订，前一份合同未备案; also `yes`/`no`, `是`/`否`). The one-month rule for the written "
        "contract then counts from `start`, not `employment_start` (arts. 10, 82), and the contract "
        "is marked `predecessor_not_filed` instead of flagged late. Only for a contract starting after "
        "`employment_start`; empty or false otherwise.",
    )
    platform = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="E-signature: the signing platform (e.g. 乐签). With `record_id` it identifies the "
        "filing: a row already filed is left unchanged.",
    )
    record_id = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="E-signature: the platform's record id."
    )
    employer_signed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="E-signature: when the employer signed."
    )
    worker_signed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="E-signature: when the worker signed."
    )
    timestamp_authority = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="E-signature: the timestamp authority."
    )
    timestamp_token = serializers.CharField(
        required=False, allow_blank=True, help_text="E-signature: the trusted timestamp token."
    )
    file_sha256 = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="E-signature: SHA-256 of the signed file (64 hexadecimal characters).",
    )
    file_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text="E-signature: the signed PDF's name inside an import zip. The API does not carry the "
        "file; import a zip to store it.",
    )


# Output ------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ContractWorker")
class WorkerOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_number = serializers.CharField(
        help_text="Masked (4502**********123X) in lists always; in full only in one contract's detail "
        "and only for API clients with the `personal_data:read` scope, every such view written to "
        "the audit trail."
    )
    id_number_full = serializers.BooleanField(help_text="Whether `id_number` is the full number.")
    # Privacy by design (issue 15): beside a masked number, the birth date and sex would narrow it
    # to a few candidates. They come only with the full number, in one contract's detail for
    # clients with `personal_data:read` (that view audited); left out everywhere else.
    sex = serializers.ChoiceField(
        choices=Worker.Sex.choices,
        required=False,
        help_text="Derived from the ID number: only where `id_number` is in full (one contract's "
        "detail, `personal_data:read`); left out otherwise (with the masked number, the birth date "
        "and sex would narrow it to a few candidates).",
    )
    birth_date = serializers.DateField(
        required=False,
        help_text="Derived from the ID number: only where `id_number` is in full; left out otherwise.",
    )
    phone = serializers.CharField(
        allow_null=True,
        help_text="Only in one contract's detail, for API clients with `personal_data:read`; null otherwise.",
    )


@extend_schema_serializer(component_name="ContractESignature")
class ESignatureOutSerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField(help_text="Whether the signed file is stored.")

    class Meta:
        model = ESignature
        fields = [
            "platform",
            "record_id",
            "employer_signed_at",
            "worker_signed_at",
            "timestamp_authority",
            "sha256",
            "has_file",
            "tampered",
            "last_verified_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "sha256": {"help_text": "SHA-256 of the signed file, as declared by the platform."},
            "tampered": {
                "help_text": "The stored file no longer matches `sha256` (found by the last verification)."
            },
        }

    def get_has_file(self, signature) -> bool:
        return bool(signature.file)


@extend_schema_serializer(component_name="Contract")
class ContractOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    worker = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    hours_system_label = serializers.CharField(source="get_hours_system_display", read_only=True)
    signing_label = serializers.CharField(source="get_signing_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    flags = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Codes of the Labour Contract Law findings flagged when filed (e.g. "
        "`probation_too_long`, `below_minimum_wage`, `double_wage_risk`, `open_ended_due`).",
    )
    esignature = serializers.SerializerMethodField(help_text="The e-signature evidence; null on paper.")
    renews_unfiled = serializers.BooleanField(
        read_only=True,
        help_text="Filed as the renewal of an earlier contract that is not filed (predecessor not "
        "filed, 前一份合同未备案): judged against its own start for the written-contract rule.",
    )

    class Meta:
        model = LabourContract
        fields = [
            "id",
            "enterprise",
            "worker",
            "reference",
            "kind",
            "kind_label",
            "employment_start",
            "start",
            "end",
            "task",
            "probation_end",
            "job",
            "workplace",
            "hours_system",
            "hours_system_label",
            "hours_approval",
            "monthly_pay",
            "hourly_pay",
            "weekly_hours",
            "social_insurance",
            "signed_on",
            "signing",
            "signing_label",
            "renews_unfiled",
            "status",
            "status_label",
            "terminated_on",
            "termination_reason",
            "termination_filed_on",
            "flags",
            "source",
            "esignature",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    #: A list never shows a number in full (PIPL art. 28: the least that serves); the detail may.
    shows_full_number = False

    @extend_schema_field(WorkerOutSerializer)
    def get_worker(self, contract):
        principal = principal_of(self)
        worker = contract.worker
        allowed = principal is not None and self.context.setdefault(
            "full_personal_data", workflow.api_shows_personal_data(principal)
        )
        full = allowed and self.shows_full_number
        row = {
            "name": worker.name,
            "id_number": selectors.id_number_for(principal, contract, full=full),
            "id_number_full": full,
        }
        if full:  # the birth date and sex only beside the full (audited) number
            row.update(sex=worker.sex, birth_date=worker.birth_date)
        row["phone"] = worker.phone if full else None
        return row

    @extend_schema_field(ESignatureOutSerializer(allow_null=True))
    def get_esignature(self, contract):
        try:
            signature = contract.esignature
        except ESignature.DoesNotExist:
            return None
        return ESignatureOutSerializer(signature).data


@extend_schema_serializer(component_name="ContractHistoryEntry")
class HistoryOutSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    actor_label = serializers.CharField(read_only=True, help_text="User name, `api:<client>` or `system`.")

    class Meta:
        model = ContractHistory
        fields = ["at", "action", "action_label", "from_status", "to_status", "actor_label", "reason"]
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        return selectors.action_labels().get(entry.action, entry.action)


class ContractDetailsSerializer(serializers.Serializer):
    """What the detail adds to the list's fields."""

    termination_filing_due = serializers.SerializerMethodField(
        help_text="The last day to file the termination ([POLICY] working days after it); null "
        "unless terminated."
    )
    history = HistoryOutSerializer(many=True, read_only=True, help_text="Oldest first.")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_termination_filing_due(self, contract):
        return selectors.termination_filing(contract).due


@extend_schema_serializer(component_name="ContractDetail")
class ContractDetailSerializer(ContractOutSerializer, ContractDetailsSerializer):
    """The list's fields and the history. The schema shows it as `allOf` the list's component and
    these (ContractDetailSchema), so that each enum has one component. The worker's number in full
    here, for clients with `personal_data:read` (audited)."""

    shows_full_number = True

    class Meta(ContractOutSerializer.Meta):
        fields = [*ContractOutSerializer.Meta.fields, "termination_filing_due", "history"]
        read_only_fields = fields


class ContractDetailSchema(OpenApiSerializerExtension):
    target_class = ContractDetailSerializer

    def map_serializer(self, auto_schema, direction):
        summary = auto_schema.resolve_serializer(ContractOutSerializer, direction)
        details = auto_schema._map_serializer(ContractDetailsSerializer(), direction)
        return {"allOf": [summary.ref, details]}


# Batch filing ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ContractRowError")
class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="In a batch, the row's 1-based position in the list; in an import, the file's line "
        "(CSV, JSON Lines; the header is line 1) or the sheet's row."
    )
    field = serializers.CharField(help_text="The column; empty for the whole row.")
    reason = serializers.CharField(help_text="Why, with the article of the law for a refused rule.")
    code = serializers.CharField(
        required=False,
        help_text="Machine-readable reason (batch answers; import reports have none): `required`, "
        "`invalid`, `invalid_choice`, a rule's code (`overlap`, `end_missing`, …) or the filing's "
        "(`unknown_enterprise`, `record_other_enterprise`, `worker_mismatch`, `contract_terminated`, …).",
    )


# Batch answers, row by row (issue 15) -------------------------------------------------------------

_ROW_STATUS_HELP = (
    "`created`: filed. `updated`: the row repeats a filed contract (same platform record; for a paper "
    "contract the same enterprise, worker, type, start, end and contract number) with other terms, which "
    "were corrected (`changed`; history and audit kept). `unchanged`: a platform record sent again "
    "as it is. `duplicate`: a paper contract sent again as it is (`id` is the contract filed before). "
    "`not_applied`: the row repeats a filed contract but may not correct it (`code` says why: "
    "`contract_terminated`, `contract_expired`, `contract_renewed` (only contracts in force are "
    "corrected), `worker_mismatch`, `not_correctable` (signing evidence), `repeated_in_batch`, "
    "`changed_meanwhile`); nothing was written. `error`: refused (`errors`, e.g. "
    "`record_other_enterprise`: the platform record is another enterprise's); nothing was written."
)


@extend_schema_serializer(component_name="ContractBatchFieldError")
class BatchFieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: `required`, `invalid`, `overlap`, …")
    message = serializers.CharField(help_text="Why, in the caller's language (with the law's article).")


@extend_schema_serializer(component_name="ContractBatchRowResult")
class BatchRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's 0-based position in the list sent.")
    id = serializers.UUIDField(
        allow_null=True,
        help_text="The contract filed, corrected or repeated (also for a `not_applied` row: the "
        "contract it may not correct); null for an `error`.",
    )
    status = serializers.ChoiceField(
        choices=[(s, s) for s in services.ROW_STATUSES], help_text=_ROW_STATUS_HELP
    )
    code = serializers.CharField(
        allow_null=True, help_text="Why a `not_applied` row was not applied; null otherwise."
    )
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="The columns an `updated` row corrected; empty otherwise."
    )
    errors = serializers.DictField(
        child=BatchFieldErrorSerializer(many=True),
        help_text="By column (`non_field_errors` for the whole row): each problem's code and message. "
        "Empty for `created`, `updated`, `unchanged`, `duplicate`.",
    )


@extend_schema_serializer(component_name="ContractBatchCounts")
class BatchCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    not_applied = serializers.IntegerField()
    error = serializers.IntegerField()


@extend_schema_serializer(component_name="ContractBatchResult")
class BatchResultSerializer(serializers.Serializer):
    results = BatchRowResultSerializer(many=True, help_text="One per row sent, in the order sent.")
    counts = BatchCountsSerializer(help_text="Rows per status.")
    created = serializers.IntegerField(help_text="Contracts filed (`counts.created`).")
    unchanged = serializers.IntegerField(
        help_text="Rows already filed and left as they are (`counts.unchanged` + `counts.duplicate`)."
    )
    errors = RowErrorSerializer(
        many=True,
        help_text="The rows refused or not applied, one entry per problem (1-based `row`): nothing of "
        "them was written. The same as `results[].errors`, kept for older clients.",
    )
    ids = serializers.ListField(child=serializers.UUIDField(), help_text="Ids of the contracts filed.")


# Actions -----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ContractTerminate")
class TerminateInSerializer(serializers.Serializer):
    terminated_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day the contract ended; not in the future."
    )
    reason = serializers.CharField(required=False, allow_blank=True, help_text="Required.")


@extend_schema_serializer(component_name="ContractVerification")
class VerificationOutSerializer(serializers.Serializer):
    intact = serializers.BooleanField(help_text="The stored file's SHA-256 matches the declared one.")
    sha256 = serializers.CharField(help_text="The SHA-256 declared when filed.")
    tampered = serializers.BooleanField(help_text="The opposite of `intact`: stored on the record.")
    last_verified_at = serializers.DateTimeField()


# Import jobs -------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ContractImportUpload")
class ImportInSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The signing platform's export: CSV, XLSX or JSON lines with the columns of "
        "`ContractRow`, or a zip holding one of them, the signed PDFs and a manifest of their "
        "SHA-256 (docs/contracts-import.md)."
    )


@extend_schema_serializer(component_name="ContractImportJob")
class ImportJobOutSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text="Rows processed, in per cent.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "file_name",
            "file_sha256",
            "status",
            "status_label",
            "total_rows",
            "processed_rows",
            "progress",
            "created_count",
            "unchanged_count",
            "updated_count",
            "error_count",
            "error",
            "started_at",
            "finished_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "error_count": {"help_text": "Rows refused (see the detail's `report`)."},
            "error": {"help_text": "Why the whole job failed (an unreadable file); empty otherwise."},
        }


class ImportJobReportSerializer(serializers.Serializer):
    report = RowErrorSerializer(many=True, read_only=True, help_text="The refused rows, field by field.")


@extend_schema_serializer(component_name="ContractImportJobDetail")
class ImportJobDetailSerializer(ImportJobOutSerializer, ImportJobReportSerializer):
    """The list's fields and the report (`allOf` in the schema, as the contract's detail)."""

    class Meta(ImportJobOutSerializer.Meta):
        fields = [*ImportJobOutSerializer.Meta.fields, "report"]
        read_only_fields = fields


class ImportJobDetailSchema(OpenApiSerializerExtension):
    target_class = ImportJobDetailSerializer

    def map_serializer(self, auto_schema, direction):
        summary = auto_schema.resolve_serializer(ImportJobOutSerializer, direction)
        details = auto_schema._map_serializer(ImportJobReportSerializer(), direction)
        return {"allOf": [summary.ref, details]}


# The book per enterprise (一户一册) -----------------------------------------------------------------


@extend_schema_serializer(component_name="ContractBookCounts")
class BookCountsSerializer(serializers.Serializer):
    in_force = serializers.IntegerField(help_text="Contracts in force today.")
    expiring_30 = serializers.IntegerField(help_text="In force, ending within 30 days.")
    expiring_60 = serializers.IntegerField(help_text="In force, ending within 60 days.")
    without_contract = serializers.IntegerField(
        help_text="Workers without a written contract after one month (arts. 10, 82)."
    )
    late_terminations = serializers.IntegerField(
        help_text="Terminations filed later than the [POLICY] working days after them."
    )
    open_ended_due = serializers.IntegerField(
        help_text="Fixed-term contracts ending within 60 days whose renewal must be open-ended (art. 14)."
    )
    flagged = serializers.IntegerField(help_text="Contracts filed with a finding of the law.")


@extend_schema_serializer(component_name="ContractBook")
class ContractBookSerializer(serializers.Serializer):
    enterprise = EnterpriseRefSerializer()
    today = serializers.DateField(help_text="The day the figures are computed for.")
    employees = serializers.IntegerField(help_text="Employees in the enterprise registry.")
    in_force = serializers.IntegerField(help_text="Contracts in force.")
    workers_in_force = serializers.IntegerField(help_text="Workers with a contract in force.")
    signing_rate = serializers.FloatField(
        allow_null=True,
        help_text="Workers with a contract in force / employees, in per cent; null without employees.",
    )
    e_share = serializers.FloatField(
        allow_null=True,
        help_text="E-signed contracts among those in force, in per cent; null without any in force.",
    )
    total = serializers.IntegerField(help_text="Every filed contract of the enterprise.")
    counts = BookCountsSerializer(help_text="The number behind each list.")
    lists = serializers.SerializerMethodField(
        help_text="For each list key, the address of the contracts behind the figure "
        "(`GET /api/v1/contracts/?enterprise=<id>&book=<key>`)."
    )

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_lists(self, book):
        path = reverse("v1:contract-list")
        out = {}
        for key in selectors.BOOK_LISTS:
            # On the configured SITE_URL, not the request's Host (issue 15).
            out[key] = absolute_url(f"{path}?enterprise={book['enterprise'].pk}&book={key}")
        return out


class IdSearchInSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30, help_text="The worker's full resident ID number.")


class IdSearchOutSerializer(serializers.Serializer):
    id_token = serializers.CharField(
        help_text="Pass it as `id_token` to `GET /api/v1/contracts/` within the hour: the list of that "
        "worker's contracts you may see."
    )
