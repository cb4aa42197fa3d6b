"""Helpers shared by the services of mediation: today, the acting user, parsing of text, amounts
and dates into per-field errors, the case's link, the principal's permission and scope checks and
the row lock. Private to the package."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import values
from apps.core.errors import NotAllowed

from .. import rules
from ..models import Case


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _text(value, limit: int) -> str:
    return values.clean_text(value, limit)


def _amount(value, field: str, errors: dict, *, allow_zero=True) -> Decimal:
    return values.clean_amount(value, field, errors, maximum=rules.MAX_AMOUNT, allow_zero=allow_zero)


_date = values.clean_date


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
    if case is not None and not Case.objects.worked_by(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not handled by your organisation."))


def _require_scope(principal, case: Case) -> None:
    """The lifecycle actions act only on a case the principal works (`Case.worked_by`; the table
    checks it too, with role and state): a mediator of another organisation, the respondent's HR
    or a federation supervising overdue cases are refused even if they call the service with
    the case."""
    if not Case.objects.worked_by(principal).filter(pk=case.pk).exists():
        raise NotAllowed(_("This case is not handled by your organisation."))


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)
