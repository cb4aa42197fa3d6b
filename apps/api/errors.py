"""One error format for the whole API:

{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}, "source": "..."},
 "request_id": "..."}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.context import current_request_id
from apps.core.errors import DomainError, InvalidTransition, NotAllowed


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten_list(v) for k, v in detail.items()}
    return {"non_field_errors": _flatten_list(detail)}


def _flatten_list(v):
    if isinstance(v, list):
        out = []
        for item in v:
            out.extend(_flatten_list(item) if isinstance(item, list | dict) else [str(item)])
        return out
    if isinstance(v, dict):
        return [f"{k}: {m}" for k, msgs in v.items() for m in _flatten_list(msgs)]
    return [str(v)]


def error_body(code, message, fields=None, source=None):
    body = {
        "error": {"code": code, "message": str(message), "fields": fields or {}},
        "request_id": current_request_id(),
    }
    if source:
        body["error"]["source"] = str(source)
    return body


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        code = status.HTTP_400_BAD_REQUEST
        if isinstance(exc, NotAllowed):
            code = status.HTTP_403_FORBIDDEN
        elif isinstance(exc, InvalidTransition):
            code = status.HTTP_409_CONFLICT
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        return Response(error_body(exc.code, exc.message, fields, exc.source), status=code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's 500 handling and logging take over
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("The request has invalid fields."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = error_body(code if isinstance(code, str) else "error", detail)
    response.data = body
    return response


# Django's own error pages, for paths that never reach a DRF view: an address under /api/ that no
# route matches (`/api/v1/enterprises/not-a-uuid/contract-book/`, whose route takes a UUID) or a
# server error outside DRF's handler. Under /api/ they answer in the one error format, as the
# schema documents; everywhere else they are the site's HTML pages.
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request, exception=None):
    from django.http import JsonResponse
    from django.views import defaults

    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request):
    from django.http import JsonResponse
    from django.views import defaults

    if _is_api(request):
        body = error_body(
            "server_error", _("Something went wrong; it has been logged. Please try again later.")
        )
        return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
