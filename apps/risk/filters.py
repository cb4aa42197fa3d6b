"""The one filter set of the watch list: the page, its export and `/api/v1/risk/` read the same
query parameters (town, industry, level, signal)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.facts import signal_kinds
from apps.core.models import Area
from apps.enterprises.choices import Industry

from .models import EnterpriseRisk, Level


def signal_choices():
    return [(code, kind.label) for code, kind in signal_kinds().items()]


class RiskFilter(django_filters.FilterSet):
    town = django_filters.ModelChoiceFilter(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        empty_label=_("Any"),
        label=_("Town / sub-district"),
        help_text=_("Division code of the town."),
    )
    industry = django_filters.ChoiceFilter(
        choices=Industry.choices, label=_("Industry"), empty_label=_("Any")
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices,
        label=_("Level"),
        empty_label=_("Any level at risk"),
        help_text=_("Left out: the enterprises at risk (watch, warning or serious)."),
    )
    signal = django_filters.ChoiceFilter(
        choices=signal_choices,
        method="filter_signal",
        label=_("Signal"),
        empty_label=_("Any"),
        help_text=_("Only enterprises with this signal (its code, e.g. mediation.disputes)."),
    )

    class Meta:
        model = EnterpriseRisk
        fields = []

    def filter_signal(self, queryset, name, value: str):
        if not value:
            return queryset
        # " a b c ": a code is matched whole (a 20,000-row table; no index needed for a LIKE here).
        return queryset.filter(signal_codes__contains=f" {value} ")
