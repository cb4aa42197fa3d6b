"""Celery plumbing shared by every module, and the kernel's own jobs.

Services queue work with `enqueue_on_commit("app.task_name", ...)`: by the task's registered name,
so a service never imports the `tasks` module that sits above it (tasks call services, not the
other way round). `CoreConfig.ready()` imports every app's tasks so the names are registered in
every process, which is what lets eager mode (`make run`, tests) run them in place.
"""

from celery import current_app, shared_task
from celery.signals import task_postrun, task_prerun
from django.core.management import call_command
from django.db import transaction

from .calendar import begin_unit_of_work, end_unit_of_work


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task `task_name` with `args` once the surrounding transaction commits (at once
    outside a transaction), so a rolled-back action never starts work on rows that do not exist."""
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args))


_calendar_tokens: dict = {}


@task_prerun.connect
def _task_reads_the_calendar_once(task_id=None, **kwargs):
    """A task is one unit of work for the calendar, as a request is (calendar.overrides_read_once)."""
    _calendar_tokens[task_id] = begin_unit_of_work()


@task_postrun.connect
def _task_done(task_id=None, **kwargs):
    token = _calendar_tokens.pop(task_id, None)
    if token is not None:
        end_unit_of_work(token)


@shared_task(name="core.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task(name="core.ping")
def ping() -> str:
    """Round-trip check used by the Celery integration test and operators."""
    return "pong"
