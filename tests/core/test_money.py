"""Amounts in yuan with thousands separators everywhere (issue 20: "2460633.00" on a page): the
formatting, the template filters in both languages, the .xlsx money column."""

import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from openpyxl import load_workbook

from apps.core import exports
from apps.core.money import MONEY_FORMAT, format_yuan, format_yuan_unit, to_decimal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("2460633"), "2,460,633.00"),
        (Decimal("2460633.005"), "2,460,633.01"),  # half up, to the fen
        (9790000, "9,790,000.00"),
        (1234.5, "1,234.50"),
        ("1234567.8", "1,234,567.80"),
        ("1,234.5", "1,234.50"),
        (Decimal("999.99"), "999.99"),
        (Decimal("0"), "0.00"),
        (Decimal("-1234.5"), "-1,234.50"),
    ],
)
def test_format_yuan(value, text):
    assert format_yuan(value) == text


def test_what_is_not_an_amount():
    assert format_yuan(None) == "" and format_yuan("") == ""
    assert format_yuan(None, "—") == "—"
    assert format_yuan("n/a") == "n/a"  # text is shown as it is
    assert format_yuan(True) == "True"  # a boolean is not an amount
    assert to_decimal("NaN") is None and to_decimal("Infinity") is None and to_decimal(object()) is None


def render(text, **context):
    return Template("{% load money %}" + text).render(Context(context))


def test_the_filters_in_both_languages():
    amount = Decimal("2460633.00")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            # Django's Chinese number format has no thousands separator: the filter does not use it.
            assert render("{{ a|yuan }}", a=amount) == "2,460,633.00"
            assert render('{{ a|yuan:"—" }}', a=None) == "—"
            assert render("{{ a|yuan }}", a="<b>") == "&lt;b&gt;"
    with translation.override("en"):
        assert render("{{ a|yuan_unit }}", a=amount) == "2,460,633.00 yuan"
        assert format_yuan_unit(amount) == "2,460,633.00 yuan"
        assert render("{{ a|yuan_unit }}", a=None) == ""
    with translation.override("zh-hans"):
        text = render("{{ a|yuan_unit }}", a=amount)
        assert text.startswith("2,460,633.00") and text == translation.gettext("%(amount)s yuan") % {
            "amount": "2,460,633.00"
        }


def test_the_xlsx_money_column_is_a_number_with_separators():
    sheet = exports.Sheet(
        "金额",
        ["名称", "金额（元）", "人数"],
        iter([["甲", Decimal("2460633.00"), 3], ["乙", None, 4], ["丙", "=1+1", 5]]),
        money=[1],
    )
    book = load_workbook(io.BytesIO(exports.xlsx_bytes([sheet])))
    rows = list(book["金额"].iter_rows(min_row=2))
    amount = rows[0][1]
    assert amount.value == 2460633 and amount.data_type == "n" and amount.number_format == MONEY_FORMAT
    assert rows[0][2].number_format == "General"  # not a money column
    assert rows[1][1].value is None
    assert rows[2][1].value == "=1+1" and rows[2][1].data_type == "s"  # still never a formula
