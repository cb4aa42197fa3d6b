"""Forms of the staff pages of a mediation case (actions, sessions, the agreement, performance,
referrals, documents). They parse input only; every rule (who may act, in which status, dates
against the application, the extension cap, amounts...) is applied by services.py, whose
DomainError the views put back on these forms. Most fields are optional here so that a missing
value is reported by the service with its own message and legal source."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField

from .models import (
    Agreement,
    AgreementItem,
    Applicant,
    FollowUp,
    MediationOrganisation,
    Mediator,
    Referral,
    Session,
)


def _text(label, *, rows=3, max_length=4000, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _date(label, **kwargs):
    return forms.DateField(label=label, required=False, widget=DateInput(), **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    """An HTML5 date-and-time picker (the browser sends 2026-03-05T14:30)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M", **kwargs)


class MediatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.organisation.name}"


# Lifecycle actions ------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """Refuse, the closing actions, withdraw, archive...: at most a reason; whether it is required
    is the workflow's decision (Transition.needs_reason), checked by the service."""

    reason = _text(capfirst(_("reason")), rows=4)

    def __init__(self, *args, needs_reason=False, with_reason=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_reason:
            del self.fields["reason"]  # archive: nothing to say, just confirm
        elif needs_reason:
            self.fields["reason"].widget.attrs["required"] = True
            self.fields["reason"].label = capfirst(_("reason (required)"))
        else:
            self.fields["reason"].label = capfirst(_("note (optional)"))

    def service_kwargs(self) -> dict:
        return {"reason": self.cleaned_data.get("reason") or ""}


class AcceptForm(forms.Form):
    organisation = NameChoiceField(
        label=capfirst(_("mediation organisation")),
        queryset=MediationOrganisation.objects.none(),
        required=False,
    )
    mediator = MediatorChoiceField(
        label=capfirst(_("mediator")),
        queryset=Mediator.objects.none(),
        required=False,
        help_text=_("An active mediator of the organisation chosen above."),
    )

    def __init__(self, *args, organisations, mediators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["mediator"].queryset = mediators

    def service_kwargs(self) -> dict:
        return {"organisation": self.cleaned_data["organisation"], "mediator": self.cleaned_data["mediator"]}


class TransferForm(forms.Form):
    to_organisation = NameChoiceField(
        label=capfirst(_("transfer to")), queryset=MediationOrganisation.objects.none(), required=False
    )
    reason = _text(capfirst(_("reason")), rows=4)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations

    def service_kwargs(self) -> dict:
        return {
            "to_organisation": self.cleaned_data["to_organisation"],
            "reason": self.cleaned_data.get("reason") or "",
        }


class ExtendForm(forms.Form):
    new_due_on = _date(capfirst(_("new deadline")))
    applicant_consent_on = _date(capfirst(_("applicant consented on")))
    respondent_consent_on = _date(capfirst(_("respondent consented on")))
    consent_record = _text(
        capfirst(_("how consent was given")),
        help_text=_("E.g. a note signed by both parties, or a recorded phone call."),
    )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


# Work on the case ------------------------------------------------------------------------------------


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(label=capfirst(_("held at")), required=False, widget=DateTimeLocalInput())
    mode = forms.ChoiceField(label=capfirst(_("mode")), choices=Session.Mode.choices)
    attendees = _text(capfirst(_("attendees")), rows=2, max_length=2000)
    notes = _text(capfirst(_("notes")), rows=5, max_length=8000)

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class AgreementForm(forms.Form):
    result = _text(capfirst(_("result of the mediation")), rows=5, max_length=8000)


class AgreementItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=capfirst(_("kind")), choices=[("", "—")] + list(AgreementItem.Kind.choices), required=False
    )
    description = forms.CharField(label=capfirst(_("description")), max_length=300, required=False)
    amount = forms.DecimalField(
        label=capfirst(_("amount (yuan)")),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    due_on = _date(capfirst(_("perform by")))
    method = forms.ChoiceField(
        label=capfirst(_("method")), choices=AgreementItem.Method.choices, required=False
    )

    FIELDS = ("kind", "description", "amount", "due_on", "method")

    def row(self) -> dict:
        data = getattr(self, "cleaned_data", {}) or {}
        return {name: data.get(name) for name in self.FIELDS}

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return (
            not data or data.get("DELETE") or not any(data.get(n) not in (None, "") for n in self.FIELDS[:4])
        )


class BaseAgreementItemFormSet(forms.BaseFormSet):
    def items(self) -> tuple[list[dict], list[int]]:
        """The filled rows for services.save_agreement, and the form index of each (so the
        service's `items.<i>.<field>` errors land on the right row)."""
        rows, index = [], []
        for i, form in enumerate(self.forms):
            if form.is_blank():
                continue
            rows.append(form.row())
            index.append(i)
        return rows, index

    def add_service_errors(self, fields: dict, index: list[int]) -> list[str]:
        """Put `items.<i>.<field>` errors on their row; returns the messages that fit nowhere."""
        left = []
        for key, messages in fields.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
                i = int(parts[1])
                if i < len(index) and parts[2] in self.forms[index[i]].fields:
                    for message in messages:
                        self.forms[index[i]].add_error(parts[2], message)
                    continue
            if key != "result":
                left.extend(str(m) for m in messages)
        return left


AgreementItemFormSet = forms.formset_factory(
    AgreementItemForm,
    formset=BaseAgreementItemFormSet,
    extra=2,
    can_delete=True,
    max_num=50,
    absolute_max=60,
)


class SignaturesForm(forms.Form):
    applicant_signed_on = _date(capfirst(_("applicant signed on")))
    respondent_signed_on = _date(capfirst(_("respondent signed or sealed on")))
    mediator_signed_on = _date(capfirst(_("mediator signed on")))
    sealed_on = _date(capfirst(_("organisation's seal affixed on")))

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=capfirst(_("amount paid (yuan)")),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    paid_on = _date(capfirst(_("paid on")))
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class PerformanceForm(forms.Form):
    performance = forms.ChoiceField(
        label=capfirst(_("performance")),
        choices=[
            (Agreement.Performance.PERFORMED, Agreement.Performance.PERFORMED.label),
            (Agreement.Performance.NOT_PERFORMED, Agreement.Performance.NOT_PERFORMED.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    note = _text(capfirst(_("note")), max_length=500)

    def service_kwargs(self) -> dict:
        return {
            "performance": self.cleaned_data.get("performance") or "",
            "note": self.cleaned_data.get("note") or "",
        }


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=capfirst(_("status")), choices=FollowUp.Status.choices, required=False)
    done_on = _date(capfirst(_("done on")))
    note = _text(capfirst(_("note")), max_length=2000)

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class ApplicantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ReferralForm(forms.Form):
    applicant = ApplicantChoiceField(
        label=capfirst(_("applicant")), queryset=Applicant.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=capfirst(_("kind of service")),
        choices=[("", "---------"), *Referral.Kind.choices],
        required=False,
    )
    provider = forms.CharField(
        label=capfirst(_("provider")),
        max_length=200,
        required=False,
        help_text=_("E.g. the public employment service centre of the town, a job fair, a training school."),
    )
    referred_on = _date(capfirst(_("referred on")))
    follow_up_on = _date(
        capfirst(_("follow up on")), help_text=_("When to ask the worker or the provider how it went.")
    )
    follow_up_note = forms.CharField(label=capfirst(_("follow-up note")), max_length=300, required=False)
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)

    def __init__(self, *args, applicants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        data["kind"] = data["kind"] or ""
        return data


class ReferralResultForm(forms.Form):
    result = forms.ChoiceField(label=capfirst(_("outcome")), choices=Referral.Result.choices, required=False)
    result_on = _date(capfirst(_("outcome on")))
    follow_up_on = _date(capfirst(_("follow up on")))
    follow_up_note = forms.CharField(label=capfirst(_("follow-up note")), max_length=300, required=False)
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        data["follow_up_note"] = data["follow_up_note"] or ""
        return data


class DocumentForm(forms.Form):
    title = forms.CharField(label=capfirst(_("title")), max_length=200, required=False)
    file = forms.FileField(
        label=capfirst(_("file")),
        required=False,
        help_text=_("PDF, image, Word, Excel or PowerPoint; at most 10 MB."),
    )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not uploaded:
            raise forms.ValidationError(_("Choose a file."))
        return uploaded


class MassIncidentForm(forms.Form):
    """The day of the mass incident a collective dispute led to, and what happened."""

    occurred_on = _date(capfirst(_("mass incident on")))
    note = _text(
        capfirst(_("what happened")),
        rows=4,
        help_text=_("How many workers, where, what was done. Certification proposes a veto event from it."),
    )

    def service_kwargs(self) -> dict:
        return {
            "occurred_on": self.cleaned_data.get("occurred_on"),
            "note": self.cleaned_data.get("note") or "",
        }
