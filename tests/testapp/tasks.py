"""A task for the tests of `apps.core.tasks.enqueue_on_commit` (registered by CoreConfig.ready)."""

from celery import shared_task

#: The arguments of every run, in order.
RUNS: list[tuple] = []


@shared_task(name="testapp.record")
def record(*args) -> None:
    RUNS.append(args)
