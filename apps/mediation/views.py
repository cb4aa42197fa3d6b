"""Placeholder: written by the pages helper."""

from django.http import Http404


def case_list(request, *args, **kwargs):
    raise Http404


def case_detail(request, *args, **kwargs):
    raise Http404


def case_action(request, *args, **kwargs):
    raise Http404


def session_create(request, *args, **kwargs):
    raise Http404


def agreement_edit(request, *args, **kwargs):
    raise Http404


def agreement_signatures(request, *args, **kwargs):
    raise Http404


def agreement_pdf(request, *args, **kwargs):
    raise Http404


def payment_create(request, *args, **kwargs):
    raise Http404


def performance_set(request, *args, **kwargs):
    raise Http404


def follow_up_update(request, *args, **kwargs):
    raise Http404


def referral_create(request, *args, **kwargs):
    raise Http404


def referral_result(request, *args, **kwargs):
    raise Http404


def document_upload(request, *args, **kwargs):
    raise Http404


def document_download(request, *args, **kwargs):
    raise Http404
