"""Helpers for pages: show a service's refusal as form errors, in the user's language."""

from django import forms

from .errors import DomainError


class DateInput(forms.DateInput):
    """An HTML5 date picker that shows the value as YYYY-MM-DD (what the browser expects)."""

    input_type = "date"

    def __init__(self, attrs=None, **kwargs):
        super().__init__(attrs, format="%Y-%m-%d", **kwargs)


class NameChoiceField(forms.ModelChoiceField):
    """A model select that shows each object's `name` (enterprises, unions...)."""

    def label_from_instance(self, obj):
        return obj.name


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a DomainError on the form: on its field when the form has it, else as a non-field
    error, with the legal source appended so the user sees why."""
    message = str(exc)
    if exc.fields:
        for field, messages in exc.fields.items():
            for msg in messages:
                text = f"{msg} ({exc.source})" if exc.source else str(msg)
                form.add_error(field if field in form.fields else None, text)
    else:
        form.add_error(None, message)


def call_service(form: forms.BaseForm, action, *args, **kwargs):
    """Run a service for a page whose form is valid. A refusal of the principal (NotAllowed) is a
    403; any other DomainError lands on the form (with its legal source) and None is returned, so
    the page re-renders the form instead of answering 500."""
    from django.core.exceptions import PermissionDenied

    from .errors import NotAllowed

    try:
        return action(*args, **kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def call_button(request, action, *args, **kwargs) -> tuple[bool, object]:
    """Run a service behind a button (a POST without a form): `(True, its result)`, or, when it
    refuses, `(False, None)` with the refusal (and its legal source) shown as the page's message.
    A refusal of the principal (NotAllowed) is a 403. The view says what happened on success."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied

    from .errors import NotAllowed

    try:
        return True, action(*args, **kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return False, None
