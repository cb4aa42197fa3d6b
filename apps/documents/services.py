"""The one PDF service: an HTML template rendered by WeasyPrint.

- Fonts: the Noto CJK fonts from Debian's fonts-noto-cjk (see templates/documents/base_pdf.html).
- No network: the URL fetcher serves only files under the static directories and refuses
  everything else, so a template can never make the server fetch a remote URL.
- Generated files are stored as GeneratedDocument with their SHA-256 and the Celery task id.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.audit import services as audit
from apps.core.models import object_ref
from apps.core.tasks import enqueue_on_commit

from .models import GeneratedDocument


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def resolve_static_path(path: str) -> str | None:
    """Map a `/static/...` path or a path inside the static directories to a file on disk."""
    if path.startswith(settings.STATIC_URL):
        return finders.find(path[len(settings.STATIC_URL) :])
    candidate = Path(path).resolve()
    if any(candidate.is_relative_to(root) for root in _static_roots()) and candidate.is_file():
        return str(candidate)
    return None


def _make_fetcher():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ForbiddenFetchError(FatalURLFetchingError):
        """A template asked for something other than a bundled static file: stop rendering."""

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=5)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            resolved = None
            if url.startswith("file://"):
                resolved = resolve_static_path(unquote(urlparse(url).path))
            if resolved is None:
                raise ForbiddenFetchError(f"refused to fetch {url!r}: PDFs may only use bundled static files")
            return super().fetch(Path(resolved).as_uri(), headers)

    return StaticOnlyFetcher, ForbiddenFetchError


StaticOnlyFetcher, ForbiddenFetch = _make_fetcher()


def render_pdf(template_name: str, context: dict | None = None, *, language: str | None = None) -> bytes:
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template_name, {"PARK_NAME": settings.PARK_NAME, **(context or {})})
    base_url = Path(settings.BASE_DIR / "static").resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher()).write_pdf()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def request_document(
    *, kind: str, title: str, template_name: str, context: dict, owner=None, created_by=None, language=None
) -> GeneratedDocument:
    """Record a document to generate and queue its rendering after commit. `context` must be JSON."""
    object_type, object_id = object_ref(owner)
    doc = GeneratedDocument.objects.create(
        kind=kind,
        title=title,
        template_name=template_name,
        context=context,
        language=language or settings.LANGUAGE_CODE,
        object_type=object_type,
        object_id=object_id,
        created_by=created_by,
    )
    audit.record("documents.request", doc, after=audit.snapshot(doc, exclude=("context",)))
    enqueue_on_commit("documents.render", str(doc.pk))
    return doc


def render_and_store(document_id, *, task_id: str = "") -> GeneratedDocument | None:
    """Render a pending document and store it with its hash. Idempotent: a ready one is kept."""
    with transaction.atomic():
        doc = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if doc is None or doc.status == GeneratedDocument.Status.READY:
            return doc
        data = render_pdf(doc.template_name, doc.context, language=doc.language)
        # A run killed between writing the file and committing left a file under this name: it
        # is replaced, so a document has one file whatever number of runs it took.
        if doc.file:
            doc.file.delete(save=False)
        name = doc.file.field.generate_filename(doc, f"{doc.kind}-{doc.pk}.pdf")
        if doc.file.storage.exists(name):
            doc.file.storage.delete(name)
        doc.file.save(f"{doc.kind}-{doc.pk}.pdf", ContentFile(data), save=False)
        doc.sha256 = sha256_of(data)
        doc.size = len(data)
        doc.task_id = task_id
        doc.status = GeneratedDocument.Status.READY
        doc.error = ""
        doc.save()
        audit.record(
            "documents.generated", doc, after={"sha256": doc.sha256, "size": doc.size, "task_id": task_id}
        )
        return doc


def requeue_stuck(older_than_seconds: int | None = None) -> int:
    """Queue again the documents left pending longer than STUCK_JOB_SECONDS["documents"] (their
    worker died, or their message was lost) and audit each. Run by the beat job
    `*-requeue-stuck*`; a second message for a document still in the queue is harmless
    (`render_and_store` is idempotent under a row lock)."""
    if older_than_seconds is None:
        older_than_seconds = settings.STUCK_JOB_SECONDS["documents"]
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    count = 0
    with transaction.atomic():
        stuck = (
            GeneratedDocument.objects.select_for_update(skip_locked=True)
            .filter(status=GeneratedDocument.Status.PENDING, updated_at__lte=cutoff)
            .order_by("created_at")
        )
        for doc in stuck:
            pending_since = doc.updated_at
            doc.save(update_fields=["updated_at"])
            audit.record(
                "documents.requeued",
                doc,
                after={"status": doc.status, "pending_since": pending_since.isoformat()},
                note="pending beyond STUCK_JOB_SECONDS['documents']: queued again",
                only_changes=False,
            )
            enqueue_on_commit("documents.render", str(doc.pk))
            count += 1
    return count


def mark_failed(document_id, error: str) -> None:
    with transaction.atomic():
        GeneratedDocument.objects.filter(pk=document_id).exclude(
            status=GeneratedDocument.Status.READY
        ).update(status=GeneratedDocument.Status.FAILED, error=error[:2000])


def verify(doc: GeneratedDocument) -> bool:
    """Re-hash the stored file; False means it no longer matches what was generated."""
    if not doc.file or not doc.sha256:
        return False
    with doc.file.open("rb") as fh:
        return sha256_of(fh.read()) == doc.sha256
