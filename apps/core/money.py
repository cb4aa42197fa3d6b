"""Amounts of money as people read them: in yuan to the fen, with thousands separators
("2,460,633.00"), whatever the page's language. Django's Chinese number format has no thousands
separator (`THOUSAND_SEPARATOR = ""`), so `floatformat:"2g"` printed 2460633.00; pages, PDFs and
notifications use `format_yuan` (templates: `{% load money %}{{ amount|yuan }}`), .xlsx exports
a money column (`apps.core.exports.Sheet.money`, number format `MONEY_FORMAT`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

#: The .xlsx number format of an amount in yuan (Excel shows the separators in every locale).
MONEY_FORMAT = "#,##0.00"

_FEN = Decimal("0.01")


def to_decimal(value) -> Decimal | None:
    """The amount as a Decimal rounded to the fen (half up), or None for None, "" and what is not
    a finite number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
        if not amount.is_finite():
            return None
        return amount.quantize(_FEN, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None


def format_yuan(value, default: str = "") -> str:
    """ "2,460,633.00" for 2460633 (two decimals, comma every three digits); `default` for no
    amount. Text that is not a number is returned as it is."""
    amount = to_decimal(value)
    if amount is None:
        return default if value is None or value == "" else str(value)
    return f"{amount:,.2f}"


def format_yuan_unit(value, default: str = "") -> str:
    """The amount with its unit in the current language: "2,460,633.00元" / "2,460,633.00 yuan"."""
    text = format_yuan(value, default="")
    if not text:
        return default
    return _("%(amount)s yuan") % {"amount": text}
