"""One error format for the whole API:

{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]},
           "codes": {"field": ["..."]}, "source": "..."},
 "request_id": "..."}

`codes` (issue 15, machine-readable error codes) is parallel to `fields`: the n-th code of a field
names its n-th message (`required`, `invalid`, `max_length`, `invalid_choice`, … from DRF and
Django validators; a rule's own code from a DomainError, e.g. `overlap`).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.context import current_request_id
from apps.core.errors import DomainError, InvalidTransition, NotAllowed

# Machine-readable error codes (issue 15): each message of a field keeps its code.
FIELD_ERROR_CODE = "invalid"


def _code_of(item) -> str:
    return getattr(item, "code", None) or FIELD_ERROR_CODE


def _flatten(detail) -> tuple[dict, dict]:
    """DRF's error detail as ({field: [message]}, {field: [code]}), the lists parallel."""
    if not isinstance(detail, dict):
        detail = {"non_field_errors": detail}
    leaves = {k: _flatten_list(v) for k, v in detail.items()}
    return (
        {k: [message for message, _code in v] for k, v in leaves.items()},
        {k: [code for _message, code in v] for k, v in leaves.items()},
    )


def _flatten_list(v) -> list[tuple[str, str]]:
    if isinstance(v, list):
        out = []
        for item in v:
            out.extend(
                _flatten_list(item) if isinstance(item, list | dict) else [(str(item), _code_of(item))]
            )
        return out
    if isinstance(v, dict):
        return [(f"{k}: {m}", c) for k, msgs in v.items() for m, c in _flatten_list(msgs)]
    return [(str(v), _code_of(v))]


def _django_detail(exc: DjangoValidationError):
    """A Django ValidationError as DRF's detail, each message with its code (`max_length`, …)."""

    def details(errors):
        return [ErrorDetail(m, code=e.code or FIELD_ERROR_CODE) for e in errors for m in e.messages]

    if hasattr(exc, "error_dict"):
        return {field: details(errors) for field, errors in exc.error_dict.items()}
    return details(exc.error_list)


def _domain_codes(exc: DomainError, fields: dict) -> dict:
    """The codes of a refused rule's fields: its own per field, else the error's code (a plain
    DomainError's generic code reads `invalid`)."""
    default = exc.code if exc.code != DomainError.default_code else FIELD_ERROR_CODE
    out = {}
    for name, messages in fields.items():
        codes = [str(c) for c in (getattr(exc, "codes", None) or {}).get(name, [])]
        out[name] = codes if len(codes) == len(messages) else [default] * len(messages)
    return out


def error_body(code, message, fields=None, source=None, codes=None):
    fields = fields or {}
    if codes is None:  # every field message has a code: the error's own by default
        codes = {name: [code] * len(messages) for name, messages in fields.items()}
    body = {
        "error": {"code": code, "message": str(message), "fields": fields, "codes": codes},
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
        body = error_body(exc.code, exc.message, fields, exc.source, codes=_domain_codes(exc, fields))
        return Response(body, status=code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_detail(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's 500 handling and logging take over
    if isinstance(exc, exceptions.ValidationError):
        fields, codes = _flatten(exc.detail)
        body = error_body("invalid", _("The request has invalid fields."), fields, codes=codes)
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
