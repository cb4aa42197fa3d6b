"""Pieces of filter sets shared by every module's lists (django-filter)."""

import datetime as dt

import django_filters
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

_descending = lazy(lambda fmt, label: str(fmt) % label, str)


class LazyOrderingFilter(django_filters.OrderingFilter):
    """django-filter formats the descending labels at import, in the language active then; keep
    them lazy so they follow the request's language (and the schema is generated in English)."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        asc = dict(choices)
        return [
            (param, labels.get(param) or _descending(self.descending_fmt, asc[param[1:]]))
            if param.startswith("-")
            else (param, label)
            for param, label in choices
        ]


class YesNoWidget(forms.Select):
    """ "Any / Yes / No" for a boolean filter (values true/false, as in the API)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])

    def format_value(self, value):
        # A select's format_value is the list of selected values (else the chosen one is not shown).
        return [{True: "true", False: "false", "True": "true", "False": "false"}.get(value, value or "")]


class ChecksWidget(forms.CheckboxSelectMultiple):
    """One checkbox per choice for a filter of several values (`?status=a&status=b`, the same
    parameters as a multiple select), instead of a list that needs Ctrl-click; pages render it
    compactly as a dropdown of checkboxes (templates/includes/filter_checks.html)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "form-check-input", **(attrs or {})}, choices)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number, as the schema says for a filter on an integer column (`NumberFilter` would
    take `2.5` and the API would answer what the schema calls invalid)."""

    field_class = forms.IntegerField


_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class CanonicalUUIDField(forms.UUIDField):
    """An id in the hyphenated form of the schema's `format: uuid` (Python's UUID would also take
    32 bare hex digits, braces or a `urn:uuid:` prefix)."""

    def to_python(self, value):
        import re

        from django.core.exceptions import ValidationError

        if value not in self.empty_values and not re.match(_UUID, str(value)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class UUIDFilter(django_filters.UUIDFilter):
    """The id of an object, in the schema's hyphenated form."""

    field_class = CanonicalUUIDField


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, read in UTC: Python parses offsets up to ±23:59, PostgreSQL takes only
    ±15:59 (`+20:06` was a 500); a moment before year 1 in UTC is an invalid value."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(dt.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
