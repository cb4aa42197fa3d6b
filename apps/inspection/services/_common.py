"""Helpers shared by the services of inspection: today, the acting user, parsing of text, amounts
and dates into per-field errors, the permission and scope checks and the row lock. Private to the
package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import values
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
    return values.clean_text(value, limit)


def _amount(value, field: str, errors: dict) -> Decimal:
    return values.clean_amount(value, field, errors, maximum=rules.MAX_AMOUNT)


_date = values.clean_date


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
