"""Forms of the written-review pages. They parse input only: every figure is checked by
services/reviews.py, whose per-field refusals the views put back on these forms (so a number
typed wrongly is reported with the service's message, and nothing is written)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Matter, WrittenReview

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def _label(field: str):
    return WrittenReview._meta.get_field(field).verbose_name


def _number(field: str, *, step: str = "1", maximum: str | None = None):
    attrs = {"inputmode": "decimal" if step != "1" else "numeric", "min": "0", "step": step}
    if maximum:
        attrs["max"] = maximum
    return forms.CharField(
        label=_label(field), required=False, max_length=20, widget=forms.NumberInput(attrs=attrs)
    )


class ReviewForm(forms.Form):
    """The figures of the yearly report, with the HR's note."""

    headcount = _number("headcount")
    contracts_signed = _number("contracts_signed")
    wages_paid_on_time = forms.ChoiceField(label=_label("wages_paid_on_time"), required=False, choices=YES_NO)
    lowest_monthly_wage = _number("lowest_monthly_wage", step="0.01")
    average_weekly_hours = _number("average_weekly_hours", step="0.1", maximum="84")
    social_insurance_insured = _number("social_insurance_insured")
    note = forms.CharField(
        label=_("note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_for(review: WrittenReview) -> dict:
        initial = {name: getattr(review, name) for name in ReviewForm.base_fields}
        value = review.wages_paid_on_time
        initial["wages_paid_on_time"] = "" if value is None else ("yes" if value else "no")
        return initial

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class StartForm(forms.Form):
    """Start the report of a year (the view offers the year that has just ended)."""

    year = forms.CharField(label=_("year reported"), max_length=4)
    enterprise = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for returning"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what to correct; the enterprise's HR will read it with the report."),
    )


class ReviewCaseForm(forms.Form):
    """Turn the report's findings into an inspection case."""

    matters = forms.MultipleChoiceField(
        label=_("matters"), choices=Matter.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    facts = forms.CharField(
        label=_("facts"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReviewFilterForm(forms.Form):
    year = forms.IntegerField(label=_("year reported"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", "—"), *WrittenReview.Status.choices]
    )
    late = forms.BooleanField(label=_("late only"), required=False)
