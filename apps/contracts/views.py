"""Placeholder: written by a helper."""

from django.http import Http404


def contract_list(request, *args, **kwargs):
    raise Http404


def contract_create(request, *args, **kwargs):
    raise Http404


def contract_detail(request, *args, **kwargs):
    raise Http404


def contract_terminate(request, *args, **kwargs):
    raise Http404


def contract_verify(request, *args, **kwargs):
    raise Http404


def signed_file(request, *args, **kwargs):
    raise Http404


def book_list(request, *args, **kwargs):
    raise Http404


def book_xlsx(request, *args, **kwargs):
    raise Http404


def book_pdf(request, *args, **kwargs):
    raise Http404


