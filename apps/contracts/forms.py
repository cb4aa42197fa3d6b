"""Forms of the contract library's pages: the filing of one contract and the filing of its
termination (the list's filters are `filters.ContractFilter`, shared with the API). They parse
input only: every check of the Labour Contract Law, the ID number's check character, the
e-signature evidence and the file's SHA-256 are applied by `services.file_contract` /
`services.terminate`, whose refusals (`DomainError.fields`, keyed by the columns of
`importing.COLUMNS`) are put back on these forms by `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.core.forms import DateInput, NameChoiceField
from apps.core.uploads import check_upload

from . import importing
from .models import HoursSystem, Kind, LabourContract

#: The signed file: a PDF, at most 20 MB.
SIGNED_FILE_TYPES = {"application/pdf": "PDF"}
SIGNED_FILE_MAX_BYTES = 20 * 1024 * 1024


class DateTimeLocalInput(forms.DateTimeInput):
    """An HTML5 date-and-time picker (the browser sends 2026-03-05T14:30)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M", **kwargs)


# Filing ----------------------------------------------------------------------------------------------


def _date(label, *, required=False, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _money(label, *, max_digits=10):
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=max_digits, decimal_places=2
    )


class ContractForm(forms.Form):
    """The filing of one contract (the columns of `importing.COLUMNS`)."""

    #: A service's refusal on a column → the field of this form that shows it.
    FIELD_OF_COLUMN = {"enterprise_uscc": "enterprise", "file_name": "signed_file"}

    enterprise = NameChoiceField(label=capfirst(_("enterprise")), queryset=None)
    worker_name = forms.CharField(label=capfirst(_("worker's full name")), max_length=50)
    worker_id_number = forms.CharField(
        label=capfirst(_("ID number")),
        max_length=30,
        help_text=_("18 characters; the birth date and sex are read from it."),
    )
    worker_phone = forms.CharField(label=capfirst(_("phone")), max_length=30, required=False)
    contract_number = forms.CharField(label=capfirst(_("contract number")), max_length=60, required=False)
    kind = forms.ChoiceField(label=capfirst(_("contract type")), choices=Kind.choices)
    employment_start = _date(
        capfirst(_("employment started on")),
        required=True,
        help_text=_("The first day of work: the written contract is due within one month of it."),
    )
    start = _date(capfirst(_("contract starts on")), required=True)
    end = _date(capfirst(_("contract ends on")), help_text=_("None for an open-ended contract."))
    task = forms.CharField(
        label=capfirst(_("task")),
        max_length=300,
        required=False,
        help_text=_("For a contract for the completion of a task: the task that ends it."),
    )
    probation_end = _date(capfirst(_("probation ends on")))
    renews_unfiled = forms.BooleanField(
        label=capfirst(_("renews an earlier contract that is not filed")),
        required=False,
        help_text=_(
            "Tick for a renewal whose earlier contract with this worker was never filed here: the "
            "written contract is then judged against this contract's start, not the day work started."
        ),
    )
    job = forms.CharField(label=capfirst(_("job")), max_length=100)
    workplace = forms.CharField(label=capfirst(_("place of work")), max_length=200, required=False)
    hours_system = forms.ChoiceField(
        label=capfirst(_("working-hour system")), choices=HoursSystem.choices, initial=HoursSystem.STANDARD
    )
    hours_approval = forms.CharField(
        label=capfirst(_("approval number for the working hours")),
        max_length=100,
        required=False,
        help_text=_("The labour department's approval, for comprehensive or flexible working hours."),
    )
    monthly_pay = _money(capfirst(_("monthly pay (yuan)")))
    hourly_pay = _money(capfirst(_("hourly pay (yuan)")), max_digits=7)
    weekly_hours = forms.DecimalField(
        label=capfirst(_("hours a week")), required=False, min_value=0, max_value=168, decimal_places=1
    )
    social_insurance = forms.BooleanField(
        label=capfirst(_("social insurance paid")), required=False, initial=True
    )
    signed_on = _date(capfirst(_("signed on")), required=True)
    signing = forms.ChoiceField(
        label=capfirst(_("signing method")),
        choices=LabourContract.Signing.choices,
        initial=LabourContract.Signing.PAPER,
        widget=forms.RadioSelect,
    )
    # The e-signature evidence
    platform = forms.CharField(label=capfirst(_("signing platform")), max_length=50, required=False)
    record_id = forms.CharField(label=capfirst(_("platform record id")), max_length=100, required=False)
    employer_signed_at = forms.DateTimeField(
        label=capfirst(_("employer signed at")), required=False, widget=DateTimeLocalInput()
    )
    worker_signed_at = forms.DateTimeField(
        label=capfirst(_("worker signed at")), required=False, widget=DateTimeLocalInput()
    )
    timestamp_authority = forms.CharField(
        label=capfirst(_("timestamp authority")), max_length=100, required=False
    )
    timestamp_token = forms.CharField(
        label=capfirst(_("timestamp token")),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signed_file = forms.FileField(
        label=capfirst(_("signed file (PDF)")),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_("The file as the platform delivered it: its SHA-256 is computed and stored."),
    )
    file_sha256 = forms.CharField(
        label=capfirst(_("SHA-256 declared by the platform")),
        max_length=64,
        required=False,
        help_text=_("Optional: the upload is checked against it."),
    )

    def __init__(self, *args, enterprises, fixed_enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        field.queryset = enterprises.order_by("name")
        if fixed_enterprise is not None:
            field.initial = fixed_enterprise.pk
            field.disabled = True

    def clean_signed_file(self):
        uploaded = self.cleaned_data.get("signed_file")
        if not uploaded:
            return None
        try:
            check_upload(
                uploaded, field="signed_file", max_bytes=SIGNED_FILE_MAX_BYTES, allowed=SIGNED_FILE_TYPES
            )
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return uploaded

    def row(self) -> dict:
        """The filing row: the keys of `importing.COLUMNS` (the enterprise by its credit code)."""
        data = self.cleaned_data
        row = {name: data.get(name) for name in importing.COLUMNS if name in self.fields}
        row["enterprise_uscc"] = data["enterprise"].uscc
        row["file_name"] = ""
        for name, value in row.items():
            if value is None:
                row[name] = ""
        row["social_insurance"] = bool(data.get("social_insurance"))
        return row

    def file_bytes(self) -> bytes | None:
        uploaded = self.cleaned_data.get("signed_file")
        if not uploaded:
            return None
        uploaded.seek(0)
        return uploaded.read()

    def add_service_errors(self, exc: DomainError) -> None:
        """Put a refusal of `services.file_contract` on the fields it names."""
        if not exc.fields:
            self.add_error(None, str(exc))
            return
        declared = bool(self.cleaned_data.get("file_sha256"))
        for column, reasons in exc.fields.items():
            name = self.FIELD_OF_COLUMN.get(column, column)
            if column == "file_sha256" and not declared:
                name = "signed_file"  # no hash given: the evidence missing is the file
            for reason in reasons:
                self.add_error(name if name in self.fields else None, str(reason))


class TerminateForm(forms.Form):
    terminated_on = _date(capfirst(_("terminated on")), required=False)
    reason = forms.CharField(
        label=capfirst(_("termination reason")),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the article of the Labour Contract Law the termination rests on."),
    )

    def service_kwargs(self) -> dict:
        return {
            "terminated_on": self.cleaned_data.get("terminated_on"),
            "reason": self.cleaned_data.get("reason") or "",
        }
