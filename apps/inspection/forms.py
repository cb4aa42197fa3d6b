"""Forms of the inspector's case pages. They parse input only; every rule (who may act, in which
status, the order's items and deadline, the extension) is applied by services.py, whose DomainError
the views put back on these forms. Fields are optional here so that a missing value is reported by
the service with its own message and legal source."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput

from .models import InspectionCase, RectificationOrder


def _text(label, *, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=4000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ActionForm(forms.Form):
    """One form for every action: the view keeps only the fields the action takes."""

    refusal_basis = forms.ChoiceField(
        label=_("ground for not accepting"),
        required=False,
        choices=[("", "—"), *InspectionCase.RefusalBasis.choices],
    )
    items = _text(_("items"), rows=4, help_text=_("One item to rectify per line."))
    order_due_on = forms.DateField(label=_("rectify by"), required=False, widget=DateInput())
    result = forms.ChoiceField(
        label=_("result of the check"),
        required=False,
        choices=[("", "—"), *RectificationOrder.Result.choices],
    )
    escalation = forms.ChoiceField(
        label=_("escalation"), required=False, choices=[("", "—"), *RectificationOrder.Escalation.choices]
    )
    note = _text(_("note"))
    reason = _text(_("reason"))

    FIELDS = {
        "refuse": ("refusal_basis", "reason"),
        "decide_order": ("items", "order_due_on", "note"),
        "decide_penalty": ("note",),
        "decide_police": ("note",),
        "decide_no_violation": ("note",),
        "transfer_to_mediation": ("reason",),
        "request_extension": ("reason",),
        "extend": ("note",),
        "record_follow_up": ("result", "escalation", "note"),
        "close": ("reason",),
    }

    def __init__(self, data=None, *, action: str, **kwargs):
        super().__init__(data, **kwargs)
        keep = self.FIELDS.get(action, ())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def items_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("items") or "").splitlines() if line.strip()]
