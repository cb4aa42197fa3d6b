from celery import shared_task

from . import services


@shared_task(
    bind=True,
    name="documents.render",
    acks_late=True,
    max_retries=2,
    default_retry_delay=30,
    soft_time_limit=2 * 60,
    time_limit=3 * 60,
)
def render_document(self, document_id: str) -> str | None:
    try:
        doc = services.render_and_store(document_id, task_id=self.request.id or "")
    except Exception as exc:
        if self.request.retries >= self.max_retries or self.request.is_eager:
            services.mark_failed(document_id, repr(exc))
            raise
        raise self.retry(exc=exc) from exc
    return doc.sha256 if doc else None


@shared_task(name="documents.requeue_stuck", acks_late=True)
def requeue_stuck() -> int:
    """Queue again the documents left pending beyond their limit (services.requeue_stuck)."""
    return services.requeue_stuck()
