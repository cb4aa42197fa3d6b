"""Imports from the e-signing platform: CSV (UTF-8, BOM, GB18030), XLSX, JSON Lines and a ZIP with
the signed PDFs and their manifest; the report (row, field, reason); idempotent re-import; hash and
manifest mismatches; file-level refusals (too large, unsafe zip, missing columns, too many rows);
progress over several chunks; HR limited to their enterprise; failures never leave a job running;
the pages (list, upload, progress, report CSV) with their scoping."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.roles import Role
from apps.contracts import importing, services
from apps.contracts.models import ESignature, ImportJob, LabourContract, Worker
from apps.contracts.services import imports as import_jobs
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import principal_for_api_client
from tests.factories import user_with_role

from .conftest import esign as signed_columns
from .conftest import id_number, p, row

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(n: int) -> bytes:
    return PDF + f"% contract {n}\n".encode()


def esign(n: int, data: bytes | None = None, **extra) -> dict:
    return signed_columns(n, pdf(n) if data is None else data, **extra)


def csv_bytes(rows: list[dict], *, columns=importing.COLUMNS, encoding="utf-8", extra_header=()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns, *extra_header])
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns] + ["x"] * len(extra_header))
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict], columns=importing.COLUMNS, transform=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for r in rows:
        values = [r.get(c) or None for c in columns]
        sheet.append(transform(values) if transform else values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jsonl_bytes(rows: list) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows).encode()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def manifest(files: dict[str, bytes], override: dict[str, str] | None = None) -> bytes:
    lines = ["file_name,sha256"]
    for name, data in files.items():
        lines.append(f"{name},{(override or {}).get(name) or hashlib.sha256(data).hexdigest()}")
    return ("\n".join(lines) + "\n").encode()


def upload(content: bytes, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def run_import(django_capture_on_commit_callbacks, policy):
    """Start an import as `user` (or a principal) and run it (Celery is eager, after commit)."""

    def run(who, content: bytes, name: str = "export.csv") -> ImportJob:
        principal = who if hasattr(who, "is_api_client") else p(who)
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_import(principal, upload(content, name))
        job.refresh_from_db()
        return job

    return run


def errors_of(job) -> set[tuple[int, str]]:
    return {(e["row"], e["field"]) for e in job.report}


# Formats -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_is_filed(ent_a, park_admin, run_import, encoding):
    job = run_import(park_admin, csv_bytes([row(ent_a, n) for n in (1, 2, 3)], encoding=encoding))
    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.total_rows, job.processed_rows, job.created_count, job.error_count) == (3, 3, 3, 0)
    assert job.started_at and job.finished_at and job.progress == 100
    contracts = LabourContract.objects.order_by("reference")
    assert [c.reference for c in contracts] == ["HT-00001", "HT-00002", "HT-00003"]
    assert {c.source for c in contracts} == {LabourContract.Source.IMPORT}
    assert {c.filed_by for c in contracts} == {park_admin}
    assert Worker.objects.get(id_number_hash__isnull=False, name="工人1").name == "工人1"  # decoded correctly


def test_an_xlsx_is_filed_with_date_cells_and_numbers(ent_a, park_admin, run_import):
    def typed(values):
        columns = list(importing.COLUMNS)
        for name in ("employment_start", "start", "end", "probation_end", "signed_on"):
            i = columns.index(name)
            if values[i]:
                values[i] = dt.date.fromisoformat(values[i])
        values[columns.index("monthly_pay")] = 4500
        return values

    job = run_import(park_admin, xlsx_bytes([row(ent_a, 1), row(ent_a, 2)], transform=typed), "导出.xlsx")
    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.total_rows, job.created_count, job.error_count) == (2, 2, 0)
    contract = LabourContract.objects.get(reference="HT-00001")
    assert contract.end == dt.date(2028, 12, 31) and contract.monthly_pay == 4500


def test_an_id_number_saved_as_a_number_in_excel_is_reported(ent_a, park_admin, run_import):
    columns = list(importing.COLUMNS)

    def numeric_id(values):
        values[columns.index("worker_id_number")] = float(values[columns.index("worker_id_number")][:17])
        return values

    job = run_import(park_admin, xlsx_bytes([row(ent_a, 1)], transform=numeric_id), "export.xlsx")
    assert errors_of(job) == {(2, "worker_id_number")}
    assert "15" in job.report[0]["reason"]
    assert not LabourContract.objects.exists()


def test_json_lines_are_filed_and_a_bad_line_is_reported(ent_a, park_admin, run_import):
    lines = [row(ent_a, 1), "", "{not json", ["a", "list"], row(ent_a, 2, kind="weekly")]
    job = run_import(park_admin, jsonl_bytes(lines), "export.jsonl")
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.created_count == 1 and job.error_count == 3
    assert errors_of(job) == {(3, ""), (4, ""), (5, "kind")}


def test_a_zip_with_the_signed_pdfs_and_the_manifest_stores_the_files(ent_a, park_admin, run_import):
    files = {"1.pdf": pdf(1), "2.pdf": pdf(2)}
    content = zip_bytes(
        {
            "export.csv": csv_bytes([row(ent_a, 1, **esign(1)), row(ent_a, 2, **esign(2)), row(ent_a, 3)]),
            "manifest.csv": manifest(files),
            **files,
        }
    )
    job = run_import(park_admin, content, "乐签导出.zip")
    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.created_count, job.error_count) == (3, 0)
    signature = ESignature.objects.get(record_id="LQ-2")
    with signature.file.open("rb") as fh:
        assert fh.read() == pdf(2)
    assert signature.sha256 == hashlib.sha256(pdf(2)).hexdigest()
    assert services.verify_signed_file(p(park_admin), signature.contract) is True


def test_a_zip_made_of_a_folder_with_an_xlsx_inside(ent_a, park_admin, run_import):
    files = {"1.pdf": pdf(1)}
    content = zip_bytes(
        {
            "乐签/export.xlsx": xlsx_bytes([row(ent_a, 1, **esign(1))]),
            "乐签/manifest.csv": manifest(files),
            "乐签/1.pdf": pdf(1),
        }
    )
    job = run_import(park_admin, content, "export.zip")
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.created_count == 1 and ESignature.objects.get().file


# The report and re-import --------------------------------------------------------------------------


def test_the_report_lists_bad_rows_and_the_good_ones_are_filed(ent_a, park_admin, run_import):
    rows = [
        row(ent_a, 1),
        row(ent_a, 2, end="2025-12-31"),  # line 3: ends before it starts
        row(ent_a, 3, worker_id_number="450205199003070000"),  # line 4: wrong check character
        row(ent_a, 4, hours_system="flexible"),  # line 5: no approval number
        row(ent_a, 5, enterprise_uscc="91450200MA5XXXXXX0"),  # line 6: unknown enterprise
        row(ent_a, 6, signing="e_signature"),  # line 7: no e-signature evidence
        row(ent_a, 7, probation_end="2026-07-01"),  # flagged, filed
    ]
    job = run_import(park_admin, csv_bytes(rows))
    assert job.status == ImportJob.Status.DONE
    assert (job.processed_rows, job.created_count, job.unchanged_count, job.error_count) == (7, 2, 0, 5)
    assert {(r, f) for r, f in errors_of(job) if r != 7} == {
        (3, "end"),
        (4, "worker_id_number"),
        (5, "hours_approval"),
        (6, "enterprise_uscc"),
    }
    assert {f for r, f in errors_of(job) if r == 7} == {
        "platform",
        "record_id",
        "employer_signed_at",
        "worker_signed_at",
        "file_sha256",
    }
    assert all(e["reason"] for e in job.report)
    assert set(LabourContract.objects.values_list("reference", flat=True)) == {"HT-00001", "HT-00007"}
    assert LabourContract.objects.get(reference="HT-00007").flags == ["probation_too_long"]


def test_re_importing_the_same_file_changes_nothing(ent_a, park_admin, run_import):
    files = {"1.pdf": pdf(1), "2.pdf": pdf(2)}
    rows = [
        row(ent_a, 1, **esign(1)),
        row(ent_a, 2, **esign(2)),
        row(ent_a, 3),
        row(ent_a, 4, kind="open_ended", end=""),
    ]
    content = zip_bytes({"export.csv": csv_bytes(rows), "manifest.csv": manifest(files), **files})
    first = run_import(park_admin, content, "export.zip")
    assert (first.created_count, first.unchanged_count, first.error_count) == (4, 0, 0)
    counts = (LabourContract.objects.count(), Worker.objects.count(), ESignature.objects.count())
    again = run_import(park_admin, content, "export.zip")
    assert again.status == ImportJob.Status.DONE
    assert (again.created_count, again.unchanged_count, again.error_count) == (0, 4, 0)
    assert again.report == []
    assert (LabourContract.objects.count(), Worker.objects.count(), ESignature.objects.count()) == counts


def test_a_re_import_with_corrected_terms_counts_the_corrections(ent_a, park_admin, run_import, client):
    """A row that repeats a platform record with other terms corrects the contract: the job counts
    it as corrected (issue 15), the page and the list say so."""
    files = {"1.pdf": pdf(1), "2.pdf": pdf(2)}
    rows = [row(ent_a, 1, **esign(1)), row(ent_a, 2, **esign(2))]
    content = zip_bytes({"export.csv": csv_bytes(rows), "manifest.csv": manifest(files), **files})
    first = run_import(park_admin, content, "export.zip")
    assert (first.created_count, first.updated_count) == (2, 0)
    rows[1]["monthly_pay"] = "4800"
    content = zip_bytes({"export.csv": csv_bytes(rows), "manifest.csv": manifest(files), **files})
    again = run_import(park_admin, content, "export.zip")
    assert (again.created_count, again.unchanged_count, again.updated_count, again.error_count) == (
        0,
        1,
        1,
        0,
    )
    assert str(LabourContract.objects.get(reference="HT-00002").monthly_pay) == "4800.00"
    client.force_login(park_admin)
    page = client.get(reverse("contracts:import_detail", args=[again.pk])).content.decode()
    assert 'data-testid="import-updated"' in page


def test_a_paper_contract_filed_again_one_by_one_is_returned_as_it_is(ent_a, ent_hr_a, policy):
    first = services.file_contract(p(ent_hr_a), row(ent_a, 1))
    again = services.file_contract(p(ent_hr_a), row(ent_a, 1))
    assert again == first and again.job == "装配工" and LabourContract.objects.count() == 1
    result = services.file_batch(p(ent_hr_a), [row(ent_a, 1)])
    assert result.created == [] and result.unchanged == 1 and result.already_filed == [first]


def test_a_paper_row_changed_since_is_still_an_overlap(ent_a, park_admin, run_import):
    run_import(park_admin, csv_bytes([row(ent_a, 1)]))
    job = run_import(park_admin, csv_bytes([row(ent_a, 1, end="2029-12-31")]))
    assert (job.created_count, job.unchanged_count) == (0, 0)
    assert errors_of(job) == {(2, "start")}


def test_unknown_columns_are_ignored_and_named_once(ent_a, park_admin, run_import):
    job = run_import(park_admin, csv_bytes([row(ent_a, 1), row(ent_a, 2)], extra_header=("备注", "colour")))
    assert job.status == ImportJob.Status.DONE and job.created_count == 2 and job.error_count == 0
    assert [(e["row"], e["field"]) for e in job.report] == [(1, "备注"), (1, "colour")]


# Hashes and the manifest ---------------------------------------------------------------------------


def test_manifest_and_hash_mismatches_are_reported_and_those_rows_not_filed(ent_a, park_admin, run_import):
    files = {f"{n}.pdf": pdf(n) for n in range(1, 6)}
    rows = [
        row(ent_a, 1, **esign(1)),  # good
        row(ent_a, 2, **esign(2)),  # the manifest gives another hash than the file's (and the row's)
        row(ent_a, 3, **esign(3, file_sha256="b" * 64)),  # the row's hash is not the manifest's
        row(ent_a, 4, **esign(4, data=pdf(44))),  # row and manifest agree, the file was altered
        row(ent_a, 5, **esign(5, file_name="6.pdf")),  # not in the zip
    ]
    content = zip_bytes(
        {
            "export.csv": csv_bytes(rows),
            "manifest.csv": manifest(
                files, {"2.pdf": "a" * 64, "4.pdf": hashlib.sha256(pdf(44)).hexdigest()}
            ),
            **files,
        }
    )
    job = run_import(park_admin, content, "export.zip")
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 1 and job.error_count == 4
    assert errors_of(job) == {(3, "file_sha256"), (4, "file_sha256"), (5, "file_sha256"), (6, "file_name")}
    reasons = {e["row"]: e["reason"] for e in job.report}
    assert "manifest" in reasons[3].lower() or "清单" in reasons[3] or "manifest.csv" in reasons[3]
    assert hashlib.sha256(pdf(4)).hexdigest() in reasons[5]
    assert list(ESignature.objects.values_list("record_id", flat=True)) == ["LQ-1"]


def test_a_file_missing_from_the_manifest_is_reported(ent_a, park_admin, run_import):
    content = zip_bytes(
        {
            "export.csv": csv_bytes([row(ent_a, 1, **esign(1))]),
            "manifest.csv": b"file_name,sha256\n",
            "1.pdf": pdf(1),
        }
    )
    job = run_import(park_admin, content, "export.zip")
    assert errors_of(job) == {(2, "file_name")} and not LabourContract.objects.exists()


def test_a_signed_file_that_is_not_a_pdf_is_reported(ent_a, park_admin, run_import):
    files = {"1.pdf": b"MZ not a pdf"}
    content = zip_bytes(
        {
            "export.csv": csv_bytes([row(ent_a, 1, **esign(1, data=files["1.pdf"]))]),
            "manifest.csv": manifest(files),
            **files,
        }
    )
    job = run_import(park_admin, content, "export.zip")
    assert errors_of(job) == {(2, "file_name")} and not LabourContract.objects.exists()


# Files refused -------------------------------------------------------------------------------------


def test_a_missing_required_column_fails_the_job_with_its_name(ent_a, park_admin, run_import):
    columns = [c for c in importing.COLUMNS if c not in ("job", "signed_on")]
    job = run_import(park_admin, csv_bytes([row(ent_a, 1)], columns=columns))
    assert job.status == ImportJob.Status.FAILED
    assert "job" in job.error and "signed_on" in job.error
    assert job.finished_at and not LabourContract.objects.exists()


def test_json_lines_without_a_required_key_anywhere_fail_the_job(ent_a, park_admin, run_import):
    lines = [{k: v for k, v in row(ent_a, n).items() if k != "kind"} for n in (1, 2)]
    job = run_import(park_admin, jsonl_bytes(lines), "export.jsonl")
    assert job.status == ImportJob.Status.FAILED and "kind" in job.error


def test_a_column_named_twice_fails_the_job(ent_a, park_admin, run_import):
    content = csv_bytes([row(ent_a, 1)], extra_header=("job",))
    job = run_import(park_admin, content)
    assert job.status == ImportJob.Status.FAILED and "job" in job.error


@pytest.mark.parametrize(
    "member", ["../escape.pdf", "/etc/passwd", "a/../../b.pdf", "C:/x.pdf", "dir\\x.pdf"]
)
def test_a_zip_with_an_unsafe_path_is_refused(ent_a, park_admin, member):
    files = {"1.pdf": pdf(1)}
    content = zip_bytes(
        {"export.csv": csv_bytes([row(ent_a, 1)]), "manifest.csv": manifest(files), member: pdf(1)}
    )
    with pytest.raises(DomainError) as exc:
        services.start_import(p(park_admin), upload(content, "export.zip"))
    assert exc.value.field == "file"
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"manifest.csv": b"file_name,sha256\n", "1.pdf": PDF}, "data file"),
        ({"a.csv": b"x", "b.jsonl": b"{}", "manifest.csv": b"file_name,sha256\n"}, "data file"),
        ({"a.csv": b"x", "1.pdf": PDF}, "manifest"),
        ({"a.csv": b"x", "manifest.csv": b"name,hash\n"}, "manifest"),
        ({"a.csv": b"x", "manifest.csv": b"file_name,sha256\n1.pdf,123\n"}, "manifest"),
    ],
)
def test_a_zip_without_one_data_file_and_a_good_manifest_is_refused(park_admin, members, words, ent_a):
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.start_import(p(park_admin), upload(zip_bytes(members), "export.zip"))
    assert words in str(exc.value)


def test_a_zip_bomb_is_refused(park_admin, ent_a, monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 10_000)
    content = zip_bytes({"a.csv": b"x" * 20_000, "manifest.csv": b"file_name,sha256\n"})
    assert len(content) < 10_000
    with pytest.raises(DomainError):
        services.start_import(p(park_admin), upload(content, "export.zip"))


def test_a_file_too_large_is_refused(ent_a, park_admin, monkeypatch):
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(DomainError) as exc:
        services.start_import(p(park_admin), upload(csv_bytes([row(ent_a, 1)])))
    assert exc.value.field == "file" and not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        (PDF, "contracts.csv"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "x.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
        (b"PK\x03\x04 broken zip", "x.zip"),
    ],
)
def test_junk_is_refused_before_a_job_is_made(park_admin, ent_a, content, name):
    with pytest.raises(DomainError):
        services.start_import(p(park_admin), upload(content, name))
    assert not ImportJob.objects.exists()


def test_too_many_rows_fail_the_job_before_anything_is_filed(ent_a, park_admin, run_import, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    job = run_import(park_admin, csv_bytes([row(ent_a, n) for n in (1, 2, 3)]))
    assert job.status == ImportJob.Status.FAILED and "2" in job.error
    assert not LabourContract.objects.exists()


def test_a_broken_xlsx_fails_the_job_not_the_worker(park_admin, ent_a, run_import):
    content = zip_bytes({"[Content_Types].xml": b"<junk", "xl/workbook.xml": b"<junk"})
    job = run_import(park_admin, content, "export.xlsx")
    assert job.status == ImportJob.Status.FAILED and job.error


# Running the job -----------------------------------------------------------------------------------


def test_progress_is_saved_after_every_chunk(ent_a, park_admin, run_import, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    seen = []
    real = services.file_batch

    def spy(principal, rows, **kwargs):
        job = ImportJob.objects.get()
        seen.append((job.status, job.total_rows, job.processed_rows, job.created_count, job.error_count))
        return real(principal, rows, **kwargs)

    monkeypatch.setattr(import_jobs, "file_batch", spy)
    rows = [row(ent_a, 1), row(ent_a, 2, kind="bad"), row(ent_a, 3), row(ent_a, 4), row(ent_a, 5)]
    job = run_import(park_admin, csv_bytes(rows))
    assert seen == [("running", 5, 0, 0, 0), ("running", 5, 2, 1, 1), ("running", 5, 4, 3, 1)]
    assert (job.status, job.processed_rows, job.created_count, job.error_count) == ("done", 5, 4, 1)
    assert errors_of(job) == {(3, "kind")}


def test_the_report_keeps_the_first_entries_and_counts_every_error(
    ent_a, park_admin, run_import, monkeypatch
):
    monkeypatch.setattr(importing, "REPORT_LIMIT", 3)
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    rows = [row(ent_a, n, kind="bad") for n in range(1, 6)]
    job = run_import(park_admin, csv_bytes(rows))
    assert job.error_count == 5 and len(job.report) == 3
    assert [e["row"] for e in job.report] == [2, 3, 4]


def test_an_unexpected_error_fails_the_job_and_keeps_what_was_filed(
    ent_a, park_admin, run_import, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    real, calls = services.file_batch, []

    def boom(principal, rows, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(principal, rows, **kwargs)

    monkeypatch.setattr(import_jobs, "file_batch", boom)
    job = run_import(park_admin, csv_bytes([row(ent_a, n) for n in range(1, 6)]))
    assert job.status == ImportJob.Status.FAILED and "RuntimeError" in job.error
    assert job.processed_rows == 2 and LabourContract.objects.count() == 2
    # Imported again, the rest is filed and the first two are already filed.
    monkeypatch.setattr(import_jobs, "file_batch", real)
    again = run_import(park_admin, csv_bytes([row(ent_a, n) for n in range(1, 6)]))
    assert (again.status, again.created_count, again.unchanged_count) == ("done", 3, 2)


def test_a_finished_job_is_left_as_it_is(ent_a, park_admin, run_import):
    job = run_import(park_admin, csv_bytes([row(ent_a, 1)]))
    before = (job.status, job.created_count, job.finished_at)
    assert services.run_import(job.pk) == ImportJob.Status.DONE
    job.refresh_from_db()
    assert (job.status, job.created_count, job.finished_at) == before
    assert services.run_import("00000000-0000-0000-0000-000000000000") == "missing"


def test_the_uploader_is_notified(ent_a, ent_hr_a, run_import):
    from apps.notifications.models import Notification

    job = run_import(ent_hr_a, csv_bytes([row(ent_a, 1)]))
    note = Notification.objects.get(recipient=ent_hr_a)
    assert note.link == reverse("contracts:import_detail", args=[job.pk])


# Who may import what -------------------------------------------------------------------------------


def test_hr_files_only_for_their_enterprise(ent_a, ent_b, ent_hr_a, run_import):
    job = run_import(ent_hr_a, csv_bytes([row(ent_a, 1), row(ent_b, 2), row(ent_a, 3)]))
    assert job.enterprise == ent_a and job.created_by == ent_hr_a
    assert job.created_count == 2 and errors_of(job) == {(3, "enterprise_uscc")}
    assert not LabourContract.objects.filter(enterprise=ent_b).exists()


def test_a_role_without_the_permission_cannot_import(ent_a, policy):
    mediator = user_with_role(Role.MEDIATOR)
    with pytest.raises(NotAllowed):
        services.start_import(p(mediator), upload(csv_bytes([row(ent_a, 1)])))


def test_an_api_client_imports_with_the_write_scope(ent_a, api_client_factory, run_import):
    client, _key = api_client_factory(name="乐签平台", scopes=("contracts:read", "contracts:write"))
    job = run_import(principal_for_api_client(client), csv_bytes([row(ent_a, 1)]))
    assert job.api_client == client and job.created_by is None
    assert job.status == ImportJob.Status.DONE and job.created_count == 1
    reader, _key = api_client_factory(name="只读", scopes=("contracts:read",))
    with pytest.raises(NotAllowed):
        services.start_import(principal_for_api_client(reader), upload(csv_bytes([row(ent_a, 2)])))


# Pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_pages_for_the_owner(en, ent_a, ent_hr_a, policy, django_capture_on_commit_callbacks):
    en.force_login(ent_hr_a)
    assert en.get(reverse("contracts:import_create")).status_code == 200
    content = csv_bytes([row(ent_a, 1), row(ent_a, 2, end="2025-12-31")], extra_header=("=1+1",))
    with django_capture_on_commit_callbacks(execute=True):
        response = en.post(reverse("contracts:import_create"), {"file": upload(content, "=cmd.csv")})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "contracts:import_detail", args=[job.pk]
    )

    listing = en.get(reverse("contracts:import_list"))
    assert listing.status_code == 200 and "=cmd.csv" in listing.content.decode()

    detail = en.get(reverse("contracts:import_detail", args=[job.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200 and 'data-status="done"' in html and "hx-trigger" not in html
    assert 'data-row="3"' in html and "import-progressbar" in html

    fragment = en.get(reverse("contracts:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()

    report = en.get(reverse("contracts:import_report", args=[job.pk]))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.getvalue().decode("utf-8-sig"))))
    assert lines[0] == ["row", "field", "reason"]
    assert lines[1][:2] == ["1", "'=1+1"]  # an unknown column, never a formula in Excel
    assert lines[2][:2] == ["3", "end"]


def test_a_running_job_refreshes_itself(en, ent_a, ent_hr_a, policy):
    en.force_login(ent_hr_a)
    job = services.start_import(p(ent_hr_a), upload(csv_bytes([row(ent_a, 1)])))  # not run: no commit
    html = en.get(reverse("contracts:import_detail", args=[job.pk])).content.decode()
    assert 'data-status="pending"' in html and 'hx-trigger="every 2s"' in html
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=10, processed_rows=4)
    html = en.get(reverse("contracts:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'aria-valuenow="40"' in html


def test_another_users_job_is_a_404(en, ent_a, ent_hr_a, ent_hr_b, run_import):
    job = run_import(ent_hr_a, csv_bytes([row(ent_a, 1)]))
    en.force_login(ent_hr_b)
    for name in ("contracts:import_detail", "contracts:import_report"):
        assert en.get(reverse(name, args=[job.pk])).status_code == 404
    assert job.file_name not in en.get(reverse("contracts:import_list")).content.decode()


def test_a_park_admin_sees_every_job(en, ent_a, ent_hr_a, park_admin, run_import):
    job = run_import(ent_hr_a, csv_bytes([row(ent_a, 1)]))
    en.force_login(park_admin)
    assert en.get(reverse("contracts:import_detail", args=[job.pk])).status_code == 200


def test_a_role_without_the_permission_gets_403(en, ent_a, ent_hr_a, run_import):
    job = run_import(ent_hr_a, csv_bytes([row(ent_a, 1)]))
    en.force_login(user_with_role(Role.MEDIATOR))
    assert en.get(reverse("contracts:import_list")).status_code == 403
    assert en.get(reverse("contracts:import_create")).status_code == 403
    assert en.post(reverse("contracts:import_create"), {"file": upload(b"x")}).status_code == 403
    assert en.get(reverse("contracts:import_detail", args=[job.pk])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("contracts:import_list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        (PDF, "contracts.csv"),
        (b"PK\x03\x04 broken", "x.zip"),
        (zip_bytes({"../x.csv": b"a", "manifest.csv": b"file_name,sha256\n"}), "x.zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
    ],
)
def test_junk_uploads_are_form_errors_never_500(en, ent_hr_a, policy, content, name):
    en.force_login(ent_hr_a)
    response = en.post(reverse("contracts:import_create"), {"file": upload(content, name)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_no_file_is_a_form_error(en, ent_hr_a, policy):
    en.force_login(ent_hr_a)
    response = en.post(reverse("contracts:import_create"), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_bad_ids_in_the_address_are_404(en, ent_hr_a):
    en.force_login(ent_hr_a)
    assert en.get("/contracts/imports/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_id_numbers_never_appear_in_the_report(ent_a, park_admin, run_import):
    number = id_number(9)
    job = run_import(park_admin, csv_bytes([row(ent_a, 9, end="2025-01-01")]))
    assert job.error_count == 1 and number not in json.dumps(job.report, ensure_ascii=False)


def test_a_long_report_shows_its_first_entries_and_says_so(en, ent_a, ent_hr_a, run_import, monkeypatch):
    from apps.contracts import views_import

    monkeypatch.setattr(views_import, "REPORT_SHOWN", 1)
    monkeypatch.setattr(importing, "REPORT_LIMIT", 2)
    job = run_import(ent_hr_a, csv_bytes([row(ent_a, n, kind="bad") for n in (1, 2, 3)]))
    en.force_login(ent_hr_a)
    html = en.get(reverse("contracts:import_detail", args=[job.pk])).content.decode()
    assert html.count('data-testid="import-report-row"') == 1
    assert "1 more entry in the CSV" in html and "import-report-full" in html
    lines = (
        en.get(reverse("contracts:import_report", args=[job.pk])).getvalue().decode("utf-8-sig").splitlines()
    )
    assert len(lines) == 3  # the header and the two entries kept
