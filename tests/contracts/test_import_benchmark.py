"""`manage.py benchmark_contract_import` at a small size: both imports, their figures (rows/s,
queries per chunk, memory, the steps), and nothing of the run left behind (audit events aside).
And the import streams its file: what it keeps from one chunk to the next does not grow with it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.contracts import importing, services
from apps.contracts.models import ContractHistory, ESignature, ImportJob, LabourContract, Worker
from apps.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        model.objects.count()
        for model in (LabourContract, ContractHistory, ESignature, Worker, ImportJob, Enterprise, User)
    )


@pytest.mark.parametrize("zipped", [False, True], ids=["csv", "zip"])
def test_the_benchmark_runs_and_leaves_nothing(policy, zipped):
    before = counts()
    out = io.StringIO()
    call_command(
        "benchmark_contract_import",
        rows=60,
        batch=25,
        enterprises=3,
        seed=7,
        zip=zipped,
        steps=True,
        analyze=True,
        stdout=out,
    )
    text = out.getvalue()
    assert "first import: 60 rows" in text and "created 60, unchanged 0, rows with errors 0" in text
    assert "re-import: 60 rows" in text and "created 0, unchanged 60, rows with errors 0" in text
    assert "per chunk of 25" in text and "COPY" in text and "peak" in text
    assert "audit events (audit.record_many)" in text and "checking and planning the rows" in text
    assert "ANALYZE of the contract tables" in text
    assert counts() == before


def test_the_import_streams_its_file(
    ent_a, park_admin, policy, monkeypatch, django_capture_on_commit_callbacks
):
    """Chunks are read one after the other as they are filed: never the whole file at once."""
    from apps.contracts.services import imports as import_jobs

    from .conftest import p, row
    from .test_filing_equivalence import csv_of

    monkeypatch.setattr(importing, "CHUNK_SIZE", 3)
    read, real = [], importing.ImportSource.records

    def records(self):
        for record in real(self):
            read.append(record.number)
            yield record

    filed_when = []

    def spy(principal, rows, **kwargs):
        filed_when.append(len(read))
        return services.file_batch(principal, rows, **kwargs)

    monkeypatch.setattr(importing.ImportSource, "records", records)
    monkeypatch.setattr(import_jobs, "file_batch", spy)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_import(p(park_admin), _upload(csv_of([row(ent_a, n) for n in range(1, 11)])))
    job.refresh_from_db()
    assert job.created_count == 10
    # Each chunk is filed once its rows (and no more) are read.
    assert filed_when == [3, 6, 9, 10]


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("export.csv", content)
