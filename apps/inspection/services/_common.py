"""Helpers shared by the services of inspection: today, the acting user, parsing of text, amounts
and dates into per-field errors, the permission and scope checks and the row lock. Private to the
package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotAllowed

from .. import rules
from ..models import InspectionCase
from ..workflow import holds


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _text(value, limit: int) -> str:
    return str(value if value is not None else "").strip()[:limit]


def _amount(value, field: str, errors: dict) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount in yuan, e.g. 12000.50."))
        return Decimal("0")
    if amount < 0:
        errors.setdefault(field, []).append(_("The amount cannot be negative."))
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
    if not isinstance(value, dt.date):
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None
    if not_after is not None and value > not_after:
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
    return value


def _require(principal, permission: str) -> None:
    if not holds(principal, permission):
        if principal.is_api_client:
            raise NotAllowed(_("The API client needs the “inspection:write” scope."))
        raise NotAllowed(_("Your role may not do this."))


def _require_scope(principal, case: InspectionCase) -> None:
    """Actions act only on a case the principal sees (the table checks role and state, not scope)."""
    if not InspectionCase.objects.visible_to(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not in your area."))


def _lock(case: InspectionCase) -> InspectionCase:
    return InspectionCase.objects.select_for_update().get(pk=case.pk)
