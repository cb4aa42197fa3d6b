"""The query parameters of `GET /api/v1/contracts/`.

Each filter only parses its parameter; what "flagged", "expiring", a book list or an ID-number
search mean is decided by `contracts.selectors`."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from apps.core.filters import YesNoWidget

from .. import selectors
from ..models import Kind, LabourContract

#: The lists behind the book's figures (`selectors.BOOK_LISTS`), as filter choices.
BOOK_CHOICES = [(key, key) for key in selectors.BOOK_LISTS]


@extend_schema_field(
    {
        "type": "integer",
        "minimum": 0,
        "maximum": 3650,
        "description": "Contracts in force whose end falls within this many days from today.",
    }
)
class ExpiringWithinFilter(django_filters.NumberFilter):
    """A whole number of days (the schema: an integer from 0 to 3650)."""

    field_class = forms.IntegerField


class ContractFilter(django_filters.FilterSet):
    enterprise = django_filters.UUIDFilter(
        field_name="enterprise", label=_("Enterprise"), help_text=_("Id of the enterprise.")
    )
    enterprise_uscc = django_filters.CharFilter(
        method="filter_uscc",
        label=_("Unified social credit code"),
        help_text=_("The enterprise's unified social credit code (exact)."),
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label=_("Any"), label=_("Contract type"))
    status = django_filters.MultipleChoiceFilter(
        choices=LabourContract.Status.choices,
        label=_("Status"),
        help_text=_("One or several (repeat the parameter)."),
    )
    signing = django_filters.ChoiceFilter(
        choices=LabourContract.Signing.choices, empty_label=_("Any"), label=_("Signing method")
    )
    flagged = django_filters.BooleanFilter(
        method="filter_flagged",
        label=_("Flagged"),
        widget=YesNoWidget,
        help_text=_("Contracts filed with a finding of the Labour Contract Law (see `flags`), or without."),
    )
    flag = django_filters.CharFilter(
        method="filter_flag",
        label=_("Flag"),
        help_text=_("Contracts carrying this flag code, e.g. `probation_too_long`."),
    )
    expiring_within = ExpiringWithinFilter(
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        label=_("Expiring within (days)"),
        help_text=_("Contracts in force whose end falls within this many days from today (0 to 3650)."),
    )
    id_number = django_filters.CharFilter(
        method="filter_id_number",
        label=_("ID number"),
        help_text=_("The worker's full ID number (exact match through its keyed hash)."),
    )
    book = django_filters.ChoiceFilter(
        choices=BOOK_CHOICES,
        method="filter_book",
        empty_label=_("Any"),
        label=_("List of the book"),
        help_text=_(
            "The list behind a figure of the enterprise's contract book (with `enterprise`): "
            "`in_force`, `expiring_30`, `expiring_60`, `without_contract`, `late_terminations`, "
            "`open_ended_due`, `flagged`."
        ),
    )

    class Meta:
        model = LabourContract
        fields = [
            "enterprise",
            "enterprise_uscc",
            "kind",
            "status",
            "signing",
            "flagged",
            "flag",
            "expiring_within",
            "id_number",
            "book",
        ]

    def filter_uscc(self, queryset, name, value):
        return queryset.filter(enterprise__uscc=value.strip().upper()) if value.strip() else queryset

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        flagged = selectors.flagged(queryset)
        return flagged if value else queryset.exclude(pk__in=flagged.values("pk"))

    def filter_flag(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(selectors.with_flags(queryset, [value])) if value else queryset

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return selectors.expiring(queryset, timezone.localdate(), value)

    def filter_id_number(self, queryset, name, value):
        return selectors.find_by_id_number(queryset, value) if value.strip() else queryset

    def filter_book(self, queryset, name, value):
        return selectors.book_list(queryset, value, timezone.localdate()) if value else queryset
