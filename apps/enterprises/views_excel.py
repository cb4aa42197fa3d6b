"""Excel in and out of the registry (stub; being written)."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):  # pragma: no cover - replaced by the import/export views
    return HttpResponse(status=501)


export_xlsx = export_csv = import_upload = import_template = import_report = import_confirm = (
    import_discard
) = _todo
