"""Celery plumbing shared by every module, and the kernel's own jobs.

Services queue work with `enqueue_on_commit("app.task_name", ...)`: by the task's registered name,
so a service never imports the `tasks` module that sits above it (tasks call services, not the
other way round). `CoreConfig.ready()` imports every app's tasks so the names are registered in
every process, which is what lets eager mode (`make run`, tests) run them in place.
"""

from celery import current_app, shared_task
from django.core.management import call_command
from django.db import transaction


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task `task_name` with `args` once the surrounding transaction commits (at once
    outside a transaction), so a rolled-back action never starts work on rows that do not exist."""
    transaction.on_commit(lambda: current_app.tasks[task_name].delay(*args))


@shared_task(name="core.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task(name="core.ping")
def ping() -> str:
    """Round-trip check used by the Celery integration test and operators."""
    return "pong"
