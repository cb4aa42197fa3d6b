"""Excel in and out of the registry: thin pages over `importing.py`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import exports
from apps.core.db import for_reports
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error
from apps.core.scoping import get_visible_or_404, principal_for_request

from . import importing, selectors, workflow
from .models import ImportBatch

#: Errors listed on the report page; the rest are counted.
REPORT_ERROR_LIMIT = 1000
RECENT_IMPORTS = 10


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{importing.XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Up to %(max)d MB and %(rows)d rows. Nothing is written before you confirm the report."
        ) % {"max": importing.MAX_IMPORT_BYTES // (1024 * 1024), "rows": importing.MAX_IMPORT_ROWS}


def _importer(request):
    principal = principal_for_request(request)
    if not workflow.can_import(principal):
        raise PermissionDenied
    return principal


def _exporter(request):
    principal = principal_for_request(request)
    if not workflow.can_export(principal):
        raise PermissionDenied
    return principal


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _export_name(ext):
    return f"enterprises-{timezone.localdate():%Y%m%d}.{ext}"


@login_required
def export_xlsx(request):
    principal = _exporter(request)
    _, queryset = selectors.enterprise_list(principal, request.GET)
    return exports.xlsx_response(_export_name("xlsx"), [importing.export_sheet(for_reports(queryset))])


@login_required
def export_csv(request):
    principal = _exporter(request)
    _, queryset = selectors.enterprise_list(principal, request.GET)
    return exports.csv_response(
        _export_name("csv"), importing.HEADERS, importing.export_rows(for_reports(queryset))
    )


@login_required
def import_template(request):
    _importer(request)
    return _download(
        importing.template_workbook(), importing.XLSX_CONTENT_TYPE, "enterprise-import-template.xlsx"
    )


@login_required
def import_upload(request):
    principal = _importer(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        try:
            batch = importing.validate_file(form.cleaned_data["file"], principal)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("enterprises:import_report", pk=batch.pk)
    recent = ImportBatch.objects.visible_to(principal).select_related("uploaded_by")[:RECENT_IMPORTS]
    return render(
        request,
        "enterprises/import_upload.html",
        {"form": form, "recent": recent},
    )


@login_required
def import_report(request, pk):
    principal = _importer(request)
    batch = get_visible_or_404(ImportBatch.objects, principal, pk=pk)
    errors = batch.errors or []
    return render(
        request,
        "enterprises/import_report.html",
        {
            "batch": batch,
            "counts": importing.summary(batch),
            "errors": errors[:REPORT_ERROR_LIMIT],
            "hidden_errors": max(0, len(errors) - REPORT_ERROR_LIMIT),
            "form": ImportForm(),
            "can_confirm": batch.status == ImportBatch.Status.VALIDATED and bool(batch.rows),
        },
    )


@login_required
@require_POST
def import_confirm(request, pk):
    """Confirm: the rows are written by a Celery task in one transaction (at once with eager
    Celery); the report page follows the batch until it is confirmed or failed."""
    principal = _importer(request)
    batch = get_visible_or_404(ImportBatch.objects, principal, pk=pk)
    try:
        batch = importing.request_confirm(principal, batch)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("enterprises:import_report", pk=batch.pk)
    if batch.status == ImportBatch.Status.CONFIRMED:
        messages.success(
            request,
            _(
                "Import confirmed: %(created)d enterprises registered, %(updated)d updated, "
                "%(surveys)d surveys recorded."
            )
            % batch.result,
        )
        return redirect(reverse("enterprises:list"))
    if batch.status == ImportBatch.Status.FAILED:
        messages.error(request, batch.failure)
    else:
        messages.info(
            request, _("The rows are being written. This page updates itself; you will also be notified.")
        )
    return redirect("enterprises:import_report", pk=batch.pk)


@login_required
@require_POST
def import_discard(request, pk):
    principal = _importer(request)
    batch = get_visible_or_404(ImportBatch.objects, principal, pk=pk)
    try:
        importing.discard_import(principal, batch)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("enterprises:import_report", pk=batch.pk)
    messages.info(request, _("The import was discarded; nothing was written."))
    return redirect("enterprises:import_upload")
