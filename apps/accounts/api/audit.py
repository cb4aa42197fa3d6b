"""`GET /api/v1/audit/`: the audit trail for district systems (issue 15).

It lives in accounts because the audit app sits beside `apps.api` (neither imports the other) and
accounts holds the scopes (docs/architecture-notes.md).

- Who: API clients with `audit:read` and no area restriction (the trail is not divided by area: a
  restricted client gets a 403 saying so); signed-in park administrators (`audit.view_auditevent`).
- Filters: `object_type` + `object_id` (served by the index on object, time), `action`, `actor`
  (the label: a username, `api:<client name>`, `system`), `since` / `until` (occurred_at), and
  `request_id`. `object_id` needs `object_type`.
- Pages: always by cursor (keyset on occurred_at, id), newest first unless `ordering=occurred_at`.
- Privacy: before/after snapshots may hold personal data. Without `personal_data:read` they are
  left out (`null`; `changed_fields` names what changed) and so is the IP address; with it (and for
  park administrators) they are served with every ID number masked. Events about reporters are
  never served (apps.audit.selectors.API_HIDDEN_OBJECT_TYPES).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from apps.api.pagination import DefaultPagination
from apps.api.serializers import principal_of
from apps.api.views import ScopedViewMixin
from apps.audit.models import AuditEvent
from apps.audit.selectors import changed_fields, events_for_api, mask_id_numbers_in, masked_snapshot
from apps.core.errors import NotAllowed
from apps.core.filters import UtcIsoDateTimeFilter

from ..scopes import AUDIT_SCOPE

PERSONAL_DATA_SCOPE = "personal_data:read"
#: Newest first by default; `updated_at` / `-updated_at` as on every list (an event never changes:
#: its time of change is when it occurred).
ORDERINGS = {
    "-occurred_at": ("-occurred_at", "-id"),
    "occurred_at": ("occurred_at", "id"),
    "-updated_at": ("-occurred_at", "-id"),
    "updated_at": ("occurred_at", "id"),
}


def sees_snapshots(principal) -> bool:
    """Whether the before/after snapshots (personal data, ID numbers masked) are served."""
    if principal is None:
        return False
    if principal.is_api_client:
        return principal.has_scope(PERSONAL_DATA_SCOPE)
    return principal.is_park_admin


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        help_text="The object's type as `app.model`, e.g. `contracts.labourcontract`, `mediation.case`."
    )
    object_id = django_filters.CharFilter(help_text="The object's id; needs `object_type`.")
    action = django_filters.CharFilter(help_text="Exact action, e.g. `contracts.file`, `mediation.accept`.")
    actor = django_filters.CharFilter(
        field_name="actor_label",
        help_text="Who acted, by label: a username, `api:<client name>`, `system`, `command:<name>`.",
    )
    since = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", help_text="Events at or after this moment (ISO 8601)."
    )
    until = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", help_text="Events before this moment (ISO 8601)."
    )
    request_id = django_filters.CharFilter(help_text="The `X-Request-ID` of the request that wrote them.")

    class Meta:
        model = AuditEvent
        fields = []


class AuditCursorPagination(DefaultPagination):
    """Always keyset pages (a first page without `cursor` too): the trail is the largest table."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset_page = None
        return self._paginate_keyset(queryset, request, view.keyset_ordering)

    def get_schema_operation_parameters(self, view):
        parameters = [p for p in super().get_schema_operation_parameters(view) if p["name"] != "page"]
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "Leave it out (or empty) for the first page, then follow `next`. Pages of up to 1,000 "
                    "events (`page_size`); events written during the walk never make another repeat or vanish."
                )
        return parameters


SNAPSHOT_FIELD = {"type": "object", "nullable": True, "additionalProperties": True}


@extend_schema_serializer(component_name="AuditEvent")
class AuditEventOutSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", help_text="Who acted, by label.")
    user_id = serializers.UUIDField(
        source="actor_id", allow_null=True, help_text="The user who acted, if any."
    )
    api_client_id = serializers.UUIDField(allow_null=True, help_text="The API client that acted, if any.")
    changed_fields = serializers.SerializerMethodField(
        help_text="Fields the before/after snapshots carry (always given, without their values)."
    )
    before = serializers.SerializerMethodField(
        help_text="The object's fields before the change, ID numbers masked; `null` without `personal_data:read`."
    )
    after = serializers.SerializerMethodField(
        help_text="The object's fields after the change, ID numbers masked; `null` without `personal_data:read`."
    )
    ip_address = serializers.SerializerMethodField(
        help_text="The caller's network address; `null` without `personal_data:read`."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "kind",
            "action",
            "actor",
            "user_id",
            "api_client_id",
            "on_behalf_of",
            "request_id",
            "object_type",
            "object_id",
            "object_repr",
            "changed_fields",
            "before",
            "after",
            "note",
            "ip_address",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("object_repr", "note", "on_behalf_of"):
            data[name] = mask_id_numbers_in(data[name])
        return data

    def get_changed_fields(self, event) -> list[str]:
        return changed_fields(event)

    def _snapshot(self, value):
        if value is None or not sees_snapshots(principal_of(self)):
            return None
        return masked_snapshot(value)

    @extend_schema_field(SNAPSHOT_FIELD)
    def get_before(self, event):
        return self._snapshot(event.before)

    @extend_schema_field(SNAPSHOT_FIELD)
    def get_after(self, event):
        return self._snapshot(event.after)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_ip_address(self, event):
        return event.ip_address if sees_snapshots(principal_of(self)) else None


@extend_schema(
    parameters=[
        OpenApiParameter(
            "ordering",
            OpenApiTypes.STR,
            enum=list(ORDERINGS),
            description="`-occurred_at` (newest first, the default) or `occurred_at` (oldest first); "
            "`updated_at` / `-updated_at` mean the same, as on every list. "
            "Times are when the change was made, not when its transaction committed: to follow changes "
            "as they happen, use the event feed.",
        )
    ]
)
class AuditEventViewSet(ScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit trail: every write and every full view of personal data, newest first.
    Scope: `audit:read` (not for clients restricted to an area: 403); session users: park
    administrators. Before/after snapshots need `personal_data:read` as well, ID numbers masked."""

    model = AuditEvent
    serializer_class = AuditEventOutSerializer
    filterset_class = AuditEventFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = AuditCursorPagination
    required_scopes = {"list": AUDIT_SCOPE}
    required_perms = {"list": "audit.view_auditevent"}

    @property
    def keyset_ordering(self):
        return ORDERINGS[self._ordering()]

    def _ordering(self) -> str:
        value = self.request.query_params.get("ordering", "-occurred_at")
        if value not in ORDERINGS:
            raise ValidationError(
                {"ordering": [_("Send occurred_at or -occurred_at (or updated_at, -updated_at).")]}
            )
        return value

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        principal = self.principal
        if principal.is_api_client and principal.area_ids:
            raise NotAllowed(
                gettext_lazy(
                    "The audit trail is not divided by area: a client restricted to an area cannot read it."
                )
            )

    def scoped_queryset(self, principal):
        return events_for_api(principal)

    def filter_queryset(self, queryset):
        params = self.request.query_params
        if params.get("object_id") and not params.get("object_type"):
            raise ValidationError({"object_id": [_("Give object_type with object_id.")]})
        self._ordering()
        return super().filter_queryset(queryset)
