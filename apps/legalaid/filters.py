"""The one filter set of legal-aid requests: the list page and `/api/v1/legal-aid/requests/`."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import ChecksWidget, YesNoWidget
from apps.core.models import Area
from apps.unions.models import Union

from .models import AidKind, LegalAidRequest


def overdue_q(today=None) -> Q:
    """Decisions past their deadline (still received after the policy's working days), served by
    the index `legalaid_status_due`."""
    today = today or timezone.localdate()
    return Q(status=LegalAidRequest.Status.RECEIVED, decision_due_on__lt=today)


class RequestFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        label=_("Search"),
        help_text=_("A serial number or its beginning (FY2026), or part of the employer's name."),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=LegalAidRequest.Status.choices, label=_("Status"), distinct=False, widget=ChecksWidget
    )
    kind = django_filters.ChoiceFilter(choices=AidKind.choices, empty_label=_("Any"), label=_("Kind of help"))
    channel = django_filters.ChoiceFilter(
        choices=LegalAidRequest.Channel.choices, empty_label=_("Any"), label=_("Channel")
    )
    outcome = django_filters.ChoiceFilter(
        choices=LegalAidRequest.Outcome.choices, empty_label=_("Any"), label=_("Outcome")
    )
    union = django_filters.ModelChoiceFilter(
        queryset=Union.objects.all(), empty_label=_("Any"), label=_("Handling union")
    )
    town = django_filters.ModelChoiceFilter(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        empty_label=_("Any"),
        label=_("Town"),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Decision overdue"), widget=YesNoWidget
    )
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("Received from")
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("Received until")
    )

    class Meta:
        model = LegalAidRequest
        fields = ["search", "status", "kind", "channel", "outcome", "union", "town", "overdue"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(serial__startswith=value.upper()) | Q(employer_name__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
