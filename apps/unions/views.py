"""Union pages (stub; being written)."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):  # pragma: no cover
    return HttpResponse(status=501)


union_list = figures = _todo
