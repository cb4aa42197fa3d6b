"""Pages of harmony certification (placeholders until the pages land)."""

from django.http import Http404


def application_list(request, *args, **kwargs):
    raise Http404


def application_create(request, *args, **kwargs):
    raise Http404


def figures(request, *args, **kwargs):
    raise Http404


def application_detail(request, *args, **kwargs):
    raise Http404


def wizard_step(request, *args, **kwargs):
    raise Http404


def evidence_download(request, *args, **kwargs):
    raise Http404


def evidence_delete(request, *args, **kwargs):
    raise Http404


def review(request, *args, **kwargs):
    raise Http404


def application_action(request, *args, **kwargs):
    raise Http404
