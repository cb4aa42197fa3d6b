"""Forms of the webhook pages: they parse input; the services decide (apps.webhooks.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry, selectors
from .models import ALL_EVENTS


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Receiving address"),
        max_length=500,
        help_text=_("The district system's https:// address that receives the events (POST, JSON, signed)."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,  # the service says "choose at least one"
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the kinds of event the client's scopes allow are offered."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(registry.families_for_scopes(client.scopes if client is not None else []))
        self.fields["event_types"].choices = [
            (value, label)
            for value, label in selectors.event_type_choices()
            if value == ALL_EVENTS or value in allowed
        ]


class DisableForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M", **kwargs)


class ReplayRangeForm(forms.Form):
    since = forms.DateTimeField(label=_("From"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"])
    until = forms.DateTimeField(label=_("To"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"])
