"""Serializers of `/api/v1/inspection/`.

Output and input are separate. Input serializers only type and shape the fields; every rule (the
sources, the workers of a complaint, ID-number checks, the clocks, who may act in which state, the
one extension) lives in `inspection.services`, whose DomainError the API turns into a 400 with
field errors (403, 409).

The reporter of a report (举报人) is never part of any answer of this API, whoever asks
(劳动保障监察条例 art. 9): a district system may send it with a report, it is stored apart
(`Reporter`) and read only on the inspector's pages with the dedicated permission. The workers'
ID numbers are masked (4502**********123X: the birth date is among the hidden digits), and shown in
full only in a case's detail to API clients with `personal_data:read` (or users whose role may see
them), each full view audited. Components carry an `Inspection…` name so that their enums are
named after them and never clash with another module's.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import (
    AreaRefSerializer,
    BlankAsNullChoiceField,
    OptionalChoiceField,
    VisiblePrimaryKeyRelatedField,
    principal_of,
)
from apps.audit import services as audit
from apps.core.calendar import DeadlineUnit
from apps.core.models import Area
from apps.core.personal_data import mask_id_number
from apps.enterprises.models import Enterprise

from .. import rules, selectors
from ..models import (
    CaseHistory,
    CreditGrade,
    Extension,
    InspectionCase,
    Interview,
    Matter,
    RectificationOrder,
    SeriousViolation,
    Source,
    WageArrearsListing,
    WrittenReview,
)
from ..workflow import (
    APPROVE,
    HANDLE,
    INTERVIEW_WORKFLOW,
    WORKFLOW,
    WRITTEN_REVIEW_WORKFLOW,
    can_request_extension,
    follow_up_refusal,
    holds,
    pending_extension,
)

#: Work on a case besides the table's transitions, each `POST /cases/{id}/<action>/` too.
EXTRA_CASE_ACTIONS = ["request_extension", "reject_extension"]
#: Every action `available_actions` may name.
CASE_ACTIONS = [(action, action) for action in [*WORKFLOW.transitions, *EXTRA_CASE_ACTIONS]]
ORDER_ACTIONS = [("record_follow_up", "record_follow_up")]
INTERVIEW_ACTIONS = [(action, action) for action in INTERVIEW_WORKFLOW.transitions]
REVIEW_ACTIONS = [(action, action) for action in WRITTEN_REVIEW_WORKFLOW.transitions]
#: The clocks of a case (`selectors.clocks`).
CLOCKS = [("decision", "decision"), ("investigation", "investigation")]


def case_actions(case: InspectionCase, principal) -> list[str]:
    """What the principal may do on the case now: the table's transitions possible from its status
    (asking the table only about those, so a list row of an archived case asks none), then the
    extension's request and rejection. Reads only the case and its prefetched orders and
    extensions."""
    names = [
        t.action
        for t in WORKFLOW.transitions.values()
        if case.status in t.sources and WORKFLOW.refusal(case, t, principal) is None
    ]
    if can_request_extension(case, principal):
        names.append("request_extension")
    if (
        case.status == InspectionCase.Status.INVESTIGATING
        and not principal.is_api_client
        and holds(principal, APPROVE)
        and pending_extension(case) is None
    ):
        names.append("reject_extension")
    return names


def order_actions(order: RectificationOrder, principal) -> list[str]:
    if holds(principal, HANDLE) and follow_up_refusal(order.case, order) is None:
        return ["record_follow_up"]
    return []


# References ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InspectionEnterpriseRef")
class EnterpriseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    uscc = serializers.CharField(help_text="Unified social credit code.")


@extend_schema_serializer(component_name="InspectionCaseRef")
class CaseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    serial = serializers.CharField()


@extend_schema_serializer(component_name="InspectionUserRef")
class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="__str__")


@extend_schema_serializer(component_name="InspectionMediationCaseRef")
class MediationCaseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    serial = serializers.CharField()


@extend_schema_serializer(component_name="InspectionEmployer")
class EmployerSerializer(serializers.Serializer):
    name = serializers.CharField(source="employer_name")
    uscc = serializers.CharField(
        source="employer_code", help_text="Unified social credit code; empty if unknown."
    )
    enterprise = serializers.UUIDField(
        source="enterprise_id",
        allow_null=True,
        help_text="Id of the enterprise in the registry; null for an employer not yet registered.",
    )


@extend_schema_serializer(component_name="InspectionWorker")
class WorkerOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    is_complainant = serializers.BooleanField()
    id_number = serializers.CharField(
        help_text="Masked (4502**********123X); in full only in a case's detail for API clients with "
        "the `personal_data:read` scope (never in a list), and every such view is written to the "
        "audit trail. Empty when not recorded."
    )
    id_number_full = serializers.BooleanField(help_text="Whether `id_number` is the full number.")
    phone = serializers.CharField(
        allow_null=True, help_text="Only where `id_number` is shown in full; null otherwise."
    )


def worker_rows(principal, case: InspectionCase, *, full_allowed: bool) -> list[dict]:
    """The workers concerned (prefetched) as the principal may see them here: masked, and in full
    with the phone only in a detail (`full_allowed`) for those who may (each full view audited)."""
    full = full_allowed and selectors.can_see_worker_identity(principal)
    rows = []
    for worker in case.workers.all():
        shown = full and bool(worker.id_number)
        if shown:
            audit.record_sensitive_view(worker, "id_number", note=case.serial)
        rows.append(
            {
                "name": worker.name,
                "is_complainant": worker.is_complainant,
                "id_number": worker.id_number if shown else mask_id_number(worker.id_number),
                "id_number_full": shown,
                "phone": worker.phone if full else None,
            }
        )
    return rows


# Cases ---------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InspectionCase")
class CaseOutSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    matters = serializers.ListField(
        child=serializers.ChoiceField(choices=Matter.choices),
        read_only=True,
        help_text="The matters the case concerns, several allowed.",
    )
    employer = EmployerSerializer(source="*", read_only=True)
    town = AreaRefSerializer(read_only=True, allow_null=True)
    decision_due_on = serializers.DateField(
        read_only=True,
        help_text="Accept or refuse by: 5 working days after receipt (关于实施《劳动保障监察条例》若干规定第十八条).",
    )
    due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Investigation deadline: 60 working days after acceptance, 30 more with an approved "
        "extension (劳动保障监察条例第十七条); null before acceptance.",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Received and not accepted nor refused by `decision_due_on`, or investigated past `due_on`."
    )
    decision = BlankAsNullChoiceField(
        choices=InspectionCase.Decision.choices, help_text="The outcome of the investigation; null before."
    )
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    inspector = UserRefSerializer(read_only=True, allow_null=True, help_text="The inspector in charge.")
    mediation_case = MediationCaseRefSerializer(
        read_only=True, allow_null=True, help_text="The mediation case it was transferred to."
    )
    workers = serializers.SerializerMethodField(help_text="The workers concerned.")
    available_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: the names of the action endpoints "
        "(`accept` is `POST /cases/{id}/accept/`)."
    )

    class Meta:
        model = InspectionCase
        fields = [
            "id",
            "serial",
            "status",
            "status_label",
            "source",
            "source_label",
            "channel",
            "channel_label",
            "source_reference",
            "matters",
            "employer",
            "town",
            "amount_owed",
            "amount_recovered",
            "workers_count",
            "received_on",
            "decision_due_on",
            "accepted_on",
            "due_on",
            "overdue",
            "decided_on",
            "decision",
            "decision_label",
            "closed_on",
            "inspector",
            "mediation_case",
            "workers",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, case) -> bool:
        today = self.context.get("today")
        return bool(rules.decision_overdue(case, today) or rules.investigation_overdue(case, today))

    #: A list never shows a full ID number nor a phone; a detail may.
    shows_full_identity = False

    @extend_schema_field(WorkerOutSerializer(many=True))
    def get_workers(self, case):
        principal = principal_of(self)
        if principal is None:
            return []
        return worker_rows(principal, case, full_allowed=self.shows_full_identity)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=CASE_ACTIONS)))
    def get_available_actions(self, case):
        principal = principal_of(self)
        return case_actions(case, principal) if principal else []


@extend_schema_serializer(component_name="InspectionClock")
class ClockSerializer(serializers.Serializer):
    name = serializers.ChoiceField(
        choices=CLOCKS,
        help_text="`decision`: accept or refuse; `investigation`: close the investigation.",
    )
    due_on = serializers.DateField()
    unit = serializers.ChoiceField(choices=DeadlineUnit.choices)
    days = serializers.IntegerField(help_text="The period's length in `unit`, the extension included.")
    source = serializers.CharField(help_text="The rule that sets the period.")
    overdue = serializers.BooleanField()


@extend_schema_serializer(component_name="InspectionLimitationWarning")
class LimitationSerializer(serializers.Serializer):
    level = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField()
    ends_on = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="InspectionExtension")
class ExtensionOutSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Extension
        fields = [
            "id",
            "status",
            "status_label",
            "reason",
            "requested_on",
            "previous_due_on",
            "new_due_on",
            "decided_on",
            "decision_note",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="InspectionCaseOrder")
class CaseOrderSerializer(serializers.ModelSerializer):
    result = BlankAsNullChoiceField(choices=RectificationOrder.Result.choices)
    escalation = BlankAsNullChoiceField(choices=RectificationOrder.Escalation.choices)

    class Meta:
        model = RectificationOrder
        fields = ["id", "reference", "items", "issued_on", "due_on", "checked_on", "result", "escalation"]
        read_only_fields = fields


class CaseDetailsSerializer(serializers.Serializer):
    """What the detail adds to the list's fields."""

    employer_address = serializers.CharField(read_only=True)
    facts = serializers.CharField(read_only=True)
    violation_ended_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Starts the 2-year period (劳动保障监察条例第二十条)."
    )
    limitation_warning = serializers.SerializerMethodField(
        help_text="Set when the case was received more than 2 years after the violation ended."
    )
    clocks = serializers.SerializerMethodField(help_text="Each deadline with its unit and source.")
    refusal_basis = BlankAsNullChoiceField(
        choices=InspectionCase.RefusalBasis.choices, help_text="Why it was not accepted; null otherwise."
    )
    decision_note = serializers.CharField(read_only=True)
    follow_up_started_on = serializers.DateField(read_only=True, allow_null=True)
    archived_on = serializers.DateField(read_only=True, allow_null=True)
    orders = CaseOrderSerializer(many=True, read_only=True, help_text="Orders to rectify.")
    extensions = ExtensionOutSerializer(many=True, read_only=True)

    @extend_schema_field(LimitationSerializer(allow_null=True))
    def get_limitation_warning(self, case):
        warning = selectors.limitation_warning(case)
        return LimitationSerializer(warning).data if warning else None

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, case):
        return ClockSerializer(selectors.clocks(case, self.context.get("today")), many=True).data


@extend_schema_serializer(component_name="InspectionCaseDetail")
class CaseDetailSerializer(CaseOutSerializer, CaseDetailsSerializer):
    """The list's fields plus the record of the case. The schema shows it as `allOf` the list's
    component and these (CaseDetailSchema), so that the enums have one component each."""

    shows_full_identity = True

    class Meta(CaseOutSerializer.Meta):
        fields = [
            *CaseOutSerializer.Meta.fields,
            "employer_address",
            "facts",
            "violation_ended_on",
            "limitation_warning",
            "clocks",
            "refusal_basis",
            "decision_note",
            "follow_up_started_on",
            "archived_on",
            "orders",
            "extensions",
        ]
        read_only_fields = fields


class CaseDetailSchema(OpenApiSerializerExtension):
    target_class = CaseDetailSerializer

    def map_serializer(self, auto_schema, direction):
        summary = auto_schema.resolve_serializer(CaseOutSerializer, direction)
        details = auto_schema._map_serializer(CaseDetailsSerializer(), direction)
        return {"allOf": [summary.ref, details]}


@extend_schema_serializer(component_name="InspectionCaseTransferred")
class CaseTransferredSerializer(CaseDetailSerializer):
    """The case after its transfer to mediation, with the mediation case's access code."""

    mediation_access_code = serializers.SerializerMethodField(
        help_text="The secret code of the mediation case's public tracking page (with its serial "
        "number). Returned only in this response: pass it on to the worker."
    )

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "mediation_access_code"]
        read_only_fields = fields

    def get_mediation_access_code(self, case) -> str:
        return self.context.get("mediation_access_code", "")


class CaseTransferredSchema(OpenApiSerializerExtension):
    target_class = CaseTransferredSerializer

    def map_serializer(self, auto_schema, direction):
        detail = auto_schema.resolve_serializer(CaseDetailSerializer, direction)
        code = {
            "type": "object",
            "properties": {
                "mediation_access_code": {
                    "type": "string",
                    "readOnly": True,
                    "description": CaseTransferredSerializer._declared_fields[
                        "mediation_access_code"
                    ].help_text,
                }
            },
            "required": ["mediation_access_code"],
        }
        return {"allOf": [detail.ref, code]}


@extend_schema_serializer(component_name="InspectionHistoryEntry")
class HistoryOutSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    actor_label = serializers.CharField(read_only=True, help_text="User name, `api:<client>` or `system`.")

    #: The table whose labels name the actions (the case's by default).
    workflow = WORKFLOW

    class Meta:
        model = CaseHistory
        fields = ["at", "action", "action_label", "from_status", "to_status", "actor_label", "reason"]
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        transition = self.workflow.transitions.get(entry.action)
        if transition is not None:
            return str(transition.label)
        return _("Case received") if entry.action == "receive" else entry.action


# Orders --------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InspectionOrder")
class OrderOutSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer(read_only=True)
    employer = serializers.CharField(source="case.employer_name", read_only=True)
    enterprise = serializers.UUIDField(source="case.enterprise_id", read_only=True, allow_null=True)
    items = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Items to rectify."
    )
    overdue = serializers.SerializerMethodField(help_text="Past `due_on` without a follow-up result.")
    result = BlankAsNullChoiceField(
        choices=RectificationOrder.Result.choices, help_text="The follow-up check's result; null before."
    )
    result_label = serializers.CharField(source="get_result_display", read_only=True)
    escalation = BlankAsNullChoiceField(
        choices=RectificationOrder.Escalation.choices,
        help_text="What followed an order partly or not carried out; null otherwise.",
    )
    escalation_label = serializers.CharField(source="get_escalation_display", read_only=True)
    available_actions = serializers.SerializerMethodField(
        help_text="`record_follow_up` (`POST /orders/{id}/record_follow_up/`) while the case is in its "
        "follow-up and the result is not recorded."
    )

    class Meta:
        model = RectificationOrder
        fields = [
            "id",
            "case",
            "employer",
            "enterprise",
            "reference",
            "items",
            "issued_on",
            "due_on",
            "overdue",
            "checked_on",
            "result",
            "result_label",
            "escalation",
            "escalation_label",
            "check_note",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, order) -> bool:
        today = self.context.get("today")
        return not order.result and today is not None and order.due_on < today

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ORDER_ACTIONS)))
    def get_available_actions(self, order):
        principal = principal_of(self)
        return order_actions(order, principal) if principal else []


# Wage-arrears list, serious violations, credit grades ----------------------------------------------


@extend_schema_serializer(component_name="InspectionWageArrearsListing")
class ListingOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    case = CaseRefSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    expires_on = serializers.DateField(
        read_only=True, help_text="3 years from the listing (人社部令第45号第十一条)."
    )
    removal = BlankAsNullChoiceField(
        choices=WageArrearsListing.Removal.choices, help_text="How it left the list; null while listed."
    )
    removal_label = serializers.CharField(source="get_removal_display", read_only=True)

    class Meta:
        model = WageArrearsListing
        fields = [
            "id",
            "enterprise",
            "case",
            "status",
            "status_label",
            "listed_on",
            "decision_reference",
            "expires_on",
            "removed_on",
            "removal",
            "removal_label",
            "arrears_paid_on",
            "pledge_received_on",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="InspectionSeriousViolation")
class SeriousViolationOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    case = CaseRefSerializer(read_only=True, allow_null=True)
    publish_by = serializers.DateField(
        read_only=True, help_text="20 working days after the decision (重大劳动保障违法行为社会公布办法)."
    )

    class Meta:
        model = SeriousViolation
        fields = [
            "id",
            "enterprise",
            "case",
            "decided_on",
            "decision_reference",
            "publish_by",
            "published_on",
            "summary",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="InspectionCreditFact")
class CreditFactSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(required=False)
    record = serializers.CharField(required=False, help_text="The record that shows it (a case serial...).")
    on = serializers.CharField(required=False, help_text="Its date (YYYY-MM-DD).")


@extend_schema_serializer(component_name="InspectionCreditGrade")
class CreditGradeOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    facts = serializers.SerializerMethodField(help_text="The facts of the year that decided the grade.")

    class Meta:
        model = CreditGrade
        fields = ["id", "enterprise", "year", "grade", "grade_label", "facts", "computed_on", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(CreditFactSerializer(many=True))
    def get_facts(self, grade):
        facts = grade.facts if isinstance(grade.facts, list) else []
        return [
            {k: str(v) for k, v in fact.items() if k in ("code", "label", "record", "on")}
            for fact in facts
            if isinstance(fact, dict) and "code" in fact
        ]


# Interviews and written reviews --------------------------------------------------------------------


def _workflow_actions(workflow, obj, principal) -> list[str]:
    if principal is None:
        return []
    return [
        t.action
        for t in workflow.transitions.values()
        if getattr(obj, workflow.state_field) in t.sources and workflow.refusal(obj, t, principal) is None
    ]


@extend_schema_serializer(component_name="InspectionInterviewTrigger")
class TriggerSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Interview.Trigger.choices)
    facts = serializers.CharField(required=False, help_text="The facts that fired it.")


@extend_schema_serializer(component_name="InspectionInterview")
class InterviewOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    case = CaseRefSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    triggers = serializers.SerializerMethodField(help_text="What fired the proposal, with the facts.")
    result = BlankAsNullChoiceField(
        choices=RectificationOrder.Result.choices, help_text="The follow-up check's result; null before."
    )
    inspector = UserRefSerializer(read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: the names of the action endpoints."
    )

    class Meta:
        model = Interview
        fields = [
            "id",
            "enterprise",
            "case",
            "order",
            "status",
            "status_label",
            "triggers",
            "proposed_on",
            "scheduled_at",
            "place",
            "notified_on",
            "reference",
            "held_on",
            "attendees",
            "representative_attended",
            "record",
            "commitments",
            "rectify_by",
            "checked_on",
            "result",
            "check_note",
            "dismissal_reason",
            "inspector",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TriggerSerializer(many=True))
    def get_triggers(self, interview):
        rows = interview.triggers if isinstance(interview.triggers, list) else []
        return [
            {"code": row["code"], "facts": str(row.get("facts", ""))}
            for row in rows
            if isinstance(row, dict) and row.get("code") in Interview.Trigger.values
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=INTERVIEW_ACTIONS)))
    def get_available_actions(self, interview):
        return _workflow_actions(INTERVIEW_WORKFLOW, interview, principal_of(self))


@extend_schema_serializer(component_name="InspectionWrittenReview")
class WrittenReviewOutSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    prefill = serializers.JSONField(
        read_only=True,
        help_text='What the platform proposed, by field: {"headcount": {"value": 120, "source": "..."}}.',
    )
    changed = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The fields the HR changed from the proposal.",
    )
    available_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: the names of the action endpoints."
    )

    class Meta:
        model = WrittenReview
        fields = [
            "id",
            "enterprise",
            "year",
            "status",
            "status_label",
            "due_on",
            "headcount",
            "contracts_signed",
            "wages_paid_on_time",
            "lowest_monthly_wage",
            "average_weekly_hours",
            "social_insurance_insured",
            "note",
            "prefill",
            "changed",
            "submitted_on",
            "reviewed_on",
            "return_reason",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=REVIEW_ACTIONS)))
    def get_available_actions(self, review):
        return _workflow_actions(WRITTEN_REVIEW_WORKFLOW, review, principal_of(self))


# Input ---------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InspectionWorker")
class WorkerInSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=200)
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Resident ID number (18 characters, checked); stored encrypted.",
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Mobile or landline with area code."
    )
    is_complainant = serializers.BooleanField(
        required=False, help_text="The worker who complains (the first one of a complaint by default)."
    )


@extend_schema_serializer(component_name="InspectionReporter")
class ReporterInSerializer(serializers.Serializer):
    """Who reported (举报人). Write-only: stored apart and never returned by the API."""

    anonymous = serializers.BooleanField(required=False, default=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=400)


@extend_schema_serializer(component_name="InspectionCase")
class CaseInSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)
    source_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="The sender's reference (the 12345 ticket, the mediation case number...). A case is "
        "registered once per (source, reference): sending it again answers the case already "
        "registered (200), unchanged.",
    )
    enterprise = VisiblePrimaryKeyRelatedField(
        Enterprise,
        required=False,
        allow_null=True,
        help_text="Id of the employer in the enterprise registry; its name, credit code and town are "
        "then taken from the registry.",
    )
    employer_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Required for an employer not registered."
    )
    employer_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    employer_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    town = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        required=False,
        allow_null=True,
        help_text="Area code of the employer's town or sub-district (required without `enterprise`).",
    )
    matters = serializers.ListField(
        child=serializers.ChoiceField(choices=Matter.choices),
        allow_empty=True,
        help_text="The matters, at least one.",
    )
    facts = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    amount_owed = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, default=0, min_value=0, help_text="In yuan."
    )
    workers_count = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100000,
        help_text="Workers concerned; the number of workers listed when not sent.",
    )
    workers = WorkerInSerializer(
        many=True,
        required=False,
        allow_empty=True,
        help_text="The workers concerned; a complaint names at least one.",
    )
    reporter = ReporterInSerializer(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="A report's reporter: confidential (劳动保障监察条例第九条), never returned by the API.",
    )
    violation_ended_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the violation ended: starts the 2-year period (劳动保障监察条例第二十条).",
    )
    received_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day received; today when not sent. The clocks run from it.",
    )


@extend_schema_serializer(component_name="InspectionRefuse")
class RefuseInSerializer(serializers.Serializer):
    refusal_basis = serializers.ChoiceField(
        choices=InspectionCase.RefusalBasis.choices, help_text="The ground for not accepting."
    )
    reason = serializers.CharField(allow_blank=True, max_length=4000, help_text="Told to the complainant.")


@extend_schema_serializer(component_name="InspectionDecide")
class DecideInSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=8000,
        help_text="Required for a penalty or a transfer to the police: the decision's number, date and "
        "authority.",
    )


@extend_schema_serializer(component_name="InspectionDecideOrder")
class DecideOrderInSerializer(DecideInSerializer):
    items = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=500),
        allow_empty=True,
        help_text="The items to rectify, 1 to 50.",
    )
    order_due_on = serializers.DateField(help_text="The deadline to rectify, after today.")


@extend_schema_serializer(component_name="InspectionExtensionDecision")
class NoteInSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


@extend_schema_serializer(component_name="InspectionRejectExtension")
class RejectExtensionInSerializer(serializers.Serializer):
    note = serializers.CharField(
        allow_blank=True, max_length=4000, help_text="Why it is rejected (required)."
    )


@extend_schema_serializer(component_name="InspectionRequestExtension")
class RequestExtensionInSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=4000, help_text="Why the investigation needs more time (required)."
    )


@extend_schema_serializer(component_name="InspectionFollowUp")
class FollowUpInSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=RectificationOrder.Result.choices)
    checked_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day of the check; today when not sent."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    escalation = OptionalChoiceField(  # generated clients: null (or "") means none
        choices=RectificationOrder.Escalation.choices,
        help_text="For an order partly or not carried out: an interview proposed or a penalty recorded; "
        "leave it out (or null) otherwise.",
    )


@extend_schema_serializer(component_name="InspectionInterviewNotice")
class InterviewNoticeInSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(help_text="When the interview takes place, after now.")
    place = serializers.CharField(allow_blank=True, max_length=200, help_text="Where (required).")


@extend_schema_serializer(component_name="InspectionInterviewRecord")
class InterviewRecordInSerializer(serializers.Serializer):
    held_on = serializers.DateField(help_text="Not in the future, not before the notice.")
    attendees = serializers.CharField(allow_blank=True, max_length=4000, help_text="Required.")
    representative_attended = serializers.BooleanField(help_text="Whether the legal representative attended.")
    record = serializers.CharField(allow_blank=True, max_length=8000, help_text="What was said (required).")
    commitments = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    rectify_by = serializers.DateField(
        required=False, allow_null=True, help_text="The rectification deadline, after the day held."
    )


@extend_schema_serializer(component_name="InspectionInterviewFollowUp")
class InterviewFollowUpInSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=RectificationOrder.Result.choices)
    checked_on = serializers.DateField(help_text="The day of the check, not before the interview.")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, help_text="Required when partly or not rectified."
    )
