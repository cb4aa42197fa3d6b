"""Forms of the patrol pages. They parse input only; the rules (the checklist in force, every item
recorded, the dates, the towns of the inspector's area, the uploads' type and size) are the
services' (services/patrols.py), whose field errors the views put back here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.forms import DateInput, NameChoiceField
from apps.core.models import Area
from apps.enterprises.choices import Industry

from ..models import CreditGrade, PatrolFinding


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the view reads them with `request.FILES.getlist`; the
    services check each by content and size)."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return super().clean(data, initial)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    starts_on = forms.DateField(
        label=pgettext_lazy("patrol plan", "from"), required=False, widget=DateInput()
    )
    ends_on = forms.DateField(label=_("until"), required=False, widget=DateInput())
    towns = forms.ModelMultipleChoiceField(
        label=_("towns / sub-districts"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every town of your area."),
    )
    industries = forms.MultipleChoiceField(
        label=_("industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every industry."),
    )
    credit_grades = forms.MultipleChoiceField(
        label=_("credit grades"),
        choices=CreditGrade.Grade.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_watch_list = forms.BooleanField(
        label=_("enterprises on the risk watch list"),
        required=False,
        help_text=_(
            "With credit grades or the watch list chosen, the plan covers the enterprises with one "
            "of those grades or on the watch list; with neither, every enterprise of its towns and "
            "industries."
        ),
    )

    def __init__(self, data=None, *, towns, **kwargs):
        super().__init__(data, **kwargs)
        field = self.fields["towns"]
        field.queryset = towns
        field.label_from_instance = lambda area: area.name

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "starts_on": d["starts_on"],
            "ends_on": d["ends_on"],
            "towns": list(d["towns"]),
            "industries": d["industries"],
            "credit_grades": d["credit_grades"],
            "include_watch_list": d["include_watch_list"],
        }


class PatrolForm(forms.Form):
    """The record of a visit: the day, a summary and, per checklist item, a result (radio
    buttons), a note and photos (`photo_<code>`, several, taken with the phone's camera)."""

    enterprise = NameChoiceField(label=_("enterprise"), queryset=None, required=False)
    visited_on = forms.DateField(label=_("visited on"), required=False, widget=DateInput())
    summary = forms.CharField(
        label=_("summary"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, files=None, *, checklist: list[dict], enterprises, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.checklist = checklist
        for row in checklist:
            code = row["code"]
            self.fields[f"result_{code}"] = forms.ChoiceField(
                label=row.get("label") or code,
                choices=PatrolFinding.Result.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"photo_{code}"] = MultipleFileField(
                label=_("photos"),
                required=False,
                widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
            )

    def items(self):
        """One row per checklist item with its bound fields, for the template's cards."""
        return [
            {
                "code": row["code"],
                "label": row.get("label") or row["code"],
                "result": self[f"result_{row['code']}"],
                "note": self[f"note_{row['code']}"],
                "photo": self[f"photo_{row['code']}"],
            }
            for row in self.checklist
        ]

    def findings(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                "item": row["code"],
                "result": d.get(f"result_{row['code']}") or "",
                "note": d.get(f"note_{row['code']}"),
            }
            for row in self.checklist
        ]

    def field_for(self, key: str) -> str | None:
        """The form field of a service error key (`findings.<code>` → `result_<code>`)."""
        if key.startswith("findings."):
            name = f"result_{key.split('.', 1)[1]}"
            return name if name in self.fields else None
        return key if key in self.fields else None


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("photo or PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class FindingCaseForm(forms.Form):
    """Turn a violation into a case, with an order to rectify (items, one per line, and a
    deadline) when `with_order`."""

    with_order = forms.BooleanField(required=False, widget=forms.HiddenInput)
    items = forms.CharField(
        label=_("items to rectify"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item to rectify per line."),
    )
    order_due_on = forms.DateField(label=_("rectify by"), required=False, widget=DateInput())

    def items_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("items") or "").splitlines() if line.strip()]
