"""Retention of the uploaded exports of the signing platform (issue 14, finding 3; docs/security.md
"Personal data"). An upload holds every worker's full ID number in plain text, so it is kept only
while its job needs it:

- `purge_import_file` deletes a job's file when the job has finished (done or failed); the job
  keeps its name, SHA-256, counts and row report, and the purge is audited
  (`contracts.import_file_purged`). `services.imports` calls it at the end of every job.
- `purge_import_files` (the hourly beat job `contracts.purge_import_files`) is the safety net:
  the files of finished jobs that are still on disk (a delete that failed, jobs finished before
  this rule) and files under `contract-imports/` that no job refers to (an upload whose
  transaction rolled back), once they are older than `IMPORT_FILE_RETENTION_HOURS` (default 24).
  A pending or running job's file is never touched: the job still reads it.

PIPL art. 19 (个人信息保护法第十九条): personal information is kept for the shortest time the
purpose needs.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.audit import services as audit

from ..models import ImportJob

logger = logging.getLogger(__name__)

#: Where `ImportJob.file` stores uploads (its `upload_to` without the dated folders).
IMPORT_DIR = "contract-imports"
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)


def retention() -> dt.timedelta:
    return dt.timedelta(hours=settings.IMPORT_FILE_RETENTION_HOURS)


def purge_import_file(job: ImportJob, *, reason: str) -> bool:
    """Delete the stored upload of a finished job and clear `job.file`; audited. False when there
    was nothing to delete or the job is not finished (its file is still needed). A storage error
    is logged and left for the beat job (`purge_import_files`)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.status not in FINISHED or not locked.file.name:
            return False
        name = locked.file.name
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("contract import %s: could not delete %s", locked.pk, name)
            return False
        ImportJob.objects.filter(pk=locked.pk).update(file="", updated_at=timezone.now())
        audit.record(
            "contracts.import_file_purged",
            locked,
            before={"file": name},
            after={"file": "", "file_sha256": locked.file_sha256, "reason": reason},
            only_changes=False,
        )
    job.file.name = ""
    return True


def _walk(directory: str):
    """Every file under `directory` in the default storage (relative names)."""
    try:
        folders, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for folder in folders:
        yield from _walk(f"{directory}/{folder}")


def purge_import_files(now: dt.datetime | None = None) -> dict:
    """The beat job: purge what outlived `IMPORT_FILE_RETENTION_HOURS` (see the module's text).
    Returns and logs {"purged": n, "orphans": n, "failed": n}."""
    now = now or timezone.now()
    cutoff = now - retention()
    purged = orphans = failed = 0
    stale = ImportJob.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).exclude(file="")
    for job in stale.only("pk", "status", "file", "file_sha256", "file_name"):
        if purge_import_file(job, reason="retention"):
            purged += 1
        else:
            failed += 1
    referenced = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in _walk(IMPORT_DIR):
        if name in referenced:
            continue
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue  # perhaps an upload whose job is being saved right now
            default_storage.delete(name)
        except OSError:
            logger.exception("contract imports: could not delete the orphan file %s", name)
            failed += 1
            continue
        orphans += 1
        with transaction.atomic():
            audit.record(
                "contracts.import_file_purged",
                None,
                after={"file": name, "reason": "orphan"},
                note=name,
                only_changes=False,
            )
    counts = {"purged": purged, "orphans": orphans, "failed": failed}
    logger.info(
        "contract import files older than %s h: %s purged, %s orphans deleted, %s failed",
        settings.IMPORT_FILE_RETENTION_HOURS,
        purged,
        orphans,
        failed,
    )
    return counts
