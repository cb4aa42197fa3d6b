"""`/api/v1/certification/`: applications, certificates, rule sets and veto events for district
systems.

Reads go through the certification selectors and `visible_to` (an object outside the caller's scope
is a 404); every action calls one function of `certification.services`, whose refusals the API
answers as 400 (with `error.fields`), 403 (the caller may not) or 409 (not in the current state).
The workflow (workflow.py) names which actions API clients may perform at all: reviewing ones with
`certification:write`; submitting, withdrawing, publishing and certifying are never theirs. The
lifecycle endpoints, their scopes, permissions and descriptions are derived from its tables
(`apps.api.workflow`)."""

from collections import Counter

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin
from apps.api.workflow import ReasonSerializer, action_perms, action_scopes, reason_of, transition_endpoint
from apps.core.filters import UUIDFilter

from .. import selectors, services
from ..filters import ApplicationFilter, CertificateFilter
from ..models import (
    Application,
    ApplicationHistory,
    Category,
    Certificate,
    Item,
    ItemScore,
    RuleSet,
    VetoEvent,
)
from ..workflow import CERTIFICATE_WORKFLOW, VETO_WORKFLOW, WORKFLOW
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationOutSerializer,
    CertificateOutSerializer,
    ReviewScoresInSerializer,
    RuleSetOutSerializer,
    TitleQuerySerializer,
    VerificationOutSerializer,
    VerifyQuerySerializer,
    VetoEventInSerializer,
    VetoEventOutSerializer,
)

READ, WRITE = "certification:read", "certification:write"
VIEW = "certification.view_application"
REVIEW = "certification.review_application"


# Applications --------------------------------------------------------------------------------------

#: The lifecycle endpoints of the application: the table's action → the viewset's action (the
#: method behind `/return/` cannot be named `return`).
APPLICATION_ENDPOINTS = {
    "start_review": "start_review",
    "return": "return_for_revision",
    "reject": "reject",
    "propose": "propose",
    "submit": "submit",
    "withdraw": "withdraw",
}
CERTIFICATE_ENDPOINTS = {"revoke": "revoke"}


def _by_endpoint(table: dict, endpoints: dict) -> dict:
    """`action_scopes` / `action_perms` of a table keyed by the viewset's action names. An action
    the table gives no scope maps to None, so the "*" default does not open it to API clients."""
    return {method: table.get(action) for action, method in endpoints.items()}


_APPLICATION = OpenApiResponse(ApplicationDetailSerializer, description="The application.")
_BLANK_REASON = "A blank reason is a 400 with `error.fields.reason`."


def _endpoint(workflow, name: str, summary: str, **kwargs):
    """`apps.api.workflow.transition_endpoint` (description, errors, scope and permission from the
    table) with the endpoint's English summary: the table's label is the users' wording, and
    `transition_endpoint` would render it in the language active when this module is imported."""

    def decorate(fn):
        return extend_schema(summary=summary)(transition_endpoint(workflow, name, **kwargs)(fn))

    return decorate


@extend_schema_view(
    list=extend_schema(
        summary="List certification applications",
        description="Applications the caller may see (by enterprise: an HR user their own, a client "
        "restricted to an area the enterprises of that area), filtered and sorted with the same "
        "parameters as the reviewers' queue. Newest submission first by default. "
        "Scope: `certification:read`.",
    ),
    retrieve=extend_schema(
        summary="One certification application",
        description="With the scores per item, the status history and `available_actions`, the "
        "actions the caller may perform now. Scope: `certification:read`.",
        responses={200: ApplicationDetailSerializer},
    ),
)
class ApplicationViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Harmony certification applications and their review."""

    model = Application
    serializer_class = ApplicationOutSerializer
    filterset_class = ApplicationFilter
    # The FilterSet carries `search` and `ordering` itself.
    filter_backends = [DjangoFilterBackend]
    # The lifecycle's scopes and permissions are the table's (the enterprise's own acts, submit and
    # withdraw, have no scope: no scope opens them to API clients).
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        **_by_endpoint(action_scopes(WORKFLOW), APPLICATION_ENDPOINTS),
        "review_scores": WRITE,
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        **_by_endpoint(action_perms(WORKFLOW), APPLICATION_ENDPOINTS),
        "review_scores": REVIEW,
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "*": REVIEW,
    }

    #: `?cursor=` walks the applications in the order they were created (immutable columns, index
    #: `application_created`): a row submitted during the walk neither repeats nor vanishes.
    keyset_ordering = ("-created_at", "-pk")

    def scoped_queryset(self, principal):
        queryset = selectors.applications_visible_to(principal).prefetch_related("certificate")
        if self.action == "retrieve":
            queryset = _with_details(queryset)
        else:
            # `available_actions` reads the scores and objections (workflow guards): prefetched.
            queryset = queryset.prefetch_related(*selectors.action_guard_prefetches())
        return queryset.order_by(*selectors.LIST_ORDER)

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationOutSerializer

    def respond_with(self, application):
        fresh = _with_details(
            selectors.applications_visible_to(self.principal).select_related("certificate")
        ).get(pk=application.pk)
        return Response(ApplicationDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @_endpoint(WORKFLOW, "submit", "Submit the self-evaluation", response=_APPLICATION)
    def submit(self, request, pk=None):
        return self.respond_with(services.submit(self.principal, self.get_object()))

    @_endpoint(
        WORKFLOW, "withdraw", "Withdraw the application", request=ReasonSerializer, response=_APPLICATION
    )
    def withdraw(self, request, pk=None):
        return self.respond_with(services.withdraw(self.principal, self.get_object(), reason_of(request)))

    @_endpoint(WORKFLOW, "start_review", "Start the review", response=_APPLICATION)
    def start_review(self, request, pk=None):
        return self.respond_with(services.start_review(self.principal, self.get_object()))

    @_endpoint(
        WORKFLOW,
        "return",
        "Return for revision",
        url_path="return",
        request=ReasonSerializer,
        response=_APPLICATION,
        note=_BLANK_REASON,
    )
    def return_for_revision(self, request, pk=None):
        application = self.get_object()
        return self.respond_with(
            services.return_for_revision(self.principal, application, reason_of(request))
        )

    @_endpoint(
        WORKFLOW, "reject", "Reject", request=ReasonSerializer, response=_APPLICATION, note=_BLANK_REASON
    )
    def reject(self, request, pk=None):
        return self.respond_with(services.reject(self.principal, self.get_object(), reason_of(request)))

    @_endpoint(WORKFLOW, "propose", "Propose for certification", response=_APPLICATION)
    def propose(self, request, pk=None):
        return self.respond_with(services.propose(self.principal, self.get_object()))

    @extend_schema(
        summary="Record the reviewer's scores",
        description="While `under_review`. Scores the items sent (the others keep theirs); the reviewed "
        "score is the sum of the scored items. A score outside 0 to the item's maximum, or an item not on "
        "the application's form, is a 400 with `error.fields.item_<item id>`; nothing is saved then. "
        "Scope: `certification:write` (session users: the review permission).",
        request=ReviewScoresInSerializer,
        responses={200: _APPLICATION},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def review_scores(self, request, pk=None):
        application = self.get_object()
        serializer = ReviewScoresInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scores = _scores_by_item_id(application, serializer.validated_data["scores"])
        return self.respond_with(services.save_review_scores(self.principal, application, scores))


def _with_details(queryset):
    """Scores (with their items) and history for the detail: two queries whatever the form's size."""
    return queryset.prefetch_related(
        Prefetch("scores", queryset=ItemScore.objects.select_related("item__category")),
        Prefetch("history", queryset=ApplicationHistory.objects.order_by("at")),
        "objections",
    )


def _scores_by_item_id(application, entries) -> dict:
    """`[{item, score, note}]` → `{item id: {score, note}}` as the service takes it. An item is named
    by its id, its code (if no other category uses it) or `category.code`; a name that matches no
    item of the form is passed on as sent, and the service refuses it with the field error."""
    items = list(
        Item.objects.filter(category__rule_set_id=application.rule_set_id).select_related("category")
    )
    codes = Counter(item.code for item in items)
    keys = {}
    for item in items:
        keys[str(item.pk)] = str(item.pk)
        keys[f"{item.category.code}.{item.code}"] = str(item.pk)
        if codes[item.code] == 1:
            keys[item.code] = str(item.pk)
    scores = {}
    for entry in entries:
        name = entry["item"].strip()
        scores[keys.get(name, name)] = {"score": entry.get("score"), "note": entry.get("note", "")}
    return scores


# Certificates --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List certificates",
        description="Certificates of the enterprises the caller may see, newest first, filtered by "
        "enterprise (`enterprise` id or `uscc` credit code), `level`, `status` (as recorded), "
        "`in_force` (valid today) and `search`; a malformed credit code is a 400. "
        "Scope: `certification:read`.",
    ),
    retrieve=extend_schema(summary="One certificate, by number", description="Scope: `certification:read`."),
)
class CertificateViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Harmony certificates: valid, lapsed (annual report missing, validity ended) or revoked."""

    model = Certificate
    serializer_class = CertificateOutSerializer
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    filterset_class = CertificateFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ,
        "retrieve": READ,
        "verify": READ,
        "current": READ,
        **_by_endpoint(action_scopes(CERTIFICATE_WORKFLOW), CERTIFICATE_ENDPOINTS),
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
    }
    required_perms = {
        "list": VIEW,
        "retrieve": VIEW,
        # Public data: any signed-in user may verify a number.
        "verify": None,
        "current": VIEW,
        **_by_endpoint(action_perms(CERTIFICATE_WORKFLOW), CERTIFICATE_ENDPOINTS),
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "*": "certification.revoke_certificate",
    }

    #: `?cursor=` walks the certificates in the order they were issued into the table (immutable
    #: columns, index `certificate_created`); plain pages keep the list's order (`certificate_order`).
    keyset_ordering = ("-created_at", "-pk")

    def scoped_queryset(self, principal):
        return selectors.certificates_visible_to(principal)

    def filter_queryset(self, queryset):
        # Only the list filters (in `list`); a certificate is found by its number alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        summary="An enterprise's current title, by credit code",
        description="The certificate in force today (recorded as valid, issued, not past its last "
        "day; the highest level if several) of the enterprise with this unified social credit code: "
        "level, number, validity and `verify_url`, in one call. A malformed credit code is a 400 on "
        "`uscc`; an enterprise the caller does not see (unknown, or outside its area) is a 404 "
        "`not_found`; an enterprise without a title in force today is a 404 `no_title`, whose "
        "message says what became of its last certificate (lapsed, revoked, expired) if it had one. "
        "Scope: `certification:read`.",
        parameters=[TitleQuerySerializer],
        responses={
            200: CertificateOutSerializer,
            404: OpenApiResponse(
                description="No such enterprise for the caller, or no title in force today."
            ),
        },
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def current(self, request):
        query = TitleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        title = selectors.current_title(self.principal, query.validated_data["uscc"], today)
        if title.enterprise is None:
            raise NotFound(_("No enterprise with this credit code in the registry (or in your area)."))
        if title.current is None:
            raise NotFound(selectors.no_title_message(title, today), code="no_title")
        return Response(CertificateOutSerializer(title.current, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Verify a certificate number",
        description="What the public verification page (the QR code on the certificate) says: "
        "whether the title is in force today, and the SHA-256 of its PDF. Any certificate number, "
        "not only those of the caller's enterprises (it is public). An unknown number is a 404. "
        "Scope: `certification:read`.",
        parameters=[VerifyQuerySerializer],
        responses={200: VerificationOutSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def verify(self, request):
        query = VerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        verification = selectors.verify_certificate(query.validated_data["number"])
        if verification is None:
            raise NotFound(_("No certificate has this number."))
        return Response(VerificationOutSerializer(verification).data)

    @_endpoint(
        CERTIFICATE_WORKFLOW,
        "revoke",
        "Revoke a certificate",
        request=ReasonSerializer,
        response=CertificateOutSerializer,
        note=_BLANK_REASON,
    )
    def revoke(self, request, number=None):
        certificate = self.get_object()
        services.revoke(self.principal, certificate, reason_of(request))
        fresh = self.scoped_queryset(self.principal).get(pk=certificate.pk)
        return Response(CertificateOutSerializer(fresh, context=self.get_serializer_context()).data)


# Rule sets -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List certification rule sets",
        description="The certification policy of each region, year and version: eligibility, group "
        "ratio, disclosure, public notice, validity, levels, the veto catalogue and the scoring form. "
        "Scope: `certification:read`.",
    ),
    retrieve=extend_schema(summary="One certification rule set", description="Scope: `certification:read`."),
)
class RuleSetViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rule sets are policy, the same for every caller; a rule set in use never changes (a change
    is a new version)."""

    model = RuleSet
    serializer_class = RuleSetOutSerializer
    filter_backends = []
    required_scopes = {"list": READ, "retrieve": READ, "*": READ}
    required_perms = {"list": VIEW, "retrieve": VIEW, "*": VIEW}

    def scoped_queryset(self, principal):
        return RuleSet.objects.prefetch_related(
            "levels",
            "veto_rules",
            Prefetch("categories", queryset=Category.objects.prefetch_related("items")),
        ).order_by("region", "-year", "-version")


# Veto events ---------------------------------------------------------------------------------------


class VetoEventFilter(django_filters.FilterSet):
    enterprise = UUIDFilter(field_name="enterprise", help_text="Id of the enterprise.")
    kind = django_filters.CharFilter(help_text="A code of the veto catalogue.")
    status = django_filters.ChoiceFilter(
        choices=VetoEvent.Status.choices,
        help_text="`proposed` (by the platform, waiting for the park), `confirmed` (counts) or `dismissed`.",
    )
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", help_text="On or after this date."
    )

    class Meta:
        model = VetoEvent
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List veto events",
        description="Veto events (一票否决) of the enterprises the caller may see, newest first: "
        "`confirmed` ones count (look-back window, refusals, revocation); `proposed` ones were raised by "
        "the platform from inspection and mediation records and wait for the park to confirm or dismiss "
        "them; `dismissed` ones never count. Scope: `certification:read`.",
    ),
    create=extend_schema(
        summary="Record a veto event",
        description="For district inspection and mediation systems. Recorded as `confirmed`: the "
        "enterprise's valid titles are revoked at once with the event as the reason, and its open applications are refused "
        "while the event lies in its look-back window. A kind outside the veto catalogue, a future "
        "date or no source is a 400 with field errors; an enterprise outside the caller's area does "
        "not exist for it (400 on `enterprise`). Scope: `certification:write`.",
        request=VetoEventInSerializer,
        responses={201: VetoEventOutSerializer},
    ),
)
class VetoEventViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = VetoEvent
    serializer_class = VetoEventOutSerializer
    filterset_class = VetoEventFilter
    filter_backends = [DjangoFilterBackend]
    required_scopes = {
        "list": READ,
        "create": WRITE,
        **action_scopes(VETO_WORKFLOW),
        "HEAD": READ,
        "OPTIONS": READ,
        "*": WRITE,
    }
    required_perms = {
        "list": "certification.view_vetoevent",
        "create": "certification.add_vetoevent",
        **action_perms(VETO_WORKFLOW),
        "HEAD": "certification.view_vetoevent",
        "OPTIONS": "certification.view_vetoevent",
        "*": "certification.add_vetoevent",
    }

    def scoped_queryset(self, principal):
        return (
            VetoEvent.objects.visible_to(principal)
            .select_related("enterprise")
            .order_by("-occurred_on", "-created_at")
        )

    def create(self, request, *args, **kwargs):
        serializer = VetoEventInSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        event = services.record_veto_event(self.principal, **data)
        return Response(
            VetoEventOutSerializer(event, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def respond_with(self, event):
        fresh = self.scoped_queryset(self.principal).get(pk=event.pk)
        return Response(VetoEventOutSerializer(fresh, context=self.get_serializer_context()).data)

    @_endpoint(VETO_WORKFLOW, "confirm", "Confirm a proposed veto event", response=VetoEventOutSerializer)
    def confirm(self, request, pk=None):
        return self.respond_with(services.confirm_veto_event(self.principal, self.get_object()))

    @_endpoint(
        VETO_WORKFLOW,
        "dismiss",
        "Dismiss a proposed veto event",
        request=ReasonSerializer,
        response=VetoEventOutSerializer,
        note=_BLANK_REASON,
    )
    def dismiss(self, request, pk=None):
        return self.respond_with(
            services.dismiss_veto_event(self.principal, self.get_object(), reason_of(request))
        )
