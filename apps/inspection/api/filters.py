"""Filter sets of `/api/v1/inspection/`: the query parameters of each list.

Every parameter filters a column of the row itself or of its enterprise (no join repeats a row, so
no DISTINCT). A value of the wrong form is a 400 naming the parameter (django-filter's validation,
and `apps.api.views.refuse_malformed_parameters` for empty values and yes/no parameters).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IntegerFilter, UUIDFilter, YesNoWidget
from apps.core.models import Area

from .. import selectors
from ..models import (
    CreditGrade,
    InspectionCase,
    Interview,
    Matter,
    RectificationOrder,
    SeriousViolation,
    Source,
    WageArrearsListing,
    WrittenReview,
)

USCC_HELP = _("Unified social credit code of the enterprise (18 characters).")


def _uscc(queryset, field: str, value: str):
    value = (value or "").strip().upper()
    return queryset.filter(**{field: value}) if value else queryset


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=InspectionCase.Status.choices, label=_("Status"), distinct=False
    )
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label=_("Source"), distinct=False)
    matter = django_filters.ChoiceFilter(
        choices=Matter.choices,
        method="filter_matter",
        label=_("Matter"),
        help_text=_("Cases concerning this matter (among others)."),
    )
    town = django_filters.ModelChoiceFilter(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        label=_("Town"),
        help_text=_("Area code of the town or sub-district."),
    )
    enterprise = UUIDFilter(field_name="enterprise", help_text=_("Id of the enterprise in the registry."))
    uscc = django_filters.CharFilter(method="filter_uscc", label=_("Credit code"), help_text=USCC_HELP)
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("Received from")
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("Received until")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        widget=YesNoWidget,
        help_text=_(
            "Neither accepted nor refused within 5 working days, or investigated past the (possibly "
            "extended) deadline."
        ),
    )

    class Meta:
        model = InspectionCase
        fields = [
            "status",
            "source",
            "matter",
            "town",
            "enterprise",
            "uscc",
            "received_from",
            "received_to",
            "overdue",
        ]

    def filter_matter(self, queryset, name, value):
        return queryset.filter(selectors.matter_q(value)) if value else queryset

    def filter_uscc(self, queryset, name, value):
        value = (value or "").strip().upper()
        if not value:
            return queryset
        # The employer's code is copied from the registry when the case names an enterprise; an
        # enterprise linked later is found by its own code too.
        return queryset.filter(Q(employer_code=value) | Q(enterprise__uscc=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = selectors.overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class OrderFilter(django_filters.FilterSet):
    case = UUIDFilter(field_name="case", help_text=_("Id of the inspection case."))
    enterprise = UUIDFilter(field_name="case__enterprise", help_text=_("Id of the enterprise."))
    result = django_filters.ChoiceFilter(choices=RectificationOrder.Result.choices, label=_("Result"))
    checked = django_filters.BooleanFilter(
        method="filter_checked",
        widget=YesNoWidget,
        help_text=_("Whether the follow-up result is recorded."),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        widget=YesNoWidget,
        help_text=_("Past the deadline to rectify without a follow-up result."),
    )

    class Meta:
        model = RectificationOrder
        fields = ["case", "enterprise", "result", "checked", "overdue"]

    def filter_checked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(result="") if value else queryset.filter(result="")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(result="", due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ListingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WageArrearsListing.Status.choices, label=_("Status"))
    enterprise = UUIDFilter(field_name="enterprise", help_text=_("Id of the enterprise."))
    uscc = django_filters.CharFilter(method="filter_uscc", help_text=USCC_HELP)

    class Meta:
        model = WageArrearsListing
        fields = ["status", "enterprise", "uscc"]

    def filter_uscc(self, queryset, name, value):
        return _uscc(queryset, "enterprise__uscc", value)


class SeriousViolationFilter(django_filters.FilterSet):
    enterprise = UUIDFilter(field_name="enterprise", help_text=_("Id of the enterprise."))
    uscc = django_filters.CharFilter(method="filter_uscc", help_text=USCC_HELP)
    decided_from = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte")
    decided_to = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte")

    class Meta:
        model = SeriousViolation
        fields = ["enterprise", "uscc", "decided_from", "decided_to"]

    def filter_uscc(self, queryset, name, value):
        return _uscc(queryset, "enterprise__uscc", value)


class CreditGradeFilter(django_filters.FilterSet):
    enterprise = UUIDFilter(field_name="enterprise", help_text=_("Id of the enterprise."))
    uscc = django_filters.CharFilter(method="filter_uscc", help_text=USCC_HELP)
    year = IntegerFilter(field_name="year", help_text=_("The year graded."))
    grade = django_filters.ChoiceFilter(choices=CreditGrade.Grade.choices, label=_("Grade"))

    class Meta:
        model = CreditGrade
        fields = ["enterprise", "uscc", "year", "grade"]

    def filter_uscc(self, queryset, name, value):
        return _uscc(queryset, "enterprise__uscc", value)


class InterviewFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Interview.Status.choices, label=_("Status"), distinct=False
    )
    enterprise = UUIDFilter(field_name="enterprise", help_text=_("Id of the enterprise."))
    uscc = django_filters.CharFilter(method="filter_uscc", help_text=USCC_HELP)
    case = UUIDFilter(field_name="case", help_text=_("Id of the inspection case."))

    class Meta:
        model = Interview
        fields = ["status", "enterprise", "uscc", "case"]

    def filter_uscc(self, queryset, name, value):
        return _uscc(queryset, "enterprise__uscc", value)


class WrittenReviewFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=WrittenReview.Status.choices, label=_("Status"), distinct=False
    )
    enterprise = UUIDFilter(field_name="enterprise", help_text=_("Id of the enterprise."))
    uscc = django_filters.CharFilter(method="filter_uscc", help_text=USCC_HELP)
    year = IntegerFilter(field_name="year", help_text=_("The year reported."))

    class Meta:
        model = WrittenReview
        fields = ["status", "enterprise", "uscc", "year"]

    def filter_uscc(self, queryset, name, value):
        return _uscc(queryset, "enterprise__uscc", value)
