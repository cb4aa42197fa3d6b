"""Forms of the interview pages. They parse input only; every rule (who may act, in which status,
the dates, the required texts) is applied by services.interviews, whose DomainError the views put
back on these forms. Fields are optional here so that a missing value is reported by the service
with its own message."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField

from ..models import RectificationOrder


class DateTimeInput(forms.DateTimeInput):
    """An HTML5 local date-time picker (YYYY-MM-DDTHH:MM, what the browser sends)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M", **kwargs)


def _text(label, *, rows=3, limit=4000, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class InterviewActionForm(forms.Form):
    """One form for every interview action: the view keeps only the fields the action takes."""

    scheduled_at = forms.DateTimeField(
        label=_("interview on"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    held_on = forms.DateField(label=_("held on"), required=False, widget=DateInput())
    attendees = _text(_("attendees"), rows=2)
    representative_attended = forms.BooleanField(label=_("the legal representative attended"), required=False)
    record = _text(_("record of the interview"), rows=6, limit=20000)
    commitments = _text(_("commitments"), rows=3, limit=8000)
    rectify_by = forms.DateField(label=_("rectify by"), required=False, widget=DateInput())
    checked_on = forms.DateField(label=_("follow-up check on"), required=False, widget=DateInput())
    result = forms.ChoiceField(
        label=_("result of the check"),
        required=False,
        choices=[("", "—"), *RectificationOrder.Result.choices],
    )
    note = _text(_("note on the check"))
    reason = _text(_("reason"))

    FIELDS = {
        "send_notice": ("scheduled_at", "place"),
        "record": (
            "held_on",
            "attendees",
            "representative_attended",
            "record",
            "commitments",
            "rectify_by",
        ),
        "follow_up": ("checked_on", "result", "note"),
        "dismiss": ("reason",),
    }

    def __init__(self, data=None, *, action: str, **kwargs):
        super().__init__(data, **kwargs)
        keep = self.FIELDS.get(action, ())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class ProposeInterviewForm(forms.Form):
    """An inspector proposes an interview of an enterprise of their area."""

    enterprise = NameChoiceField(label=_("enterprise"), queryset=None, required=False, empty_label="—")
    reason = _text(_("reason"), rows=4)

    def __init__(self, data=None, *, enterprises, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["enterprise"].queryset = enterprises.order_by("name")
