"""The import jobs of the signing platform's exports (乐签平台): `start_import` checks and stores
an upload and queues `contracts.run_import` by name; `run_import` (the task's body) reads the file
through `importing` and files its rows in chunks through `filing.file_batch`, saving the progress,
counts and report after each chunk; the end is audited and told to the user who started it."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.context import acting_as
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import principal_for_api_client, principal_for_user
from apps.core.tasks import enqueue_on_commit
from apps.notifications.services import notify

from .. import importing, selectors
from ..models import ImportJob, LabourContract
from ..workflow import check_import
from .filing import UPDATED, BatchResult, RowError, acting_user, file_batch
from .retention import purge_import_file

logger = logging.getLogger(__name__)


def _import_enterprises(principal):
    """The enterprises an import may file for; NotAllowed for a principal who may not import
    (`workflow.import_refusal`) or has no enterprise to file for."""
    check_import(principal)
    allowed = selectors.filing_enterprises(principal)
    if not allowed.exists():
        raise NotAllowed(_("There is no enterprise you may file contracts for."))
    return allowed


def start_import(principal, uploaded, *, queue: bool = True):
    """Store an upload of the signing platform's export as an ImportJob and queue its filing
    (`contracts.run_import`) after commit (`queue=False`: the caller runs `run_import` itself, as
    the benchmark does). A file that cannot be an import (empty, over 200 MB, not
    CSV/XLSX/JSON Lines/ZIP, an unsafe zip, a zip without exactly one data file and a manifest)
    raises a DomainError on "file"; its rows are checked when the job runs."""
    allowed = _import_enterprises(principal)
    name = importing.file_name(uploaded)
    checked = importing.check_file(uploaded, name)
    only = list(allowed[:2]) if principal.has_role(Role.ENTERPRISE_HR) and not principal.is_park_admin else []
    with transaction.atomic():
        job = ImportJob(
            file_name=name,
            file_sha256=checked.sha256,
            created_by=acting_user(principal) if not principal.is_api_client else None,
            api_client=principal.api_client,
            enterprise=only[0] if len(only) == 1 else None,
        )
        uploaded.seek(0)
        job.file.save(f"{job.pk}.{checked.format}", uploaded, save=False)
        job.save()
        audit.record(
            "contracts.import_started",
            job,
            after={
                "file_name": name,
                "file_sha256": checked.sha256,
                "size": checked.size,
                "format": checked.format,
            },
            only_changes=False,
        )
        if queue:
            enqueue_on_commit("contracts.run_import", str(job.pk))
    return job


def import_principal(job):
    """Who the job files as: the user who uploaded it, or the API client."""
    if job.api_client_id:
        return principal_for_api_client(job.api_client)
    if job.created_by_id and job.created_by.is_active:
        return principal_for_user(job.created_by)
    raise NotAllowed(_("The account that started this import no longer exists or is inactive."))


def run_import(job_id) -> str:
    """The body of `contracts.run_import`: file the job's rows in chunks of `importing.CHUNK_SIZE`
    through `file_batch`, saving the progress, counts and report with each chunk (in the chunk's
    transaction: one commit per chunk, and a page polling the job sees it move as the chunks are
    filed). Idempotent: a finished (done or failed)
    job is left as it is; a job found running (its worker died) starts again, and the rows filed
    meanwhile count as already filed. Any exception marks the job failed with the reason and is
    logged; the rows filed before it stay filed (importing the file again files the rest)."""
    J = ImportJob.Status
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (J.DONE, J.FAILED):
            return job.status if job else "missing"
        job.status = J.RUNNING
        job.started_at, job.finished_at = timezone.now(), None
        job.total_rows = job.processed_rows = job.created_count = job.unchanged_count = 0
        job.updated_count = job.error_count = 0
        job.report, job.error = [], ""
        job.save()
    try:
        principal = import_principal(job)
        with acting_as(principal.label, user=job.created_by if not principal.is_api_client else None):
            _run_import(job, principal)
    except Exception as exc:
        if isinstance(exc, DomainError):
            message = str(exc)
        else:
            logger.exception("contract import %s failed", job.pk)
            message = _(
                "The import stopped on an unexpected error (%(error)s). The rows filed so far are kept; "
                "upload the file again to file the rest."
            ) % {"error": type(exc).__name__}
        ImportJob.objects.filter(pk=job.pk).update(
            status=J.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
        )
        _import_finished(job, J.FAILED)
        return J.FAILED
    _import_finished(job, J.DONE)
    return J.DONE


def _run_import(job, principal) -> None:
    report: list[dict] = []
    counts = {
        "processed_rows": 0,
        "created_count": 0,
        "unchanged_count": 0,
        "updated_count": 0,
        "error_count": 0,
    }
    with job.file.open("rb") as fh, importing.open_import(fh, job.file_name) as source:
        total = source.scan()
        report.extend(
            {"row": source.header_row, "field": column, "reason": _("Unknown column, ignored.")}
            for column in source.unknown[:50]
        )
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total, report=report, updated_at=timezone.now())
        for chunk in source.chunks(importing.CHUNK_SIZE):
            files = source.files_for(chunk)
            errors: list[RowError] = [RowError(r.number, f, m) for r in chunk for f, m in r.problems]
            todo = [r for r in chunk if not r.problems]
            result = BatchResult()
            # The chunk and the job's progress commit together: one transaction (file_batch's is
            # a savepoint in it), one commit per chunk.
            with transaction.atomic():
                if todo:
                    rows = [r.data for r in todo]
                    try:
                        result = file_batch(
                            principal, rows, source=LabourContract.Source.IMPORT, files=files, first_row=0
                        )
                    except IntegrityError:
                        # Another import filed the same platform record meanwhile: once more, it is
                        # now "already filed".
                        result = file_batch(
                            principal, rows, source=LabourContract.Source.IMPORT, files=files, first_row=0
                        )
                    errors.extend(RowError(todo[e.row].number, e.field, e.reason) for e in result.errors)
                errors.sort(key=lambda e: e.row)
                counts["processed_rows"] += len(chunk)
                counts["created_count"] += len(result.created)
                counts["unchanged_count"] += result.unchanged
                counts["updated_count"] += result.counts()[UPDATED]
                counts["error_count"] += len({e.row for e in errors})
                room = importing.REPORT_LIMIT - len(report)
                if room > 0:
                    report.extend(e.as_dict() for e in errors[:room])
                ImportJob.objects.filter(pk=job.pk).update(
                    **counts,
                    total_rows=max(total, counts["processed_rows"]),
                    report=report,
                    updated_at=timezone.now(),
                )
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            total_rows=counts["processed_rows"],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def _import_finished(job, status) -> None:
    """Audit the end of the job, delete its uploaded file (full ID numbers in plain text: the
    job's counts and report are kept; `retention`) and tell the user who started it (in the app,
    no e-mail)."""
    job = ImportJob.objects.get(pk=job.pk)
    purge_import_file(job, reason=status)
    with transaction.atomic():
        audit.record(
            "contracts.import_finished",
            job,
            after={
                "status": status,
                "rows": job.processed_rows,
                "created": job.created_count,
                "unchanged": job.unchanged_count,
                "updated": job.updated_count,
                "errors": job.error_count,
            },
            note=job.error[:500],
            only_changes=False,
        )
        if job.created_by_id:

            def title():
                if status != ImportJob.Status.DONE:
                    return _("Import of %(file)s failed") % {"file": job.file_name}
                return _(
                    "Import of %(file)s done: %(created)d filed, %(updated)d corrected, %(unchanged)d "
                    "already filed, %(errors)d rows with errors"
                ) % {
                    "file": job.file_name,
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                    "errors": job.error_count,
                }

            notify(
                [job.created_by],
                title=title,
                body=job.error,
                link=reverse("contracts:import_detail", args=[job.pk]),
                email=False,
            )
