from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from apps.core.scoping import get_visible_or_404, principal_for_request

from .models import GeneratedDocument
from .selectors import document_state


def pdf_response(document: GeneratedDocument, *, inline: bool = False) -> FileResponse:
    """A stored PDF as a download (or shown in the browser when `inline`), with its SHA-256 in
    `X-Content-SHA256` so the receiver can check it. The caller has checked the scope; a file
    missing from storage is a 404."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=not inline,
        filename=f"{document.title}.pdf",
    )
    response["X-Content-SHA256"] = document.sha256
    return response


@login_required
def download(request, pk):
    """Serve a generated PDF to a principal who may see it (404 otherwise). Media files are never
    served directly: every download passes through scoping."""
    principal = principal_for_request(request)
    doc = get_visible_or_404(GeneratedDocument.objects.all(), principal, pk=pk)
    if document_state(doc) != "ready":
        raise Http404
    return pdf_response(doc, inline=True)
