"""Errors raised by services when a business rule refuses an action.

A DomainError carries a translatable message for the user, an optional field it concerns and the
legal or policy source of the rule, so pages and the API can both say *why* and *on what basis*.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule refused the action. Shown to the user as a form error or a 400 response."""

    default_code = "domain_error"

    def __init__(self, message, *, code=None, field=None, source=None, fields=None, codes=None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.source = source  # e.g. "劳动合同法 第十九条 / Labour Contract Law art. 19"
        self.fields = fields or ({field: [message]} if field else {})
        # Machine-readable codes per field (issue 15), parallel to `fields`' messages:
        # {"start": ["overlap"]}. A field without codes gets the error's `code` (the API's
        # `error.codes`, apps/api/errors.py).
        self.codes = codes or {}

    def __str__(self):
        text = str(self.message)
        return f"{text} ({self.source})" if self.source else text


class NotAllowed(DomainError):
    """The principal may not perform this action on this object (403)."""

    default_code = "not_allowed"


class InvalidTransition(DomainError):
    """The action is not allowed from the object's current state (409)."""

    default_code = "invalid_transition"

    def __init__(self, message=None, **kwargs):
        super().__init__(message or _("This action is not allowed in the current state."), **kwargs)


def raise_fields(errors: dict, *, source=None) -> None:
    """Raise one DomainError for every invalid field collected by a service ({field: [messages]}),
    so the page shows each message beside its field and the API answers one 400 naming them all.
    Does nothing when `errors` is empty."""
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(
            first if len(errors) == 1 else _("Some fields are invalid."), fields=errors, source=source
        )
