"""Serializers of `/api/v1/mediation/`.

Output and input are separate. Input serializers only type and shape the fields; every rule (which
channels a district system may send, ID-number checks, the collective threshold, who may act in
which state, the extension cap) lives in `mediation.services`, whose DomainError the API turns into
a 400 with field errors (403, 409). What a caller sees of the applicants is decided by
`selectors.api_applicant_rows`. Components carry a `Mediation…` name so that their enums are named
after them and never clash with another module's.
"""

from django.urls import reverse
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
from apps.core.models import Area
from apps.core.urls_helpers import absolute_url
from apps.enterprises.models import Enterprise

from .. import selectors
from ..models import (
    Agreement,
    AgreementItem,
    Case,
    CaseDocument,
    CaseHistory,
    DisputeType,
    Extension,
    FollowUp,
    MediationOrganisation,
    Mediator,
    Payment,
    Referral,
    Session,
    Transfer,
)
from ..workflow import WORKFLOW

#: Every action `available_actions` may name; each is `POST /cases/{id}/<action>/`.
CASE_ACTIONS = [(action, action) for action in WORKFLOW.transitions]


# References ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="MediationOrganisationRef")
class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="MediationMediatorRef")
class MediatorRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="MediationApplicantRef")
class ApplicantRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="MediationRespondent")
class RespondentSerializer(serializers.Serializer):
    name = serializers.CharField(source="respondent_name")
    uscc = serializers.CharField(
        source="respondent_uscc", help_text="Unified social credit code; empty if unknown."
    )
    enterprise = serializers.UUIDField(
        source="respondent_enterprise_id",
        allow_null=True,
        help_text="Id of the enterprise in the registry; null for an employer outside the park.",
    )
    contact = serializers.CharField(source="respondent_contact")
    phone = serializers.CharField(source="respondent_phone")
    address = serializers.CharField(source="respondent_address")


@extend_schema_serializer(component_name="MediationApplicant")
class ApplicantOutSerializer(serializers.Serializer):
    """One row of `selectors.api_applicant_rows`."""

    id = serializers.UUIDField(source="applicant.pk")
    name = serializers.CharField()
    id_number = serializers.CharField(
        allow_null=True,
        help_text="Masked (4502**********123X); in full only in a case's detail for API clients "
        "with the `personal_data:read` scope (never in a list), and every such view is written to "
        "the audit trail. Null for users who may not see it (the respondent's HR).",
    )
    id_number_full = serializers.BooleanField(
        source="revealed", help_text="Whether `id_number` is the full number."
    )
    phone = serializers.CharField(
        allow_null=True,
        help_text="In a case's detail for API clients with `personal_data:read` (and for mediators "
        "signed in); null otherwise.",
    )
    employer = serializers.CharField()
    job = serializers.CharField()
    employed_from = serializers.DateField(allow_null=True)
    employed_until = serializers.DateField(allow_null=True, help_text="Null while still employed.")
    is_representative = serializers.BooleanField(
        help_text="Elected representative of a collective dispute (LDMAL art. 7)."
    )
    lost_job = serializers.BooleanField(help_text="Lost the job in the dispute (re-employment referral).")


# Cases ---------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="MediationCase")
class CaseOutSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    outcome = BlankAsNullChoiceField(
        choices=Case.Outcome.choices, help_text="How the case ended; null while it is open."
    )
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    types = serializers.SerializerMethodField(help_text="Dispute types (LDMAL art. 2), several allowed.")
    is_collective = serializers.BooleanField(
        read_only=True,
        help_text="10 or more workers with a common claim (LDMAL art. 7); listed first by default.",
    )
    decision_due_on = serializers.DateField(
        read_only=True, help_text="Accept or refuse by (3 working days after receipt)."
    )
    due_on = serializers.DateField(
        read_only=True,
        help_text="Mediation deadline: 15 days after receipt, 30 for court-entrusted cases, plus "
        "any extension both parties agreed to.",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Received and not decided by `decision_due_on`, or in mediation past `due_on`."
    )
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    mediator = MediatorRefSerializer(read_only=True, allow_null=True)
    town = AreaRefSerializer(read_only=True, allow_null=True)
    respondent = RespondentSerializer(source="*", read_only=True)
    applicants = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: the names of the action endpoints "
        "(`accept` is `POST /cases/{id}/accept/`)."
    )
    source_reference = serializers.CharField(
        read_only=True,
        help_text="The sender's reference: the court's entrustment number, the inspection case number "
        "or the 12345 hotline's work-order number; empty if none. One case per channel and "
        "reference; the `source_reference` parameter finds it.",
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "serial",
            "status",
            "status_label",
            "channel",
            "channel_label",
            "source_reference",
            "types",
            "is_collective",
            "workers_count",
            "amount_claimed",
            "agreed_amount",
            "received_on",
            "decision_due_on",
            "due_on",
            "overdue",
            "closed_on",
            "outcome",
            "outcome_label",
            "organisation",
            "mediator",
            "town",
            "respondent",
            "applicants",
            "available_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DisputeType.choices)))
    def get_types(self, case):
        return [t.code for t in case.types.all()]

    def get_overdue(self, case) -> bool:
        return selectors.is_overdue(case)

    #: A list never shows a full ID number nor a phone to an API client; a detail may.
    shows_full_identity = False

    @extend_schema_field(ApplicantOutSerializer(many=True))
    def get_applicants(self, case):
        principal = principal_of(self)
        if principal is None:
            return []
        rows = selectors.api_applicant_rows(principal, case, full_allowed=self.shows_full_identity)
        # One applicant serializer for every row of a list (building one per case copies its
        # fields each time).
        child = self.__dict__.setdefault("_applicant_out", ApplicantOutSerializer())
        return [child.to_representation(row) for row in rows]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=CASE_ACTIONS)))
    def get_available_actions(self, case):
        principal = principal_of(self)
        return [t.action for t in selectors.available_actions(case, principal)] if principal else []


@extend_schema_serializer(component_name="MediationSession")
class SessionOutSerializer(serializers.ModelSerializer):
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)

    class Meta:
        model = Session
        fields = ["id", "held_at", "mode", "mode_label", "attendees", "notes"]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationExtension")
class ExtensionOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Extension
        fields = [
            "previous_due_on",
            "new_due_on",
            "applicant_consent_on",
            "respondent_consent_on",
            "consent_record",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationTransfer")
class TransferOutSerializer(serializers.ModelSerializer):
    from_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    to_organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Transfer
        fields = ["from_organisation", "to_organisation", "transferred_on", "reason"]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationAgreementItem")
class AgreementItemOutSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)

    class Meta:
        model = AgreementItem
        fields = ["kind", "kind_label", "description", "amount", "due_on", "method", "method_label"]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationFollowUp")
class FollowUpOutSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "kind", "kind_label", "due_on", "status", "status_label", "done_on", "note"]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationPayment")
class PaymentOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["amount", "paid_on", "note"]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationAgreement")
class AgreementOutSerializer(serializers.ModelSerializer):
    is_signed = serializers.BooleanField(
        read_only=True,
        help_text="Both parties, the mediator and the organisation's seal: in force (LDMAL art. 14).",
    )
    performance_label = serializers.CharField(source="get_performance_display", read_only=True)
    items = AgreementItemOutSerializer(many=True, read_only=True)
    follow_ups = FollowUpOutSerializer(many=True, read_only=True)
    payments = PaymentOutSerializer(many=True, read_only=True)
    pdf_sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 of the agreement PDF once generated; empty before."
    )
    pdf_url = serializers.SerializerMethodField(
        help_text="Where to download the agreement PDF once generated (it names the applicants with "
        "their ID numbers: the download needs `personal_data:read`); null before."
    )

    class Meta:
        model = Agreement
        fields = [
            "result",
            "applicant_signed_on",
            "respondent_signed_on",
            "mediator_signed_on",
            "sealed_on",
            "effective_on",
            "is_signed",
            "performance",
            "performance_label",
            "items",
            "follow_ups",
            "payments",
            "pdf_sha256",
            "pdf_url",
        ]
        read_only_fields = fields

    @staticmethod
    def _ready(agreement):
        doc = agreement.document
        return doc if doc is not None and doc.status == doc.Status.READY else None

    def get_pdf_sha256(self, agreement) -> str:
        doc = self._ready(agreement)
        return doc.sha256 if doc else ""

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_pdf_url(self, agreement):
        if self._ready(agreement) is None:
            return None
        # On the configured SITE_URL, not the request's Host (issue 15).
        return absolute_url(reverse("v1:mediation-case-agreement-pdf", args=[agreement.case_id]))


@extend_schema_serializer(component_name="MediationReferral")
class ReferralOutSerializer(serializers.ModelSerializer):
    applicant = ApplicantRefSerializer(read_only=True, help_text="The applicant referred.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "applicant",
            "kind",
            "kind_label",
            "provider",
            "referred_on",
            "follow_up_on",
            "follow_up_note",
            "result",
            "result_label",
            "result_on",
            "note",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationDocument")
class DocumentOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseDocument
        fields = ["id", "title", "content_type", "sha256", "size", "created_at"]
        read_only_fields = fields


class CaseDetailsSerializer(serializers.Serializer):
    """What the detail adds to the list's fields."""

    form = serializers.ChoiceField(choices=Case.Form.choices, read_only=True)
    oral_record = serializers.CharField(
        read_only=True, help_text="LDMAL art. 12: the record of an oral application."
    )
    court_name = serializers.CharField(read_only=True, help_text="The entrusting court.")
    claims = serializers.CharField(read_only=True)
    facts = serializers.CharField(read_only=True)
    common_claim = serializers.BooleanField(read_only=True)
    infringed_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Starts the one-year limitation (LDMAL art. 27)."
    )
    clock_starts_on = serializers.DateField(
        read_only=True, help_text="The day the organisation now handling the case received it."
    )
    accepted_on = serializers.DateField(read_only=True, allow_null=True)
    archived_on = serializers.DateField(read_only=True, allow_null=True)
    outcome_note = serializers.CharField(read_only=True)
    sessions = SessionOutSerializer(many=True, read_only=True)
    extensions = ExtensionOutSerializer(many=True, read_only=True)
    transfers = TransferOutSerializer(many=True, read_only=True)
    agreement = serializers.SerializerMethodField()
    referrals = ReferralOutSerializer(many=True, read_only=True)
    documents = DocumentOutSerializer(many=True, read_only=True)

    @extend_schema_field(AgreementOutSerializer(allow_null=True))
    def get_agreement(self, case):
        agreement = selectors.agreement_of(case)
        return AgreementOutSerializer(agreement, context=self.context).data if agreement else None


@extend_schema_serializer(component_name="MediationCaseDetail")
class CaseDetailSerializer(CaseOutSerializer, CaseDetailsSerializer):
    """The list's fields plus the record of the mediation. The schema shows it as `allOf` the
    list's component and these (CaseDetailSchema), so that the enums have one component each."""

    shows_full_identity = True

    class Meta(CaseOutSerializer.Meta):
        fields = [
            *CaseOutSerializer.Meta.fields,
            "form",
            "oral_record",
            "court_name",
            "claims",
            "facts",
            "common_claim",
            "infringed_on",
            "clock_starts_on",
            "accepted_on",
            "archived_on",
            "outcome_note",
            "sessions",
            "extensions",
            "transfers",
            "agreement",
            "referrals",
            "documents",
        ]
        read_only_fields = fields

    def to_representation(self, case):
        data = super().to_representation(case)
        principal = self.context.get("principal")
        if principal is not None and not selectors.sees_case_file(principal, case):
            # The respondent's HR (or another organisation's mediator): the dates of the sessions,
            # not the mediators' file.
            data["referrals"], data["documents"] = [], []
            for session in data["sessions"]:
                session["attendees"], session["notes"] = "", ""
        return data


class CaseDetailSchema(OpenApiSerializerExtension):
    target_class = CaseDetailSerializer

    def map_serializer(self, auto_schema, direction):
        summary = auto_schema.resolve_serializer(CaseOutSerializer, direction)
        details = auto_schema._map_serializer(CaseDetailsSerializer(), direction)
        return {"allOf": [summary.ref, details]}


@extend_schema_serializer(component_name="MediationCaseCreated")
class CaseCreatedSerializer(CaseDetailSerializer):
    """The new case and its access code."""

    access_code = serializers.SerializerMethodField(
        help_text="The secret code for the public tracking page (with the serial number). Returned "
        "only in the 201 that registers the case and stored hashed: pass it on to the applicant. "
        "Null in the 200 answering a referral sent again (the case registered before with this "
        "channel and reference: its code was returned then; the mediation organisation can issue "
        "a new one)."
    )

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "access_code"]
        read_only_fields = fields

    def get_access_code(self, case) -> str | None:
        return self.context.get("access_code")


class CaseCreatedSchema(OpenApiSerializerExtension):
    target_class = CaseCreatedSerializer

    def map_serializer(self, auto_schema, direction):
        detail = auto_schema.resolve_serializer(CaseDetailSerializer, direction)
        code = {
            "type": "object",
            "properties": {
                "access_code": {
                    "type": "string",
                    "nullable": True,
                    "readOnly": True,
                    "description": CaseCreatedSerializer._declared_fields["access_code"].help_text,
                }
            },
            "required": ["access_code"],
        }
        return {"allOf": [detail.ref, code]}


@extend_schema_serializer(component_name="MediationHistoryEntry")
class HistoryOutSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    actor_label = serializers.CharField(read_only=True, help_text="User name, `api:<client>` or `system`.")

    class Meta:
        model = CaseHistory
        fields = ["at", "action", "action_label", "from_status", "to_status", "actor_label", "reason"]
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        transition = WORKFLOW.transitions.get(entry.action)
        if transition is not None:
            return str(transition.label)
        return _("Application received") if entry.action == "receive" else entry.action


# Input ---------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="MediationApplicant")
class ApplicantInSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Resident ID number (18 characters, checked); stored encrypted.",
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, help_text="Mobile or landline with area code."
    )
    employer = serializers.CharField(required=False, allow_blank=True)
    job = serializers.CharField(required=False, allow_blank=True)
    employed_from = serializers.DateField(required=False, allow_null=True)
    employed_until = serializers.DateField(
        required=False, allow_null=True, help_text="Empty while still employed."
    )
    is_representative = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Elected representative; only in a collective dispute, 3 to 5 of them (LDMAL art. 7).",
    )
    lost_job = serializers.BooleanField(required=False, default=False)


@extend_schema_serializer(component_name="MediationCase")
class CaseInSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=Case.Channel.choices,
        help_text="District systems send `court` (entrusted by a court), `inspection` (transferred "
        "from labour inspection) or `hotline` (a 12345 hotline referral, with its work-order number "
        "in `source_reference`); other channels are a 400.",
    )
    applicants = ApplicantInSerializer(many=True, allow_empty=True)
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=DisputeType.choices),
        allow_empty=True,
        help_text="Dispute types (LDMAL art. 2), at least one.",
    )
    claims = serializers.CharField(allow_blank=True)
    facts = serializers.CharField(required=False, allow_blank=True)
    amount_claimed = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, default=0, help_text="In yuan."
    )
    workers_count = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Workers involved; the number of applicants when not sent. 10 or more with a "
        "common claim make a collective dispute.",
    )
    common_claim = serializers.BooleanField(required=False, default=True)
    infringed_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the worker knew the right was infringed (LDMAL art. 27 limitation).",
    )
    form = OptionalChoiceField(choices=Case.Form.choices, default=Case.Form.WRITTEN)  # null: written
    oral_record = serializers.CharField(
        required=False, allow_blank=True, help_text="Required for an oral application (LDMAL art. 12)."
    )
    respondent_enterprise = VisiblePrimaryKeyRelatedField(
        Enterprise,
        required=False,
        allow_null=True,
        help_text="Id of the respondent in the enterprise registry; its name, credit code and town "
        "are then taken from the registry.",
    )
    respondent_name = serializers.CharField(
        required=False, allow_blank=True, help_text="Required for an employer outside the registry."
    )
    respondent_uscc = serializers.CharField(required=False, allow_blank=True)
    respondent_contact = serializers.CharField(required=False, allow_blank=True)
    respondent_phone = serializers.CharField(required=False, allow_blank=True)
    respondent_address = serializers.CharField(required=False, allow_blank=True)
    town = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        required=False,
        allow_null=True,
        help_text="Area code of the town or sub-district (used for routing and area scoping).",
    )
    court_name = serializers.CharField(
        required=False, allow_blank=True, help_text="The entrusting court; required for `court`."
    )
    source_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="The court's entrustment number, the inspection case number or the 12345 hotline's "
        "work-order number (required for `hotline`), at most 60 characters. One case per channel and "
        "reference: sending the same channel and reference again answers the case registered the "
        "first time (200), unchanged.",
    )
    organisation = VisiblePrimaryKeyRelatedField(
        MediationOrganisation,
        required=False,
        allow_null=True,
        help_text="The mediation organisation to handle it; routed by town or enterprise when not sent.",
    )
    received_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the case was received; today when not sent. The clocks run from it.",
    )


@extend_schema_serializer(component_name="MediationAccept")
class AcceptInSerializer(serializers.Serializer):
    mediator = serializers.PrimaryKeyRelatedField(
        queryset=Mediator.objects.all(), help_text="Id of an active mediator of the organisation."
    )
    organisation = VisiblePrimaryKeyRelatedField(
        MediationOrganisation,
        required=False,
        allow_null=True,
        help_text="The organisation that takes the case; the one it was routed to when not sent.",
    )


@extend_schema_serializer(component_name="MediationTransfer")
class TransferInSerializer(serializers.Serializer):
    to_organisation = VisiblePrimaryKeyRelatedField(
        MediationOrganisation, help_text="Id of an active mediation organisation."
    )
    reason = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="MediationWithdraw")
class WithdrawInSerializer(serializers.Serializer):
    """The applicant's own withdrawal, passed on by a district system: neither the organisation nor
    a district system may withdraw for the applicant (the service asks `workflow.withdraw_refusal`)."""

    applicant_request = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the applicant asked to withdraw, and `reason` says how and when. Withdrawing "
        "is the applicant's own act (人民调解法第二十三条; 企业劳动争议协商调解规定第六条; "
        "劳动争议调解仲裁法第五条): a district system only passes on the applicant's request; "
        "without it the call is a 403.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="How and when the applicant asked to withdraw, and why if they said (required).",
    )


@extend_schema_serializer(component_name="MediationExtend")
class ExtendInSerializer(serializers.Serializer):
    new_due_on = serializers.DateField(
        help_text="The new deadline: at most 15 days after the original one in all, except for "
        "court-entrusted cases."
    )
    applicant_consent_on = serializers.DateField()
    respondent_consent_on = serializers.DateField()
    consent_record = serializers.CharField(
        allow_blank=True, help_text="How each party consented (signed note, recorded call...)."
    )


# Organisations -------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="MediationMediator")
class MediatorOutSerializer(serializers.ModelSerializer):
    # Plain strings: a second enum of the dispute types would give the one choice set two names.
    specialities = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Codes of the dispute types the mediator specialises in (those of a case's `types`).",
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Mediator
        fields = ["id", "name", "specialities", "active"]
        read_only_fields = fields


@extend_schema_serializer(component_name="MediationOrganisation")
class OrganisationOutSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    towns = AreaRefSerializer(many=True, read_only=True, help_text="Towns and sub-districts it covers.")
    active = serializers.BooleanField(source="is_active", read_only=True)
    open_cases = serializers.IntegerField(read_only=True, help_text="Cases received or in mediation.")
    mediators = MediatorOutSerializer(many=True, read_only=True)

    class Meta:
        model = MediationOrganisation
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "towns",
            "address",
            "phone",
            "active",
            "open_cases",
            "mediators",
            "updated_at",
        ]
        read_only_fields = fields
