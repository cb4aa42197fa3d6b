"""Parsing of the values a service receives (from a form, a JSON body or an import) into typed
values and per-field errors: `errors` is the `{field: [message]}` dict a service raises as a
DomainError with field messages (a 400, or a form error), never a 500. Shared by the services of
mediation and inspection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


def clean_text(value, limit: int) -> str:
    """The value as stripped text of at most `limit` characters ("" for None)."""
    return str(value if value is not None else "").strip()[:limit]


def clean_amount(value, field: str, errors: dict, *, maximum: Decimal, allow_zero: bool = True) -> Decimal:
    """An amount in yuan to the fen (empty is 0); not negative, not above `maximum`, and more
    than zero unless `allow_zero`."""
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
        if not amount.is_finite():  # "NaN" passes quantize, then fails every comparison
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount in yuan, e.g. 12000.50."))
        return Decimal("0")
    if amount < 0 and allow_zero:
        errors.setdefault(field, []).append(_("The amount cannot be negative."))
    elif amount <= 0 and not allow_zero:
        errors.setdefault(field, []).append(_("The amount must be more than zero."))
    elif amount > maximum:
        errors.setdefault(field, []).append(_("The amount is too large."))
    return amount


def clean_date(
    value, field: str, errors: dict, *, required: bool = False, not_after: dt.date | None = None
) -> dt.date | None:
    """A date from a date, a datetime or YYYY-MM-DD text; None when empty (an error if
    `required`); an error if after `not_after`."""
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("Enter a date."))
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):  # e.g. a number from a JSON body
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None
    if not_after is not None and value > not_after:
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
    return value
