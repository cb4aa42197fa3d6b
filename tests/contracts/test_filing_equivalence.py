"""The bulk filing path keeps its behaviour: a mixed batch (new workers, re-sent platform records
and paper rows, renewals against the database and within the batch, refusals, flags, format
errors, a signed file that does not match, a record filed for another enterprise) gives the same
report and writes the same rows (contracts, workers, history, e-signatures, audit events) as the
row-by-row bulk_create path did before the COPY path (`data/mixed_batch.json` was written by
that code); the same rows through an import job in small chunks give the same job report and
counts. And the number of queries of a batch does not grow with its rows.

Regenerate the golden file only on purpose: CONTRACTS_WRITE_GOLDEN=1 pytest this file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.audit.models import AuditEvent
from apps.contracts import importing, services
from apps.contracts.models import ContractHistory, ESignature, ImportJob, LabourContract, Worker

from .conftest import PDF, esign, p, row

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "data" / "mixed_batch.json"
WRITE = os.environ.get("CONTRACTS_WRITE_GOLDEN") == "1"


def signed(n: int) -> bytes:
    return PDF + f"% contract {n}\n".encode()


def earlier_rows(ent_a, ent_b) -> list[dict]:
    """What is filed before the batch."""
    return [
        # worker 1: a term ending on 30 June 2026, renewed by the batch (in the database)
        row(ent_a, 1, end="2026-06-30", probation_end=""),
        # worker 2: an e-signed record, re-sent by the batch
        row(ent_a, 2, **esign(2, signed(2))),
        # worker 3: a paper contract re-sent as it is, and one changed since (worker 4)
        row(ent_a, 3),
        row(ent_a, 4),
        # worker 9: a record filed for enterprise B, re-sent for A
        row(ent_b, 9, **esign(9, signed(9))),
    ]


def batch_rows(ent_a, ent_b) -> list:
    return [
        row(ent_a, 5),  # 1 new
        row(  # 2 renews worker 1's contract in the database
            ent_a,
            1,
            contract_number="HT-00001-2",
            start="2026-07-01",
            end="2029-06-30",
            probation_end="",
            signed_on="2026-06-20",
        ),
        row(ent_a, 2, **esign(2, signed(2))),  # 3 the same platform record: unchanged
        row(ent_a, 3),  # 4 the same paper row: unchanged
        row(ent_a, 4, end="2029-12-31"),  # 5 changed since: an overlap
        row(ent_a, 6, probation_end="2026-09-30", monthly_pay="1500"),  # 6 flagged twice
        row(ent_a, 7, end="2025-12-31"),  # 7 ends before it starts
        row(ent_a, 8, end="2026-03-31", probation_end=""),  # 8, 9, 10: three terms in the batch
        row(
            ent_a,
            8,
            contract_number="HT-00008-2",
            start="2026-04-01",
            end="2026-06-30",
            probation_end="",
            signed_on="2026-03-20",
        ),
        row(
            ent_a,
            8,
            contract_number="HT-00008-3",
            start="2026-07-01",
            end="2027-06-30",
            probation_end="",
            signed_on="2026-06-20",
        ),
        row(ent_a, 11, worker_id_number="450205199003070000"),  # 11 a wrong check character
        row(ent_a, 12, enterprise_uscc="91450200MA5XXXXXX0"),  # 12 an unknown enterprise
        row(ent_a, 13, hours_system="flexible"),  # 13 no approval number
        row(ent_a, 14, **esign(14, signed(14))),  # 14 its file does not match (below)
        row(ent_a, 15, **esign(15, signed(15))),  # 15 e-signed with its file
        row(ent_a, 9, **esign(9, signed(9))),  # 16 a record filed for enterprise B
        row(  # 17 part-time with a probation and too many hours
            ent_a,
            17,
            kind="part_time",
            end="",
            probation_end="2026-01-31",
            monthly_pay="",
            hourly_pay="25",
            weekly_hours="30",
        ),
        # 18 without a contract number, for a worker filed before (named differently here)
        row(
            ent_b,
            3,
            worker_name="工人三",
            contract_number="",
            employment_start="2026-01-01",
            start="2026-01-01",
            end="2026-12-31",
            probation_end="",
        ),
        row(ent_a, 19, signed_on="2026-03-15"),  # 19 written more than a month late
        "not a row",  # 20 not an object
        row(ent_a, 21, kind="open_ended", end="2030-01-01"),  # 21 open-ended with an end
        row(ent_b, 5, contract_number="HT-B-5", probation_end=""),  # 22 worker 5 again, at B
        row(ent_a, 23, kind="task", end="", task="", probation_end=""),  # 23 a task without its task
        row(ent_a, 24, signing="e_signature"),  # 24 e-signed without evidence
    ]


def batch_files() -> dict:
    return {"14.pdf": signed(14) + b"altered", "15.pdf": signed(15), "2.pdf": signed(2)}


class Names:
    """Stable names for what differs between runs (ids, users)."""

    def __init__(self, ent_a, ent_b, admin):
        self.enterprises = {str(ent_a.pk): "A", str(ent_b.pk): "B"}
        self.admin = admin.get_username()

    def label(self, value: str) -> str:
        return "<admin>" if value == self.admin else value


def snapshot(names: Names, since: set) -> dict:
    """Every row the filings wrote, without ids or times."""
    contracts = {}
    for c in LabourContract.objects.select_related("worker", "enterprise", "filed_by"):
        contracts[str(c.pk)] = (
            f"{c.worker.name}/{names.enterprises[str(c.enterprise_id)]}/{c.reference or '-'}/{c.start}"
        )
    return {
        "contracts": sorted(
            [
                contracts[str(c.pk)],
                c.kind,
                str(c.employment_start),
                str(c.start),
                str(c.end),
                c.task,
                str(c.probation_end),
                c.job,
                c.workplace,
                c.hours_system,
                c.hours_approval,
                str(c.monthly_pay),
                str(c.hourly_pay),
                str(c.weekly_hours),
                c.social_insurance,
                str(c.signed_on),
                c.signing,
                c.status,
                c.flags,
                c.source,
                names.label(c.filed_by.get_username()) if c.filed_by else None,
                str(c.terminated_on),
            ]
            for c in LabourContract.objects.all()
        ),
        "workers": sorted(
            [w.name, w.id_number, w.id_number_hash, w.sex, str(w.birth_date), w.phone]
            for w in Worker.objects.all()
        ),
        "history": sorted(
            [contracts[str(h.subject_id)], h.action, h.from_status, h.to_status, names.label(h.actor_label)]
            for h in ContractHistory.objects.all()
        ),
        "esignatures": sorted(
            [
                contracts[str(s.contract_id)],
                s.platform,
                s.record_id,
                s.employer_signed_at.isoformat(),
                s.worker_signed_at.isoformat(),
                s.timestamp_authority,
                s.timestamp_token,
                s.sha256,
                bool(s.file),
                s.tampered,
            ]
            for s in ESignature.objects.all()
        ),
        "audit": sorted(
            [
                e.action,
                contracts.get(e.object_id, e.object_type),
                e.object_repr,
                names.label(e.actor_label),
                json.dumps(
                    {
                        k: (names.enterprises.get(v, v) if k == "enterprise" else v)
                        for k, v in (e.after or {}).items()
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                ),
            ]
            for e in AuditEvent.objects.exclude(pk__in=since)
            if e.object_type == "contracts.labourcontract"
        ),
    }


def compare(key: str, value) -> None:
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    if WRITE:
        golden[key] = value
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        return
    assert json.loads(json.dumps(value, ensure_ascii=False)) == golden[key]


def test_a_mixed_batch_gives_the_same_report_and_rows(ent_a, ent_b, park_admin, policy):
    """(Also run by the next test without COPY.)"""
    names = Names(ent_a, ent_b, park_admin)
    since = set(AuditEvent.objects.values_list("pk", flat=True))
    with translation.override("en"):
        first = services.file_batch(
            p(park_admin), earlier_rows(ent_a, ent_b), files={"2.pdf": signed(2), "9.pdf": signed(9)}
        )
        assert not first.errors
        result = services.file_batch(p(park_admin), batch_rows(ent_a, ent_b), files=batch_files())
    report = {
        "errors": [e.as_dict() for e in result.errors],
        "created": sorted(c.reference or f"-{c.start}" for c in result.created),
        "unchanged": result.unchanged,
        "already_filed": sorted(c.reference for c in result.already_filed),
        "error_rows": result.error_rows,
    }
    compare("file_batch", {"report": report, "rows": snapshot(names, since)})
    # What the batch returns are saved contracts, their worker and enterprise at hand.
    for contract in result.created:
        assert not contract._state.adding and contract.worker.name and contract.enterprise.uscc
    assert LabourContract.objects.filter(pk__in=[c.pk for c in result.created]).count() == len(result.created)


def test_without_copy_bulk_create_writes_the_same(ent_a, ent_b, park_admin, policy, monkeypatch):
    """The path of databases without COPY (SQLite for `make run`): bulk_create, the same rows."""
    from apps.core import bulk

    monkeypatch.setattr(bulk, "copies", lambda: False)
    test_a_mixed_batch_gives_the_same_report_and_rows(ent_a, ent_b, park_admin, policy)


def csv_of(rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(importing.COLUMNS)
    for r in rows:
        if isinstance(r, dict):
            writer.writerow([r.get(c, "") for c in importing.COLUMNS])
    return out.getvalue().encode()


def zip_of(rows: list, files: dict, listed: dict | None = None) -> bytes:
    """A zip of the rows, the files and a manifest of `listed` (by default the files)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("export.csv", csv_of(rows))
        archive.writestr(
            "manifest.csv",
            "file_name,sha256\n"
            + "".join(f"{k},{hashlib.sha256(v).hexdigest()}\n" for k, v in (listed or files).items()),
        )
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_import_job_in_small_chunks_gives_the_same_report_and_rows(
    ent_a, ent_b, park_admin, policy, monkeypatch, django_capture_on_commit_callbacks
):
    names = Names(ent_a, ent_b, park_admin)
    since = set(AuditEvent.objects.values_list("pk", flat=True))
    monkeypatch.setattr(importing, "CHUNK_SIZE", 4)

    def run(content: bytes, name: str) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_import(p(park_admin), SimpleUploadedFile(name, content))
        job.refresh_from_db()
        return job

    files = {"2.pdf": signed(2), "9.pdf": signed(9), "15.pdf": signed(15)}
    with translation.override("en"):
        before = run(zip_of(earlier_rows(ent_a, ent_b), files), "earlier.zip")
        assert before.status == ImportJob.Status.DONE and before.error_count == 0, before.report
        # 14.pdf was altered after the manifest was made.
        altered = {**files, "14.pdf": signed(14) + b"altered"}
        job = run(zip_of(batch_rows(ent_a, ent_b), altered, {**files, "14.pdf": signed(14)}), "batch.zip")
    assert job.status == ImportJob.Status.DONE, job.error
    counts = [job.total_rows, job.processed_rows, job.created_count, job.unchanged_count, job.error_count]
    compare("import_job", {"report": job.report, "counts": counts, "rows": snapshot(names, since)})


def test_a_chunk_refused_by_a_unique_constraint_is_filed_again_in_its_transaction(
    ent_a, park_admin, policy, monkeypatch, django_capture_on_commit_callbacks
):
    """The COPY of a chunk meets a platform record filed since the chunk read them (here by a
    filing nested in it): the IntegrityError rolls back the chunk's savepoint, and the job files
    the chunk once more in the same transaction."""
    from apps.contracts.services import filing
    from apps.contracts.services import imports as import_jobs

    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    rows = [row(ent_a, n, **esign(n)) for n in range(1, 6)]
    real_insert, real_batch, calls = filing._insert, services.file_batch, []

    def insert(plan):
        if len(calls) == 2 and not hasattr(insert, "done"):
            insert.done = True
            real_batch(plan.principal, [rows[2]])  # row 3 filed after the chunk read the records
        return real_insert(plan)

    def counting(principal, batch, **kwargs):
        calls.append(len(batch))
        return real_batch(principal, batch, **kwargs)

    monkeypatch.setattr(filing, "_insert", insert)
    monkeypatch.setattr(import_jobs, "file_batch", counting)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_import(p(park_admin), SimpleUploadedFile("export.csv", csv_of(rows)))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert calls == [2, 2, 2, 1]  # the second chunk twice
    assert (job.processed_rows, job.created_count, job.unchanged_count, job.error_count) == (5, 5, 0, 0)
    assert ESignature.objects.count() == 5 and LabourContract.objects.count() == 5


def _batch(ent, start: int, n: int) -> list[dict]:
    """n new rows: a mix of paper and e-signed, new workers and workers filed before."""
    return [
        row(ent, k, **(esign(k) if k % 3 == 0 else {}), contract_number=f"Q-{k}")
        for k in range(start, start + n)
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's bulk_create splits by its variables")
@pytest.mark.parametrize("again", [False, True], ids=["first", "again"])
def test_the_queries_of_a_batch_do_not_grow_with_its_rows(ent_a, park_admin, policy, again):
    """50 rows or 500, first filed or filed again (every row already filed): the same queries
    (on PostgreSQL one COPY per table)."""
    principal = p(park_admin)
    services.file_batch(principal, [])  # the principal's memberships, read once
    counts = []
    for start, n in ((1, 50), (100, 500)):
        rows = _batch(ent_a, start, n)
        if again:
            services.file_batch(principal, rows)
        with CaptureQueriesContext(connection) as queries:
            result = services.file_batch(principal, rows)
        assert not result.errors
        assert (result.unchanged if again else len(result.created)) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
