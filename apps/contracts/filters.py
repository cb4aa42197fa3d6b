"""The lists of contracts by name (the book's figures, a period ending soon, the flags) and the one
filter set of the contract library: the list page and `GET /api/v1/contracts/` read the same
query parameters with the same meaning.

Each list is a function of a queryset (already scoped by the caller: `selectors` passes the
principal's contracts), so a figure, the list behind it, the page's filter and the API's `book`
parameter can never count differently. The laws they apply are in `rules.py`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import django_filters
from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from apps.core.filters import ChecksWidget, UUIDFilter, YesNoWidget
from apps.core.i18n import lazy_format
from apps.core.models import Area
from apps.core.personal_data import hash_from_search_token, lookup_hash

from . import rules
from .models import Kind, LabourContract

S = LabourContract.Status


# The named lists ------------------------------------------------------------------------------------


def _one_month_ago(today: dt.date) -> dt.date:
    return today - relativedelta(months=1)


def in_force(qs, today: dt.date):
    return qs.filter(status=S.IN_FORCE).filter(Q(end__isnull=True) | Q(end__gte=today))


def expiring(qs, today: dt.date, days: int):
    return qs.filter(status=S.IN_FORCE, end__gte=today, end__lte=today + dt.timedelta(days=days))


def with_flags(qs, codes) -> Q:
    """A condition: the contract carries one of the flag codes. PostgreSQL searches the JSON
    list; SQLite (`make run`) cannot, so the candidates' flags are read there."""
    if connection.vendor == "postgresql":
        condition = Q(pk__in=[])
        for code in codes:
            condition |= Q(flags__contains=[code])
        return condition
    ids = [
        pk for pk, flags in qs.exclude(flags=[]).values_list("pk", "flags") if set(flags or []) & set(codes)
    ]
    return Q(pk__in=ids)


def without_contract(qs, today: dt.date):
    """Workers who may have worked more than a month without a written contract (arts. 10, 82):
    a contract that ended more than a month ago and was neither renewed nor terminated, or a
    contract in force signed more than a month after work started (flagged when filed)."""
    lapsed = Q(status=S.EXPIRED, end__lt=_one_month_ago(today))
    signed_late = Q(status=S.IN_FORCE) & with_flags(qs, rules.LATE_WRITTEN_FLAGS)
    return qs.filter(lapsed | signed_late)


def late_terminations(qs):
    """Terminations filed later than the policy's working days after the termination: the
    deadline is stored when the termination is filed (`rules.termination_filing`)."""
    return qs.filter(status=S.TERMINATED, termination_filed_on__gt=F("termination_filing_due"))


def open_ended_due(qs, today: dt.date, days: int = 60):
    """Fixed-term contracts in force ending within `days` whose renewal must be open-ended unless
    the worker asks otherwise (`rules.open_ended_due_on_renewal`, art. 14)."""
    ending = list(expiring(qs, today, days).filter(kind=Kind.FIXED_TERM))
    if not ending:
        return qs.none()
    others = defaultdict(list)
    for c in LabourContract.objects.filter(
        worker__in={c.worker_id for c in ending}, enterprise__in={c.enterprise_id for c in ending}
    ).only("pk", "worker_id", "enterprise_id", *rules.PRIOR_FIELDS):
        others[(c.worker_id, c.enterprise_id)].append(c)
    due = [
        c.pk
        for c in ending
        if rules.open_ended_due_on_renewal(
            rules.Prior(kind=c.kind, start=c.start, end=c.end),
            c.employment_start,
            [rules.prior_of(o) for o in others[(c.worker_id, c.enterprise_id)] if o.pk != c.pk],
        )
    ]
    return qs.filter(pk__in=due)


def flagged(qs):
    return qs.exclude(flags=[])


#: The book's lists (一户一册), in the order of its figures.
BOOK_LISTS = (
    "in_force",
    "expiring_30",
    "expiring_60",
    "without_contract",
    "late_terminations",
    "open_ended_due",
    "flagged",
)


def book_list(qs, key: str, today: dt.date):
    """The contracts behind the book's figure `key` (KeyError for an unknown key)."""
    if key == "in_force":
        return in_force(qs, today)
    if key == "expiring_30":
        return expiring(qs, today, 30)
    if key == "expiring_60":
        return expiring(qs, today, 60)
    if key == "without_contract":
        return without_contract(qs, today)
    if key == "late_terminations":
        return late_terminations(qs)
    if key == "open_ended_due":
        return open_ended_due(qs, today)
    if key == "flagged":
        return flagged(qs)
    raise KeyError(key)


def find_by_id_number(queryset, value: str):
    """Contracts of the worker with this ID number (exact, through the keyed hash: never a LIKE
    on the number)."""
    return queryset.filter(worker__id_number_hash=lookup_hash(value.strip()))


# The filter set ---------------------------------------------------------------------------------------

#: The lists behind the book's figures, as filter choices.
BOOK_CHOICES = [(key, key) for key in BOOK_LISTS]
#: The longest expiry window (days).
MAX_EXPIRY_DAYS = 3650


class IdTokenField(forms.CharField):
    """The token of a search by ID number (`personal_data.search_token`), cleaned into the keyed
    hash it carries; a forged or expired token is a field error (a 400 in the API)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        digest = hash_from_search_token(value.strip())
        if digest is None:
            raise ValidationError(_("This search by ID number has expired or is not valid: search again."))
        return digest


class IdTokenFilter(django_filters.CharFilter):
    field_class = IdTokenField


@extend_schema_field(
    {
        "type": "integer",
        "minimum": 0,
        "maximum": MAX_EXPIRY_DAYS,
        "description": "Contracts in force whose end falls within this many days from today.",
    }
)
class ExpiringWithinFilter(django_filters.NumberFilter):
    """A whole number of days (the schema: an integer from 0 to 3650)."""

    field_class = forms.IntegerField


class ContractFilter(django_filters.FilterSet):
    """The contract library's parameters. Each filter only parses its parameter; what a list
    means is decided by the functions above. The page passes `enterprises` (those the principal
    may pick) to offer the enterprise as a choice; the flag is offered from `rules.FLAG_LABELS`."""

    name = django_filters.CharFilter(
        method="filter_name",
        label=_("Worker's name"),
        max_length=50,
        help_text=lazy_format(
            _("The start of the worker's name, surname first (e.g. %(surname)s or %(name)s)."),
            surname="张",
            name="张伟",
        ),
    )
    enterprise = UUIDFilter(
        field_name="enterprise", label=_("Enterprise"), help_text=_("Id of the enterprise.")
    )
    enterprise_uscc = django_filters.CharFilter(
        method="filter_uscc",
        label=_("Unified social credit code"),
        help_text=_("The enterprise's unified social credit code (exact)."),
    )
    # Issue 15 (filters silently ignored): `uscc`, as the other lists and the README name it, `town`
    # and the signing platform's `record_id` filter for real (unknown parameters are now a 400).
    uscc = django_filters.CharFilter(
        method="filter_uscc",
        label=_("Unified social credit code"),
        help_text=_("The enterprise's unified social credit code (exact); the same as `enterprise_uscc`."),
    )
    town = django_filters.ModelChoiceFilter(
        field_name="enterprise__town",
        queryset=Area.objects.filter(kind=Area.Kind.TOWN),
        to_field_name="code",
        empty_label=_("Any"),
        label=_("Town / sub-district"),
        help_text=_("Division code of the enterprise's town or sub-district."),
    )
    record_id = django_filters.CharFilter(
        method="filter_record_id",
        max_length=100,
        label=_("Platform record id"),
        help_text=_(
            "The e-signing platform's record id of the contract (exact); with `platform`, the one "
            "contract of that platform's record."
        ),
    )
    platform = django_filters.CharFilter(
        method="filter_platform",
        max_length=50,
        label=_("Signing platform"),
        help_text=_("The e-signing platform that recorded the contract (exact)."),
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label=_("Any"), label=_("Contract type"))
    status = django_filters.MultipleChoiceFilter(
        choices=LabourContract.Status.choices,
        distinct=False,  # a column of the contract: no join to de-duplicate (a DISTINCT would sort them all)
        label=_("Status"),
        help_text=_("One or several (repeat the parameter)."),
        widget=ChecksWidget,
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
        max_value=MAX_EXPIRY_DAYS,
        label=_("Expiring within (days)"),
        help_text=_("Contracts in force whose end falls within this many days from today (0 to 3650)."),
    )
    id_token = IdTokenFilter(
        method="filter_id_token",
        label=_("ID number search"),
        help_text=_(
            "The token of a search by the worker's full ID number (exact match through its keyed hash), "
            "made by `POST /api/v1/contracts/id-search/` or the list page's ID search, valid for an hour: "
            "the number itself never travels in an address."
        ),
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
            "name",
            "enterprise",
            "enterprise_uscc",
            "uscc",
            "town",
            "record_id",
            "platform",
            "kind",
            "status",
            "signing",
            "flagged",
            "flag",
            "expiring_within",
            "id_token",
            "book",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, enterprises=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["flag"].extra["widget"] = forms.Select(
            choices=[("", _("Any")), *((code, label) for code, (label, _source) in rules.FLAG_LABELS.items())]
        )
        if enterprises is not None:
            self.filters["enterprise"].extra["widget"] = forms.Select(
                choices=lambda: [("", _("Any")), *((str(e.pk), e.name) for e in enterprises.order_by("name"))]
            )

    def filter_name(self, queryset, name, value):
        """Names starting with the value (surname first), which an index serves on a million
        workers; a search inside names would read them all."""
        value = value.strip()
        return queryset.filter(worker__name__startswith=value) if value else queryset

    def filter_uscc(self, queryset, name, value):
        return queryset.filter(enterprise__uscc=value.strip().upper()) if value.strip() else queryset

    def filter_record_id(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(esignature__record_id=value) if value else queryset

    def filter_platform(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(esignature__platform=value) if value else queryset

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return flagged(queryset) if value else queryset.filter(flags=[])

    def filter_flag(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(with_flags(queryset, [value])) if value else queryset

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return expiring(queryset, timezone.localdate(), value)

    def filter_id_token(self, queryset, name, value):
        # `value` is the keyed hash the token carried (IdTokenField checked it).
        return queryset.filter(worker__id_number_hash=value) if value else queryset

    def filter_book(self, queryset, name, value):
        return book_list(queryset, value, timezone.localdate()) if value else queryset
