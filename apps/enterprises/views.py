from django.http import HttpResponse


def _todo(request, *args, **kwargs):  # pragma: no cover
    return HttpResponse(status=501)


enterprise_list = enterprise_create = enterprise_detail = enterprise_edit = survey_edit = _todo
