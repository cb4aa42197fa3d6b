"""Conditional requests on the API's objects (RFC 9110 §13).

- A detail (`GET /api/v1/<list>/{id}/`) carries `ETag` and `Last-Modified` (the object's
  `updated_at`). `If-None-Match` with that ETag (or `*`) answers `304 Not Modified` with no body:
  a client polling an object it already holds re-reads nothing.
- A write on an object (PUT, PATCH, DELETE and every POST action on `{id}/`, the workflow's
  transitions included) with `If-Match` is carried out only if the object is still the one the
  client read: the ETag is compared with the object's current one, read from the row locked for
  the write (`SELECT ... FOR UPDATE`, held until the write commits, so two clients holding the same
  ETag cannot both pass). A stale one answers `412 Precondition Failed` in the one error format
  (`error.code: precondition_failed`) and nothing is written. Without `If-Match` a write proceeds
  as before. The answer of a successful write on an object carries the new ETag.

What the ETag stands for: the object's version as this caller sees it. It is a strong validator
made from the object's type, id and `updated_at` (every change of the object through the
platform's services moves `updated_at`), and the caller: an API client's id, scopes and area, or
a user's memberships (what a caller may see changes the body: ID numbers masked or not,
`available_actions`), the response language and the park's date (some fields, such as
`available_actions` and the clocks, depend on the day). So a 304 is never the answer to another
caller's view, and a 412 on an `If-Match` kept overnight only means "read it again".

It follows the object's own row, as `updated_since` does: a change to a part that does not touch
the object's row (a document finishing its rendering) changes neither; the event feed reports
those.
"""

from __future__ import annotations

import hashlib

from django.db import connections, router, transaction
from django.utils import timezone, translation
from django.utils.http import http_date, parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

SAFE_METHODS = frozenset({"GET", "HEAD"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The object changed since you read it (If-Match does not match its current ETag): "
        "read it again, then decide whether to retry."
    )
    default_code = "precondition_failed"


class NotModified(Exception):
    """The caller holds the current version (If-None-Match): 304 with the validators."""

    def __init__(self, headers: dict):
        super().__init__("not modified")
        self.headers = headers


def caller_key(principal) -> str:
    """What, besides the object, decides the body the caller gets."""
    if principal is None:
        return "-"
    if principal.api_client is not None:
        client = principal.api_client
        return "c:{}:{}:{}".format(
            client.pk, ",".join(sorted(principal.scopes)), ",".join(sorted(map(str, principal.area_ids)))
        )
    user = principal.user
    if user is not None and user.is_authenticated:
        memberships = ",".join(sorted("/".join(map(str, m)) for m in principal.memberships))
        return f"u:{user.pk}:{int(bool(user.is_superuser))}:{memberships}"
    return "-"


def etag_of(obj, updated_at, principal) -> str:
    """The strong ETag of `obj` at `updated_at` for `principal` (quoted, as in the header)."""
    parts = [
        obj._meta.label_lower,
        str(obj.pk),
        updated_at.isoformat() if updated_at else "",
        caller_key(principal),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
    ]
    return '"{}"'.format(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32])


def _tags(header: str) -> list[str]:
    return parse_etags(header)


def none_match(header: str, etag: str) -> bool:
    """If-None-Match: weak comparison (a `W/` prefix is ignored), `*` matches any."""
    tags = _tags(header)
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def match(header: str, etag: str) -> bool:
    """If-Match: strong comparison (a weak tag never matches), `*` matches any existing object."""
    tags = _tags(header)
    return "*" in tags or etag in tags


def validators(etag: str, updated_at) -> dict:
    headers = {"ETag": etag}
    if updated_at is not None:
        headers["Last-Modified"] = http_date(updated_at.timestamp())
    return headers


def _is_the_object(response, obj, view) -> bool:
    """Whether a write's answer is the object itself (its detail), not something else the action
    returns (a survey recorded on an enterprise, a verification report)."""
    data = getattr(response, "data", None)
    if not isinstance(data, dict):
        return False
    lookup = getattr(view, "lookup_field", "pk")
    if "id" in data:
        return str(data["id"]) == str(obj.pk)
    return lookup in data and str(data[lookup]) == str(getattr(obj, lookup, None))


class ConditionalRequestMixin:
    """Part of `ScopedViewMixin`: the validators of a detail, If-None-Match on reads, If-Match on
    writes. Works through `get_object()`, which every detail endpoint calls first."""

    def _is_detail_route(self) -> bool:
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        return lookup in (getattr(self, "kwargs", None) or {})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if (
            request.method in WRITE_METHODS
            and request.headers.get("If-Match") is not None
            and self._is_detail_route()
        ):
            # The check and the write in one transaction: get_object() locks the row and compares
            # its ETag; the lock is held until the handler's writes commit (or roll back on an error).
            name = request.method.lower()
            handler = getattr(self, name, None)
            if handler is not None:
                model = getattr(self, "model", None)
                using = router.db_for_write(model) if model is not None else None
                setattr(self, name, transaction.atomic(using=using)(handler))

    def get_object(self):
        obj = super().get_object()
        if getattr(self, "swagger_fake_view", False) or getattr(self, "_conditional_done", False):
            return obj
        request = self.request
        if request.method in SAFE_METHODS:
            if getattr(self, "action", None) != "retrieve":
                return obj
            self._conditional_done = True
            self._conditional_object = obj
            etag = etag_of(obj, obj.updated_at, self.principal)
            header = request.headers.get("If-None-Match")
            if header and none_match(header, etag):
                raise NotModified(validators(etag, obj.updated_at))
            return obj
        if request.method not in WRITE_METHODS:
            return obj
        self._conditional_done = True
        self._conditional_object = obj
        header = request.headers.get("If-Match")
        if header is not None:
            rows = type(obj)._default_manager.filter(pk=obj.pk)
            if connections[rows.db].in_atomic_block:
                rows = rows.select_for_update()
            current = rows.values_list("updated_at", flat=True).first()
            if not match(header, etag_of(obj, current, self.principal)):
                raise PreconditionFailed()
        return obj

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
            for name, value in exc.headers.items():
                response[name] = value
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "_conditional_object", None)
        if obj is None or not (200 <= response.status_code < 300) or response.status_code == 204:
            return response
        if request.method in SAFE_METHODS:
            updated_at = obj.updated_at
        else:  # after the write: the object's new version, when the answer is the object
            if not _is_the_object(response, obj, self):
                return response
            updated_at = (
                type(obj)._default_manager.filter(pk=obj.pk).values_list("updated_at", flat=True).first()
            )
            if updated_at is None:
                return response
        for name, value in validators(etag_of(obj, updated_at, self.principal), updated_at).items():
            response[name] = value
        return response


# The schema ----------------------------------------------------------------------------------------

ETAG_HEADER = {
    "ETag": {
        "description": "The object's version as the caller sees it (strong; on a write, when the "
        "answer is the object). Send it back in `If-None-Match` to re-read only if it changed, in "
        "`If-Match` to write only if it did not.",
        "schema": {"type": "string"},
    }
}
LAST_MODIFIED_HEADER = {
    "Last-Modified": {
        "description": "The object's `updated_at` (HTTP date).",
        "schema": {"type": "string"},
    }
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "description": "The `ETag` of the copy the client holds: 304 with no body if it is still current.",
    "schema": {"type": "string"},
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "description": "The `ETag` of the object as the client read it: the write is done only if the "
    "object has not changed since (checked on the row locked for the write), else 412 and nothing "
    "is written. Without it the write proceeds.",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {
    "description": "Not modified: the `If-None-Match` ETag is the current one (no body).",
    "headers": {**ETAG_HEADER, **LAST_MODIFIED_HEADER},
}
PRECONDITION_FAILED = {
    "description": "The object changed since the client read it: `If-Match` does not match its "
    "current ETag (`error.code` is `precondition_failed`). Read it again; nothing was written.",
}


def document_conditional(result, endpoints) -> None:
    """ETag / Last-Modified, If-None-Match and 304 on details; If-Match and 412 on the writes on
    an object (`endpoints`: apps.api.sync.endpoints)."""
    paths = result.get("paths", {})
    for path, method, view in endpoints:
        operation = paths.get(path, {}).get(method.lower())
        if operation is None or not isinstance(view, ConditionalRequestMixin):
            continue
        detail = bool(getattr(view, "detail", False))
        responses = operation.setdefault("responses", {})
        parameters = operation.setdefault("parameters", [])
        if method == "GET" and getattr(view, "action", None) == "retrieve":
            parameters.append(dict(IF_NONE_MATCH))
            responses.setdefault("304", NOT_MODIFIED)
            ok = responses.get("200")
            if ok is not None:
                ok.setdefault("headers", {}).update({**ETAG_HEADER, **LAST_MODIFIED_HEADER})
        elif method in WRITE_METHODS and detail:
            parameters.append(dict(IF_MATCH))
            responses.setdefault("412", dict(PRECONDITION_FAILED))
            for code in ("200", "201"):
                if code in responses:
                    responses[code].setdefault("headers", {}).update(ETAG_HEADER)
