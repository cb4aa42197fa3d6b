"""OpenAPI post-processing: document the one error format on every operation, and the errors
every operation (400, 401, 403, 404, 429) or every write (409) may answer."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error response of the API has this shape.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Messages per invalid field (empty unless code is 'invalid' or a rule refused).",
                },
                # Machine-readable error codes (issue 15).
                "codes": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Machine-readable codes per field, parallel to `fields` (the n-th code "
                    "names the n-th message): `required`, `invalid`, `null`, `blank`, `max_length`, "
                    "`min_length`, `max_value`, `min_value`, `invalid_choice`, `does_not_exist`, … for "
                    "the request's format; a rule's own code when a rule refused (e.g. `overlap`, "
                    "`end_missing`). Empty when `fields` is.",
                    "example": {"start": ["overlap"], "job": ["required"]},
                },
                "source": {
                    "type": "string",
                    "description": "Legal or policy source of a refused rule, if any.",
                },
            },
            "required": ["code", "message", "fields", "codes"],
        },
        "request_id": {"type": "string", "description": "Also in the X-Request-ID response header."},
    },
    "required": ["error", "request_id"],
}

ERRORS = {
    "400": "Invalid input or a business rule refused the request. On lists: an unknown value for a "
    "choice parameter, an empty or malformed value (`?status=`, `?page_size=null`), each named in "
    "`error.fields`. On every endpoint: a query parameter it does not take, named in `error.fields` "
    "(never silently ignored).",
    "401": "Missing, wrong, revoked (`key_revoked`), expired (`key_expired`) or replaced (`key_replaced`, "
    "after a rotation's grace period) API key; `error.code` says which (`invalid_key` for a wrong one).",
    "403": "The client lacks the scope, or the user's role does not allow it.",
    "404": "Not found (also an id that is not a UUID), outside the caller's scope, or a page number "
    "past the end.",
    "429": "Too many requests: wait `Retry-After` seconds. Every throttled response (this one too) "
    "carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`.",
}

#: Rate-limit headers (issue 15): on every response of a signed-in caller or API client
#: (apps.api.middleware), documented on the 429.
RATE_LIMIT_HEADERS = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Limit": {
        "description": "Requests allowed per window (`API_THROTTLE_RATE`).",
        "schema": {"type": "integer", "minimum": 1},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the window, this one counted.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "Seconds until the oldest counted request leaves the sliding window "
        "(when `X-RateLimit-Remaining` grows again).",
        "schema": {"type": "integer", "minimum": 0},
    },
}

#: Every write may meet an object whose status no longer allows it (a service raises
#: `InvalidTransition`, apps/api/errors.py answers 409): the schema says so on each write, so no
#: 409 the API can return is undocumented. Lifecycle endpoints keep their own wording
#: (apps/api/workflow.py).
WRITE_ERRORS = {
    "409": "Not possible in the object's current status, or another change won a race "
    "(`error.code` is `invalid_transition`; `error.message` says why).",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    # Incremental sync and conditional requests (issue 15): `updated_since`, the `updated_at`
    # orderings on every list; ETag, If-None-Match / 304 on details, If-Match / 412 on writes.
    from .conditional import document_conditional
    from .sync import document_sync, endpoints

    operations = endpoints(generator)
    document_sync(result, operations)
    document_conditional(result, operations)
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": ref})
            if method != "get":
                for code, description in WRITE_ERRORS.items():
                    responses.setdefault(code, {"description": description, "content": ref})
            for code, response in responses.items():
                if str(code).startswith("4"):  # errors declared by a view carry the one error body too
                    response.setdefault("content", ref)
            if "429" in responses:  # rate-limit headers
                headers = responses["429"].setdefault("headers", {})
                for name, header in RATE_LIMIT_HEADERS.items():
                    headers.setdefault(name, header)
    # Idempotency-Key on every POST, with its 400/409/422 (issue 15), once the errors are there.
    from .idempotency import document_idempotency

    document_idempotency(result)
    return result
