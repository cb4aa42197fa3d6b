"""Forms of legal aid's pages: the public request, the counter registration, tracking, and the
union's work on a request. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import NameChoiceField

from . import rules
from .models import AidKind, LegalAidRequest


class RequestForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(label=_("ID card number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    enterprise = NameChoiceField(
        queryset=None,
        required=False,
        label=_("Employer (from the park's registry)"),
        empty_label=_("Not in the list"),
    )
    employer_name = forms.CharField(
        label=_("Employer's name"),
        max_length=200,
        required=False,
        help_text=_("If the employer is not in the list."),
    )
    town = forms.ModelChoiceField(queryset=None, required=False, label=_("Town"), empty_label=_("Not known"))
    kind = forms.ChoiceField(label=_("Kind of help"), choices=AidKind.choices, widget=forms.RadioSelect)
    facts = forms.CharField(
        label=_("What happened"), max_length=rules.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    claims = forms.CharField(
        label=_("What you ask for"), max_length=rules.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the union processes my personal data (name, ID card number, phone) to handle this request."
        ),
        required=False,
    )

    def __init__(self, *args, enterprises, towns, public: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["town"].queryset = towns
        self.fields["id_number"].required = public
        for name in ("name", "phone", "kind", "facts", "claims", "consent"):
            self.fields[name].marked = True
        self.fields["id_number"].marked = public
        if not public:
            self.fields["consent"].label = _("The worker agreed to the processing of their personal data.")

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class TrackForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), max_length=20)
    code = forms.CharField(
        label=_("Access code"), max_length=40, widget=forms.PasswordInput(render_value=False)
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=rules.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=LegalAidRequest.Outcome.choices)
    amount_recovered = forms.DecimalField(
        label=_("Amount recovered (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=rules.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class LawyerForm(forms.Form):
    lawyer = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Lawyer or volunteer"), empty_label=_("None")
    )

    def __init__(self, *args, lawyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = lawyers


class LinkForm(forms.Form):
    serial = forms.CharField(label=_("Mediation case serial number"), max_length=20, required=False)
    case_reference = forms.CharField(
        label=_("Arbitration or court case number"), max_length=100, required=False
    )
