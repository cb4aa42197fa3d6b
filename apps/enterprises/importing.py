"""Excel in and out of the enterprise registry (no HTTP here; `views_excel.py` is thin).

Import is two-step (docs/adr/0011-enterprise-registry.md, decision 6):

1. `validate_file` reads the first sheet of an .xlsx, checks every row with the registry's own
   rules (`services.validate_enterprise`, `services.validate_survey`) and stores an `ImportBatch`
   with the normalised good rows and a report of every bad one (row, column, value, reason).
2. `confirm_import` writes all the good rows in ONE transaction through
   `services.register_in_bulk`: the rules of `create_enterprise` / `update_enterprise` /
   `record_survey`, row after row, written in bulk (queries per chunk of rows, not per row). A row
   whose USCC is already registered updates that enterprise (only the columns the row fills);
   nothing is ever duplicated. If any row fails against the database as it is now, nothing is
   written and the failure names the row.

Export writes the same columns (`COLUMNS`), so an exported file imports again without errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import services as audit
from apps.core import exports
from apps.core.errors import DomainError, NotAllowed
from apps.core.i18n import lazy_format
from apps.core.models import Area
from apps.core.tasks import enqueue_on_commit

from . import services, workflow
from .choices import Industry, Ownership, Status
from .models import Enterprise, EnterpriseSurvey, ImportBatch

logger = logging.getLogger(__name__)

#: Largest accepted upload. Tests lower it with monkeypatch.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
#: Most data rows in one file; a bigger registry is imported in parts.
MAX_IMPORT_ROWS = 20_000
#: An .xlsx is a zip; refuse one that unpacks to more than this (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: Reading stops after this many blank rows in a row (sheets often carry formatting far below the data).
BLANK_ROWS_STOP = 1000
#: Largest value a PositiveIntegerField holds.
MAX_INT = 2_147_483_647

XLSX_CONTENT_TYPE = exports.XLSX_CONTENT_TYPE
DATA_SHEET_TITLE = "企业名录"
#: Sheet names cannot contain "/" in Excel, hence no slash between the two languages.
NOTES_SHEET_TITLE = "说明 Notes"


#: The code of the template's example row (valid, so the row looks real). A file that still
#: contains it gets a row error instead of registering a fictitious enterprise.
EXAMPLE_USCC = "91450271004010601X"

# --- Code lists in the words parks use -------------------------------------------------------------

#: GB/T 4754-2017 section names (门类), as printed in the standard.
INDUSTRY_NAMES_ZH = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

#: Chinese names of the ownership types; the first is written on export.
OWNERSHIP_NAMES_ZH = {
    Ownership.STATE: ["国有", "国有企业", "国有独资", "国有控股"],
    Ownership.COLLECTIVE: ["集体", "集体企业"],
    Ownership.PRIVATE: ["私营", "私营企业", "民营", "民营企业"],
    Ownership.JOINT_STOCK: ["股份制", "股份制企业", "股份有限公司", "有限责任公司", "股份制/有限责任"],
    Ownership.HMT: ["港澳台商投资", "港澳台投资", "港澳台商投资企业", "港澳台"],
    Ownership.FOREIGN: ["外商投资", "外商投资企业", "外资", "外资企业", "中外合资", "中外合作"],
    Ownership.OTHER: ["其他", "其它"],
}

#: Chinese names of the registry statuses; the first is written on export.
STATUS_NAMES_ZH = {
    Status.OPERATING: ["在营", "存续", "在业", "开业"],
    Status.MOVED_OUT: ["迁出", "已迁出"],
    Status.CLOSED: ["注销", "已注销", "关闭", "已关闭", "吊销"],
}

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗"}
BOOL_EXPORT = {True: "是", False: "否"}


# --- Columns ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # unique in COLUMNS
    header: str  # Chinese header, as parks keep it (written on export and in the template)
    english: str  # accepted as an alias (case-insensitive)
    kind: str  # how the cell is read: see _PARSERS
    target: str  # "enterprise" or "survey"
    field: str  # model field on Enterprise or EnterpriseSurvey
    required: str = ""  # "always", "new" (new enterprises) or "survey" (rows with a survey)
    note: object = ""  # what the Notes sheet says about it (lazy, translated)


ENTERPRISE, SURVEY = "enterprise", "survey"

COLUMNS: list[Column] = [
    Column(
        "uscc",
        "统一社会信用代码",
        "USCC",
        "uscc",
        ENTERPRISE,
        "uscc",
        "always",
        gettext_lazy(
            "18 characters with the check character (GB 32100-2015). A code already in the registry "
            "updates that enterprise; only the filled-in columns change."
        ),
    ),
    Column(
        "name", "企业名称", "Name", "text", ENTERPRISE, "name", "always", gettext_lazy("Registered name.")
    ),
    Column(
        "legal_representative",
        "法定代表人",
        "Legal representative",
        "text",
        ENTERPRISE,
        "legal_representative",
    ),
    Column("address", "地址", "Address", "text", ENTERPRISE, "address"),
    Column(
        "town",
        "所属镇（街道）",
        "Town",
        "town",
        ENTERPRISE,
        "town",
        "new",
        gettext_lazy("Name or division code of the town / sub-district."),
    ),
    Column(
        "industry",
        "行业门类",
        "Industry",
        "industry",
        ENTERPRISE,
        "industry",
        "new",
        lazy_format(
            gettext_lazy("Section letter A–T of GB/T 4754-2017, its name, or both (e.g. “%(example)s”)."),
            example="C 制造业",
        ),
    ),
    Column("ownership", "经济类型", "Ownership", "ownership", ENTERPRISE, "ownership", "new"),
    Column(
        "established_on",
        "成立日期",
        "Date established",
        "date",
        ENTERPRISE,
        "established_on",
        "",
        lazy_format(
            gettext_lazy("A date cell, or 2019-05-01, 2019/5/1, %(written)s; not in the future."),
            written="2019年5月1日",
        ),
    ),
    Column(
        "status",
        "经营状态",
        "Status",
        "status",
        ENTERPRISE,
        "status",
        "",
        gettext_lazy("Blank for a new enterprise means operating."),
    ),
    Column(
        "employees",
        "职工人数",
        "Employees",
        "int",
        ENTERPRISE,
        "employees",
        "",
        gettext_lazy("Whole number, 0 or more. A survey of the latest year replaces it."),
    ),
    Column("contact_name", "联系人", "Contact person", "text", ENTERPRISE, "contact_name"),
    Column("contact_phone", "联系电话", "Contact phone", "text", ENTERPRISE, "contact_phone"),
    Column("contact_email", "联系邮箱", "Contact e-mail", "email", ENTERPRISE, "contact_email"),
    Column(
        "survey_year",
        "调查年度",
        "Survey year",
        "int",
        SURVEY,
        "year",
        "survey",
        gettext_lazy(
            "Blank: the row has no survey. With a year, the row records (or replaces) that year's survey; "
            "blank survey columns keep what that survey already has."
        ),
    ),
    Column(
        "survey_employees",
        "调查职工人数",
        "Survey employees",
        "int",
        SURVEY,
        "employees",
        "survey",
        gettext_lazy("Blank: the employees column of the row is used."),
    ),
    Column("union_members", "工会会员数", "Union members", "int", SURVEY, "union_members"),
    Column("women", "女职工人数", "Women workers", "int", SURVEY, "women"),
    Column("migrant_workers", "农民工人数", "Migrant workers", "int", SURVEY, "migrant_workers"),
    Column("has_union", "是否建立工会", "Union established", "bool", SURVEY, "has_union"),
    Column(
        "contract_signing_rate",
        "劳动合同签订率(%)",
        "Labour-contract signing rate (%)",
        "rate",
        SURVEY,
        "contract_signing_rate",
        "",
        gettext_lazy(
            "A number from 0 to 100, e.g. 95; text with a per-cent sign and percentage cells are read too."
        ),
    ),
    Column(
        "collective_contract",
        "是否签订集体合同",
        "Collective contract",
        "bool",
        SURVEY,
        "collective_contract",
    ),
    Column("wage_bargaining", "是否开展工资集体协商", "Wage bargaining", "bool", SURVEY, "wage_bargaining"),
    Column("workers_congress", "是否召开职代会", "Workers' congress", "bool", SURVEY, "workers_congress"),
    Column(
        "mediation_committee",
        "是否建立企业劳动争议调解委员会",
        "Mediation committee",
        "bool",
        SURVEY,
        "mediation_committee",
    ),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
ENTERPRISE_KEY = {c.field: c.key for c in COLUMNS if c.target == ENTERPRISE}
SURVEY_KEY = {c.field: c.key for c in COLUMNS if c.target == SURVEY}

_PUNCT = re.compile(r"[\s/／、,，.。·:：;；_\-—–()（）\[\]【】]+")


def _norm(text) -> str:
    """Compare headers and labels loosely: full-width to half-width, case, spaces and punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text)).casefold())


#: Accepted header texts (compared with _norm: 所属镇(街道) == 所属镇（街道）, "town" == "Town") -> key.
HEADER_ALIASES: dict[str, str] = {"unifiedsocialcreditcode": "uscc", "enterprisename": "name"}
for _c in COLUMNS:
    for _alias in (_c.header, _c.english, _c.key):
        HEADER_ALIASES[_norm(_alias)] = _c.key


# --- Permissions -----------------------------------------------------------------------------------


def _require_import(principal) -> None:
    if not workflow.can_import(principal):
        raise NotAllowed(_("Only park administrators import enterprises."))


def require_export(principal) -> None:
    if not workflow.can_export(principal):
        raise NotAllowed(_("Your role does not allow exporting the registry."))


# --- Reading cells ---------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = str(reason)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _display(value) -> str:
    """The cell as the report shows it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)[:200]


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return _display(value)
    return str(value).strip()


class _Context:
    """What every row is checked against, loaded once per file (no query per row)."""

    def __init__(self):
        towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
        self.towns = towns
        self.town_by_code = {t.code: t for t in towns}
        self.town_by_name = defaultdict(list)
        for t in towns:
            self.town_by_name[_norm(t.name)].append(t)
        self.industry = _label_index(Industry, {k: [v] for k, v in INDUSTRY_NAMES_ZH.items()})
        for letter, zh in INDUSTRY_NAMES_ZH.items():
            self.industry[_norm(letter + zh)] = letter
        self.ownership = _label_index(Ownership, OWNERSHIP_NAMES_ZH)
        self.status = _label_index(Status, STATUS_NAMES_ZH)
        self.existing: dict[str, Enterprise] = {}
        self.surveys: dict[tuple, dict] = {}

    def load_existing(self, usccs) -> None:
        usccs = sorted(usccs)
        for i in range(0, len(usccs), 500):
            for ent in Enterprise.objects.filter(uscc__in=usccs[i : i + 500]):
                self.existing[ent.uscc] = ent
        ids = [e.pk for e in self.existing.values()]
        fields = ["enterprise_id", "year", *services.SURVEY_FIELDS]
        for i in range(0, len(ids), 500):
            for row in EnterpriseSurvey.objects.filter(enterprise_id__in=ids[i : i + 500]).values(*fields):
                key = (row.pop("enterprise_id"), row["year"])
                self.surveys[key] = row


def _label_index(choices, chinese: dict) -> dict[str, str]:
    """value, English label, label in the current language and Chinese names -> value."""
    index = {}
    for value, label in choices.choices:
        names = [value, *chinese.get(value, [])]
        for language in ("en", "zh-hans"):
            with translation.override(language):
                text = str(label)
            names.append(text)
            if choices is Industry:  # "C Manufacturing" -> also "Manufacturing"
                names.append(text[2:] if text[:2] == f"{value} " else text)
        names.append(str(label))
        for name in names:
            index[_norm(name)] = value
    return index


def _parse_text(col, value, fmt, ctx):
    text = _text(value)
    limit = Enterprise._meta.get_field(col.field).max_length
    if limit and len(text) > limit:
        raise _CellError(
            _("At most %(limit)d characters; this has %(n)d.") % {"limit": limit, "n": len(text)}
        )
    return text


def _parse_email(col, value, fmt, ctx):
    text = _parse_text(col, value, fmt, ctx)
    try:
        validate_email(text)
    except ValidationError as exc:
        raise _CellError(_("Enter a valid e-mail address.")) from exc
    return text


def _parse_uscc(col, value, fmt, ctx):
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _CellError(
            _(
                "The code was saved as a number, and Excel keeps only 15 digits of a number. "
                "Format the column as text and type the code again."
            )
        )
    try:
        return services.normalize_uscc(_text(value))
    except DomainError as exc:
        raise _CellError((exc.fields.get("uscc") or [exc.message])[0]) from exc


def _parse_town(col, value, fmt, ctx):
    text = _text(value)
    town = ctx.town_by_code.get(text)
    if town is not None:
        return town
    matches = ctx.town_by_name.get(_norm(text), [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise _CellError(
            _("Several towns are called “%(name)s”; enter the division code instead (%(codes)s).")
            % {"name": text, "codes": ", ".join(t.code for t in matches)}
        )
    names = "、".join(t.name for t in ctx.towns[:15]) + ("…" if len(ctx.towns) > 15 else "")
    raise _CellError(
        _("No town or sub-district “%(name)s” in the park. Use one of: %(names)s (or the division code).")
        % {"name": text, "names": names or "—"}
    )


def _parse_choice(index_name, message):
    def parse(col, value, fmt, ctx):
        text = _text(value)
        found = getattr(ctx, index_name).get(_norm(text))
        if found is None:
            raise _CellError(message())
        return found

    return parse


def _industry_message():
    return _("Enter an industry section A–T of GB/T 4754-2017, its name, or both (e.g. “%(example)s”).") % {
        "example": "C 制造业"
    }


def _ownership_message():
    return _("Unknown ownership type. Use one of: %(names)s.") % {
        "names": "、".join(names[0] for names in OWNERSHIP_NAMES_ZH.values())
    }


def _status_message():
    return _("Unknown status. Use one of: %(names)s.") % {
        "names": "、".join(names[0] for names in STATUS_NAMES_ZH.values())
    }


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def _parse_date(col, value, fmt, ctx):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _CellError(_("Enter a date, e.g. 2019-05-01."))
    if isinstance(value, int | float):
        number = int(value)
        if 19000101 <= number <= 21001231:  # typed as 20190501
            return _ymd(str(number)[:4], str(number)[4:6], str(number)[6:])
        if 367 <= value <= 73050:  # an Excel serial date whose cell lost its date format
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise _CellError(_("Enter a date, e.g. 2019-05-01."))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{8}", text):
        return _ymd(text[:4], text[4:6], text[6:])
    match = _DATE_RE.match(text)
    if not match:
        raise _CellError(_("Enter a date, e.g. 2019-05-01."))
    return _ymd(*match.groups())


def _ymd(year, month, day):
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise _CellError(_("This date does not exist.")) from exc


def _parse_int(col, value, fmt, ctx):
    message = _("Enter a whole number, 0 or more.")
    if isinstance(value, bool):
        raise _CellError(message)
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError(message)
        value = int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "").replace(" ", "")
        if col.key == "survey_year":
            text = text.removesuffix("年")
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise _CellError(message)
        value = int(Decimal(text))
    if not isinstance(value, int):
        raise _CellError(message)
    if value > MAX_INT:
        raise _CellError(_("This number is too large."))
    return value  # negative numbers are refused by the services, with their message


def _parse_bool(col, value, fmt, ctx):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise _CellError(_("Enter %(yes)s or %(no)s (yes or no).") % {"yes": "是", "no": "否"})


def _parse_rate(col, value, fmt, ctx):
    message = _("Enter a percentage between 0 and 100.")
    if isinstance(value, bool):
        raise _CellError(message)
    try:
        if isinstance(value, int | float):
            rate = Decimal(str(value))
            if fmt and "%" in fmt:  # a percentage cell holds 0.95 for 95 %
                rate *= 100
        else:
            text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("%").strip()
            rate = Decimal(text)
    except InvalidOperation as exc:
        raise _CellError(message) from exc
    if not rate.is_finite() or abs(rate) >= 1000:  # out of range anyway; too big to round
        raise _CellError(message)
    return rate.quantize(Decimal("0.01"))


_PARSERS = {
    "text": _parse_text,
    "email": _parse_email,
    "uscc": _parse_uscc,
    "town": _parse_town,
    "industry": _parse_choice("industry", _industry_message),
    "ownership": _parse_choice("ownership", _ownership_message),
    "status": _parse_choice("status", _status_message),
    "date": _parse_date,
    "int": _parse_int,
    "bool": _parse_bool,
    "rate": _parse_rate,
}


# --- Validating a file -----------------------------------------------------------------------------


def _file_error(message) -> DomainError:
    return DomainError(message, field="file", code="invalid_file")


def _expected_headers() -> str:
    return "、".join(HEADERS)


def _open_workbook(content: bytes, name: str):
    """The first worksheet of the .xlsx, or a DomainError saying what the file really is."""
    if content[:4] == b"\xd0\xcf\x11\xe0":  # OLE2: an old .xls, or an encrypted workbook
        raise _file_error(
            _(
                "“%(name)s” is an old Excel 97–2003 file (.xls) or a password-protected workbook. "
                "Open it in Excel, remove any password and save it as “Excel Workbook (*.xlsx)”."
            )
            % {"name": name}
        )
    buffer = io.BytesIO(content)
    if not zipfile.is_zipfile(buffer):
        raise _file_error(
            _(
                "“%(name)s” is not an Excel workbook, although it is named .xlsx (it may be a renamed "
                ".csv or .xls file). Open it in Excel and save it as “Excel Workbook (*.xlsx)”."
            )
            % {"name": name}
        )
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _file_error(_("“%(name)s” is damaged and cannot be read.") % {"name": name}) from exc
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise _file_error(
            _("“%(name)s” is too large once unpacked; split it into smaller files.") % {"name": name}
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for files it cannot read
        raise _file_error(
            _(
                "“%(name)s” cannot be read as an Excel workbook. Open it in Excel and save it as "
                "“Excel Workbook (*.xlsx)”."
            )
            % {"name": name}
        ) from exc
    if not workbook.worksheets:
        workbook.close()
        raise _file_error(_("“%(name)s” has no worksheet.") % {"name": name})
    return workbook


def _cells(row) -> dict[int, object]:
    """{column number: cell} of the non-empty cells of a read-only row."""
    return {c.column: c for c in row if getattr(c, "column", None) and not _blank(c.value)}


def _read_sheet(sheet, name: str):
    """(header map {column number: (key, header text)}, [(row number, {key: (value, number_format)})])."""
    header_cells = None
    data = []
    blank_run = 0
    for row in sheet.iter_rows():
        cells = _cells(row)
        if not cells:
            if header_cells is not None:
                blank_run += 1
                if blank_run >= BLANK_ROWS_STOP:
                    break
            continue
        blank_run = 0
        row_number = next(iter(cells.values())).row
        if header_cells is None:
            header_cells = cells
            headers = _match_headers(cells)
            continue
        if len(data) >= MAX_IMPORT_ROWS:
            raise _file_error(
                _("“%(name)s” has more than %(max)d rows; split it into several files.")
                % {"name": name, "max": MAX_IMPORT_ROWS}
            )
        values = {}
        for column_number, cell in cells.items():
            if column_number in headers:
                key = headers[column_number][0]
                values[key] = (cell.value, getattr(cell, "number_format", None))
        data.append((row_number, values))
    if header_cells is None:
        raise _file_error(_("The first sheet of “%(name)s” is empty.") % {"name": name})
    if not data:
        raise _file_error(
            _("The first sheet of “%(name)s” has headers but no rows of enterprises.") % {"name": name}
        )
    return headers, data


def _match_headers(cells) -> dict[int, tuple[str, str]]:
    headers, unknown, seen = {}, [], {}
    for column_number, cell in sorted(cells.items()):
        text = _text(cell.value)
        key = HEADER_ALIASES.get(_norm(text))
        if key is None:
            unknown.append(text)
        elif key in seen:
            raise _file_error(
                _("The column “%(header)s” appears twice in the header row.") % {"header": text}
            )
        else:
            seen[key] = text
            headers[column_number] = (key, text)
    missing = [COLUMN_BY_KEY[k].header for k in ("uscc", "name") if k not in seen]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(_("Unknown columns: %(names)s.") % {"names": "、".join(unknown)})
        if missing:
            parts.append(_("Missing columns: %(names)s.") % {"names": "、".join(missing)})
        raise _file_error(
            _(
                "The first row must hold the column headers of the template. %(problems)s "
                "Expected headers: %(expected)s. Download the template to see them."
            )
            % {"problems": " ".join(parts), "expected": _expected_headers()}
        )
    return headers


def _json_safe(value):
    if isinstance(value, Area):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class _RowCheck:
    """Check one data row; collect every error with its column."""

    def __init__(self, row_number, values, headers_by_key, ctx, duplicates):
        self.row = row_number
        self.values = values
        self.headers = headers_by_key
        self.ctx = ctx
        self.duplicates = duplicates
        self.errors: list[dict] = []
        self.failed: set[str] = set()

    def add(self, key, reason):
        raw = self.values.get(key, (None, None))[0]
        self.errors.append(
            {
                "_order": COLUMNS.index(COLUMN_BY_KEY[key]),
                "row": self.row,
                "column": self.headers.get(key) or COLUMN_BY_KEY[key].header,
                "value": _display(raw),
                "reason": str(reason),
            }
        )
        self.failed.add(key)

    def add_domain_error(self, exc: DomainError, field_to_key: dict, skip=()):
        for field, messages in (exc.fields or {None: [exc.message]}).items():
            key = field_to_key.get(field) if field else "uscc"
            if key is None or key in self.failed or field in skip:
                continue
            for message in messages:
                self.add(key, message)

    def run(self) -> dict | None:
        parsed = {}
        for key, (value, fmt) in self.values.items():
            if _blank(value):
                continue
            column = COLUMN_BY_KEY[key]
            try:
                parsed[key] = _PARSERS[column.kind](column, value, fmt, self.ctx)
            except _CellError as exc:
                self.add(key, exc.reason)

        uscc = parsed.get("uscc")
        if "uscc" not in parsed and "uscc" not in self.failed:
            self.add("uscc", _("The unified social credit code is required."))
        if uscc and uscc == EXAMPLE_USCC:
            self.add("uscc", _("This is the example row of the template; delete it before importing."))
        if uscc and uscc in self.duplicates:
            self.add(
                "uscc",
                _(
                    "This code appears more than once in the file (rows %(rows)s); keep one row per enterprise."
                )
                % {"rows": ", ".join(str(r) for r in self.duplicates[uscc])},
            )
        existing = self.ctx.existing.get(uscc) if uscc else None

        enterprise = {
            c.field: parsed[c.key]
            for c in COLUMNS
            if c.target == ENTERPRISE and c.key in parsed and c.key != "uscc"
        }
        cleaned = self._check_enterprise(enterprise, existing)
        survey = self._check_survey(parsed, existing, enterprise)
        if self.errors:
            return None
        if existing is None:
            cleaned["uscc"] = uscc
        return {
            "row": self.row,
            "uscc": uscc,
            "name": cleaned.get("name") or (existing.name if existing else ""),
            "action": "update" if existing else "create",
            "enterprise": {k: _json_safe(v) for k, v in cleaned.items()},
            "survey": {k: _json_safe(v) for k, v in survey.items()} if survey else None,
        }

    def _check_enterprise(self, data, existing) -> dict:
        """The registry's rules for the row's columns: an update checks only the columns given (the
        park controls status); a new enterprise also needs every one of services.REQUIRED_FIELDS.
        The code itself was checked already, and looked up once for the whole file, so this runs
        without a query per row."""
        try:
            cleaned = services.validate_enterprise(data, instance=existing or Enterprise())
        except DomainError as exc:
            self.add_domain_error(exc, ENTERPRISE_KEY)
            cleaned = {}
        if existing is None:
            for field in services.REQUIRED_FIELDS:
                key = ENTERPRISE_KEY[field]
                if field != "uscc" and field not in data and key not in self.failed:
                    self.add(key, _("This field is required."))
        return cleaned

    def _check_survey(self, parsed, existing, enterprise) -> dict | None:
        survey_keys = [c.key for c in COLUMNS if c.target == SURVEY]
        given = [k for k in survey_keys if k in parsed or k in self.failed]
        if not given:
            return None
        if "survey_year" not in given:
            self.add(
                "survey_year",
                _("Enter the survey year: other survey columns of this row are filled in."),
            )
            return None
        year = parsed.get("survey_year")
        data = {}
        if existing is not None and isinstance(year, int):
            data.update(self.ctx.surveys.get((existing.pk, year), {}))
        data.update({COLUMN_BY_KEY[k].field: parsed[k] for k in survey_keys if k in parsed})
        if "year" not in data:  # the year itself is wrong: check the rest with a valid one
            data["year"] = timezone.localdate().year
        row_employees = enterprise.get("employees")
        if (
            "employees" not in data
            and "survey_employees" not in self.failed
            and isinstance(row_employees, int)
            and row_employees >= 0
        ):
            data["employees"] = row_employees
        try:
            return services.validate_survey(data, enterprise=existing)
        except DomainError as exc:
            self.add_domain_error(exc, SURVEY_KEY)
        return None


def _file_name(uploaded_file) -> str:
    return (getattr(uploaded_file, "name", "") or "upload.xlsx").replace("\\", "/").rsplit("/", 1)[-1][:255]


def _read_upload(uploaded_file, name: str) -> bytes:
    lower = name.lower()
    if not lower.endswith(".xlsx"):
        if lower.endswith((".xls", ".csv", ".et", ".ods", ".xlsm", ".xlsb")):
            message = _(
                "“%(name)s” is not an .xlsx file. Open it in Excel (or WPS) and save it as "
                "“Excel Workbook (*.xlsx)”, then upload that file."
            )
        else:
            message = _("Only Excel workbooks (.xlsx) can be imported; “%(name)s” is not one.")
        raise _file_error(message % {"name": name})
    size = getattr(uploaded_file, "size", None)
    too_big = _("“%(name)s” is larger than %(max)d MB; split it into smaller files.") % {
        "name": name,
        "max": max(1, MAX_IMPORT_BYTES // (1024 * 1024)),
    }
    if size is not None and size > MAX_IMPORT_BYTES:
        raise _file_error(too_big)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    content = uploaded_file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise _file_error(too_big)
    if not content:
        raise _file_error(_("“%(name)s” is empty.") % {"name": name})
    return content


def validate_file(uploaded_file, principal) -> ImportBatch:
    """Read and check an uploaded .xlsx; store the report and the good rows in an ImportBatch.

    File-level problems (not an .xlsx, too large, empty, wrong headers, too many rows) raise
    DomainError(field="file") and store nothing. Row problems go into `batch.errors`."""
    _require_import(principal)
    name = _file_name(uploaded_file)
    content = _read_upload(uploaded_file, name)
    workbook = _open_workbook(content, name)
    try:
        headers, data = _read_sheet(workbook.worksheets[0], name)
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed sheet inside a valid zip
        raise _file_error(_("“%(name)s” cannot be read as an Excel workbook.") % {"name": name}) from exc
    finally:
        workbook.close()
    headers_by_key = dict(headers.values())

    ctx = _Context()
    rows_by_uscc = defaultdict(list)
    for row_number, values in data:
        raw = values.get("uscc", (None, None))[0]
        if _blank(raw) or isinstance(raw, int | float):
            continue
        try:
            rows_by_uscc[services.normalize_uscc(_text(raw))].append(row_number)
        except DomainError:
            continue
    duplicates = {code: rows for code, rows in rows_by_uscc.items() if len(rows) > 1}
    ctx.load_existing(rows_by_uscc.keys())

    good, errors = [], []
    for row_number, values in data:
        check = _RowCheck(row_number, values, headers_by_key, ctx, duplicates)
        row = check.run()
        if row is not None:
            good.append(row)
        for error in sorted(check.errors, key=lambda e: e["_order"]):
            del error["_order"]
            errors.append(error)

    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=name,
            file_sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=principal.user,
            total_rows=len(data),
            rows=good,
            errors=errors,
        )
        audit.record(
            "enterprises.import_validated",
            batch,
            after={
                "file_name": name,
                "file_sha256": batch.file_sha256,
                "total_rows": len(data),
                "good_rows": len(good),
                "bad_rows": len({e["row"] for e in errors}),
            },
        )
    return batch


def summary(batch: ImportBatch) -> dict:
    """Counts for the report page."""
    rows = batch.rows or []
    return {
        "total": batch.total_rows,
        "good": len(rows),
        "bad": len({e["row"] for e in batch.errors or []}),
        "errors": len(batch.errors or []),
        "new": sum(1 for r in rows if r.get("action") == "create"),
        "updates": sum(1 for r in rows if r.get("action") == "update"),
        "surveys": sum(1 for r in rows if r.get("survey")),
    }


# --- Confirming ------------------------------------------------------------------------------------


def _row_failure(row: dict, exc: DomainError, field_to_key: dict) -> DomainError:
    parts = []
    for field, messages in (exc.fields or {}).items():
        key = field_to_key.get(field)
        label = COLUMN_BY_KEY[key].header if key else field
        parts.extend(f"{label}: {m}" for m in messages)
    reason = "; ".join(parts) or str(exc.message)
    return DomainError(
        _("Row %(row)d (%(uscc)s) could not be written, so nothing was imported: %(reason)s")
        % {"row": row["row"], "uscc": row["uscc"], "reason": reason},
        code="import_failed",
    )


def _enterprise_kwargs(stored: dict, towns: dict) -> dict:
    data = dict(stored)
    if "town" in data:
        town = towns.get(data["town"])
        if town is None:
            raise DomainError(_("This town no longer exists in the park."), field="town")
        data["town"] = town
    if data.get("established_on"):
        data["established_on"] = dt.date.fromisoformat(data["established_on"])
    return data


def _survey_kwargs(stored: dict) -> dict:
    data = dict(stored)
    if data.get("contract_signing_rate") is not None:
        data["contract_signing_rate"] = Decimal(data["contract_signing_rate"])
    return data


def _locked_batch(principal, batch: ImportBatch, states=(ImportBatch.Status.VALIDATED,)) -> ImportBatch:
    locked = ImportBatch.objects.visible_to(principal).select_for_update().filter(pk=batch.pk).first()
    if locked is None:
        raise NotAllowed(_("This import is not yours."))
    if locked.status not in states:
        raise DomainError(
            _("This import is already “%(status)s”.") % {"status": locked.get_status_display()},
            code="invalid_state",
        )
    return locked


def request_confirm(principal, batch: ImportBatch) -> ImportBatch:
    """The administrator's "confirm": mark the batch as being written and hand the writing to a
    Celery task after commit (a district file of thousands of rows takes longer than a request
    may). With eager Celery (`make run`, tests) the rows are written before this returns."""

    _require_import(principal)
    with transaction.atomic():
        locked = _locked_batch(principal, batch)
        if not locked.rows:
            raise DomainError(_("This import has no good rows to write."), code="empty")
        locked.status = ImportBatch.Status.PROCESSING
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "enterprises.import_confirm_requested",
            locked,
            before={"status": ImportBatch.Status.VALIDATED},
            after={"status": locked.status},
        )
        user_id = str(principal.user.pk)
        enqueue_on_commit("enterprises.confirm_import", str(locked.pk), user_id)
    locked.refresh_from_db()
    return locked


def run_confirm(principal, batch_id) -> str:
    """The task's body: write the batch; if a row is refused, nothing is written and the batch is
    marked failed with the reason. The uploader is notified either way. Idempotent: a batch no
    longer being written is left alone."""
    from apps.notifications.services import notify

    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PROCESSING).first()
    if batch is None:
        return "skipped"
    link = f"/enterprises/import/{batch.pk}/"
    try:
        result = confirm_import(principal, batch, states=(ImportBatch.Status.PROCESSING,))
    except DomainError as exc:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            locked.status = ImportBatch.Status.FAILED
            locked.failure = str(exc)
            locked.save(update_fields=["status", "failure", "updated_at"])
            audit.record(
                "enterprises.import_failed",
                locked,
                before={"status": ImportBatch.Status.PROCESSING},
                after={"status": locked.status},
                note=locked.failure[:500],
            )
            notify(
                [principal.user],
                title=lambda: _("Import of %(file)s failed; nothing was written") % {"file": batch.file_name},
                body=locked.failure,
                link=link,
                email=False,
            )
        return "failed"
    with transaction.atomic():
        notify(
            [principal.user],
            title=lambda: _("Import of %(file)s confirmed") % {"file": batch.file_name},
            body=lambda: (
                _("%(created)d enterprises registered, %(updated)d updated, %(surveys)d surveys recorded.")
                % result
            ),
            link=link,
            email=False,
        )
    return "confirmed"


def confirm_import(principal, batch: ImportBatch, states=(ImportBatch.Status.VALIDATED,)) -> dict:
    """Write every good row of a validated batch, all or nothing, and mark it confirmed.

    Each row is checked again against the database as it is now (a town removed, an enterprise
    registered meanwhile...): a code registered since validation becomes an update, any refusal
    rolls the whole import back and names the row."""
    _require_import(principal)
    with transaction.atomic():
        locked = _locked_batch(principal, batch, states)
        if not locked.rows:
            raise DomainError(_("This import has no good rows to write."), code="empty")
        towns = {str(t.pk): t for t in Area.objects.filter(kind=Area.Kind.TOWN)}
        rows = []
        for row in locked.rows:
            try:
                data = _enterprise_kwargs(row["enterprise"], towns)
            except DomainError as exc:
                raise _row_failure(row, exc, ENTERPRISE_KEY) from exc
            survey = _survey_kwargs(row["survey"]) if row.get("survey") else None
            rows.append({"uscc": row["uscc"], "enterprise": data, "survey": survey})
        try:
            result = services.register_in_bulk(principal, rows, note=f"import {locked.pk}")
        except services.RowRefused as exc:
            field_to_key = ENTERPRISE_KEY if exc.part == services.ENTERPRISE_PART else SURVEY_KEY
            raise _row_failure(locked.rows[exc.index], exc.error, field_to_key) from exc
        locked.status = ImportBatch.Status.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.result = result
        locked.save(update_fields=["status", "confirmed_at", "result", "updated_at"])
        audit.record(
            "enterprises.import_confirmed",
            locked,
            before={"status": batch.status},
            after={"status": locked.status, **result},
        )
    return result


def discard_import(principal, batch: ImportBatch) -> ImportBatch:
    """Drop a validated batch without writing anything."""
    _require_import(principal)
    with transaction.atomic():
        locked = _locked_batch(principal, batch)
        locked.status = ImportBatch.Status.DISCARDED
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            "enterprises.import_discarded",
            locked,
            before={"status": ImportBatch.Status.VALIDATED},
            after={"status": locked.status},
        )
    return locked


# --- Retention --------------------------------------------------------------------------------------

#: What a purged batch keeps of each good row: enough for the report's counts (`summary`), no
#: names, contacts or phones.
_KEPT_ROW_KEYS = ("row", "uscc", "name", "action")


def purge_finished_rows(now: dt.datetime | None = None) -> dict:
    """The beat job `enterprises.purge_import_rows` (docs/security.md "Personal data"). An upload
    is never stored as a file (it is read in memory), but a batch keeps its good rows (contact
    names, phones, e-mails) until it is written. Once `IMPORT_FILE_RETENTION_HOURS` have passed:
    a batch still awaiting confirmation is discarded by the platform (audited, as a discard), and
    the good rows of a confirmed, failed or discarded batch are cut down to their row number,
    code and action, so the report's counts stay. PIPL art. 19. Returns and logs the counts."""
    from django.conf import settings

    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IMPORT_FILE_RETENTION_HOURS)
    discarded = purged = 0
    waiting = ImportBatch.objects.filter(status=ImportBatch.Status.VALIDATED, updated_at__lt=cutoff)
    for pk in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            locked = waiting.select_for_update().filter(pk=pk).first()
            if locked is None:
                continue  # confirmed or discarded meanwhile
            locked.status = ImportBatch.Status.DISCARDED
            locked.save(update_fields=["status", "updated_at"])
            audit.record(
                "enterprises.import_discarded",
                locked,
                before={"status": ImportBatch.Status.VALIDATED},
                after={"status": locked.status},
                note="retention",
            )
        discarded += 1
    finished = (ImportBatch.Status.CONFIRMED, ImportBatch.Status.FAILED, ImportBatch.Status.DISCARDED)
    for batch in ImportBatch.objects.filter(status__in=finished, updated_at__lt=cutoff).exclude(rows=[]):
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            kept = [
                {key: row[key] for key in _KEPT_ROW_KEYS if key in row}
                | ({"survey": True} if row.get("survey") else {})
                for row in locked.rows
            ]
            if kept == locked.rows:
                continue
            locked.rows = kept
            locked.save(update_fields=["rows", "updated_at"])
            audit.record(
                "enterprises.import_rows_purged",
                locked,
                after={"rows": len(kept), "reason": "retention"},
                only_changes=False,
            )
            purged += 1
    logger.info("registry imports: %s discarded unconfirmed, %s purged of their rows", discarded, purged)
    return {"discarded": discarded, "purged": purged}


# --- Template and export ---------------------------------------------------------------------------


def _industry_export(letter: str) -> str:
    return f"{letter} {INDUSTRY_NAMES_ZH[letter]}" if letter in INDUSTRY_NAMES_ZH else letter


def _choice_export(value: str, names: dict) -> str:
    return names[value][0] if value in names else value


def _required_text(column: Column) -> str:
    return {
        "always": _("Yes"),
        "new": _("For new enterprises"),
        "survey": _("For rows with a survey"),
    }.get(column.required, _("No"))


def _allowed_values(column: Column) -> str:
    if column.kind == "town":
        towns = Area.objects.filter(kind=Area.Kind.TOWN).order_by("code")
        return "\n".join(f"{t.name} ({t.code})" for t in towns)
    if column.kind == "industry":
        return "\n".join(_industry_export(letter) for letter in INDUSTRY_NAMES_ZH)
    if column.kind == "ownership":
        return "\n".join(names[0] for names in OWNERSHIP_NAMES_ZH.values())
    if column.kind == "status":
        return "\n".join(names[0] for names in STATUS_NAMES_ZH.values())
    if column.kind == "bool":
        return "是 / 否"
    if column.kind == "email":
        return "name@example.cn"
    return ""


def _example_row() -> list:
    town = Area.objects.filter(kind=Area.Kind.TOWN).order_by("code").first()
    year = timezone.localdate().year - 1
    values = {
        "uscc": EXAMPLE_USCC,
        "name": "柳州示例机械制造有限公司",
        "legal_representative": "张伟",
        "address": "柳州市柳东新区示例路1号",
        "town": town.name if town else "雒容镇",
        "industry": _industry_export("C"),
        "ownership": _choice_export(Ownership.PRIVATE, OWNERSHIP_NAMES_ZH),
        "established_on": dt.date(2019, 5, 1),
        "status": _choice_export(Status.OPERATING, STATUS_NAMES_ZH),
        "employees": 120,
        "contact_name": "李娜",
        "contact_phone": "0772-1234567",
        "contact_email": "hr@example.cn",
        "survey_year": year,
        "survey_employees": 120,
        "union_members": 80,
        "women": 50,
        "migrant_workers": 60,
        "has_union": "是",
        "contract_signing_rate": 95,
        "collective_contract": "是",
        "wage_bargaining": "否",
        "workers_congress": "是",
        "mediation_committee": "是",
    }
    return [values[c.key] for c in COLUMNS]


def _column_widths(sheet) -> None:
    from openpyxl.utils import get_column_letter

    for i, column in enumerate(COLUMNS, start=1):
        width = {"uscc": 22, "name": 32, "address": 30, "industry": 16}.get(column.key, 14)
        sheet.column_dimensions[get_column_letter(i)].width = max(width, len(column.header) * 2 + 2)


def template_workbook() -> bytes:
    """An empty import file: the headers, one example row (refused if left in) and a Notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET_TITLE
    sheet.append(HEADERS)
    sheet.append(_example_row())
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for i, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = bold
        if column.required in ("always", "new"):
            cell.fill = required_fill
        letter = get_column_letter(i)
        if column.kind in ("uscc", "text", "email"):
            # Text, so Excel keeps all 18 characters of a code made of digits and leading zeros of phones.
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
        elif column.kind == "date":
            sheet.cell(row=2, column=i).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "B2"
    _column_widths(sheet)

    notes = workbook.create_sheet(NOTES_SHEET_TITLE)
    notes.append(
        [
            "列名 / Column",
            "English header",
            _("Required"),
            _("Allowed values"),
            _("Notes"),
        ]
    )
    for cell in notes[1]:
        cell.font = bold
    for column in COLUMNS:
        notes.append(
            [column.header, column.english, _required_text(column), _allowed_values(column), str(column.note)]
        )
    notes.append([])
    for line in (
        _("The first row of the first sheet holds the headers; each further row is one enterprise."),
        _("Delete the example row (row 2) before importing."),
        _("Only .xlsx files up to %(max)d MB and %(rows)d rows are accepted.")
        % {"max": MAX_IMPORT_BYTES // (1024 * 1024), "rows": MAX_IMPORT_ROWS},
        _("Nothing is written until you confirm the validation report; rows with errors are skipped."),
    ):
        notes.append([line])
    for letter, width in zip("ABCDE", (30, 30, 18, 40, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


#: What the export writes for each stored code, worked out once (not per row).
INDUSTRY_EXPORT = {letter: _industry_export(letter) for letter in INDUSTRY_NAMES_ZH}
OWNERSHIP_EXPORT = {value: names[0] for value, names in OWNERSHIP_NAMES_ZH.items()}
STATUS_EXPORT = {value: names[0] for value, names in STATUS_NAMES_ZH.items()}


def _export_reading():
    """For each column: the value the export reads (the enterprise's field, the town's name, a
    field of the latest survey) and how it is written (None: as it is)."""
    exported = {"industry": INDUSTRY_EXPORT, "ownership": OWNERSHIP_EXPORT, "status": STATUS_EXPORT}
    lookups, writers = [], []
    for column in COLUMNS:
        if column.target == SURVEY:
            lookups.append(f"latest_survey__{column.field}")
        else:
            lookups.append("town__name" if column.kind == "town" else column.field)
        names = BOOL_EXPORT if column.kind == "bool" else exported.get(column.kind)
        writers.append(None if names is None else (lambda value, names=names: names.get(value, value)))
    return lookups, writers


EXPORT_LOOKUPS, _EXPORT_WRITERS = _export_reading()


def export_rows(queryset):
    """One list of cell values per enterprise, in COLUMNS order: the registry's columns and those of
    its latest survey, read as plain values in one query (no model objects, no query per row); an
    enterprise without a survey has empty survey cells."""
    writers = _EXPORT_WRITERS
    for values in queryset.values_list(*EXPORT_LOOKUPS).iterator(chunk_size=2000):
        yield [value if write is None else write(value) for write, value in zip(writers, values, strict=True)]


def export_sheet(queryset) -> exports.Sheet:
    """The registry sheet of an export: the import's columns, so an export can be imported again."""
    widths = {
        i: max({"uscc": 22, "name": 32, "address": 30, "industry": 16}.get(c.key, 14), len(c.header) * 2 + 2)
        for i, c in enumerate(COLUMNS)
    }
    return exports.Sheet(DATA_SHEET_TITLE, HEADERS, export_rows(queryset), widths=widths, freeze="B2")


def requeue_stuck_confirmations(older_than_seconds: int | None = None) -> int:
    """Queue again the confirmed batches a dead worker left "being written" (the beat job
    `*-requeue-stuck*`, docs/security.md "Operations"). The writing is one transaction, so
    nothing of a lost run was kept; STUCK_JOB_SECONDS["enterprise_imports"] exceeds the task's
    hard limit (30 min), so the first run is certainly over. The task runs again as the
    administrator who confirmed (read from the audit trail), each re-queue audited."""
    from django.conf import settings

    from apps.audit.models import AuditEvent

    if older_than_seconds is None:
        older_than_seconds = settings.STUCK_JOB_SECONDS["enterprise_imports"]
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    count = 0
    with transaction.atomic():
        stuck = ImportBatch.objects.select_for_update(skip_locked=True).filter(
            status=ImportBatch.Status.PROCESSING, updated_at__lte=cutoff
        )
        for batch in stuck.order_by("created_at"):
            confirmed_by = (
                AuditEvent.objects.for_object(batch)
                .filter(action="enterprises.import_confirm_requested", actor__isnull=False)
                .order_by("-occurred_at")
                .values_list("actor_id", flat=True)
                .first()
            ) or batch.uploaded_by_id
            if confirmed_by is None:
                continue
            still_since = batch.updated_at
            batch.save(update_fields=["updated_at"])
            audit.record(
                "enterprises.import_requeued",
                batch,
                after={"status": batch.status, "processing_since": still_since.isoformat()},
                note="being written beyond STUCK_JOB_SECONDS['enterprise_imports']: queued again",
                only_changes=False,
            )
            enqueue_on_commit("enterprises.confirm_import", str(batch.pk), str(confirmed_by))
            count += 1
    return count
