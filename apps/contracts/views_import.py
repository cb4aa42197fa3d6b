"""Pages of the imports from the e-signing platform (乐签平台): the list of the principal's import
jobs, the upload, one job with its progress (refreshed by htmx every 2 seconds while it runs) and
its report as CSV (row, field, reason).

The upload is checked and queued by `services.start_import` (a bad file is a form error); the rows
are filed by the `contracts.run_import` task (`services.run_import`). Jobs are read through
`selectors.import_jobs`: another user's job is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import csv_response
from apps.core.forms import call_service
from apps.core.scoping import get_visible_or_404, principal_for_request

from . import importing, selectors, services, workflow
from .models import ImportJob

IMPORT = "contracts.import_contracts"
PAGE_SIZE = 30
#: Report entries shown on the job's page; the CSV has all that are kept.
REPORT_SHOWN = 100
ACCEPT = ".csv,.xlsx,.jsonl,.ndjson,.zip,text/csv,application/zip"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Export of the signing platform"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV, XLSX, JSON Lines, or a ZIP with one of them, the signed PDFs and manifest.csv. "
            "Up to %(size)s and %(rows)s rows."
        ) % {"size": filesizeformat(importing.MAX_UPLOAD_BYTES), "rows": f"{importing.MAX_ROWS:,}"}


def _viewer(request):
    principal = principal_for_request(request)
    if not workflow.can_see_imports(principal):
        raise PermissionDenied
    return principal


def _job(request, pk) -> ImportJob:
    principal = _viewer(request)
    return get_visible_or_404(
        selectors.import_jobs(principal).select_related("created_by", "api_client", "enterprise"),
        principal,
        pk=pk,
    )


@login_required
def import_list(request):
    principal = _viewer(request)
    jobs = selectors.import_jobs(principal).select_related("created_by", "api_client")
    page = Paginator(jobs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/import_list.html",
        {"page": page, "jobs": page.object_list, "can": workflow.page_answers(principal)},
    )


@login_required
def import_create(request):
    if not request.user.has_perm(IMPORT):
        raise PermissionDenied
    principal = principal_for_request(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        job = call_service(form, services.start_import, principal, form.cleaned_data["file"])
        if job is not None:
            messages.success(
                request, _("“%(file)s” is uploaded; its rows are being filed.") % {"file": job.file_name}
            )
            return redirect("contracts:import_detail", pk=job.pk)
    return render(
        request,
        "contracts/import_create.html",
        {
            "form": form,
            "columns": importing.COLUMNS,
            "required": importing.REQUIRED,
            "can": workflow.page_answers(principal),
        },
    )


@login_required
def import_detail(request, pk):
    job = _job(request, pk)
    report = job.report or []
    context = {
        "job": job,
        "can": workflow.page_answers(principal_for_request(request)),
        "running": job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING),
        "report": report[:REPORT_SHOWN],
        "report_hidden": max(0, len(report) - REPORT_SHOWN),
        "report_full": len(report) >= importing.REPORT_LIMIT,
        "report_limit": importing.REPORT_LIMIT,
    }
    if getattr(request, "htmx", False):
        return render(request, "contracts/import_progress.html", context)
    return render(request, "contracts/import_detail.html", context)


@login_required
def import_report(request, pk):
    """The job's report as CSV (row, field, reason), formula-safe (`apps.core.exports`)."""
    job = _job(request, pk)
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    rows = ([entry.get(k) for k in ("row", "field", "reason")] for entry in job.report or [])
    return csv_response(f"{stem}-report.csv", ["row", "field", "reason"], rows)
