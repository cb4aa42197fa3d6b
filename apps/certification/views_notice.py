"""Public notices, objections, certificates, annual reports, veto events and public pages (placeholders)."""

from django.http import Http404


def notice_list(request, *args, **kwargs):
    raise Http404


def notice_create(request, *args, **kwargs):
    raise Http404


def objection_resolve(request, *args, **kwargs):
    raise Http404


def certificate_detail(request, *args, **kwargs):
    raise Http404


def certificate_revoke(request, *args, **kwargs):
    raise Http404


def annual_report(request, *args, **kwargs):
    raise Http404


def veto_list(request, *args, **kwargs):
    raise Http404


def veto_create(request, *args, **kwargs):
    raise Http404


def public_notice(request, *args, **kwargs):
    raise Http404


def public_notice_pdf(request, *args, **kwargs):
    raise Http404


def public_objection(request, *args, **kwargs):
    raise Http404


def verify(request, *args, **kwargs):
    raise Http404
