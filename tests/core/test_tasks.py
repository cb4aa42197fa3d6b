"""Services queue Celery work by task name, after the transaction commits."""

import pytest
from django.db import transaction

from apps.core.tasks import enqueue_on_commit
from tests.testapp import tasks as testapp_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clear_runs():
    testapp_tasks.RUNS.clear()
    yield
    testapp_tasks.RUNS.clear()


def test_every_app_task_is_registered_by_name():
    from celery import current_app

    names = set(current_app.tasks)
    for name in ("documents.render", "contracts.run_import", "enterprises.confirm_import", "testapp.record"):
        assert name in names


def test_runs_after_commit_with_its_arguments():
    with transaction.atomic():
        enqueue_on_commit("testapp.record", "a", 1)
        assert testapp_tasks.RUNS == [], "nothing runs before the commit"
    assert testapp_tasks.RUNS == [("a", 1)]


def test_a_rolled_back_action_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("testapp.record", "never")
        raise RuntimeError("the action failed")
    assert testapp_tasks.RUNS == []


def test_a_task_reads_the_calendar_overrides_once():
    from apps.core import calendar

    assert testapp_tasks.in_unit_of_work.delay().get() is True
    assert calendar._unit_of_work.get() is None, "the unit of work ends with the task"
