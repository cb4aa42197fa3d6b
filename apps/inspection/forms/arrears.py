"""Forms of the wage-arrears room: listing an enterprise, removing it (early removal on its three
conditions), recording and publishing a serious violation, and the figures' period. They parse
input only; the rules (the 3-year term, early removal, the 20 working days) are the services',
whose field errors the views put back on these forms. Fields are optional here so that a missing
value is reported by the service with its own message and legal source."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField

from ..models import WageArrearsListing


def _date(label, help_text=""):
    return forms.DateField(label=label, required=False, widget=DateInput(), help_text=help_text)


class _EnterpriseForm(forms.Form):
    """An enterprise of the registry and, optionally, the inspection case by its serial number."""

    enterprise = NameChoiceField(label=_("enterprise"), queryset=None, required=False, empty_label="—")
    case_serial = forms.CharField(
        label=_("inspection case (serial number)"),
        max_length=20,
        required=False,
        help_text=_("Optional, e.g. JC2026-00001."),
    )

    def __init__(self, data=None, *, enterprises, cases, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["enterprise"].queryset = enterprises.order_by("name")
        self._cases = cases

    def clean_case_serial(self):
        serial = (self.cleaned_data.get("case_serial") or "").strip().upper()
        self.case = None
        if serial:
            self.case = self._cases.filter(serial=serial).first()
            if self.case is None:
                raise forms.ValidationError(_("No case with this serial number that you may see."))
        return serial


class ListingForm(_EnterpriseForm):
    listed_on = _date(_("date of the listing decision"))
    decision_reference = forms.CharField(label=_("decision reference"), max_length=100, required=False)

    field_order = ["enterprise", "listed_on", "decision_reference", "case_serial"]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "enterprise": d["enterprise"],
            "listed_on": d["listed_on"],
            "decision_reference": d["decision_reference"],
            "case": self.case,
        }


class RemovalForm(forms.Form):
    removal = forms.ChoiceField(
        label=_("how the enterprise leaves the list"),
        choices=[("", "—"), *WageArrearsListing.Removal.choices],
        required=False,
    )
    removed_on = _date(_("removed on"), _("Empty: today."))
    arrears_paid_on = _date(_("arrears paid on"))
    pledge_received_on = _date(_("written credit pledge received on"))
    note = forms.CharField(
        label=_("note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "removal": d["removal"],
            "removed_on": d["removed_on"],
            "arrears_paid_on": d["arrears_paid_on"],
            "pledge_received_on": d["pledge_received_on"],
            "note": d["note"],
        }


class ViolationForm(_EnterpriseForm):
    decided_on = _date(_("decided on"))
    decision_reference = forms.CharField(label=_("decision reference"), max_length=100, required=False)
    summary = forms.CharField(
        label=_("violation published"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    published_on = _date(_("published on"), _("Leave empty if it is not published yet."))

    field_order = ["enterprise", "decided_on", "decision_reference", "summary", "published_on", "case_serial"]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "enterprise": d["enterprise"],
            "case": self.case,
            "decided_on": d["decided_on"],
            "decision_reference": d["decision_reference"],
            "summary": d["summary"],
            "published_on": d["published_on"],
        }


class PublishForm(forms.Form):
    published_on = _date(_("published on"))


class FiguresForm(forms.Form):
    date_from = _date(_("received from"))
    date_to = _date(_("received until"))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def period(self):
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
