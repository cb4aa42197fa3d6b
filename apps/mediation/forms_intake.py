"""Forms of the mediation intake: the staff registration page (walk-in, phone, court-entrusted,
transferred from inspection) with its applicants formset, the public application form for
workers without an account, the public tracking form and the figures' date range.

They parse input only. Every rule (ID numbers, phones, the collective threshold, representatives,
oral records, the court's name, consent...) is applied by `services.register_case`, whose
DomainError keys (`claims`, `applicants.0.id_number`...) `place_service_errors` puts back on the
right field or row; fields the service checks are therefore optional here, so one submission
reports every problem at once.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.errors import DomainError
from apps.core.forms import DateInput, NameChoiceField
from apps.core.models import Area

from . import rules
from .models import Case, MediationOrganisation

#: Value of the "not in the list" option of the public employer select.
OTHER = "other"


def _types_field(label):
    return forms.MultipleChoiceField(
        label=label,
        choices=rules.DisputeType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Several may apply (%(source)s).") % {"source": rules.DISPUTE_TYPE_SOURCE},
    )


def _messages(exc: DomainError, messages) -> list[str]:
    return [f"{m} ({exc.source})" if exc.source else str(m) for m in messages]


def place_service_errors(form, exc: DomainError, field_map=None, formset=None) -> None:
    """Put a service's DomainError on the form and the applicants' formset: `applicants.<i>.<f>`
    on row i's field, `applicants` above the rows, other keys on the form's field (renamed by
    `field_map`), anything else (or an error without fields) as a non-field error."""
    field_map = field_map or {}
    if not exc.fields:
        form.add_error(None, str(exc))
        return
    for key, messages in exc.fields.items():
        texts = _messages(exc, messages)
        if formset is not None and formset.place(key, texts):
            continue
        name = field_map.get(key, key)
        target = name if name in form.fields else None
        for text in texts:
            form.add_error(target, text)


# Applicants ----------------------------------------------------------------------------------------


class ApplicantForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    id_number = forms.CharField(label=capfirst(_("ID number")), max_length=30, required=False)
    phone = forms.CharField(label=capfirst(_("phone")), max_length=30, required=False)
    employer = forms.CharField(
        label=capfirst(_("employer")),
        max_length=200,
        required=False,
        help_text=_("Leave empty if it is the respondent."),
    )
    job = forms.CharField(label=capfirst(_("job")), max_length=100, required=False)
    employed_from = forms.DateField(label=capfirst(_("employed from")), required=False, widget=DateInput())
    employed_until = forms.DateField(
        label=capfirst(_("employed until")),
        required=False,
        widget=DateInput(),
        help_text=_("Empty while still employed."),
    )
    is_representative = forms.BooleanField(label=capfirst(_("representative")), required=False)
    lost_job = forms.BooleanField(label=capfirst(_("lost the job in the dispute")), required=False)

    FIELDS = (
        "name",
        "id_number",
        "phone",
        "employer",
        "job",
        "employed_from",
        "employed_until",
        "is_representative",
        "lost_job",
    )


class BaseApplicantFormSet(forms.BaseFormSet):
    """The applicants of a staff registration. Blank rows are left out; `place` maps the service's
    `applicants.<i>.<field>` (i counts the rows sent) back to the row on the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[int] = []  # index on the page of each row sent to the service
        self.service_errors: list[str] = []  # errors about the applicants as a whole

    def rows(self) -> list[dict]:
        rows, self.sent = [], []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None) or {}
            if not form.has_changed() or not any(data.get(f) for f in ApplicantForm.FIELDS):
                continue
            rows.append({f: data.get(f) for f in ApplicantForm.FIELDS})
            self.sent.append(index)
        return rows

    def place(self, key: str, texts: list[str]) -> bool:
        if key == "applicants":
            self.service_errors.extend(texts)
            return True
        parts = key.split(".")
        if len(parts) != 3 or parts[0] != "applicants" or not parts[1].isdigit():
            return False
        position = int(parts[1])
        if position >= len(self.sent):
            return False
        form = self.forms[self.sent[position]]
        field = parts[2] if parts[2] in form.fields else None
        for text in texts:
            form.add_error(field, text)
        return True


ApplicantFormSet = forms.formset_factory(
    ApplicantForm,
    formset=BaseApplicantFormSet,
    extra=3,
    max_num=rules.MAX_APPLICANTS,
    absolute_max=rules.MAX_APPLICANTS,
    validate_max=True,
)


# Staff registration --------------------------------------------------------------------------------


class TownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_kind_display()}"


class CaseIntakeForm(forms.Form):
    """What staff record when they register an application."""

    channel = forms.ChoiceField(
        label=capfirst(_("channel")),
        choices=[(c.value, c.label) for c in rules.STAFF_CHANNELS],
        initial=Case.Channel.WALK_IN,
    )
    application_form = forms.ChoiceField(
        label=capfirst(_("form of application")),
        choices=Case.Form.choices,
        initial=Case.Form.WRITTEN,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    oral_record = forms.CharField(
        label=capfirst(_("record of the oral application")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For an oral application, record on the spot the applicant's basic facts, the matters in "
            "dispute, the reasons and the time of the application (%(source)s)."
        )
        % {"source": rules.ORAL_APPLICATION_SOURCE},
    )
    received_on = forms.DateField(label=capfirst(_("received on")), required=False, widget=DateInput())

    respondent_enterprise = NameChoiceField(
        label=_("Respondent: an enterprise of the registry"),
        queryset=None,
        required=False,
        empty_label=_("— not in the registry: fill in the employer below —"),
    )
    respondent_name = forms.CharField(label=_("Employer's name"), max_length=200, required=False)
    respondent_uscc = forms.CharField(
        label=capfirst(_("respondent's credit code")), max_length=18, required=False
    )
    respondent_contact = forms.CharField(
        label=capfirst(_("respondent's contact person")), max_length=50, required=False
    )
    respondent_phone = forms.CharField(label=capfirst(_("respondent's phone")), max_length=30, required=False)
    respondent_address = forms.CharField(
        label=capfirst(_("respondent's address")), max_length=200, required=False
    )
    town = TownChoiceField(
        label=capfirst(_("town / sub-district")),
        queryset=Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"),
        required=False,
        empty_label="—",
        help_text=_("Where the employer is; used to route the case."),
    )

    types = _types_field(_("Dispute types"))
    claims = forms.CharField(
        label=capfirst(_("claims")), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    facts = forms.CharField(
        label=capfirst(_("facts and reasons")), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    amount_claimed = forms.DecimalField(
        label=capfirst(_("amount claimed (yuan)")), required=False, max_digits=14, decimal_places=2
    )
    infringed_on = forms.DateField(
        label=capfirst(_("date the right was known to be infringed")),
        required=False,
        widget=DateInput(),
        help_text=_("Starts the one-year limitation period (LDMAL art. 27)."),
    )
    workers_count = forms.IntegerField(
        label=capfirst(_("workers involved")),
        required=False,
        help_text=_(
            "All workers in the dispute, also those not listed as applicants. Empty: the applicants listed."
        ),
    )
    common_claim = forms.BooleanField(
        label=capfirst(_("the workers share a common claim")),
        required=False,
        initial=True,
        help_text=_("LDMAL art. 7: 10 or more workers with a common claim make a collective dispute."),
    )
    organisation = OrganisationChoiceField(
        label=capfirst(_("mediation organisation")),
        queryset=MediationOrganisation.objects.active().order_by("kind", "name"),
        required=False,
        empty_label=_("Automatic: by the respondent's town or enterprise"),
    )
    court_name = forms.CharField(label=capfirst(_("entrusting court")), max_length=100, required=False)
    source_reference = forms.CharField(
        label=capfirst(_("reference of the sender")),
        max_length=60,
        required=False,
        help_text=_("The court's entrustment number or the inspection case number."),
    )

    #: Fields the service requires (marked with an asterisk; the service says what is missing).
    MARKED = ("channel", "application_form", "types", "claims")
    #: Service error keys that are named differently here.
    FIELD_MAP = {"form": "application_form"}

    def __init__(self, *args, enterprises, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["respondent_enterprise"].queryset = enterprises.order_by("name")
        for name in self.MARKED:
            self.fields[name].marked = True

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "form": data["application_form"],
            "oral_record": data.get("oral_record") or "",
            "received_on": data.get("received_on"),
            "respondent_enterprise": data.get("respondent_enterprise"),
            "respondent_name": data.get("respondent_name") or "",
            "respondent_uscc": data.get("respondent_uscc") or "",
            "respondent_contact": data.get("respondent_contact") or "",
            "respondent_phone": data.get("respondent_phone") or "",
            "respondent_address": data.get("respondent_address") or "",
            "town": data.get("town"),
            "types": list(data.get("types") or []),
            "claims": data.get("claims") or "",
            "facts": data.get("facts") or "",
            "amount_claimed": data.get("amount_claimed") or 0,
            "infringed_on": data.get("infringed_on"),
            "workers_count": data.get("workers_count"),
            "common_claim": bool(data.get("common_claim")),
            "organisation": data.get("organisation"),
            "court_name": data.get("court_name") or "",
            "source_reference": data.get("source_reference") or "",
        }


# The public application form -----------------------------------------------------------------------


class PublicApplicationForm(forms.Form):
    """A worker's own application, in plain words. One applicant only."""

    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    id_number = forms.CharField(
        label=_("Your ID card number"),
        max_length=30,
        required=False,
        help_text=_("The 18 characters on your resident ID card."),
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=30,
        required=False,
        help_text=_("The mediator will call you on this number."),
    )
    employer = forms.ChoiceField(
        label=_("Which company is the dispute with?"),
        required=False,
        help_text=_(
            "Choose the company from the list. If it is not there, choose “Not in the list” and write its name below."
        ),
    )
    employer_other = forms.CharField(
        label=_("Company name (if it is not in the list)"), max_length=200, required=False
    )
    job = forms.CharField(label=_("Your job there"), max_length=100, required=False)
    employed_from = forms.DateField(
        label=_("When did you start working there?"), required=False, widget=DateInput()
    )
    employed_until = forms.DateField(
        label=_("When did you stop working there?"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave this empty if you still work there."),
    )
    types = _types_field(_("What is the dispute about?"))
    claims = forms.CharField(
        label=_("What do you ask for?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: pay the wages owed for August and September, 12,000 yuan."),
    )
    facts = forms.CharField(
        label=_("What happened?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Tell us briefly what happened and when."),
    )
    amount_claimed = forms.DecimalField(
        label=_("How much money do you ask for (yuan)?"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty if you do not ask for money."),
    )
    infringed_on = forms.DateField(
        label=_("When did you learn of the problem?"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "For example the day your wages should have been paid. Leave it empty if you are not sure."
        ),
    )
    workers_count = forms.IntegerField(
        label=_("How many workers are involved, you included?"), required=False, initial=1
    )
    common_claim = forms.BooleanField(
        label=_("We all ask for the same thing"),
        required=False,
        initial=True,
        help_text=_(
            "10 or more workers asking for the same thing make a collective dispute, which is handled first."
        ),
    )
    organisation = OrganisationChoiceField(
        label=_("Which mediation organisation do you prefer? (optional)"),
        queryset=MediationOrganisation.objects.none(),
        required=False,
        empty_label=_("Let the park decide"),
    )
    consent = forms.BooleanField(
        label=_("I agree that my personal information is used as described above to handle my application."),
        required=False,
    )

    MARKED = ("name", "id_number", "phone", "employer", "types", "claims", "consent")
    #: Service error keys and the field that shows them.
    FIELD_MAP = {
        "applicants.0.name": "name",
        "applicants.0.id_number": "id_number",
        "applicants.0.phone": "phone",
        "applicants.0.job": "job",
        "applicants.0.employed_from": "employed_from",
        "applicants.0.employed_until": "employed_until",
        "applicants": None,
    }

    def __init__(self, *args, enterprises, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = (
            [("", _("— choose the company —"))]
            + [(str(pk), name) for pk, name in enterprises.values_list("pk", "name")]
            + [(OTHER, _("Not in the list"))]
        )
        self.enterprise_queryset = enterprises
        self.fields["organisation"].queryset = organisations
        for name in self.MARKED:
            self.fields[name].marked = True

    def field_map(self) -> dict:
        mapping = dict(self.FIELD_MAP)
        mapping["respondent_name"] = "employer_other" if self.data.get("employer") == OTHER else "employer"
        return mapping

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        enterprise = None
        if data.get("employer") and data["employer"] != OTHER:
            enterprise = self.enterprise_queryset.filter(pk=data["employer"]).first()
        respondent_name = "" if enterprise else (data.get("employer_other") or "")
        return {
            "applicants": [
                {
                    "name": data.get("name") or "",
                    "id_number": data.get("id_number") or "",
                    "phone": data.get("phone") or "",
                    "employer": enterprise.name if enterprise else respondent_name,
                    "job": data.get("job") or "",
                    "employed_from": data.get("employed_from"),
                    "employed_until": data.get("employed_until"),
                }
            ],
            "respondent_enterprise": enterprise,
            "respondent_name": respondent_name,
            "types": list(data.get("types") or []),
            "claims": data.get("claims") or "",
            "facts": data.get("facts") or "",
            "amount_claimed": data.get("amount_claimed") or 0,
            "infringed_on": data.get("infringed_on"),
            "workers_count": data.get("workers_count"),
            "common_claim": bool(data.get("common_claim")),
            "organisation": data.get("organisation"),
            "consent": bool(data.get("consent")),
        }


class TrackForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=30,
        help_text=_("For example TJ2026-00042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    code = forms.CharField(
        label=_("Access code"),
        max_length=30,
        required=False,
        help_text=_(
            "The 8 characters you were given with the serial number. Lost it? Leave it empty: the "
            "page tells you whom to ask for a new one."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


# Figures -------------------------------------------------------------------------------------------


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months: from the first day of the month 11 months ago to today."""
    today = today or timezone.localdate()
    return today.replace(day=1) - relativedelta(months=11), today


class FiguresForm(forms.Form):
    date_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Received until"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """The period of a valid form; an empty end is open."""
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
