"""Placeholder: written by the pages helper."""

from django.http import Http404


def apply(request, *args, **kwargs):
    raise Http404


def apply_done(request, *args, **kwargs):
    raise Http404


def track(request, *args, **kwargs):
    raise Http404
