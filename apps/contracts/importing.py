"""The filing format and reading the e-signing platform's export (乐签平台) for a contract import
(docs/contracts-import.md).

The format: the columns of a filing row (`COLUMNS`, `REQUIRED`) and `parse_row`, which turns one
row as sent (by the page, the API or a file) into typed values with its format errors. Every
filing goes through it (`services.file_batch`); the checks of the law come after (`rules.check`).

Accepted: CSV (UTF-8 with or without a byte-order mark, else GB18030), XLSX (the first sheet),
JSON Lines (one object per line), or a ZIP holding exactly one of those, the signed PDFs and a
`manifest.csv` (`file_name,sha256`). The columns are `COLUMNS`.

Nothing here touches the database. `services.start_import` calls `check_file` on the upload
(refusing what cannot be an import: empty, too large, an unknown or binary type, an unsafe zip);
`services.run_import` opens the stored file with `open_import`, counts its rows (`scan`), then
streams them (`records`) in chunks into `services.file_batch`, with the signed files of each chunk
(`Bundle.files_for`) checked against the manifest.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import operator
import posixpath
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.core import personal_data
from apps.core.errors import DomainError

from .models import HoursSystem, Kind, LabourContract

#: Largest accepted upload (tests lower it with monkeypatch).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: A zip (or an .xlsx, itself a zip) unpacking to more than this is refused (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
#: Most data rows in one file.
MAX_ROWS = 1_000_000
#: Most members in a zip (the data file, the manifest and one PDF per row).
MAX_ZIP_MEMBERS = MAX_ROWS + 100
#: Rows filed per call of `services.file_batch` (one transaction each; progress is saved after each).
CHUNK_SIZE = 1000
MANIFEST_NAME = "manifest.csv"

CSV, XLSX, JSONL, ZIP = "csv", "xlsx", "jsonl", "zip"
#: A data file inside the zip is recognised by its extension.
DATA_EXTENSIONS = {".csv": CSV, ".xlsx": XLSX, ".jsonl": JSONL, ".ndjson": JSONL}
ENCODINGS = ("utf-8-sig", "gb18030")
#: What a known binary type is called when it is uploaded by mistake.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
PDF_MAGIC = b"%PDF-"
_HEX = frozenset("0123456789abcdef")
#: Most entries kept in an import job's report (the job counts every row with errors).
REPORT_LIMIT = 1000


# --- The format: the columns and one row ------------------------------------------------------------

#: The columns of a filing row: the import format (docs/contracts-import.md), the API and the page.
COLUMNS = (
    "enterprise_uscc",
    "worker_name",
    "worker_id_number",
    "worker_phone",
    "contract_number",
    "kind",
    "employment_start",
    "start",
    "end",
    "task",
    "probation_end",
    "job",
    "workplace",
    "hours_system",
    "hours_approval",
    "monthly_pay",
    "hourly_pay",
    "weekly_hours",
    "social_insurance",
    "signed_on",
    "signing",
    "renews_unfiled",
    "platform",
    "record_id",
    "employer_signed_at",
    "worker_signed_at",
    "timestamp_authority",
    "timestamp_token",
    "file_sha256",
    "file_name",
)
REQUIRED = (
    "enterprise_uscc",
    "worker_name",
    "worker_id_number",
    "kind",
    "employment_start",
    "start",
    "job",
    "signed_on",
)
E_SIGN_REQUIRED = ("platform", "record_id", "employer_signed_at", "worker_signed_at", "file_sha256")
TRUE = {"1", "true", "yes", "y", "是", "t"}
#: The choices' values, once (the enum's `values` builds a new list on every call).
KIND_VALUES = frozenset(Kind.values)
SIGNING_VALUES = frozenset(LabourContract.Signing.values)
FALSE = {"0", "false", "no", "n", "否", "f", ""}
#: The largest pay accepted (yuan).
MAX_PAY = Decimal("9999999")
#: A date later than this after today is refused (employment start, start, signing).
A_YEAR_AHEAD = dt.timedelta(days=366)


class Problem(tuple):
    """One format error of a row: it unpacks as `(field, reason)` like before and carries its
    machine-readable `code` (issue 15: `error.codes`, a batch row's `errors`)."""

    def __new__(cls, field_name: str, reason, code: str = "invalid"):
        problem = super().__new__(cls, (field_name, reason))
        problem.code = code
        return problem


#: The codes of the format errors (`Problem.code`), beside DRF's own names where they mean the same.
REQUIRED_CODE = "required"
INVALID_CODE = "invalid"
INVALID_CHOICE_CODE = "invalid_choice"
OUT_OF_RANGE_CODE = "out_of_range"
TOO_FAR_AHEAD_CODE = "too_far_ahead"
IN_FUTURE_CODE = "in_future"


def clip(value, limit: int) -> str:
    """A cell as text, stripped and cut to the column's length."""
    if value is None:
        return ""
    return str(value).strip()[:limit]


def parse_date(value, name, errors):
    """A date (or a text YYYY-MM-DD); a reason appended to `errors` when it is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append(Problem(name, _("Enter a date as YYYY-MM-DD.")))
        return None


def _parse_datetime(value, name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            errors.append(Problem(name, _("Enter a time as YYYY-MM-DDTHH:MM:SS+08:00.")))
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _parse_decimal(value, name, errors, *, maximum=MAX_PAY):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.append(Problem(name, _("Enter a number.")))
        return None
    if not amount.is_finite() or amount < 0 or amount > maximum:
        errors.append(
            Problem(name, _("Enter a number between 0 and %(max)s.") % {"max": maximum}, OUT_OF_RANGE_CODE)
        )
        return None
    return amount.quantize(Decimal("0.01")) if name != "weekly_hours" else amount.quantize(Decimal("0.1"))


def _parse_bool(value, name, errors, default=True):
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return default if text == "" else False
    errors.append(Problem(name, _("Enter yes or no.")))
    return default


def parse_row(raw: dict, today: dt.date | None = None) -> tuple[dict, list[tuple[str, str]]]:
    """Typed values of one filing row and its format errors [(field, reason)] (the checks of the
    law come after, in `rules.check`)."""
    errors: list[tuple[str, str]] = []
    today = today or timezone.localdate()
    row = {name: raw.get(name) for name in COLUMNS}
    for name in REQUIRED:
        if row[name] in (None, "") or (isinstance(row[name], str) and not row[name].strip()):
            errors.append(Problem(name, _("This column is required."), REQUIRED_CODE))
    id_number = clip(row["worker_id_number"], 30)
    if id_number:
        try:
            id_number = personal_data.validate_id_number(id_number, today)
        except ValidationError as exc:
            errors.append(
                Problem("worker_id_number", exc.messages[0], exc.error_list[0].code or INVALID_CODE)
            )
    phone, phone_problem = personal_data.check_phone(clip(row["worker_phone"], 30))
    if phone_problem:
        errors.append(Problem("worker_phone", str(phone_problem)))
    kind = clip(row["kind"], 20)
    if kind and kind not in KIND_VALUES:
        message = _("Use one of: %(values)s.") % {"values": ", ".join(Kind.values)}
        errors.append(Problem("kind", message, INVALID_CHOICE_CODE))
    hours_system = clip(row["hours_system"], 20) or HoursSystem.STANDARD
    signing = clip(row["signing"], 20) or LabourContract.Signing.PAPER
    if signing not in SIGNING_VALUES:
        message = _("Use one of: %(values)s.") % {"values": ", ".join(LabourContract.Signing.values)}
        errors.append(Problem("signing", message, INVALID_CHOICE_CODE))
    parsed = {
        "enterprise_uscc": clip(row["enterprise_uscc"], 18).upper(),
        "worker_name": clip(row["worker_name"], 50),
        "worker_id_number": id_number,
        "worker_phone": phone,
        "contract_number": clip(row["contract_number"], 60),
        "kind": kind,
        "employment_start": parse_date(row["employment_start"], "employment_start", errors),
        "start": parse_date(row["start"], "start", errors),
        "end": parse_date(row["end"], "end", errors),
        "task": clip(row["task"], 300),
        "probation_end": parse_date(row["probation_end"], "probation_end", errors),
        "job": clip(row["job"], 100),
        "workplace": clip(row["workplace"], 200),
        "hours_system": hours_system,
        "hours_approval": clip(row["hours_approval"], 100),
        "monthly_pay": _parse_decimal(row["monthly_pay"], "monthly_pay", errors),
        "hourly_pay": _parse_decimal(row["hourly_pay"], "hourly_pay", errors, maximum=Decimal("99999")),
        "weekly_hours": _parse_decimal(row["weekly_hours"], "weekly_hours", errors, maximum=Decimal("168")),
        "social_insurance": _parse_bool(row["social_insurance"], "social_insurance", errors),
        "signed_on": parse_date(row["signed_on"], "signed_on", errors),
        "signing": signing,
        "renews_unfiled": _parse_bool(row["renews_unfiled"], "renews_unfiled", errors, default=False),
        "platform": clip(row["platform"], 50),
        "record_id": clip(row["record_id"], 100),
        "employer_signed_at": _parse_datetime(row["employer_signed_at"], "employer_signed_at", errors),
        "worker_signed_at": _parse_datetime(row["worker_signed_at"], "worker_signed_at", errors),
        "timestamp_authority": clip(row["timestamp_authority"], 100),
        "timestamp_token": clip(row["timestamp_token"], 20000),
        "file_sha256": clip(row["file_sha256"], 64).lower(),
        "file_name": clip(row["file_name"], 255),
    }
    a_year_ahead = today + A_YEAR_AHEAD
    for name in ("employment_start", "start", "signed_on"):
        if parsed[name] and parsed[name] > a_year_ahead:
            errors.append(Problem(name, _("The date is more than a year ahead."), TOO_FAR_AHEAD_CODE))
    if parsed["signed_on"] and parsed["signed_on"] > today:
        errors.append(
            Problem("signed_on", _("The contract cannot have been signed in the future."), IN_FUTURE_CODE)
        )
    if signing == LabourContract.Signing.E_SIGNATURE:
        for name in E_SIGN_REQUIRED:
            if not parsed[name]:
                errors.append(
                    Problem(name, _("An e-signed contract needs this evidence column."), REQUIRED_CODE)
                )
        if parsed["file_sha256"] and (
            len(parsed["file_sha256"]) != 64 or not _HEX.issuperset(parsed["file_sha256"])
        ):
            errors.append(Problem("file_sha256", _("A SHA-256 is 64 hexadecimal characters.")))
    return parsed, errors


def _file_error(message) -> DomainError:
    return DomainError(message, field="file", code="invalid_file")


def file_name(uploaded) -> str:
    """The upload's own name, without any folder (browsers on Windows may send one)."""
    name = (getattr(uploaded, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:255] or "upload"


def extension(name: str) -> str:
    return posixpath.splitext(name.lower())[1]


def _cell(value):
    """A cell as file_batch expects it: text stripped, integral floats as integers."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _header_key(value) -> str:
    return str(value or "").replace("\ufeff", "").strip().lower()


@dataclass
class Record:
    """One data row: its number as the user sees it (CSV line, sheet row, JSON line), the cells by
    column, and problems the reader found itself (field, reason)."""

    number: int
    data: object
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Checked:
    format: str
    sha256: str
    size: int


# --- The upload -------------------------------------------------------------------------------------


def _rewind(fileobj) -> None:
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)


def _too_big(name: str) -> DomainError:
    return _file_error(
        _("“%(name)s” is larger than %(max)s; split it into smaller files.")
        % {"name": name, "max": filesizeformat(MAX_UPLOAD_BYTES)}
    )


def check_file(fileobj, name: str) -> Checked:
    """Refuse what cannot be an import (DomainError on "file"); return its format and SHA-256.

    The type is decided by the content: a zip is an .xlsx when it holds a workbook, else a bundle
    with signed files (checked here: safe names, the unpacked size, exactly one data file, a
    readable manifest); a text file starting with "{" is JSON Lines, any other text a CSV. The
    columns are checked when the job runs (a missing required column fails the job)."""
    size = getattr(fileobj, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _too_big(name)
    _rewind(fileobj)
    digest, read = hashlib.sha256(), 0
    head = b""
    for block in iter(lambda: fileobj.read(1 << 20), b""):
        if not head:
            head = block[:8192]
        digest.update(block)
        read += len(block)
        if read > MAX_UPLOAD_BYTES:
            raise _too_big(name)
    _rewind(fileobj)
    if read == 0:
        raise _file_error(_("“%(name)s” is empty.") % {"name": name})
    kind = sniff(head, name)
    if kind == ZIP:
        with _open_zip(fileobj, name) as archive:
            if _is_workbook(archive):
                kind = XLSX
            else:
                Bundle(archive, name)
    _rewind(fileobj)
    return Checked(kind, digest.hexdigest(), read)


def sniff(head: bytes, name: str) -> str:
    """The format from the first bytes, or a DomainError naming what the file really is."""
    if head.startswith(ZIP_MAGIC):
        return ZIP
    if head.startswith(OLE2_MAGIC):
        raise _file_error(
            _(
                "“%(name)s” is an old Excel 97–2003 file (.xls) or a password-protected workbook. "
                "Save it as “Excel Workbook (*.xlsx)” or as CSV (UTF-8)."
            )
            % {"name": name}
        )
    guessed = filetype.guess(head)
    if guessed is not None or b"\x00" in head:
        raise _file_error(
            _(
                "“%(name)s” is not a CSV, XLSX, JSON Lines or ZIP file (it looks like %(type)s, whatever its name says)."
            )
            % {"name": name, "type": guessed.mime if guessed else _("a binary file")}
        )
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    return JSONL if text.startswith(b"{") else CSV


@contextmanager
def _open_zip(fileobj, name: str):
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _file_error(_("“%(name)s” is a damaged zip file.") % {"name": name}) from exc
    try:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _file_error(
                _("“%(name)s” holds more than %(max)d files.") % {"name": name, "max": MAX_ZIP_MEMBERS}
            )
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise _file_error(
                _("“%(name)s” unpacks to more than %(max)s; it is refused.")
                % {"name": name, "max": filesizeformat(MAX_UNCOMPRESSED_BYTES)}
            )
        for info in infos:
            if unsafe_member_name(info.filename):
                raise _file_error(
                    _("“%(name)s” holds a file with an unsafe path (%(member)s); it is refused.")
                    % {"name": name, "member": info.filename[:100]}
                )
            if info.flag_bits & 0x1:
                raise _file_error(
                    _("“%(name)s” is password-protected; upload it without a password.") % {"name": name}
                )
        yield archive
    finally:
        archive.close()


def unsafe_member_name(member: str) -> bool:
    """An absolute path, a drive, a parent folder ("../") or a backslash: never accepted."""
    if not member or "\x00" in member or "\\" in member:
        return True
    if member.startswith("/") or (len(member) > 1 and member[1] == ":"):
        return True
    return any(part == ".." for part in member.split("/"))


def _is_workbook(archive: zipfile.ZipFile) -> bool:
    names = set(archive.namelist())
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _ignored_member(member: str) -> bool:
    base = posixpath.basename(member)
    return (
        member.endswith("/") or member.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"
    )


# --- The zip bundle --------------------------------------------------------------------------------


class Bundle:
    """A zip with one data file, the signed PDFs and `manifest.csv` (file_name,sha256)."""

    def __init__(self, archive: zipfile.ZipFile, name: str):
        self.archive = archive
        self.name = name
        members = [i for i in archive.infolist() if not _ignored_member(i.filename)]
        manifests = [i for i in members if posixpath.basename(i.filename).lower() == MANIFEST_NAME]
        data = [i for i in members if extension(i.filename) in DATA_EXTENSIONS and i not in manifests]
        if len(data) != 1:
            raise _file_error(
                _(
                    "The zip must hold exactly one data file (.csv, .xlsx or .jsonl) besides manifest.csv; “%(name)s” holds %(n)d%(list)s."
                )
                % {
                    "name": name,
                    "n": len(data),
                    "list": f" ({', '.join(i.filename for i in data[:5])})" if data else "",
                }
            )
        if len(manifests) != 1:
            raise _file_error(
                _("The zip must hold one manifest.csv (file_name,sha256); “%(name)s” holds %(n)d.")
                % {"name": name, "n": len(manifests)}
            )
        self.data = data[0]
        self.format = DATA_EXTENSIONS[extension(self.data.filename)]
        self.by_name = {i.filename: i for i in members if i not in (self.data, manifests[0])}
        by_base: dict[str, zipfile.ZipInfo | None] = {}
        for info in self.by_name.values():
            base = posixpath.basename(info.filename)
            by_base[base] = None if base in by_base else info
        self.by_base = by_base
        self.manifest = self._read_manifest(manifests[0])
        #: file name → its real SHA-256 (each file is hashed once).
        self._hashes: dict[str, str] = {}

    def _read_manifest(self, info) -> dict[str, str]:
        content = self.archive.read(info)
        text = None
        for encoding in ENCODINGS:
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise _file_error(_("manifest.csv is neither UTF-8 nor GB18030 text."))
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [_header_key(h) for h in next(reader, [])]
        if "file_name" not in header or "sha256" not in header:
            raise _file_error(_("The first line of manifest.csv must be: file_name,sha256"))
        name_at, sha_at = header.index("file_name"), header.index("sha256")
        manifest: dict[str, str] = {}
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            name = cells[name_at].strip() if len(cells) > name_at else ""
            sha = cells[sha_at].strip().lower() if len(cells) > sha_at else ""
            if not name or len(sha) != 64 or not set(sha) <= _HEX:
                raise _file_error(
                    _(
                        "Line %(line)d of manifest.csv is not a file name and a SHA-256 (64 hexadecimal characters)."
                    )
                    % {"line": line}
                )
            if manifest.get(name, sha) != sha:
                raise _file_error(
                    _("manifest.csv gives two different SHA-256 for %(file)s.") % {"file": name[:100]}
                )
            manifest[name] = sha
        return manifest

    def member(self, name: str) -> zipfile.ZipInfo | None:
        """The zip member a row's file_name names: its path in the zip, or its name alone when
        only one file has that name (a zip made of a folder)."""
        return self.by_name.get(name) or self.by_base.get(posixpath.basename(name))

    def declared(self, name: str) -> str | None:
        sha = self.manifest.get(name)
        if sha is None:
            info = self.member(name)
            if info is not None:
                sha = self.manifest.get(info.filename) or self.manifest.get(posixpath.basename(info.filename))
        return sha

    def files_for(self, records: list[Record]) -> dict[str, bytes]:
        """The signed files of e-signed rows, keyed by the row's file_name. A row whose file is
        not a PDF or disagrees with the manifest (not listed, a different SHA-256 in the manifest
        than in the row, or a file whose real SHA-256 is not the manifest's) gets a problem and its
        file is left out. A file missing from the zip is left out too: file_batch reports it."""
        files: dict[str, bytes] = {}
        for record in records:
            raw = record.data
            if record.problems or not isinstance(raw, dict):
                continue
            if str(raw.get("signing") or "").strip() != "e_signature":
                continue
            name = str(raw.get("file_name") or "").strip()
            if not name:
                continue
            info = self.member(name)
            if info is None:
                continue
            declared = self.declared(name)
            row_sha = str(raw.get("file_sha256") or "").strip().lower()
            if declared is None:
                record.problems.append(
                    (
                        "file_name",
                        _("Manifest mismatch: %(file)s is not listed in manifest.csv.") % {"file": name},
                    )
                )
                continue
            if row_sha and declared != row_sha:
                record.problems.append(
                    (
                        "file_sha256",
                        _("Manifest mismatch: manifest.csv gives %(manifest)s for %(file)s, the row %(row)s.")
                        % {"manifest": declared, "file": name, "row": row_sha},
                    )
                )
                continue
            try:
                data = files[name] if name in files else self.archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                record.problems.append(
                    ("file_name", _("%(file)s cannot be read from the zip (damaged).") % {"file": name})
                )
                continue
            actual = self._hashes.get(info.filename)
            if actual is None:
                actual = self._hashes[info.filename] = hashlib.sha256(data).hexdigest()
            if actual != declared:
                record.problems.append(
                    (
                        "file_sha256",
                        _(
                            "Manifest mismatch: the SHA-256 of %(file)s is %(actual)s, manifest.csv gives %(manifest)s."
                        )
                        % {"file": name, "actual": actual, "manifest": declared},
                    )
                )
                continue
            if not data.startswith(PDF_MAGIC):
                record.problems.append(("file_name", _("%(file)s is not a PDF file.") % {"file": name}))
                continue
            files[name] = data
        return files


# --- Reading rows -----------------------------------------------------------------------------------

Opener = Callable[[], object]  # returns a context manager yielding a binary stream at its start


def _encoding(opener: Opener, name: str) -> str:
    """UTF-8 (a byte-order mark is dropped) if the whole file decodes as UTF-8, else GB18030."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with opener() as raw:
                for block in iter(lambda raw=raw: raw.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise _file_error(_("“%(name)s” is neither UTF-8 nor GB18030 text.") % {"name": name})


@contextmanager
def _text(opener: Opener, encoding: str):
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            yield text
        finally:
            text.detach()  # the caller closes the binary stream


class ImportSource:
    """The rows of one data file. `scan()` reads it once to count the rows and check the columns
    (DomainError: the job fails with that message); `records()` reads it again, row by row."""

    def __init__(self, kind: str, name: str, opener: Opener, bundle: Bundle | None = None):
        self.format = kind
        self.name = name
        self.opener = opener
        self.bundle = bundle
        self.encoding = _encoding(opener, name) if kind in (CSV, JSONL) else None
        self.unknown: list[str] = []
        #: [(position, column)] of the tabular formats' header.
        self._mapping: list[tuple[int, str]] = []
        self.header_row = 0
        self._workbook = None

    # Tabular files (CSV, XLSX): the first non-empty row names the columns.

    def _csv_rows(self) -> Iterator[tuple[int, list]]:
        with _text(self.opener, self.encoding) as text:
            reader = csv.reader(text)
            line = 0
            try:
                for cells in reader:
                    number, line = line + 1, reader.line_num
                    if "".join(cells).strip():  # a cell that is not blank
                        yield number, cells
            except csv.Error as exc:
                raise _file_error(
                    _("Line %(line)d of “%(name)s” cannot be read as CSV: %(error)s")
                    % {"line": line + 1, "name": self.name, "error": exc}
                ) from exc

    def _xlsx_rows(self) -> Iterator[tuple[int, list]]:
        sheet = self.workbook().worksheets[0]
        try:
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    yield number, list(values)
        except DomainError:
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on a malformed sheet
            raise _file_error(
                _("The first sheet of “%(name)s” cannot be read.") % {"name": self.name}
            ) from exc

    def workbook(self):
        if self._workbook is None:
            from openpyxl import load_workbook

            self._workbook_file = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
            with self.opener() as raw:
                for block in iter(lambda raw=raw: raw.read(1 << 20), b""):
                    self._workbook_file.write(block)
            self._workbook_file.seek(0)
            if not zipfile.is_zipfile(self._workbook_file):
                raise _file_error(_("“%(name)s” is not an Excel workbook.") % {"name": self.name})
            self._workbook_file.seek(0)
            with _open_zip(self._workbook_file, self.name):
                pass  # the size and names of the workbook's parts
            self._workbook_file.seek(0)
            try:
                self._workbook = load_workbook(self._workbook_file, read_only=True, data_only=True)
            except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for files it cannot read
                raise _file_error(
                    _("“%(name)s” cannot be read as an Excel workbook (.xlsx).") % {"name": self.name}
                ) from exc
            if not self._workbook.worksheets:
                raise _file_error(_("“%(name)s” has no worksheet.") % {"name": self.name})
        return self._workbook

    def _rows(self):
        return self._csv_rows() if self.format == CSV else self._xlsx_rows()

    def _read_header(self) -> None:
        first = next(iter(self._rows()), None)
        if first is None:
            raise _file_error(_("“%(name)s” is empty: it has no header row.") % {"name": self.name})
        self.header_row, cells = first
        seen: dict[str, int] = {}
        for position, value in enumerate(cells):
            key = _header_key(value)
            if not key:
                continue
            if key in seen:
                raise _file_error(
                    _("The column %(column)s appears twice in the header of “%(name)s”.")
                    % {"column": key, "name": self.name}
                )
            seen[key] = position
            if key in COLUMNS:
                self._mapping.append((position, key))
            else:
                self.unknown.append(str(value).strip()[:100])
        self._check_required(set(seen))

    def _check_required(self, present: set[str]) -> None:
        missing = [c for c in REQUIRED if c not in present]
        if missing:
            raise _file_error(
                _(
                    "Required columns are missing from “%(name)s”: %(missing)s. The first row must name the columns (see the import format)."
                )
                % {"name": self.name, "missing": ", ".join(missing)}
            )

    def _tabular_records(self) -> Iterator[Record]:
        rows = self._rows()
        next(rows, None)  # the header
        id_at = next((pos for pos, col in self._mapping if col == "worker_id_number"), None)
        columns = [col for _pos, col in self._mapping]
        cells_of = operator.itemgetter(*(pos for pos, _col in self._mapping))
        width = max(pos for pos, _col in self._mapping) + 1
        for number, cells in rows:
            if self.format == CSV and len(cells) >= width:
                # A CSV row's cells are text: as _cell makes them, without asking each.
                data = dict(zip(columns, map(str.strip, cells_of(cells)), strict=True))
            else:
                data = {col: (_cell(cells[pos]) if pos < len(cells) else None) for pos, col in self._mapping}
            record = Record(number, data)
            if self.format == XLSX and id_at is not None and id_at < len(cells):
                value = cells[id_at]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    record.problems.append(
                        (
                            "worker_id_number",
                            _(
                                "The ID number was saved as a number, and Excel keeps only 15 digits of a number. "
                                "Format the column as text and type the number again."
                            ),
                        )
                    )
            yield record

    # JSON Lines: one object per line; the columns are the objects' keys.

    def _jsonl_records(self) -> Iterator[Record]:
        with _text(self.opener, self.encoding) as text:
            for number, line in enumerate(text, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    yield Record(number, None, [("", _("This line is not a JSON object."))])
                    continue
                if isinstance(obj, dict):
                    obj = {key: obj.get(key) for key in COLUMNS if key in obj}
                yield Record(number, obj)

    def _scan_jsonl(self) -> int:
        count, keys = 0, set()
        with _text(self.opener, self.encoding) as text:
            for line in text:
                if not line.strip():
                    continue
                count += 1
                if count > MAX_ROWS:
                    break
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    keys.update(str(k) for k in obj)
        if count:
            self._check_required(keys)
        self.unknown = sorted(k[:100] for k in keys if k not in COLUMNS)
        return count

    # The interface ------------------------------------------------------------------------------

    def scan(self) -> int:
        """Count the data rows; refuse more than MAX_ROWS or a missing required column."""
        if self.format == JSONL:
            count = self._scan_jsonl()
        else:
            self._read_header()
            count = self._xlsx_estimate() if self.format == XLSX else -1
            if not 0 < count <= MAX_ROWS:
                count = sum(1 for _row in self._rows()) - 1
        if count > MAX_ROWS:
            raise _file_error(
                _("“%(name)s” has more than %(max)d rows; split it into several files.")
                % {"name": self.name, "max": MAX_ROWS}
            )
        if count <= 0:
            raise _file_error(_("“%(name)s” has no data rows.") % {"name": self.name})
        return count

    def _xlsx_estimate(self) -> int:
        """The sheet's declared size (its last row), without reading every row; -1 if unknown.
        A sheet with formatting below the data overstates it: the job corrects the total at the end."""
        sheet = self.workbook().worksheets[0]
        try:
            last = sheet.max_row
        except Exception:  # noqa: BLE001 - an unsized sheet
            return -1
        return last - self.header_row if isinstance(last, int) else -1

    def records(self) -> Iterator[Record]:
        if self.format == JSONL:
            return self._jsonl_records()
        return self._tabular_records()

    def chunks(self, size: int = 0) -> Iterator[list[Record]]:
        size = size or CHUNK_SIZE
        chunk: list[Record] = []
        for record in self.records():
            chunk.append(record)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def files_for(self, records: list[Record]) -> dict[str, bytes] | None:
        """The signed files of the chunk (a zip), None for a plain data file."""
        return None if self.bundle is None else self.bundle.files_for(records)

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook_file.close()


@contextmanager
def open_import(fileobj, name: str) -> Iterator[ImportSource]:
    """The rows of a stored import file (seekable binary file object; it is not closed here)."""
    _rewind(fileobj)
    kind = sniff(fileobj.read(8192), name)
    _rewind(fileobj)

    @contextmanager
    def whole():
        fileobj.seek(0)
        yield fileobj

    if kind != ZIP:
        source = ImportSource(kind, name, whole)
    else:
        with _open_zip(fileobj, name) as archive:
            if _is_workbook(archive):
                source = ImportSource(XLSX, name, whole)
            else:
                bundle = Bundle(archive, name)
                member = bundle.data

                @contextmanager
                def inner():
                    with archive.open(member) as raw:
                        yield raw

                source = ImportSource(bundle.format, member.filename, inner, bundle)
                try:
                    yield source
                finally:
                    source.close()
                return
    try:
        yield source
    finally:
        source.close()
