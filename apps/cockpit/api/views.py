"""`/api/v1/statistics/`: the cockpit's figures in one call (issue 20 item 4), read by
`apps.cockpit.selectors` like the page and the reports, so the three agree for the same date."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.api.views import ScopedViewMixin
from apps.enterprises.models import Enterprise

from .. import selectors
from ..forms import FiguresQueryForm
from .serializers import StatisticsSerializer

READ = "statistics:read"


class StatisticsView(ScopedViewMixin, generics.GenericAPIView):
    model = Enterprise
    serializer_class = StatisticsSerializer
    filter_backends = []
    pagination_class = None
    required_scopes = {"*": READ}
    required_perms = {"*": "cockpit.view_statistics"}

    def scoped_queryset(self, principal):
        return Enterprise.objects.visible_to(principal)

    @extend_schema(
        summary="The park's statistics",
        description="The cockpit's figures for the caller's scope (the park, or the areas an API client is "
        "restricted to), for the park, one town or one industry: rates and counts as of `as_of`, "
        "flows (cases, amounts, requests) from `since` to `as_of`, each with its target and whether it is "
        "met. `breakdown=town|industry` adds every town's or industry's values. The same numbers as the "
        "cockpit page and the periodic reports for the same date. Scope: `statistics:read`.",
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: today. Not in the future."),
            OpenApiParameter("since", OpenApiTypes.DATE, description="Default: 1 January of as_of's year."),
            OpenApiParameter("town", OpenApiTypes.STR, description="A town's division code."),
            OpenApiParameter("industry", OpenApiTypes.STR, description="A GB/T 4754 section (A-T)."),
            OpenApiParameter("breakdown", OpenApiTypes.STR, enum=["town", "industry"]),
            OpenApiParameter(
                "codes",
                OpenApiTypes.STR,
                description="Comma-separated figure codes to limit the answer to (default: all).",
            ),
        ],
        responses={200: StatisticsSerializer},
    )
    def get(self, request):
        params = request.query_params
        form = FiguresQueryForm(
            {k: params.get(k) for k in ("as_of", "since", "town", "industry") if k in params}
        )
        errors = {} if form.is_valid() else {k: list(v) for k, v in form.errors.items()}
        breakdown = params.get("breakdown")
        if breakdown is not None and breakdown not in ("town", "industry"):
            errors["breakdown"] = [_("Send town or industry.")]
        codes = None
        if "codes" in params:
            codes = [c.strip() for c in params["codes"].split(",") if c.strip()]
            unknown = [c for c in codes if c not in selectors.rules.BY_CODE]
            if unknown or not codes:
                errors["codes"] = [
                    _("Unknown figure codes: %(codes)s.") % {"codes": ", ".join(unknown) or "-"}
                ]
        if errors:
            raise ValidationError(errors)
        query = form.query()
        result = selectors.figures(self.principal, codes=codes, **query)
        data = {k: result[k] for k in ("as_of", "since", "town", "industry", "figures")}
        if breakdown:
            table = selectors.breakdown(
                self.principal, by=breakdown, as_of=query["as_of"], since=query["since"], codes=codes
            )
            data["breakdown"] = [{k: row[k] for k in ("key", "label", "values")} for row in table["rows"]]
        return Response(StatisticsSerializer(data).data)
