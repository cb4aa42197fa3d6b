"""The OpenAPI schema as a client generator reads it (issue 15: generated clients work).

A typed client generated from `docs/api/openapi.yaml` (openapi-python-client, datamodel-code-generator)
must import and parse every answer. The settings do most of it (config/settings/base.py): JSON-only
request bodies (`DEFAULT_PARSER_CLASSES`), one security scheme (`AUTHENTICATION_WHITELIST`), enum
names by module and field (`ENUM_NAME_OVERRIDES`). This module adds, after drf-spectacular's enum hook
and `apps.api.schema.add_error_responses`:

- query parameters whose choices are those of a response enum refer to that component, so a client
  has one `MediationCaseStatusEnum`, not a second inline one per list;
- 415 (a body that is not JSON) on every operation with a body (412 on updates and object actions
  and `Retry-After` on 429 are documented by apps.api.conditional and apps.api.schema);
- each operation lists its security requirement once.

And the schema view, which answers in English whatever the request's language, as the committed file
is (`manage.py spectacular --lang en`)."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

UNSUPPORTED_MEDIA_TYPE = (
    "The body's `Content-Type` is not the one documented for this operation: `application/json` "
    "(`multipart/form-data` for the one file upload)."
)

#: "* `value` - label" lines of a choice description (drf-spectacular writes them for both).
_CHOICE_LINE = re.compile(r"^\* `(?P<value>[^`]*)` - (?P<label>.*)$", re.MULTILINE)


def postprocess_for_clients(result, generator, request, public):
    _query_enums_as_components(result)
    _document_client_errors(result)
    _one_security_entry(result)
    return result


def _operations(result):
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _choices(description: str | None) -> frozenset:
    return frozenset((m["value"], m["label"].strip()) for m in _CHOICE_LINE.finditer(description or ""))


def _query_enums_as_components(result) -> None:
    """An inline enum of a query parameter becomes a `$ref` to the component enum with the same
    values and labels (or, where one of them lists no labels, the only component with the same
    values). A parameter
    whose choices no component has (an `ordering`, a list's own filter set) stays inline."""
    schemas = result.get("components", {}).get("schemas", {})
    by_values: dict[frozenset, list[str]] = {}
    by_choices: dict[frozenset, list[str]] = {}
    for name, schema in schemas.items():
        if "enum" not in schema or None in schema["enum"]:
            continue
        by_values.setdefault(frozenset(schema["enum"]), []).append(name)
        choices = _choices(schema.get("description"))
        if choices:
            by_choices.setdefault(choices, []).append(name)
    for _path, _method, operation in _operations(result):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            schema = parameter.get("schema", {})
            target = schema.get("items", {}) if schema.get("type") == "array" else schema
            if "enum" not in target or "$ref" in target:
                continue
            # Same values and labels; else the same values where one side lists no labels.
            choices = _choices(parameter.get("description"))
            candidates = by_choices.get(choices) or [] if choices else []
            if not candidates:
                same_values = by_values.get(frozenset(target["enum"])) or []
                candidates = [
                    n for n in same_values if not choices or not _choices(schemas[n].get("description"))
                ]
            if len(candidates) != 1:
                continue
            ref = {"$ref": f"#/components/schemas/{candidates[0]}"}
            if target is schema:
                parameter["schema"] = ref
            else:
                schema["items"] = ref


def _document_client_errors(result) -> None:
    """415 on every operation with a body (the parsers are JSON-only). 412 on updates and object
    actions and `Retry-After` on 429 are documented where they are implemented
    (apps.api.conditional, apps.api.schema); the tests check every operation has them."""
    for _path, _method, operation in _operations(result):
        if "requestBody" in operation:
            operation.setdefault("responses", {}).setdefault(
                "415", {"description": UNSUPPORTED_MEDIA_TYPE, "content": ERROR_CONTENT}
            )


def _one_security_entry(result) -> None:
    for _path, _method, operation in _operations(result):
        if "security" not in operation:
            continue
        unique = []
        for requirement in operation["security"]:
            if requirement not in unique:
                unique.append(requirement)
        operation["security"] = unique


class EnglishSchemaView(SpectacularAPIView):
    """`/api/schema/`: the schema in English whatever `Accept-Language` or the signed-in user's
    language says, the same document as `docs/api/openapi.yaml` (`manage.py spectacular --lang en`),
    so a client generated from either is the same client. `?lang=zh-hans` asks for the Chinese
    text explicitly (drf-spectacular's parameter)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        asked = request.GET.get("lang")
        language = asked if asked in dict(settings.LANGUAGES) else "en"
        with patched_settings(self.custom_settings), translation.override(language):
            response = self._get_schema_response(request)
        response["Content-Language"] = language
        return response
