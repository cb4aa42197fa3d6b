"""The one filter set of the platform workers' list (new forms of employment, issue 19): the page
`/unions/new-employment/`, its export and `GET /api/v1/new-employment-workers/` read the same query
parameters with the same meaning."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.filters import UUIDFilter, YesNoWidget

from .models import Platform, PlatformMembership, PlatformWorker


class PlatformWorkerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=pgettext_lazy("person", "Name"),
        help_text="The start of the name (surname first).",
    )
    platform = UUIDFilter(field_name="platforms", label=_("Platform"), help_text="Id of a platform company.")
    occupation = django_filters.ChoiceFilter(choices=PlatformWorker.Occupation.choices, label=_("Occupation"))
    relationship = django_filters.ChoiceFilter(
        choices=PlatformWorker.Relationship.choices,
        label=_("Labour relationship"),
        help_text="人社部发〔2021〕56号 part 1 (2).",
    )
    town = UUIDFilter(field_name="town", label=_("Town"), help_text="Id of the town where they work.")
    union = UUIDFilter(
        method="filter_union", label=_("Union"), help_text="Id of the union they are a member of today."
    )
    member = django_filters.BooleanFilter(
        method="filter_member",
        label=_("Union member today"),
        widget=YesNoWidget,
        help_text="true: a current member of a union; false: registered, not (or no longer) a member.",
    )

    class Meta:
        model = PlatformWorker
        fields = []

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(name__startswith=value) if value else queryset

    def _current(self):
        return PlatformMembership.objects.current_on(timezone.localdate())

    def filter_union(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=self._current().filter(union_id=value).values("worker"))

    def filter_member(self, queryset, name, value):
        if value is None:
            return queryset
        members = Q(pk__in=self._current().values("worker"))
        return queryset.filter(members) if value else queryset.exclude(members)


class PlatformFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Search"), help_text="Part of the name."
    )
    kind = django_filters.ChoiceFilter(choices=Platform.Kind.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Platform
        fields = []
