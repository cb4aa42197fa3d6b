"""The filter sets of certification: the applications (the reviewers' queue and
`/api/v1/certification/applications/` read the same query parameters) and the certificates
(`/api/v1/certification/certificates/`)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.core.filters import ChecksWidget, LazyOrderingFilter, UUIDFilter, YesNoWidget
from apps.core.models import Area
from apps.enterprises.choices import Industry
from apps.enterprises.services import normalize_uscc

from .models import Application, Certificate, Level, Objection, Round


def level_choices():
    """The level codes of all rule sets, lowest first (A, AA, AAA by default)."""
    seen = {}
    for code, rank in Level.objects.order_by("rank", "code").values_list("code", "rank"):
        seen.setdefault(code, rank)
    return [(code, code) for code in seen]


class ApplicationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Part of the enterprise's name, or the start of its USCC."),
    )
    round = django_filters.ModelChoiceFilter(
        queryset=Round.objects.all(), empty_label=_("Any"), label=_("Round")
    )
    # A column of the application itself: no join, no duplicate, so no DISTINCT.
    status = django_filters.MultipleChoiceFilter(
        choices=Application.Status.choices, label=_("Status"), distinct=False, widget=ChecksWidget
    )
    # A text filter (the API documents a string, whatever levels a rule set defines) shown as a
    # select of the known levels on the page.
    level = django_filters.CharFilter(
        field_name="target_level__code",
        widget=forms.Select(choices=lambda: [("", _("Any")), *level_choices()]),
        label=_("Level applied for"),
        help_text=_("A, AA or AAA."),
    )
    town = django_filters.ModelChoiceFilter(
        field_name="enterprise__town",
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        empty_label=_("Any"),
        label=_("Town"),
    )
    industry = django_filters.ChoiceFilter(
        field_name="enterprise__industry", choices=Industry.choices, empty_label=_("Any"), label=_("Industry")
    )
    has_open_objection = django_filters.BooleanFilter(
        method="filter_objection", label=_("Open objection"), widget=YesNoWidget
    )
    ordering = LazyOrderingFilter(
        fields=(
            ("submitted_at", "submitted_at"),
            ("enterprise__name", "enterprise"),
            ("self_score", "self_score"),
            ("reviewed_score", "reviewed_score"),
            ("updated_at", "updated_at"),
        ),
        label=_("Sort by"),
        empty_label=_("Newest submission first"),
    )

    class Meta:
        model = Application
        fields = ["search", "round", "status", "level", "town", "industry", "has_open_objection"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Most searches are Chinese, which has no case: then `LIKE` finds exactly what `ILIKE` on
        # UPPER(name) would, and PostgreSQL estimates it from the name column's statistics (it has
        # none for UPPER(name) and guesses a handful of rows). With the right estimate a common word
        # ("柳州") walks the list's index and stops at the page; a rare one looks the names up first.
        lookup = "contains" if value.upper() == value.lower() else "icontains"
        return queryset.filter(
            Q(**{f"enterprise__name__{lookup}": value}) | Q(enterprise__uscc__startswith=value.upper())
        )

    def filter_objection(self, queryset, name, value):
        """An application has many objections: a join would repeat it once per open objection (and
        need a DISTINCT over every column). `EXISTS` asks once per application, through the partial
        index of the open objections."""
        if value is None:
            return queryset
        has_open = Exists(Objection.objects.filter(application=OuterRef("pk"), status=Objection.Status.OPEN))
        return queryset.filter(has_open if value else ~has_open)


# Certificates ----------------------------------------------------------------------------------------


class UsccField(forms.CharField):
    """A unified social credit code, checked (length, characters, check character: GB 32100-2015)
    and upper-cased; a malformed one is a field error (a 400 naming the parameter), not an empty
    list."""

    def clean(self, value):
        value = super().clean(value)
        if not value or not value.strip():
            return ""
        try:
            return normalize_uscc(value)
        except DomainError as exc:
            raise ValidationError(str(exc.message), code="invalid_uscc") from None


class UsccFilter(django_filters.CharFilter):
    field_class = UsccField


class CertificateFilter(django_filters.FilterSet):
    """The certificates' parameters (issue 15). Each reads an index: the enterprise's certificates
    by `(enterprise, status)` (the credit code finds the enterprise by its unique index first),
    a status by its own, the list's order by `certificate_order`."""

    enterprise = UUIDFilter(
        field_name="enterprise", label=_("Enterprise"), help_text=_("Id of the enterprise.")
    )
    uscc = UsccFilter(
        field_name="enterprise__uscc",
        label=_("Unified social credit code"),
        help_text=_("The enterprise's unified social credit code (exact; a malformed code is a 400)."),
    )
    level = django_filters.CharFilter(
        field_name="level__code",
        label=_("Level"),
        help_text=_("A, AA or AAA."),
    )
    # A column of the certificate itself: no join can repeat a row, so no DISTINCT.
    status = django_filters.MultipleChoiceFilter(
        choices=Certificate.Status.choices,
        label=_("Status"),
        distinct=False,
        help_text=_(
            "As recorded: `valid`, `lapsed` (annual report missing, or validity ended) or `revoked`; "
            "one or several (repeat the parameter). `in_force` asks whether a title holds today."
        ),
    )
    in_force = django_filters.BooleanFilter(
        method="filter_in_force",
        label=_("In force today"),
        widget=YesNoWidget,
        help_text=_(
            "Titles valid today (recorded as valid, issued and not past their last day), or the others."
        ),
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("A certificate number, part of the enterprise's name, or the start of its credit code."),
    )

    class Meta:
        model = Certificate
        fields = ["enterprise", "uscc", "level", "status", "in_force", "search"]

    def filter_in_force(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        in_force = Q(status=Certificate.Status.VALID, issued_on__lte=today, valid_until__gte=today)
        return queryset.filter(in_force if value else ~in_force)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # As the applications' search (Chinese has no case: `LIKE` then, see ApplicationFilter).
        lookup = "contains" if value.upper() == value.lower() else "icontains"
        return queryset.filter(
            Q(number=value.upper())
            | Q(**{f"enterprise__name__{lookup}": value})
            | Q(enterprise__uscc__startswith=value.upper())
        )
