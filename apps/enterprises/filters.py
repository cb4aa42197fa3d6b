"""The one filter set of the enterprise list: the page, its exports and `/api/v1/enterprises/`
read the same query parameters, so a filtered list and its export never disagree."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IntegerFilter, LazyOrderingFilter, YesNoWidget
from apps.core.models import Area

from .choices import SIZE_BAND_LIMITS, Industry, Ownership, SizeBand, Status
from .models import Enterprise
from .rules import HAS_UNION, NEEDS_UNION

ORDERING_FIELDS = (
    ("name", "name"),
    ("uscc", "uscc"),
    ("employees", "employees"),
    ("established_on", "established_on"),
    ("town__code", "town"),
    ("updated_at", "updated_at"),
)


class EnterpriseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=_("Part of the name, or the start of the USCC.")
    )
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
    ownership = django_filters.ChoiceFilter(
        choices=Ownership.choices, label=_("Ownership type"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"), empty_label=_("Any"))
    has_union = django_filters.BooleanFilter(
        method="filter_has_union",
        widget=YesNoWidget,
        label=_("Has a union"),
        help_text=_("Covered by an active grassroots union in the union registry."),
    )
    needs_union = django_filters.BooleanFilter(
        method="filter_needs_union",
        widget=YesNoWidget,
        label=_("25+ union members without a union committee"),
        help_text=_("Trade Union Law art. 11."),
    )
    size = django_filters.ChoiceFilter(
        choices=SizeBand.choices, method="filter_size", label=_("Size"), empty_label=_("Any")
    )
    employees_min = IntegerFilter(field_name="employees", lookup_expr="gte", label=_("Employees from"))
    employees_max = IntegerFilter(field_name="employees", lookup_expr="lte", label=_("Employees up to"))
    ordering = LazyOrderingFilter(fields=ORDERING_FIELDS, label=_("Sort by"))

    class Meta:
        model = Enterprise
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uscc__istartswith=value.upper()))

    def filter_has_union(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(HAS_UNION) if value else queryset.exclude(HAS_UNION)

    def filter_needs_union(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(NEEDS_UNION) if value else queryset.exclude(NEEDS_UNION)

    def filter_size(self, queryset, name, value):
        for band, low, high in SIZE_BAND_LIMITS:
            if band == value:
                queryset = queryset.filter(employees__gte=low)
                return queryset.filter(employees__lte=high) if high is not None else queryset
        return queryset
