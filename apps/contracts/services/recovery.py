"""Import jobs lost by a dead worker are queued again (the beat job `*-requeue-stuck*`,
docs/security.md "Operations").

A running job commits its progress with every chunk; one that has not moved for
STUCK_JOB_SECONDS["contract_imports"] lost its worker. A pending one is queued again only after the
broker's visibility timeout, when Redis would have delivered its message again had it kept it.
`run_import` restarts a job found running and counts the rows filed meanwhile as already filed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit import services as audit
from apps.core.tasks import enqueue_on_commit

from ..models import ImportJob


def requeue_stuck_imports(running_after: int | None = None, pending_after: int | None = None) -> int:
    J = ImportJob.Status
    if running_after is None:
        running_after = settings.STUCK_JOB_SECONDS["contract_imports"]
    if pending_after is None:
        pending_after = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    now = timezone.now()
    count = 0
    with transaction.atomic():
        stuck = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=J.RUNNING, updated_at__lte=now - timedelta(seconds=running_after))
                | Q(status=J.PENDING, updated_at__lte=now - timedelta(seconds=pending_after))
            )
            .order_by("created_at")
        )
        for job in stuck:
            still_since = job.updated_at
            job.save(update_fields=["updated_at"])
            audit.record(
                "contracts.import_requeued",
                job,
                after={
                    "status": job.status,
                    "processed_rows": job.processed_rows,
                    "unchanged_since": still_since.isoformat(),
                },
                note="no progress beyond STUCK_JOB_SECONDS['contract_imports']: queued again",
                only_changes=False,
            )
            enqueue_on_commit("contracts.run_import", str(job.pk))
            count += 1
    return count
