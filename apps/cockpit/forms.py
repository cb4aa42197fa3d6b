"""The cockpit's and the statistics API's question: which date, period, town and industry."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import Area
from apps.enterprises.choices import Industry

from . import rules


class FiguresQueryForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    since = forms.DateField(
        label=_("Flows counted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Cases, amounts and requests are counted from this date; default 1 January of the year."),
    )
    town = forms.ModelChoiceField(
        label=_("Town / sub-district"),
        queryset=Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("The whole park"),
    )
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("Every industry")), *Industry.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        as_of = data.get("as_of") or today
        since = data.get("since") or rules.default_since(as_of)
        if "as_of" not in self.errors and "since" not in self.errors:
            error = rules.period_error(as_of, since, today)
            if error:
                self.add_error("as_of" if as_of > today else "since", error)
        data["as_of"], data["since"] = as_of, since
        return data

    def query(self) -> dict:
        """The arguments of `selectors.figures` (valid form only)."""
        data = self.cleaned_data
        town = data.get("town")
        return {
            "as_of": data["as_of"],
            "since": data["since"],
            "town": town.code if town else None,
            "industry": data.get("industry") or None,
        }
