"""Helpers for pages: show a service's refusal as form errors, in the user's language."""

from django import forms

from .errors import DomainError


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
