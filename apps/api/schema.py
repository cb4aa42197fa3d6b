"""OpenAPI post-processing: document the one error format on every operation."""

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
    "400": "Invalid input or a business rule refused the request.",
    "401": "Missing, wrong or revoked API key.",
    "403": "The client lacks the scope, or the user's role does not allow it.",
    "404": "Not found, outside the caller's scope, or a page number past the end.",
    "429": "Too many requests.",
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
            for code, response in responses.items():
                if str(code).startswith("4"):  # errors declared by a view carry the one error body too
                    response.setdefault("content", ref)
    return result
