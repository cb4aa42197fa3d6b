"""The one filter set of mediation cases: the case list page and `/api/v1/mediation/cases/` read
the same query parameters."""

import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import ChecksWidget, LazyOrderingFilter, YesNoWidget
from apps.core.models import Area

from .models import Case, CaseType, DisputeType, MediationOrganisation, Mediator, deadline_rank_of

#: The longest window of `due_within` (days).
MAX_DUE_WITHIN_DAYS = 366

#: What a serial number or its beginning looks like (`TJ2026-00042`, `tj2026`, `TJ2026-0004`):
#: letters, then the year's digits, then maybe the dash and the number's first digits.
SERIAL_LIKE = re.compile(r"^[A-Za-z]{1,8}\d{1,4}(-\d{0,8})?$")


def overdue_q(today=None) -> Q:
    """Open cases past a deadline: not decided within 3 working days, or past the mediation period.
    The stored `deadline_rank` of an open case is its next deadline (the decision while received,
    the mediation period while in mediation): one comparison, read from the open cases' index."""
    today = today or timezone.localdate()
    return Q(status__in=Case.OPEN, deadline_rank__gt=deadline_rank_of(today))


def due_within_q(days: int, today=None) -> Q:
    """Open cases whose next deadline (the decision while received, the end of the mediation
    period while in mediation) falls from today to `days` days from today: not yet passed. Read
    from the open cases' index in the list's order, like `overdue_q`."""
    today = today or timezone.localdate()
    return Q(
        status__in=Case.OPEN,
        deadline_rank__lte=deadline_rank_of(today),
        deadline_rank__gte=deadline_rank_of(today + dt.timedelta(days=days)),
    )


class DaysFilter(django_filters.NumberFilter):
    """A whole number of days (the schema: an integer)."""

    field_class = forms.IntegerField


class CaseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_(
            "A serial number or its beginning (TJ2024, TJ2024-001), part of the respondent's name, or "
            "the sender's reference exactly (a court's, inspection's or 12345 hotline's number)."
        ),
    )
    source_reference = django_filters.CharFilter(
        method="filter_reference",
        max_length=60,
        label=_("Reference of the sender"),
        help_text=_(
            "The sender's reference, exactly: the court's entrustment number, the inspection case "
            "number or the 12345 hotline's work-order number."
        ),
    )
    # One column of the case itself: no join can repeat a row, so no DISTINCT.
    status = django_filters.MultipleChoiceFilter(
        choices=Case.Status.choices, label=_("Status"), distinct=False, widget=ChecksWidget
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=MediationOrganisation.objects.all(), empty_label=_("Any"), label=_("Organisation")
    )
    type = django_filters.ChoiceFilter(
        choices=DisputeType.choices, method="filter_type", empty_label=_("Any"), label=_("Kind of dispute")
    )
    town = django_filters.ModelChoiceFilter(
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        empty_label=_("Any"),
        label=_("Town"),
    )
    channel = django_filters.ChoiceFilter(
        choices=Case.Channel.choices, empty_label=_("Any"), label=_("Channel")
    )
    outcome = django_filters.ChoiceFilter(
        choices=Case.Outcome.choices, empty_label=_("Any"), label=_("Outcome")
    )
    collective = django_filters.BooleanFilter(
        field_name="is_collective", label=_("Collective"), widget=YesNoWidget
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"), widget=YesNoWidget)
    due_within = DaysFilter(
        method="filter_due_within",
        min_value=0,
        max_value=MAX_DUE_WITHIN_DAYS,
        label=_("Due within (days)"),
        help_text=_(
            "Open cases whose next deadline (the decision, or the end of the mediation period) falls "
            "within this many days from today and has not passed (0 to 366)."
        ),
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=_("Assigned to me"),
        widget=YesNoWidget,
        help_text=_("Cases whose mediator is you."),
    )
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("Received from")
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("Received until")
    )
    ordering = LazyOrderingFilter(
        fields=(
            ("received_on", "received_on"),
            ("due_on", "due_on"),
            ("closed_on", "closed_on"),
            ("amount_claimed", "amount_claimed"),
            ("workers_count", "workers_count"),
        ),
        label=_("Sort by"),
        empty_label=_("Most urgent first"),
    )

    class Meta:
        model = Case
        fields = [
            "search",
            "source_reference",
            "status",
            "organisation",
            "type",
            "town",
            "channel",
            "outcome",
            "collective",
            "overdue",
            "due_within",
            "mine",
            "received_from",
            "received_to",
        ]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A sender's reference is matched exactly, from the index of the references
        # (`uniq_case_channel_reference`, whose first column it is).
        reference = Q(source_reference=value[:60])
        if SERIAL_LIKE.match(value):  # read from the serials' index, in the list's order
            return queryset.filter(Q(serial__startswith=value.upper()) | reference)
        return queryset.filter(Q(respondent_name__icontains=value) | reference)

    def filter_reference(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(source_reference=value) if value else queryset

    def filter_type(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(CaseType.objects.filter(case=OuterRef("pk"), code=value)))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(due_within_q(int(value)))

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        # An API client's stand-in user has no pk (and no cases as mediator).
        if user is None or not user.is_authenticated or user.pk is None:
            return queryset.none()
        # The user's places on the rosters first: the list then reads one index in its order.
        return queryset.filter(
            mediator__in=list(Mediator.objects.filter(user=user).values_list("pk", flat=True))
        )
