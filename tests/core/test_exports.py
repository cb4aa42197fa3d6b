"""One export helper: formula-safe cells, real dates, streamed responses."""

import csv
import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from apps.core import exports

DANGEROUS = ["=1+1", "+86 771", "-2", "@SUM(A1)", "\tx", '=HYPERLINK("http://x")']


def test_csv_never_writes_a_formula_and_keeps_other_values():
    assert [exports.csv_text(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert exports.csv_text(None) == ""
    assert exports.csv_text(dt.date(2026, 10, 1)) == "2026-10-01"
    assert exports.csv_text("柳州甲汽车") == "柳州甲汽车"
    assert exports.csv_text(12) == "12"


def test_csv_response_streams_with_a_bom():
    response = exports.csv_response("x.csv", ["名称", "值"], iter([["=cmd", 1], ["乙", None]]))
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    raw = response.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["名称", "值"], ["'=cmd", "1"], ["乙", ""]]


def test_xlsx_cells_are_text_dates_and_numbers_never_formulas():
    sheet = exports.Sheet(
        "风险/提示[1]",
        ["名称", "日期", "金额"],
        ([text, dt.date(2026, 1, 2), Decimal("2460633.50")] for text in DANGEROUS),
        widths={0: 30},
    )
    book = load_workbook(io.BytesIO(exports.xlsx_bytes([sheet])))
    ws = book.worksheets[0]
    assert ws.title == "风险／提示（1）"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("名称", "日期", "金额")
    assert [r[0] for r in rows[1:]] == DANGEROUS
    assert all(cell.data_type == "s" for cell in ws["A"][1:]), "text, not formulas"
    assert rows[1][1] == dt.datetime(2026, 1, 2)
    assert ws["B2"].number_format == "yyyy-mm-dd"
    assert rows[1][2] == 2460633.5


def test_xlsx_response_is_streamed_from_a_file():
    response = exports.xlsx_response("book.xlsx", [exports.Sheet("a", ["x"], [[1]])])
    assert response.streaming
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.getvalue()))
    assert book.worksheets[0]["A2"].value == 1


def test_sheet_titles_are_legal():
    assert exports.sheet_title("x" * 40) == "x" * 31
    assert exports.sheet_title("") == "Sheet"
