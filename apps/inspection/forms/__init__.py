"""Forms of the inspector's case pages. They parse input only; every rule (who may act, in which
status, the order's items and deadline, the extension) is applied by services.py, whose DomainError
the views put back on these forms. Fields are optional here so that a missing value is reported by
the service with its own message and legal source."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput, NameChoiceField
from apps.core.models import Area

from ..models import InspectionCase, Matter, RectificationOrder, Source


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
    uscc = forms.CharField(label=_("unified social credit code"), max_length=18, required=False)

    FIELDS = {
        "refuse": ("refusal_basis", "reason"),
        "decide_order": ("items", "order_due_on", "note"),
        "decide_penalty": ("note",),
        "decide_police": ("note",),
        "decide_no_violation": ("note",),
        "transfer_to_mediation": ("reason",),
        "request_extension": ("reason",),
        "extend": ("note",),
        "reject_extension": ("note",),
        "link_enterprise": ("uscc",),
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


class CaseForm(forms.Form):
    """Registering a case at the counter or from a patrol, a review, a campaign or a referral: one
    worker concerned and, for a report, the reporter. The service checks everything."""

    source = forms.ChoiceField(label=_("source"), choices=Source.choices)
    source_reference = forms.CharField(label=_("reference of the sender"), max_length=60, required=False)
    received_on = forms.DateField(label=_("received on"), required=False, widget=DateInput())
    enterprise = NameChoiceField(
        label=_("enterprise"),
        queryset=None,
        required=False,
        empty_label=_("— not in the registry: name the employer —"),
    )
    employer_name = forms.CharField(label=_("employer"), max_length=200, required=False)
    employer_code = forms.CharField(label=_("employer's credit code"), max_length=18, required=False)
    town = NameChoiceField(
        label=_("town / sub-district"),
        queryset=Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"),
        required=False,
        empty_label="—",
    )
    matters = forms.MultipleChoiceField(
        label=_("matters"), choices=Matter.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    facts = _text(_("facts"), rows=4)
    amount_owed = forms.CharField(label=_("amount owed (yuan)"), max_length=20, required=False)
    workers_count = forms.CharField(label=_("workers concerned"), max_length=10, required=False)
    violation_ended_on = forms.DateField(
        label=_("the violation ended on"), required=False, widget=DateInput()
    )
    worker_name = forms.CharField(label=_("Worker's name"), max_length=50, required=False)
    worker_id_number = forms.CharField(label=_("Worker's ID number"), max_length=30, required=False)
    worker_phone = forms.CharField(label=_("Worker's phone"), max_length=30, required=False)
    reporter_name = forms.CharField(
        label=_("Reporter's name (reports only; confidential)"), max_length=50, required=False
    )
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=30, required=False)
    reporter_anonymous = forms.BooleanField(label=_("Anonymous report"), required=False)

    def __init__(self, data=None, *, enterprises, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["enterprise"].queryset = enterprises.order_by("name")

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        worker = {"name": d["worker_name"], "id_number": d["worker_id_number"], "phone": d["worker_phone"]}
        reporter = None
        if d["reporter_name"] or d["reporter_phone"] or d["reporter_anonymous"]:
            reporter = {
                "name": d["reporter_name"],
                "phone": d["reporter_phone"],
                "anonymous": d["reporter_anonymous"],
            }
        return {
            "source": d["source"],
            "source_reference": d["source_reference"],
            "received_on": d["received_on"],
            "enterprise": d["enterprise"],
            "employer_name": d["employer_name"],
            "employer_code": d["employer_code"],
            "town": d["town"],
            "matters": d["matters"],
            "facts": d["facts"],
            "amount_owed": d["amount_owed"],
            "workers_count": d["workers_count"],
            "violation_ended_on": d["violation_ended_on"],
            "workers": [worker] if any(worker.values()) else [],
            "reporter": reporter,
        }
