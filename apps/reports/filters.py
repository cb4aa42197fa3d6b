"""The one filter set of the reports list: kind and scope (the park, or a town by its code)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.models import Area

from .models import Kind, Report

#: The scope parameter's value for the reports of the whole park.
PARK = "park"


def _scope_choices():
    return [(PARK, _("The whole park"))] + [
        (code, name)
        for code, name in Area.objects.filter(kind=Area.Kind.TOWN)
        .order_by("code")
        .values_list("code", "name")
    ]


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"), empty_label=_("Any"))
    scope = django_filters.ChoiceFilter(
        choices=_scope_choices, method="filter_scope", label=_("Scope"), empty_label=_("Any")
    )

    class Meta:
        model = Report
        fields = []

    def filter_scope(self, queryset, name, value):
        if not value:
            return queryset
        if value == PARK:
            return queryset.filter(town__isnull=True)
        return queryset.filter(town__code=value)
