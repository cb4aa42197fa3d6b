"""Forms of the registry pages. They only shape input; the rules are in services.py, whose
DomainError is put back on the form by `apps.core.forms.add_domain_error`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput
from apps.core.models import Area

from .models import Enterprise, EnterpriseSurvey
from .services import CONTROLLED_FIELDS, EDITABLE_FIELDS, SURVEY_FIELDS


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = list(EDITABLE_FIELDS)
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, can_change_controlled=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Area.objects.filter(kind=Area.Kind.TOWN)
        self.fields["uscc"].widget.attrs.update(
            {"autocomplete": "off", "maxlength": 18, "spellcheck": "false"}
        )
        if not can_change_controlled:
            for name in CONTROLLED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the park administration may change this field.")

    def _post_clean(self):
        """Skip the model's own validation (uniqueness, choices): services.validate_enterprise
        decides, with the legal source and in one place for pages, API and import."""

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class SurveyForm(forms.ModelForm):
    """The yearly survey. `origins` (field -> where its initial value comes from: last year's
    survey, a platform record) and `marks` (field -> what the platform's record says where the
    answer disagrees, `selectors.survey_checks`) are shown beside the fields."""

    class Meta:
        model = EnterpriseSurvey
        fields = ["year", *SURVEY_FIELDS]

    def __init__(self, *args, origins=None, marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1
        for name in ("union_members", "women", "migrant_workers"):
            self.fields[name].required = False
        self.origins = origins or {}
        self.marks = marks or {}

    @staticmethod
    def default_year() -> int:
        return timezone.localdate().year - 1

    def rows(self):
        """(bound field, origin, mark) for each visible field, in order."""
        return [
            (field, self.origins.get(field.name), self.marks.get(field.name))
            for field in self.visible_fields()
        ]

    def answers(self) -> dict:
        """The answers as the form holds them (cleaned when valid), for the marks."""
        if self.is_bound:
            return dict(getattr(self, "cleaned_data", {}))
        return {name: self[name].value() for name in self.fields}

    def _post_clean(self):
        """Rules live in services.validate_survey."""
