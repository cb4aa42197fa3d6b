"""Forms of the appeal pages; the services check the rules (a refusal lands on the form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField

from . import rules
from .models import Kind, Satisfaction


class FileForm(forms.Form):
    enterprise = NameChoiceField(queryset=None, label=_("Enterprise"), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=rules.SUBJECT_MAX)
    text = forms.CharField(
        label=_("Appeal"), max_length=rules.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional: PDF, image or Office document, at most 10 MB."),
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        if enterprises.count() == 1:
            self.fields["enterprise"].initial = enterprises.first()
            self.fields["enterprise"].widget = forms.HiddenInput()


class RouteForm(forms.Form):
    department = forms.ModelChoiceField(queryset=None, label=_("Answering department"))
    reason = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=rules.ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    answered_on = forms.DateField(
        label=_("Answered on"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=rules.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you are not satisfied."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


ACTION_FORMS = {
    "route": RouteForm,
    "reroute": RouteForm,
    "answer": AnswerForm,
    "rate": RateForm,
    "reopen": ReopenForm,
}
