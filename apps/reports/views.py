"""Pages of the periodic reports: the kept reports (newest first, by kind and scope), the form to
request one, a report's page (its progress while Celery generates it, polled by htmx; then its
figures, charts and downloads), the downloads (scoped and audited), and subscriptions. Thin:
selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.forms import call_button, call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request

from . import selectors, services, workflow
from .forms import RequestForm, SubscribeForm
from .models import GENERATE, SUBSCRIBE, VIEW, Report

PAGE_SIZE = 25
#: Download formats: (file field, SHA-256 field, content type).
FORMATS = {
    "pdf": ("pdf", "pdf_sha256", "application/pdf"),
    "xlsx": ("xlsx", "xlsx_sha256", XLSX_CONTENT_TYPE),
}


def _get(principal, pk) -> Report:
    try:
        return selectors.get_report(principal, pk)
    except (Report.DoesNotExist, ValueError):
        raise Http404 from None


def _subscriptions_context(principal, form=None) -> dict:
    return {
        "subscriptions": selectors.subscriptions_of(principal),
        "subscribe_form": form or SubscribeForm(),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def report_list(request):
    principal = principal_for_request(request)
    filterset, qs = selectors.report_list(principal, request.GET, request=request)
    for field in filterset.form:
        field.help_text = ""
    page = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "reports/list.html",
        {
            "filter": filterset,
            "page": page,
            "can": workflow.page_answers(principal),
            **_subscriptions_context(principal),
        },
    )


@login_required
@permission_required(GENERATE, raise_exception=True)
def report_request(request):
    principal = principal_for_request(request)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = call_service(
            form,
            services.request_report,
            principal,
            kind=form.cleaned_data["kind"],
            period_start=form.cleaned_data["period_start"],
            town=form.cleaned_data.get("town"),
        )
        if report is not None:
            messages.success(
                request, _("The report is being generated: this page shows its progress, then its downloads.")
            )
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/request.html", {"form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def report_detail(request, pk):
    principal = principal_for_request(request)
    report = _get(principal, pk)
    context = {**selectors.page(report), "can": workflow.page_answers(principal)}
    if getattr(request, "htmx", False):
        return render(request, "reports/_progress.html", context)
    return render(request, "reports/detail.html", context)


@login_required
@permission_required(GENERATE, raise_exception=True)
@require_POST
def report_retry(request, pk):
    principal = principal_for_request(request)
    report = _get(principal, pk)
    done, _result = call_button(request, services.retry, principal, report)
    if done:
        messages.success(request, _("The report is being generated again."))
    return redirect("reports:detail", pk=report.pk)


def _download(request, pk, fmt: str):
    principal = principal_for_request(request)
    report = _get(principal, pk)
    file_field, sha_field, content_type = FORMATS[fmt]
    stored = getattr(report, file_field)
    if not report.is_ready or not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.record_download(report, fmt)
    response = FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=selectors.file_name(report, fmt)
    )
    response["X-Content-SHA256"] = getattr(report, sha_field)
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def download_pdf(request, pk):
    """The report's PDF, to a principal who reads the report (404 otherwise, and before it is
    ready); never from /media/. The download is audited."""
    return _download(request, pk, "pdf")


@login_required
@permission_required(VIEW, raise_exception=True)
def download_xlsx(request, pk):
    """The report's .xlsx (same checks and audit as the PDF)."""
    return _download(request, pk, "xlsx")


@login_required
@permission_required(SUBSCRIBE, raise_exception=True)
@require_POST
def subscribe(request):
    principal = principal_for_request(request)
    form = SubscribeForm(request.POST)
    if form.is_valid():
        subscription = call_service(
            form,
            services.subscribe,
            principal,
            kind=form.cleaned_data["kind"],
            town=form.cleaned_data.get("town"),
        )
        if subscription is not None:
            messages.success(request, _("Subscribed: you will be told when each of these reports is ready."))
            return redirect("reports:list")
    filterset, qs = selectors.report_list(principal, {}, request=request)
    return render(
        request,
        "reports/list.html",
        {
            "filter": filterset,
            "page": paginate(request, qs, PAGE_SIZE),
            "can": workflow.page_answers(principal),
            **_subscriptions_context(principal, form),
        },
        status=400,
    )


@login_required
@permission_required(SUBSCRIBE, raise_exception=True)
@require_POST
def unsubscribe(request, pk):
    principal = principal_for_request(request)
    if not services.unsubscribe(principal, pk):
        raise Http404
    messages.success(request, _("Subscription ended."))
    return redirect("reports:list")
