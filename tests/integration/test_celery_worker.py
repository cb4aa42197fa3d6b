"""One real round trip: a Celery worker (in a thread) consuming from the real Redis broker."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from apps.notifications import services
from apps.notifications.models import Notification
from config.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker():
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: make test starts or finds a Redis (scripts/test-services.sh)")
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL)
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
            queues=settings.CELERY_TASK_QUEUES_ALL,
        ):
            yield app
    finally:
        app.conf.update(**saved)


def test_ping_round_trip(redis_worker):
    from apps.core.tasks import ping

    assert ping.delay().get(timeout=20) == "pong"


def test_notification_email_sent_by_the_worker(redis_worker, hr_a):
    [n] = services.notify([hr_a], title="工作进程发送的通知")  # autocommit: queued at once
    from apps.notifications.tasks import send_notification_email

    result = send_notification_email.delay(str(n.pk))
    # The first delivery (queued on commit) or this one sends; the other finds it sent.
    assert result.get(timeout=20) in {"sent", "skipped"}
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT
    assert [m.subject for m in mail.outbox] == ["工作进程发送的通知"]
