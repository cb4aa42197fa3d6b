"""The one way the platform writes spreadsheets: .xlsx and CSV, formula-safe, streamed.

Every export (the registry, a contract book, an import report...) describes its sheets as rows of
plain values and hands them here, so that:

- no cell ever becomes a formula: text starting with ``= + - @`` (or a tab or carriage return)
  is written as text in .xlsx and with a leading apostrophe in CSV (OWASP "CSV injection");
- dates are real dates (yyyy-mm-dd), numbers stay numbers, None is an empty cell; amounts of
  money (`Sheet.money`: the columns that hold them) are numbers shown as 2,460,633.00;
- memory stays flat however many rows there are: CSV is streamed row by row, and the .xlsx is
  written by openpyxl's write-only mode to a temporary file that is then streamed;
- Chinese opens correctly in Excel (CSV carries a UTF-8 byte-order mark).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

#: A cell starting with one of these would be run as a formula by Excel or LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Excel refuses these in sheet titles; the full-width forms read the same to a Chinese reader.
_TITLE_TRANSLATION = str.maketrans("[]:*?/\\", "（）：＊？／＼")


def csv_text(value) -> str:
    """The CSV form of a value: ISO dates, empty for None, and text that can never be a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def sheet_title(text) -> str:
    """A legal sheet title: at most 31 characters, none of []:*?/\\."""
    return str(text).translate(_TITLE_TRANSLATION)[:31] or "Sheet"


@dataclass
class Sheet:
    """One sheet: a header row, then `rows` (any iterable, consumed once)."""

    title: str
    header: Sequence = ()
    rows: Iterable[Sequence] = ()
    #: Column widths in characters, by 0-based column index (others: openpyxl's default).
    widths: dict[int, float] = field(default_factory=dict)
    #: The top-left cell that is not frozen, e.g. "A2" (header row) or "B2"; "" for none.
    freeze: str = "A2"
    #: Bold the first column too (for label/value sheets).
    bold_first_column: bool = False
    #: The columns (0-based) that hold amounts in yuan: numbers with the format "#,##0.00".
    money: Sequence[int] = ()


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streaming response."""

    def write(self, value):
        return value


def _csv_lines(header: Sequence, rows: Iterable[Sequence]):
    writer = csv.writer(_Echo())
    yield "\ufeff"
    if header:
        yield writer.writerow([csv_text(h) for h in header])
    for row in rows:
        yield writer.writerow([csv_text(v) for v in row])


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A CSV download streamed row by row (UTF-8 with a byte-order mark)."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(header, rows)), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """The same CSV as one value (for files kept by the platform and for tests)."""
    return "".join(_csv_lines(header, rows)).encode("utf-8")


def _cell(sheet, value, bold=None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, even if it starts with "="
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if bold is not None:
        cell.font = bold
    return cell


def _money_cell(sheet, value):
    from apps.core.money import MONEY_FORMAT

    cell = _cell(sheet, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = MONEY_FORMAT
    return cell


def _plain(value):
    """What openpyxl may store: dates, numbers and text (lazy translations and the rest as text)."""
    if isinstance(value, dt.datetime):  # before dt.date: a datetime is a date too
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value)  # the park's wall-clock time, as the pages show it
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def write_xlsx(sheets: Iterable[Sheet], out) -> None:
    """Write the sheets to the binary file object `out` (write-only mode: flat memory)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(sheet_title(spec.title))
        for index, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        if spec.freeze:
            sheet.freeze_panes = spec.freeze
        if spec.header:
            sheet.append([_cell(sheet, _plain(h), bold) for h in spec.header])
        money = frozenset(spec.money)
        for row in spec.rows:
            values = [_plain(v) for v in row]
            if spec.bold_first_column and values:
                values[0] = _cell(sheet, values[0], bold)
            # Plain values are written as they are (dates as dates); only text openpyxl would store
            # as a formula (it starts with "=") needs a cell that says "text", and an amount a cell
            # with the money format.
            sheet.append(
                [
                    _money_cell(sheet, v)
                    if i in money
                    else _cell(sheet, v)
                    if isinstance(v, str) and v.startswith("=")
                    else v
                    for i, v in enumerate(values)
                ]
            )
    workbook.save(out)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook as one value (for files kept by the platform and for tests)."""
    import io

    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


def xlsx_response(filename: str, sheets: Iterable[Sheet]) -> FileResponse:
    """An .xlsx download: written to a temporary file (not memory), then streamed from it."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(sheets, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
