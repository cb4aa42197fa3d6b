"""`Idempotency-Key` on every POST under /api/ (issue 15, point 5).

A district system that sends a write and loses the answer (a timeout, a dropped connection) sends
it again with the same key and gets the first answer back instead of a second effect:

- same caller, same key, same request (method, path with its query string, body) within 24 hours:
  the stored answer, status, body and the headers that matter (`STORED_HEADERS`), with
  `Idempotent-Replayed: true`; nothing runs again;
- same key, another request: 422 `idempotency_key_reused`;
- same key while the first request is still running: 409 `idempotency_key_in_progress` (retry
  later); a request holding its key longer than `IDEMPOTENCY_IN_FLIGHT_SECONDS` is taken for lost
  (its worker died) and the next one with the key runs instead;
- a key that is not 1–255 printable ASCII characters: 400 `idempotency_key_invalid`.

Answers of 5xx are not stored (the key may be retried), nor those about who calls or when rather
than about the request (`NOT_STORED`: 401, 403, 408, 412, 425, 429): nothing was done, and the
same request may succeed once the key, the scope, the precondition or the rate allows it. Every
other answer is stored, 4xx included (a 400 stays a 400; a 409 of the object's status stays a
409). Without the header a POST runs as it always did.

Keys are per caller: `key:<SHA-256 of the API key>` (the digest the accounts store, read from the
`Authorization` header without a query) or `user:<id>` for a signed-in session; two clients may
use the same key. The key is claimed by inserting its row (unique per caller and key) in its own
transaction before the view runs, so two requests with one key never both run. A replay, a 409 or
a 422 is answered only after the API's own authentication classes accept the caller (a revoked
key gets the view's 401). The hourly job `api.purge_idempotency_records` deletes keys older than
24 hours (`purge_expired`); an expired key found before the job ran is reclaimed.

The stored body is encrypted with the personal-data keys (answers may carry ID numbers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from apps.core import personal_data

from .errors import API_PREFIX, error_body
from .models import IdempotencyRecord

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
#: How long a key and its answer are kept, per caller.
RETENTION = dt.timedelta(hours=24)
#: A request holding its key longer than this (seconds) is taken for lost; settings may override.
IN_FLIGHT_SECONDS = 5 * 60
#: 1 to 255 printable ASCII characters (space to tilde).
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
#: The answer's headers replayed with its body.
STORED_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified", "Filing-Status")
#: Answers about who calls or when, not about the request: not stored, the key may be used again.
NOT_STORED = frozenset({401, 403, 408, 412, 425, 429})
#: Error codes of the answers of this module (`error.code`).
INVALID, REUSED, IN_PROGRESS = (
    "idempotency_key_invalid",
    "idempotency_key_reused",
    "idempotency_key_in_progress",
)
#: Rows deleted per statement by the purge (short locks on a large table).
PURGE_CHUNK = 5000


def in_flight_limit() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "IDEMPOTENCY_IN_FLIGHT_SECONDS", IN_FLIGHT_SECONDS))


def caller_of(request) -> str | None:
    """Who is calling, without a query: the SHA-256 of the bearer key (`ApiClient.key_hash` holds
    the same digest), or the signed-in user's id; None for an anonymous caller (the view refuses
    it)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        parts = header.split()
        if parts and parts[0] == "Bearer":  # RFC 6750, as apps.accounts.authentication reads it
            token = parts[1] if len(parts) == 2 else header
            return "key:" + hashlib.sha256(token.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _part(digest, data: bytes) -> None:
    """One length-prefixed part of the fingerprint (no two requests give the same input)."""
    digest.update(str(len(data)).encode() + b":" + data)


def fingerprint_of(request) -> str | None:
    """SHA-256 of the method, the path with its query string and the body. A multipart body is
    read as its fields and files (name, file name, content), since a client's retry draws a new
    boundary. None when the body cannot be read (the view answers that error itself)."""
    digest = hashlib.sha256()
    _part(digest, request.method.encode())
    _part(digest, request.get_full_path().encode())
    try:
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            for name in sorted(request.POST):
                for value in request.POST.getlist(name):
                    _part(digest, name.encode())
                    _part(digest, value.encode())
            for name in sorted(request.FILES):
                for upload in request.FILES.getlist(name):
                    _part(digest, name.encode())
                    _part(digest, (upload.name or "").encode())
                    content = hashlib.sha256()
                    for chunk in upload.chunks():
                        content.update(chunk)
                    upload.seek(0)
                    _part(digest, content.digest())
        else:
            _part(digest, request.body)
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, OSError):
        return None
    return digest.hexdigest()


def _error(status: int, code: str, message, *, field: str | None = None) -> JsonResponse:
    fields = {HEADER: [str(message)]} if field else None
    return JsonResponse(error_body(code, message, fields), status=status)


def _authenticated(request) -> bool:
    """The API's own authentication classes accept the caller (before a stored answer, a 409 or
    a 422 is given: a revoked key is the view's 401, not a replay)."""
    drf_request = Request(
        request, authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    )
    try:
        user = drf_request.user
    except exceptions.APIException:
        return False
    return bool(user is not None and user.is_authenticated)


def _replay(record: IdempotencyRecord) -> HttpResponse:
    body = personal_data.fernet().decrypt(record.body.encode()) if record.body else b""
    response = HttpResponse(body, status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(request, caller: str, key: str, fingerprint: str):
    """Take the key for this request: (the row this request now holds, None), or (None, the
    answer to give instead: the stored one, 409 or 422), or (None, None) when the caller must go
    through the view unclaimed (authentication refused)."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller, key=key, fingerprint=fingerprint, created_at=now, locked_at=now
                )
            return record, None
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if record is None:
            continue  # deleted meanwhile (purged, or released after a 5xx): claim it again
        if record.created_at < now - RETENTION:
            # Expired but not purged yet: the key is free again.
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            continue
        if (
            record.status_code is None
            and record.locked_at < now - in_flight_limit()
            and record.fingerprint == fingerprint
            # Its request was lost (the worker died): this one, the same, runs instead.
            and IdempotencyRecord.objects.filter(
                pk=record.pk, locked_at=record.locked_at, status_code=None
            ).update(locked_at=now)
        ):
            record.locked_at = now
            return record, None
        if not _authenticated(request):
            return None, None
        if record.fingerprint != fingerprint:
            message = _(
                "This Idempotency-Key was already used for another request (another method, address "
                "or body). Use a new key for a new request."
            )
            return None, _error(422, REUSED, message, field=HEADER)
        if record.status_code is None:
            message = _(
                "A request with this Idempotency-Key is still being processed. Retry in a moment to "
                "get its answer."
            )
            response = _error(409, IN_PROGRESS, message, field=HEADER)
            response["Retry-After"] = "1"
            return None, response
        return None, _replay(record)
    return None, None  # the key kept changing hands: let the request through unclaimed


def _storable(response) -> bool:
    return (
        not getattr(response, "streaming", False)
        and response.status_code < 500
        and response.status_code not in NOT_STORED
    )


def _finish(record: IdempotencyRecord, response) -> None:
    """Store the answer of the request that held the key, or free the key (5xx, `NOT_STORED`)."""
    held = IdempotencyRecord.objects.filter(pk=record.pk, locked_at=record.locked_at, status_code=None)
    if not _storable(response):
        held.delete()
        return
    headers = {name: response[name] for name in STORED_HEADERS if name in response}
    body = personal_data.fernet().encrypt(bytes(response.content)).decode() if response.content else ""
    held.update(status_code=response.status_code, headers=headers, body=body, locked_at=None)


class IdempotencyMiddleware:
    """Put after the authentication and locale middleware: a session user is known, and the
    answers of this module are in the caller's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method != "POST"
            or not request.path.startswith(API_PREFIX)
            or META_KEY not in request.META
        ):
            return self.get_response(request)
        key = request.META[META_KEY]
        if not KEY_PATTERN.fullmatch(key):
            message = _("The Idempotency-Key must be 1 to 255 printable ASCII characters.")
            return _error(400, INVALID, message, field=HEADER)
        caller = caller_of(request)
        fingerprint = fingerprint_of(request) if caller else None
        if caller is None or fingerprint is None:
            return self.get_response(request)  # the view refuses it (401, 403, 400)
        record, answer = _claim(request, caller, key, fingerprint)
        if record is None:
            return answer if answer is not None else self.get_response(request)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(
                pk=record.pk, locked_at=record.locked_at, status_code=None
            ).delete()
            raise
        _finish(record, response)
        return response


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the keys older than 24 hours, in chunks; the number deleted."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PURGE_CHUNK]
        )
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]


# The schema (apps/api/schema.py calls this on the finished document) -------------------------------

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]{1,255}$"},
    "description": "Any unique value per request (a UUID), 1 to 255 printable ASCII characters. Sent "
    "again with the same request within 24 hours, the first answer comes back (header "
    "`Idempotent-Replayed: true`) and nothing is done twice; keys are per API client. 5xx answers "
    "and 401, 403, 408, 412, 425, 429 are not kept: the same key may be retried after them.",
}
REPLAYED = {
    "description": "`true` when this is the stored answer to an earlier request with the same "
    "`Idempotency-Key`.",
    "schema": {"type": "string", "enum": ["true"]},
}
DOCS = {
    "400": f"With `Idempotency-Key`: a key that is not 1 to 255 printable ASCII characters (`{INVALID}`).",
    "409": f"With `Idempotency-Key`: a request with this key is still being processed (`{IN_PROGRESS}`, "
    "`Retry-After`); retry to get its answer.",
    "422": f"The `Idempotency-Key` was already used in the last 24 hours for another request (`{REUSED}`: "
    "another method, address or body). Use a new key for a new request.",
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document_idempotency(result) -> None:
    """Every POST takes the optional `Idempotency-Key` header, may answer its 400, 409 and 422,
    and says on its 2xx answers that they may be replays."""
    for item in result.get("paths", {}).values():
        operation = item.get("post")
        if operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == HEADER and p.get("in") == "header" for p in parameters):
            parameters.append(dict(PARAMETER))
        responses = operation.setdefault("responses", {})
        for code, text in DOCS.items():
            response = responses.setdefault(code, {"description": "", "content": ERROR_CONTENT})
            response.setdefault("content", ERROR_CONTENT)
            if text not in response.get("description", ""):
                response["description"] = " ".join(p for p in (response.get("description", ""), text) if p)
        for code, response in responses.items():
            if str(code).startswith("2"):
                response.setdefault("headers", {}).setdefault(REPLAYED_HEADER, REPLAYED)
