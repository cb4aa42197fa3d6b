"""Forms of the assistance pages: they parse input; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField

from . import selectors
from .models import AidKind, Difficulty


def _today():
    """Today in the park's time zone, looked up when a form is shown (not a reference to
    `timezone.localdate` taken on import, which a test's or a deployment's patch would miss)."""
    return timezone.localdate()


class FileForm(forms.Form):
    enterprise = NameChoiceField(queryset=None, label=_("Enterprise"))
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        required=False,
        help_text=_("Kept encrypted and shown masked (PIPL art. 28)."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    difficulties = forms.MultipleChoiceField(
        label=_("Kinds of difficulty"), choices=Difficulty.choices, widget=forms.CheckboxSelectMultiple
    )
    situation = forms.CharField(
        label=_("Situation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    household_size = forms.IntegerField(label=_("Household members"), min_value=1, max_value=30)
    household_monthly_income = forms.DecimalField(
        label=_("Household income a month (yuan)"), min_value=0, max_digits=10, decimal_places=2
    )
    applicant = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, principal, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.fields["enterprise"].queryset = selectors.enterprises_for_files(principal)
        if editing:
            for name in ("enterprise", "id_number", "applicant"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if "id_number" in self.fields and not data.get("id_number") and not data.get("applicant"):
            self.add_error("id_number", _("Enter the worker's ID number."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        pk = data.pop("applicant", None)
        if "id_number" in data:
            data["applicant"] = selectors.candidate_applicant(self.principal, pk) if pk else None
        return data


class AssessForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput, initial=_today)
    assessor = forms.CharField(label=_("Assessor"), max_length=100)
    note = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput, initial=_today)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300)


class ExitForm(ReasonForm):
    exited_on = forms.DateField(label=_("Out of difficulty on"), widget=DateInput, initial=_today)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput, initial=_today)
    household_size = forms.IntegerField(label=_("Household members"), min_value=1, max_value=30)
    household_monthly_income = forms.DecimalField(
        label=_("Household income a month (yuan)"), min_value=0, max_digits=10, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AidForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of aid"), choices=AidKind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0.01, max_digits=10, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=_today)
    funding_source = forms.CharField(
        label=_("Funding source"), max_length=200, help_text=_("E.g. the park union's assistance fund.")
    )
    approved_by = forms.CharField(label=_("Approved by"), max_length=150)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of aid"), choices=AidKind.choices, initial=AidKind.SPRING_FESTIVAL)
    campaign = forms.CharField(
        label=_("Campaign"),
        max_length=100,
        required=False,
        help_text=_("E.g. “2026 Spring Festival visits”; by default the year's Spring Festival visits."),
    )
    amount = forms.DecimalField(
        label=_("Amount per worker (yuan)"), min_value=0.01, max_digits=10, decimal_places=2
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=_today)
    funding_source = forms.CharField(label=_("Funding source"), max_length=200)
    approved_by = forms.CharField(label=_("Approved by"), max_length=150)
    files = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Workers on file"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].queryset = selectors.approved_files(principal)
        self.fields["files"].label_from_instance = lambda f: f"{f.name} · {f.enterprise.name}"
