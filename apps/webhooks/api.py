"""GET /api/v1/events/: the event feed, for district systems that prefer to pull what webhooks
push (the same events, the same body)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from apps.api.sync import refuse_unknown_parameters
from apps.core.principal import principal_for_request
from apps.core.urls_helpers import absolute_url

from . import selectors


class EventObjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The object's kind: the event family, e.g. `mediation.case`.")
    id = serializers.CharField(help_text="The object's id.")
    url = serializers.URLField(
        allow_null=True, help_text="Where to fetch the object through the API (with the client's scopes)."
    )


class EventDataSerializer(serializers.Serializer):
    status = serializers.CharField(
        allow_null=True, help_text="The object's status after the change (null: the object has none)."
    )
    path = serializers.CharField(help_text="The object's API path, under the site's address.")


class EventSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The event's id (also `X-Webhook-Id` of its deliveries).")
    sequence = serializers.IntegerField(help_text="The feed's cursor: strictly increasing.")
    type = serializers.CharField(
        help_text="`<family>.<verb>`, e.g. `mediation.case.accept`, `contracts.labourcontract.file`; "
        "`.delete` marks an object that no longer exists."
    )
    occurred_at = serializers.DateTimeField()
    object = EventObjectSerializer()
    data = EventDataSerializer()


class EventPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        help_text="The address to read next (`after` = the last sequence of this page): follow it "
        "until `has_more` is false, then poll it."
    )
    has_more = serializers.BooleanField(help_text="Whether more events follow at once.")
    last_sequence = serializers.IntegerField(help_text="The cursor to keep: the last sequence read.")
    results = EventSerializer(many=True)


def _whole_number(params, name: str, *, default: int, minimum: int) -> int:
    if name not in params:
        return default
    raw = params[name]
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValidationError({name: [_("Send a whole number from %(minimum)s.") % {"minimum": minimum}]})
    return int(raw)


class EventFeedView(APIView):
    """The events the caller may see, in order: the families its scopes allow (`mediation.case`
    needs `mediation:read`...), in its area for a client restricted to one."""

    any_client = True
    #: Signed-in users: park administrators only.
    required_perms = {"*": "webhooks.view_subscription"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A parameter the feed does not take is a 400 naming it, worded as on every endpoint.
        refuse_unknown_parameters(self, request)

    @extend_schema(
        operation_id="events_list",
        summary="Read the event feed",
        description="Every change of an enterprise, a labour contract, a mediation case, a "
        "certification application or certificate, an inspection case or an order to rectify, as "
        "an event, in the order the changes became visible. Start with `after=0` (or leave it "
        "out), keep `last_sequence`, and ask again with `after=<last_sequence>`: no event is "
        "skipped or repeated, even while changes are being written. Events carry no personal data: "
        "fetch the object at `object.url` with the client's scopes. Only the families the client's "
        "scopes allow, and for a client restricted to an area only its towns' objects. The same "
        "events are pushed to the client's webhook subscriptions. Events are kept "
        "`WEBHOOK_EVENT_RETENTION_DAYS` (90 by default). Any client may read it (no particular scope).",
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="The cursor: events with a greater sequence (0 or left out: from the start).",
            ),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                description="Only these families (`mediation.case`) or types (`mediation.case.accept`), "
                "comma-separated. A value the client's scopes do not allow, or unknown, is a 400.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": selectors.FEED_MAX_PAGE_SIZE},
                description=f"Events per page: {selectors.FEED_PAGE_SIZE} unless asked, at most "
                f"{selectors.FEED_MAX_PAGE_SIZE:,}; more is a 400 naming the limit.",
            ),
        ],
        responses={200: EventPageSerializer},
    )
    def get(self, request):
        params = request.query_params
        after = _whole_number(params, "after", default=0, minimum=0)
        size = _whole_number(params, "page_size", default=selectors.FEED_PAGE_SIZE, minimum=1)
        if (
            size > selectors.FEED_MAX_PAGE_SIZE
        ):  # as on every list: a 400 naming the limit, never a silent cap
            raise ValidationError(
                {
                    "page_size": [
                        _("At most %(max)s rows per page.") % {"max": f"{selectors.FEED_MAX_PAGE_SIZE:,}"}
                    ]
                }
            )
        principal = principal_for_request(request)
        try:
            families, types = selectors.parse_types(params.getlist("type"), principal)
        except selectors.InvalidType as exc:
            raise ValidationError(
                {"type": [_("Unknown, or not allowed by the client's scopes: %(types)s.") % {"types": exc}]}
            ) from exc
        events, has_more = selectors.feed(principal, after=after, families=families, types=types, size=size)
        last = events[-1].sequence if events else after
        return Response(
            {
                "next": absolute_url(replace_query_param(request.get_full_path(), "after", last)),
                "has_more": has_more,
                "last_sequence": last,
                "results": [selectors.payload(event) for event in events],
            }
        )
