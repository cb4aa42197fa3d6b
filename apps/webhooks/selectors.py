"""Reads of events, subscriptions and deliveries, scoped by the principal.

A client sees an event when its scopes allow the event's family (`registry`: e.g. `mediation.case`
needs `mediation:read`) and, for a client restricted to an area, when the object's town is in it
(an event without a town is for park-wide clients only). The feed and the deliveries apply the
same rule (`events_visible_to`, `may_receive`).
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import ApiClient
from apps.core.principal import principal_for_api_client
from apps.core.urls_helpers import absolute_url

from . import registry
from .models import ALL_EVENTS, Delivery, Event, Subscription

#: The feed's page sizes.
FEED_PAGE_SIZE = 100
FEED_MAX_PAGE_SIZE = 1000


def allowed_families(principal) -> list[str]:
    """The event families `principal` may read: an API client's scopes decide; park
    administrators (signed in) read every family; nobody else any."""
    if principal.is_api_client:
        return registry.families_for_scopes(principal.scopes)
    if principal.sees_everything:
        return list(registry.sources())
    return []


def events_visible_to(principal, queryset=None):
    queryset = Event.objects.all() if queryset is None else queryset
    queryset = queryset.filter(family__in=allowed_families(principal))
    if principal.is_api_client and principal.area_ids:
        queryset = queryset.filter(area_id__in=principal.area_ids)
    return queryset


def subscription_families(subscription, principal) -> list[str]:
    """The families a subscription receives: those it chose ("*": all) that the client's scopes
    allow now."""
    allowed = allowed_families(principal)
    if subscription.all_events:
        return allowed
    return [family for family in allowed if family in set(subscription.event_types)]


def events_for_subscription(subscription, queryset, principal=None):
    """`queryset` narrowed to the events `subscription` receives, or None when it receives none."""
    principal = principal or principal_for_api_client(subscription.client)
    families = subscription_families(subscription, principal)
    if not families:
        return None
    queryset = queryset.filter(family__in=families)
    if principal.area_ids:
        queryset = queryset.filter(area_id__in=principal.area_ids)
    return queryset


def may_receive(principal, subscription, event) -> bool:
    if event.family not in subscription_families(subscription, principal):
        return False
    return not principal.area_ids or event.area_id in principal.area_ids


class InvalidType(ValueError):
    """A `type` filter that names no known family."""


def parse_types(values, principal) -> tuple[list[str], list[str]]:
    """The feed's `type` filter: families (`mediation.case`) or full types
    (`mediation.case.accept`), comma-separated or repeated. (families, types); InvalidType names
    the values that are neither, or that the client may not read."""
    known = allowed_families(principal)
    families, types, wrong = [], [], []
    for value in (v.strip() for raw in values for v in raw.split(",")):
        if not value:
            continue
        if value in known:
            families.append(value)
            continue
        family = value.rsplit(".", 1)[0]
        if "." in value and family in known:
            types.append(value)
        else:
            wrong.append(value)
    if wrong:
        raise InvalidType(", ".join(wrong))
    return families, types


def feed(principal, *, after: int, families=(), types=(), size: int = FEED_PAGE_SIZE):
    """The published events after the cursor `after`, in their order: (events, has_more)."""
    queryset = events_visible_to(principal).filter(sequence__gt=after)
    if families or types:
        queryset = queryset.filter(Q(family__in=list(families)) | Q(type__in=list(types)))
    rows = list(queryset.order_by("sequence")[: size + 1])
    return rows[:size], len(rows) > size


def payload(event) -> dict:
    """What a receiver gets, pushed or pulled: no personal data, only where to fetch the object."""
    path = (event.data or {}).get("path", "")
    return {
        "id": str(event.id),
        "sequence": event.sequence,
        "type": event.type,
        "occurred_at": timezone.localtime(event.occurred_at).isoformat(),
        "object": {"type": event.family, "id": event.object_id, "url": absolute_url(path) if path else None},
        "data": event.data or {},
    }


def payload_bytes(event) -> bytes:
    return json.dumps(payload(event), ensure_ascii=False, separators=(",", ":")).encode()


# --- Pages ---------------------------------------------------------------------------------------------


def client_for_admin(client_id):
    return get_object_or_404(ApiClient.objects.select_related("area"), pk=client_id)


def subscriptions_of(client):
    return Subscription.objects.filter(client=client).order_by("created_at")


def subscription_for_admin(pk):
    return get_object_or_404(Subscription.objects.select_related("client"), pk=pk)


def delivery_for_admin(pk):
    return get_object_or_404(Delivery.objects.select_related("subscription__client"), pk=pk)


#: The delivery log's order: newest first (an index on (subscription, id) serves it).
LOG_ORDER = ["-id"]


def delivery_log(client, *, subscription=None, status: str = ""):
    queryset = Delivery.objects.filter(subscription__client=client).select_related("event", "subscription")
    if subscription is not None:
        queryset = queryset.filter(subscription=subscription)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


#: How the reasons the platform itself stores in `Delivery.last_error` read on the page.
ERROR_LABELS = {
    "expired": _("Not delivered within its time (24 hours): replay it to send it again."),
    "client_revoked": _("The API client is revoked or its key has expired."),
    "not_visible": _("The client's scopes or area no longer allow this event."),
    "redirect": _("The receiver answered with a redirect; redirects are not followed."),
    "http_not_allowed": _("The address is not allowed (plain http?)."),
}


def error_label(code: str) -> str:
    return ERROR_LABELS.get(code, code)


def subscription_rows(client, principal_for_client):
    """Each subscription of `client` with the families it receives (labels) for the page."""
    sources = registry.sources()
    rows = []
    for subscription in subscriptions_of(client):
        if subscription.all_events:
            kinds = [str(_("All events the client's scopes allow"))]
        else:
            kinds = [str(sources[f].label) if f in sources else f for f in subscription.event_types]
        rows.append(
            {
                "subscription": subscription,
                "kinds": kinds,
                "receives": subscription_families(subscription, principal_for_client),
            }
        )
    return rows


def event_type_choices() -> list[tuple[str, str]]:
    return [(ALL_EVENTS, _("All events the client's scopes allow")), *registry.family_choices()]
