"""Placeholder: written by a helper."""

from django.http import Http404


def import_list(request, *args, **kwargs):
    raise Http404


def import_create(request, *args, **kwargs):
    raise Http404


def import_detail(request, *args, **kwargs):
    raise Http404


def import_report(request, *args, **kwargs):
    raise Http404


