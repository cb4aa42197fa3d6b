"""Forms of the public complaint pages (no login): the complaint or report form, in plain words,
and the tracking form.

They parse input only (types, lengths, choices from the lists); every rule (what a complaint
needs, the ID number's check character, the phone, the employer and its town, the credit code,
amounts, dates, consent) is applied by `services.submit_complaint`, whose DomainError keys are
the field names here, so `add_domain_error` puts each message beside its field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField

from .. import rules
from ..models import Matter, Source
from ..services.public import LIMITS, OTHER


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (Source.COMPLAINT, _("Complain about my own employer (I am the worker concerned)")),
            (Source.REPORT, _("Report a violation I know of (I may stay anonymous)")),
        ],
        initial=Source.COMPLAINT,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    name = forms.CharField(label=_("Your name"), max_length=LIMITS["name"], required=False)
    id_number = forms.CharField(
        label=_("Your ID card number"),
        max_length=LIMITS["id_number"],
        required=False,
        help_text=_("The 18 characters on your resident ID card. Needed for a complaint."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=LIMITS["phone"],
        required=False,
        help_text=_("The inspector calls you on this number. Needed for a complaint."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_(
            "For a report only. Your name and ID number are then not kept; leave a phone number or "
            "other contact only if you want to be contacted."
        ),
    )
    contact = forms.CharField(
        label=_("Other way to contact you (optional)"),
        max_length=LIMITS["contact"],
        required=False,
        help_text=_("For a report: e.g. an email address."),
    )

    employer = forms.ChoiceField(
        label=_("Which company is it about?"),
        required=False,
        help_text=_(
            "Choose the company from the list. If it is not there, choose “Not in the list” and fill in "
            "its name and town below."
        ),
    )
    employer_name = forms.CharField(
        label=_("Company name (if it is not in the list)"), max_length=LIMITS["employer_name"], required=False
    )
    employer_code = forms.CharField(
        label=_("Its unified social credit code (optional)"),
        max_length=LIMITS["employer_code"],
        required=False,
        help_text=_(
            "18 characters, on its business licence or your pay slip. Leave empty if you do not know."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    employer_address = forms.CharField(
        label=_("Its address or where you work"), max_length=LIMITS["employer_address"], required=False
    )
    town = NameChoiceField(
        label=_("Town or sub-district where it is (if it is not in the list)"),
        queryset=None,
        required=False,
        empty_label=_("— choose —"),
    )

    matters = forms.MultipleChoiceField(
        label=_("What is wrong?"),
        choices=Matter.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Tick everything that applies."),
    )
    facts = forms.CharField(
        label=_("What happened?"),
        max_length=LIMITS["facts"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Tell us briefly what happened, since when, and who is affected."),
    )
    amount_owed = forms.DecimalField(
        label=_("How much money is owed (yuan)?"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Wages or other money not paid. Leave empty if none."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    workers_count = forms.IntegerField(
        label=_("How many workers are affected, you included?"),
        required=False,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    violation_ended_on = forms.DateField(
        label=_("When did it stop?"),
        required=False,
        widget=DateInput(),
    )
    consent = forms.BooleanField(
        label=_("I agree that my personal information is used as described above to handle this case."),
        required=False,
    )

    MARKED = ("kind", "employer", "matters", "facts", "consent")

    def __init__(self, *args, enterprises, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = (
            [("", _("— choose the company —"))]
            + [(str(pk), name) for pk, name in enterprises.values_list("pk", "name")]
            + [(OTHER, _("Not in the list"))]
        )
        self.fields["town"].queryset = towns
        # Formatted here, in the language of the request (a lazy text formatted at import is not).
        self.fields["violation_ended_on"].help_text = _(
            "Leave empty if it still goes on. A violation that stopped more than %(years)s years ago is "
            "not pursued (%(source)s)."
        ) % {"years": rules.LIMITATION_YEARS, "source": rules.LIMITATION_SOURCE}
        for name in self.MARKED:
            self.fields[name].marked = True

    def service_data(self) -> dict:
        """The cleaned fields, as `services.submit_complaint` takes them."""
        data = dict(self.cleaned_data)
        data["matters"] = list(data.get("matters") or [])
        data["town"] = data.get("town")
        return data


class TrackForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=30,
        help_text=_("For example JC2026-00042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    code = forms.CharField(
        label=_("Access code"),
        max_length=30,
        help_text=_("The 8 characters you were given with the serial number."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
