"""Forms of the reports pages: request a report (kind, year and month or quarter, scope) and
subscribe to the scheduled ones. They parse input; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import Area

from . import rules
from .models import Kind


class TownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _towns():
    return Area.objects.filter(kind=Area.Kind.TOWN).order_by("code")


def _years():
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year, rules.MIN_YEAR - 1, -1)]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.MONTHLY)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years)
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(m, str(m)) for m in range(1, 13)],
        help_text=_("For a monthly report."),
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(q, _("Q%(quarter)s") % {"quarter": q}) for q in range(1, 5)],
        help_text=_("For a quarterly report."),
    )
    town = TownChoiceField(
        label=_("Scope"),
        queryset=Area.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("The whole park"),
        help_text=_("The whole park (with a table by town), or one town / sub-district."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = _towns()
        if not self.is_bound:
            today = timezone.localdate()
            start, _end = rules.latest_complete(Kind.MONTHLY, today)
            self.initial.setdefault("year", start.year)
            self.initial.setdefault("month", start.month)
            self.initial.setdefault(
                "quarter", rules.quarter_of(rules.latest_complete(Kind.QUARTERLY, today)[0])
            )

    def clean(self):
        data = super().clean()
        kind, year = data.get("kind"), data.get("year")
        if not kind or year is None:
            return data
        number = None
        if kind == Kind.MONTHLY:
            number = data.get("month")
            if number is None:
                self.add_error("month", _("Choose the month of a monthly report."))
                return data
        elif kind == Kind.QUARTERLY:
            number = data.get("quarter")
            if number is None:
                self.add_error("quarter", _("Choose the quarter of a quarterly report."))
                return data
        data["period_start"] = rules.period_for(kind, year, number)[0]
        return data


class SubscribeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    town = TownChoiceField(
        label=_("Scope"),
        queryset=Area.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("The whole park"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = _towns()
