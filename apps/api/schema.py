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
                "source": {
                    "type": "string",
                    "description": "Legal or policy source of a refused rule, if any.",
                },
            },
            "required": ["code", "message", "fields"],
        },
        "request_id": {"type": "string", "description": "Also in the X-Request-ID response header."},
    },
    "required": ["error", "request_id"],
}

ERRORS = {
    "400": "Invalid input or a business rule refused the request. On lists: an unknown value for a "
    "choice parameter, an empty or malformed value (`?status=`, `?page_size=null`), each named in "
    "`error.fields`.",
    "401": "Missing, wrong or revoked API key.",
    "403": "The client lacks the scope, or the user's role does not allow it.",
    "404": "Not found (also an id that is not a UUID), outside the caller's scope, or a page number "
    "past the end.",
    "429": "Too many requests.",
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
    return result
