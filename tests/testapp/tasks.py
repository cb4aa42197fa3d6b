"""A task for the tests of `apps.core.tasks.enqueue_on_commit` (registered by CoreConfig.ready)."""

from celery import shared_task

#: The arguments of every run, in order.
RUNS: list[tuple] = []


@shared_task(name="testapp.record")
def record(*args) -> None:
    RUNS.append(args)


@shared_task(name="testapp.in_unit_of_work")
def in_unit_of_work() -> bool:
    """Whether the task runs as one unit of work of the calendar (apps.core.tasks)."""
    from apps.core import calendar

    return calendar._unit_of_work.get() is not None
