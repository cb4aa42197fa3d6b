"""The one filter set of the appeal queue: the page and `/api/v1/appeals/` read the same
parameters (kind, department, status, overdue, town, search)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import Area

from .models import Appeal, Department, Kind


class AppealFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"), empty_label=_("Any"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        label=_("Department"),
        empty_label=_("Any"),
        help_text=_("Id of the answering department."),
    )
    status = django_filters.ChoiceFilter(
        choices=Appeal.Status.choices, label=_("Status"), empty_label=_("Any")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        help_text=_("true: open (submitted or routed) past the due date; false: the others."),
    )
    town = django_filters.ModelChoiceFilter(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        empty_label=_("Any"),
        label=_("Town / sub-district"),
        help_text=_("Division code of the town."),
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Part of the reference, the subject or the enterprise's name."),
    )

    class Meta:
        model = Appeal
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=Appeal.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_search(self, queryset, name, value: str):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(subject__icontains=value) | Q(enterprise__name__icontains=value)
        )
