"""Helpers shared by the services of mediation: today, the acting user, parsing of text, amounts
and dates into per-field errors, the case's link, the principal's permission and scope checks and
the row lock. Private to the package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotAllowed

from .. import rules
from ..models import Case


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _amount(value, field: str, errors: dict, *, allow_zero=True) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
        if not amount.is_finite():  # "NaN" passes quantize, then fails every comparison
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount in yuan, e.g. 12000.50."))
        return Decimal("0")
    if amount < 0 or (not allow_zero and amount == 0):
        errors.setdefault(field, []).append(_("The amount must be more than zero."))
    elif amount > rules.MAX_AMOUNT:
        errors.setdefault(field, []).append(_("The amount is too large."))
    return amount


def _date(
    value, field: str, errors: dict, *, required=False, not_after: dt.date | None = None
) -> dt.date | None:
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


def _link(case: Case) -> str:
    return reverse("mediation:detail", args=[case.pk])


def _require(principal, perm: str, case: Case | None = None) -> None:
    if principal.is_system:
        return
    if principal.is_api_client:
        if not principal.has_scope("mediation:write"):
            raise NotAllowed(_("The API client needs the “mediation:write” scope."))
    elif principal.user is None or not principal.user.has_perm(perm):
        raise NotAllowed(_("Your role may not do this."))
    if case is not None and not Case.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not handled by your organisation."))


def _require_scope(principal, case: Case) -> None:
    """The lifecycle actions act only on a case the principal sees (the table checks role and
    state, not scope): a mediator of another organisation is refused even if they call the
    service with the case."""
    if not Case.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not handled by your organisation."))


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)
