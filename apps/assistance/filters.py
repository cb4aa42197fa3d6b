"""The filter sets of hardship files and aid: the list pages and `/api/v1/assistance/` read the
same query parameters."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.filters import IntegerFilter, LazyOrderingFilter, UUIDFilter, YesNoWidget

from . import rules
from .models import Aid, AidKind, Difficulty, HardshipFile


class HardshipFileFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Search"), help_text=_("Part of the name.")
    )
    status = django_filters.ChoiceFilter(choices=HardshipFile.Status.choices, label=_("Status"))
    difficulty = django_filters.ChoiceFilter(
        choices=Difficulty.choices, method="filter_difficulty", label=_("Kind of difficulty")
    )
    enterprise = UUIDFilter(
        field_name="enterprise", label=_("Enterprise"), help_text=_("Id of the enterprise.")
    )
    town = django_filters.CharFilter(
        field_name="enterprise__town__code",
        label=_("Town"),
        help_text=_("Division code of the enterprise's town."),
    )
    review_due = django_filters.BooleanFilter(
        method="filter_review_due",
        widget=YesNoWidget,
        label=_("Review due"),
        help_text=_("Approved files whose yearly review is due within 30 days or past due."),
    )
    ordering = LazyOrderingFilter(
        fields=[("created_at", "created_at"), ("name", "name"), ("review_due", "review_due")],
        field_labels={
            "created_at": _("Filed"),
            "name": pgettext_lazy("person", "Name"),
            "review_due": _("Review due"),
        },
    )

    class Meta:
        model = HardshipFile
        fields = []

    def filter_difficulty(self, queryset, name, value):
        return queryset.filter(difficulties__contains=[value]) if value else queryset

    def filter_review_due(self, queryset, name, value):
        if value is None:
            return queryset
        limit = timezone.localdate() + dt.timedelta(days=rules.REVIEW_NOTICE_DAYS)
        due = queryset.filter(status=HardshipFile.Status.APPROVED, review_due__lte=limit)
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class AidFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AidKind.choices, label=_("Kind of aid"))
    year = IntegerFilter(field_name="paid_on__year", label=_("Year"), min_value=2000, max_value=2100)
    file = UUIDFilter(field_name="file", label=_("Hardship file"), help_text=_("Id of the hardship file."))
    enterprise = UUIDFilter(
        field_name="file__enterprise", label=_("Enterprise"), help_text=_("Id of the enterprise.")
    )
    paid_after = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="gte", label=_("Paid on or after")
    )
    paid_before = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="lte", label=_("Paid on or before")
    )
    campaign = django_filters.CharFilter(field_name="campaign", label=_("Campaign"))
    ordering = LazyOrderingFilter(
        fields=[("paid_on", "paid_on"), ("amount", "amount")],
        field_labels={"paid_on": _("Paid on"), "amount": _("Amount")},
    )

    class Meta:
        model = Aid
        fields = []
