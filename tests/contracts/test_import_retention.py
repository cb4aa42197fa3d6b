"""Retention of uploaded contract exports (issue 14, finding 3): a job's file holds full ID numbers
in plain text, so it is deleted when the job ends (done or failed), the job keeping its counts and
report; the hourly beat job deletes what is left past IMPORT_FILE_RETENTION_HOURS (files of
finished jobs, orphan uploads), never a pending or running job's file; each purge is audited."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.contracts import services, tasks
from apps.contracts.models import ImportJob
from config.celery import BEAT_SCHEDULE

from .conftest import id_number, p, row
from .test_import import csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_import(django_capture_on_commit_callbacks, policy):
    """Start an import as `user` and run it (Celery is eager, after commit), as test_import does."""

    def run(user, content: bytes, name: str = "export.csv") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_import(p(user), upload(content, name))
        job.refresh_from_db()
        return job

    return run


def stored_files() -> list[str]:
    root = settings.MEDIA_ROOT / "contract-imports"
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_finished_job_keeps_its_report_but_not_its_file(ent_a, park_admin, run_import):
    content = csv_bytes([row(ent_a, 1), row(ent_a, 2, kind="weekly")])
    assert id_number(1).encode() in content
    job = run_import(park_admin, content)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count) == (1, 1) and job.report  # the report stays
    assert job.file.name == "" and stored_files() == []
    event = AuditEvent.objects.get(action="contracts.import_file_purged", object_id=str(job.pk))
    assert event.after["reason"] == "done" and event.after["file_sha256"] == job.file_sha256
    assert event.before["file"].startswith("contract-imports/")


def test_a_failed_job_loses_its_file_too(ent_a, park_admin, run_import):
    job = run_import(park_admin, b"worker_name,worker_id_number\n" + id_number(1).encode() + b"\n")
    assert job.status == ImportJob.Status.FAILED and job.error
    assert job.file.name == "" and stored_files() == []
    assert AuditEvent.objects.filter(action="contracts.import_file_purged", after__reason="failed").exists()


def test_a_pending_job_keeps_its_file(ent_a, park_admin, policy):
    job = services.start_import(p(park_admin), upload(csv_bytes([row(ent_a, 1)])))  # not run
    assert job.status == ImportJob.Status.PENDING and default_storage.exists(job.file.name)
    assert services.purge_import_file(job, reason="test") is False
    assert services.purge_import_files(now=timezone.now() + dt.timedelta(days=30))["purged"] == 0
    assert default_storage.exists(job.file.name)


def _finished_job_with_a_file(ent_a, park_admin, hours_ago: float) -> ImportJob:
    """A job finished `hours_ago` whose file is still on disk (as before this rule, or after a
    delete that failed)."""
    job = ImportJob(file_name="old.csv", file_sha256="0" * 64, created_by=park_admin, total_rows=1)
    job.file.save(f"{job.pk}.csv", ContentFile(csv_bytes([row(ent_a, 1)])), save=False)
    job.save()
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, finished_at=finished)
    job.refresh_from_db()
    return job


def test_the_beat_job_purges_files_past_the_retention_and_orphans(ent_a, park_admin, settings, caplog):
    settings.IMPORT_FILE_RETENTION_HOURS = 24
    old = _finished_job_with_a_file(ent_a, park_admin, hours_ago=25)
    recent = _finished_job_with_a_file(ent_a, park_admin, hours_ago=2)
    orphan = default_storage.save(
        "contract-imports/2026/01/orphan.csv", ContentFile(b"x," + id_number(3).encode())
    )
    fresh_orphan = default_storage.save("contract-imports/2026/01/fresh.csv", ContentFile(b"y"))
    day_ago = time.time() - 25 * 3600
    os.utime(default_storage.path(orphan), (day_ago, day_ago))

    with caplog.at_level(logging.INFO, logger="apps.contracts.services.retention"):
        counts = tasks.purge_import_files()

    assert counts == {"purged": 1, "orphans": 1, "failed": 0}
    assert "1 purged, 1 orphans deleted, 0 failed" in caplog.text
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.file.name == "" and default_storage.exists(recent.file.name)
    assert not default_storage.exists(orphan) and default_storage.exists(fresh_orphan)
    reasons = sorted(
        AuditEvent.objects.filter(action="contracts.import_file_purged").values_list(
            "after__reason", flat=True
        )
    )
    assert reasons == ["orphan", "retention"]
    # Idempotent: nothing left to do.
    assert tasks.purge_import_files() == {"purged": 0, "orphans": 0, "failed": 0}


def test_the_retention_is_a_setting(ent_a, park_admin, settings):
    settings.IMPORT_FILE_RETENTION_HOURS = 1
    job = _finished_job_with_a_file(ent_a, park_admin, hours_ago=2)
    assert services.purge_import_files()["purged"] == 1
    job.refresh_from_db()
    assert job.file.name == ""


def test_the_purge_is_scheduled_hourly():
    entry = BEAT_SCHEDULE["contracts-purge-import-files"]
    assert entry["task"] == "contracts.purge_import_files"
    assert entry["schedule"].hour == set(range(24))
    assert BEAT_SCHEDULE["enterprises-purge-import-rows"]["task"] == "enterprises.purge_import_rows"
