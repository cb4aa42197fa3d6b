"""Finding 4 (issue 14): jobs left by a dead worker are not stuck for an hour.

The broker's visibility timeout exceeds every task's hard limit (no second delivery of a long
import while it runs), and the beat jobs queue again what stayed pending or running beyond
STUCK_JOB_SECONDS, with an audit event each. The real-worker kill test is
tests/integration/test_worker_killed.py."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.contracts.models import ImportJob
from apps.contracts.services import requeue_stuck_imports
from apps.documents import services as documents
from apps.documents.models import GeneratedDocument
from apps.enterprises.importing import requeue_stuck_confirmations
from apps.enterprises.models import ImportBatch
from config.celery import BEAT_SCHEDULE, app

pytestmark = pytest.mark.django_db


def _age(obj, seconds):
    type(obj).objects.filter(pk=obj.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


def test_visibility_timeout_exceeds_the_longest_task_limit():
    app.loader.import_default_modules()
    limits = [app.conf.task_time_limit] + [
        t.time_limit for name, t in app.tasks.items() if not name.startswith("celery.") and t.time_limit
    ]
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert max(limits) == settings.CELERY_LONGEST_TASK_SECONDS
    assert visibility > max(limits)
    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
    for name in ("documents.render", "notifications.send_email"):
        task = app.tasks[name]
        assert task.time_limit and task.soft_time_limit < task.time_limit, name


def test_the_requeue_jobs_are_scheduled():
    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {
        "documents.requeue_stuck",
        "contracts.requeue_stuck_imports",
        "enterprises.requeue_stuck_imports",
    } <= tasks


def test_a_document_pending_beyond_its_limit_is_rendered_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # its worker "died": never rendered
        lost = documents.request_document(
            kind="sample",
            title="t",
            template_name="documents/sample.html",
            context={"title": "a", "body": "b"},
        )
        recent = documents.request_document(
            kind="sample",
            title="t",
            template_name="documents/sample.html",
            context={"title": "a", "body": "b"},
        )
    _age(lost, settings.STUCK_JOB_SECONDS["documents"] + 1)
    _age(recent, settings.STUCK_JOB_SECONDS["documents"] - 60)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert documents.requeue_stuck() == 1
    assert len(callbacks) == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == GeneratedDocument.Status.READY and lost.sha256
    assert recent.status == GeneratedDocument.Status.PENDING
    [event] = AuditEvent.objects.for_object(lost).filter(action="documents.requeued")
    assert event.after["status"] == "pending"
    # A ready document is never queued again.
    _age(lost, 10 * settings.STUCK_JOB_SECONDS["documents"])
    assert documents.requeue_stuck() == 0


def test_a_contract_import_not_moving_is_queued_again(django_capture_on_commit_callbacks, park_admin):
    limit = settings.STUCK_JOB_SECONDS["contract_imports"]
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    def job(status, age):
        j = ImportJob.objects.create(file_name="x.csv", file_sha256="0" * 64, created_by=park_admin)
        ImportJob.objects.filter(pk=j.pk).update(status=status)
        _age(j, age)
        return j

    dead = job(ImportJob.Status.RUNNING, limit + 1)
    alive = job(ImportJob.Status.RUNNING, limit - 60)
    queued = job(ImportJob.Status.PENDING, limit + 1)  # still waiting in a busy queue: left alone
    lost = job(ImportJob.Status.PENDING, visibility + 1)
    job(ImportJob.Status.DONE, visibility + 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert requeue_stuck_imports() == 2
    assert len(callbacks) == 2
    requeued = set(
        AuditEvent.objects.filter(action="contracts.import_requeued").values_list("object_id", flat=True)
    )
    assert requeued == {str(dead.pk), str(lost.pk)}
    assert str(alive.pk) not in requeued and str(queued.pk) not in requeued


def test_an_enterprise_import_left_being_written_is_queued_again(
    django_capture_on_commit_callbacks, park_admin
):
    limit = settings.STUCK_JOB_SECONDS["enterprise_imports"]
    assert limit > app.tasks["enterprises.confirm_import"].time_limit

    def batch(status, age):
        b = ImportBatch.objects.create(file_name="e.xlsx", file_sha256="0" * 64, uploaded_by=park_admin)
        ImportBatch.objects.filter(pk=b.pk).update(status=status)
        _age(b, age)
        return b

    dead = batch(ImportBatch.Status.PROCESSING, limit + 1)
    batch(ImportBatch.Status.PROCESSING, limit - 60)
    batch(ImportBatch.Status.VALIDATED, limit + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_confirmations() == 1
    dead.refresh_from_db()
    # The task ran again (eagerly here): this batch has no good rows, so it ends failed, not stuck.
    assert dead.status == ImportBatch.Status.FAILED
    assert AuditEvent.objects.for_object(dead).filter(action="enterprises.import_requeued").count() == 1
