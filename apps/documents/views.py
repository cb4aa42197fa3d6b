from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from apps.core.scoping import get_visible_or_404, principal_for_request

from .models import GeneratedDocument


@login_required
def download(request, pk):
    """Serve a generated PDF to a principal who may see it (404 otherwise). Media files are never
    served directly: every download passes through scoping."""
    principal = principal_for_request(request)
    doc = get_visible_or_404(GeneratedDocument.objects.all(), principal, pk=pk)
    if doc.status != GeneratedDocument.Status.READY or not doc.file:
        raise Http404
    response = FileResponse(doc.file.open("rb"), content_type="application/pdf", filename=f"{doc.title}.pdf")
    response["X-Content-SHA256"] = doc.sha256
    return response
