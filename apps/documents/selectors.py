"""Reads about generated documents, shared by every module that shows one on its pages."""

from .models import GeneratedDocument


def document_state(document: GeneratedDocument | None) -> str:
    """What a page says about a module's PDF: "none" (never requested), "pending" (being
    generated), "failed" (may be generated again) or "ready" (stored, with its file)."""
    if document is None:
        return "none"
    if document.status == GeneratedDocument.Status.READY and document.file:
        return "ready"
    return "failed" if document.status == GeneratedDocument.Status.FAILED else "pending"
