"""An unknown query parameter is a 400 naming it, on every list and detail of the API (issue 15,
deliverable 3): a typo or a filter the list does not have (`updated_since`, `uscc` on a list that
has none) no longer answers the whole list. Every parameter the schema documents is still taken."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import translation

from apps.api import sync

from .sync_data import API, client_with, detail_routes, list_routes

pytestmark = pytest.mark.django_db

LISTS = list_routes()
DETAILS = detail_routes()
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def refused_as_unknown(response, name) -> bool:
    if response.status_code != 400:
        return False
    messages = response.json()["error"]["fields"].get(name, [])
    with translation.override("en"):
        prefix = str(sync.UNKNOWN_PARAMETER).split(":")[0]
    return any(message.startswith(prefix) for message in messages)


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[prefix for prefix, _ in LISTS])
def test_an_unknown_parameter_on_a_list_is_a_400_naming_it(client, prefix, viewset):
    client_with(client)
    response = client.get(f"{API}{prefix}/", {"page_size": 10, "bogus": "1", "updatedsince": "x"}, **ENGLISH)
    assert response.status_code == 400, response.json()
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert sorted(body["fields"]) == ["bogus", "updatedsince"]
    assert refused_as_unknown(response, "bogus")
    assert "page_size" in body["fields"]["bogus"][0], "the message lists what the endpoint takes"


def _detail_url(prefix, viewset):
    lookup = "NO-SUCH-NUMBER" if getattr(viewset, "lookup_field", "pk") == "number" else uuid.uuid4()
    return f"{API}{prefix}/{lookup}/"


@pytest.mark.parametrize(("prefix", "viewset"), DETAILS, ids=[prefix for prefix, _ in DETAILS])
def test_an_unknown_parameter_on_a_detail_is_a_400_naming_it(client, prefix, viewset):
    """Even the list's filters: a detail is found by its id alone, and `?status=` on it meant
    nothing (or, worse, a 404 for an object that exists)."""
    client_with(client)
    url = _detail_url(prefix, viewset)
    assert client.get(url).status_code == 404
    for name in ("bogus", "status", "updated_since"):
        response = client.get(url, {name: "1"}, **ENGLISH)
        assert response.status_code == 400, (name, response.json())
        assert refused_as_unknown(response, name)
    assert client.get(url, {"format": "json"}).status_code == 404, "format is taken everywhere"


def test_actions_refuse_unknown_parameters_too(client):
    client_with(client)
    ent = uuid.uuid4()
    for url in (
        f"{API}enterprises/{ent}/contract-book/",
        f"{API}enterprises/{ent}/surveys/",
        f"{API}mediation/cases/{ent}/timeline/",
        f"{API}certification/certificates/verify/",
    ):
        response = client.get(url, {"bogus": "1"}, **ENGLISH)
        assert refused_as_unknown(response, "bogus"), (url, response.status_code)
    response = client.post(f"{API}contracts/batch/?bogus=1", [], content_type="application/json", **ENGLISH)
    assert refused_as_unknown(response, "bogus")
    # Declared with extend_schema(parameters=...): taken.
    response = client.get(f"{API}certification/certificates/verify/", {"number": "NO-SUCH"})
    assert response.status_code == 404


def test_the_key_is_checked_before_the_parameters(client):
    assert client.get(f"{API}enterprises/", {"bogus": "1"}).status_code == 401


def _sample(schema: dict) -> str:
    if "enum" in schema and schema["enum"]:
        return str(next(v for v in schema["enum"] if v not in ("", None)))
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        return _sample(schema.get("items", {}))
    if kind in ("integer", "number"):
        return str(max(1, schema.get("minimum", 1)))
    if kind == "boolean":
        return "true"
    return {
        "uuid": str(uuid.uuid4()),
        "date": "2026-01-01",
        "date-time": "2026-01-01T00:00:00Z",
    }.get(fmt, "x")


def test_every_parameter_the_schema_documents_is_taken(client):
    """Walk the schema: each GET operation with each of its query parameters (a valid-looking
    value) is never refused as unknown. A 400 for the value, or a 404 for the made-up id, is fine."""
    from drf_spectacular.generators import SchemaGenerator

    client_with(client)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    tried = refused = 0
    problems = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        url = re.sub(r"\{number\}", "NO-SUCH", path)
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), url)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            response = client.get(url, {name: _sample(parameter.get("schema", {}))}, **ENGLISH)
            tried += 1
            if refused_as_unknown(response, name):
                refused += 1
                problems.append(f"{path} {name}")
            assert response.status_code < 500, (path, name)
    assert tried > 100
    assert not problems, problems
