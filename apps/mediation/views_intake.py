"""Placeholder: written by the intake helper."""

from django.http import Http404


def case_create(request, *args, **kwargs):
    raise Http404


def figures(request, *args, **kwargs):
    raise Http404


def organisation_list(request, *args, **kwargs):
    raise Http404


