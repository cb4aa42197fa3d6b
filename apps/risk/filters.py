"""The one filter set of the watch list: the page, its export and `/api/v1/risk/` read the same
query parameters (town, industry, level, signal)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.facts import signal_kinds
from apps.core.models import Area
from apps.enterprises.choices import Industry

from .models import EnterpriseRisk, Level

#: The longest window of `changed_within` (days).
MAX_CHANGED_WITHIN_DAYS = 366


class DaysFilter(django_filters.NumberFilter):
    """A whole number of days (the schema: an integer)."""

    field_class = forms.IntegerField


def changed_within_q(days: int, today: dt.date | None = None) -> Q:
    """Enterprises whose level changed within `days` days from today (`level_since`), from an
    earlier level (`previous_level`): not the first scoring of an enterprise (every enterprise is
    scored the day the watch list starts)."""
    today = today or timezone.localdate()
    return Q(level_since__gte=today - dt.timedelta(days=days)) & ~Q(previous_level="")


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

    changed_within = DaysFilter(
        method="filter_changed_within",
        min_value=0,
        max_value=MAX_CHANGED_WITHIN_DAYS,
        label=_("Level changed within (days)"),
        help_text=_(
            "Only enterprises whose level changed within this many days from today (0 to 366); "
            "an enterprise's first scoring is not a change."
        ),
    )

    class Meta:
        model = EnterpriseRisk
        fields = []

    def filter_signal(self, queryset, name, value: str):
        if not value:
            return queryset
        # " a b c ": a code is matched whole (a 20,000-row table; no index needed for a LIKE here).
        return queryset.filter(signal_codes__contains=f" {value} ")

    def filter_changed_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(changed_within_q(int(value)))
