"""Finding 4 (issue 14): the whole Celery worker dies mid-render; exactly one document follows.

A real `celery worker` process (prefork: a main process and its pool child) consumes from the real
Redis at REDIS_URL and writes to this test's PostgreSQL database (transaction=True, so the rows it
reads are committed). The test waits until the worker holds the document's row lock (it is
rendering), SIGKILLs the worker's whole process group, checks the document is still pending, starts
a new worker and sends it the beat job `documents.requeue_stuck` (as beat would, with
STUCK_DOCUMENT_SECONDS=1 in the worker's environment). The document is then ready, with one
generated event, one requeued event and one file on disk.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.utils import OperationalError

from apps.audit.models import AuditEvent
from apps.documents import services
from apps.documents.models import GeneratedDocument
from config.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
WORKER_MEDIA = BASE_DIR / "test-artifacts" / "media"  # MEDIA_ROOT of config.settings.test
ROWS = 400  # several seconds of rendering on a busy 2-core machine


def _db_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _db_url(),
        "REDIS_URL": settings.REDIS_URL,
        "STUCK_DOCUMENT_SECONDS": "1",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
    return subprocess.Popen(
        [*celery, "-Q", "celery,documents", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killpg reaches the pool child too
    )


def _kill_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _row_locked(doc_id) -> bool:
    """True while a worker holds the document's row (render_and_store's select_for_update)."""
    try:
        with transaction.atomic():
            GeneratedDocument.objects.select_for_update(nowait=True).filter(pk=doc_id).exists()
    except OperationalError:
        return True
    return False


def _wait(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture
def broker(settings):
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: make test starts or finds a Redis (scripts/test-services.sh)")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("documents", "celery", "unacked", "unacked_index")  # this test's queues only
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL)
    try:
        yield client
    finally:
        app.conf.update(**saved)
        client.delete("documents", "celery", "unacked", "unacked_index")


def test_whole_worker_killed_mid_render_gives_exactly_one_document(broker, tmp_path):
    log = tmp_path / "worker.log"
    kind = f"killtest-{os.getpid()}"
    first = _start_worker(log)
    second = None
    try:
        doc = services.request_document(  # queued to Redis on commit (autocommit here)
            kind=kind,
            title="长文书",
            template_name="testapp/long_pdf.html",
            context={"title": "长文书", "rows": list(range(ROWS))},
        )
        # The row lock is taken just before render_pdf and held until the file is stored.
        _wait(lambda: _row_locked(doc.pk), 90, "the worker to start rendering", log)
        _kill_group(first)  # SIGKILL to the main process and its pool child at once
        _wait(lambda: not _group_alive(first.pid), 10, "the killed worker's processes to end", log)
        doc.refresh_from_db()
        assert doc.status == GeneratedDocument.Status.PENDING, "the render finished before the kill"
        assert not _row_locked(doc.pk)

        second = _start_worker(log)
        app.send_task("documents.requeue_stuck")  # what beat sends every 5 minutes
        _wait(
            lambda: GeneratedDocument.objects.get(pk=doc.pk).status != GeneratedDocument.Status.PENDING,
            120,
            "the document to be rendered again",
            log,
        )
    finally:
        _kill_group(first)
        if second is not None:
            _kill_group(second, signal.SIGTERM)

    [ready] = GeneratedDocument.objects.filter(kind=kind)
    assert ready.status == GeneratedDocument.Status.READY, ready.error
    assert AuditEvent.objects.for_object(ready).filter(action="documents.generated").count() == 1
    assert AuditEvent.objects.for_object(ready).filter(action="documents.requeued").count() == 1
    files = list(WORKER_MEDIA.glob(f"documents/*/*/{kind}-{ready.pk}*.pdf"))
    assert files == [WORKER_MEDIA / ready.file.name]
    assert services.sha256_of(files[0].read_bytes()) == ready.sha256
