"""Celery tasks of the reports module: thin, idempotent (the services do the work)."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    name="reports.generate",
    acks_late=True,
    max_retries=2,
    default_retry_delay=60,
    soft_time_limit=9 * 60,
    time_limit=10 * 60,
)
def generate_report(self, report_id: str) -> str | None:
    """Generate one report (services.generate: a ready report is left as it is). A failure is
    tried again twice, a minute apart; then (or at once in eager mode) the report is marked failed
    with the error, and the page offers to generate it again."""
    try:
        report = services.generate(report_id, task_id=self.request.id or "")
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        if self.request.is_eager or self.request.retries >= self.max_retries:
            services.mark_failed(report_id, message)
            if self.request.is_eager:
                return None  # `make run` and tests: the page shows the failure, the request goes on
            raise
        services.mark_retrying(report_id, message)
        raise self.retry(exc=exc) from exc
    return report.status if report else None


@shared_task(name="reports.send_scheduled", acks_late=True)
def send_scheduled() -> dict:
    """Daily: on the first day of a month, quarter or year, make the previous period's reports for
    their subscribers (once per kind, period and scope), and queue again the reports a dead worker
    left behind (services.send_scheduled)."""
    return services.send_scheduled()
