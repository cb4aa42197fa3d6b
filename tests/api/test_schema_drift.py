"""The API answers as docs/api/openapi.yaml says (issue 14, finding 10): what a schema-driven tester
found the API doing that its schema does not say, one test each."""

from pathlib import Path

import pytest
import yaml

from apps.accounts.scopes import SCOPES
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


@pytest.fixture
def auth(api_client_factory):
    _, key = api_client_factory(name="drift", scopes=list(SCOPES))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code and body["request_id"]
    return body["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contracts/not-a-uuid/",
        "/api/v1/enterprises/not-a-uuid/contract-book/",  # its route takes only a UUID
        "/api/v1/no-such-resource/",
        "/api/v1/enterprises/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_malformed_or_unknown_path_is_the_json_404(client, auth, path):
    _error(client.get(path, **auth), 404, "not_found")


def test_pages_outside_the_api_keep_the_html_404(client, park_admin):
    client.force_login(park_admin)
    response = client.get("/enterprises/not-a-uuid/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("value", ["null", "", "2.5", "0", "-1", "abc"])
def test_page_size_that_is_not_a_whole_number_from_1_is_a_400(client, auth, value):
    error = _error(client.get(f"/api/v1/enterprises/?page_size={value}", **auth), 400, "invalid")
    assert "page_size" in error["fields"]


def test_page_size_above_the_limit_is_a_400_naming_it(client, auth):
    """Issue 15: above the limit (200 with page numbers, 1,000 with `cursor`) is a 400, no longer
    a silent cap."""
    EnterpriseFactory.create_batch(3)
    error = _error(client.get("/api/v1/enterprises/?page_size=100000", **auth), 400, "invalid")
    assert list(error["fields"]) == ["page_size"]
    response = client.get("/api/v1/enterprises/?page_size=200", **auth)
    assert response.status_code == 200 and len(response.json()["results"]) == 3


@pytest.mark.parametrize(
    "query",
    ["status=", "employees_min=", "town=", "industry=&status=operating"],
)
def test_empty_value_of_a_typed_filter_is_a_400_naming_it(client, auth, query):
    error = _error(client.get(f"/api/v1/enterprises/?{query}", **auth), 400, "invalid")
    assert query.split("=")[0] in error["fields"]


def test_empty_free_text_parameter_is_allowed(client, auth):
    EnterpriseFactory()
    response = client.get("/api/v1/enterprises/?search=", **auth)
    assert response.status_code == 200 and response.json()["count"] == 1


def test_unknown_choice_value_is_a_400_naming_it(client, auth):
    EnterpriseFactory()
    error = _error(client.get("/api/v1/enterprises/?status=bogus", **auth), 400, "invalid")
    assert list(error["fields"]) == ["status"]
    error = _error(client.get("/api/v1/mediation/cases/?status=bogus", **auth), 400, "invalid")
    assert list(error["fields"]) == ["status"]


def test_integer_filter_refuses_a_fraction(client, auth):
    error = _error(client.get("/api/v1/enterprises/?employees_min=2.5", **auth), 400, "invalid")
    assert list(error["fields"]) == ["employees_min"]


@pytest.mark.parametrize("value", ["0" * 32, "{00000000-0000-0000-0000-000000000000}"])
def test_id_filter_takes_only_the_hyphenated_uuid(client, auth, value):
    error = _error(
        client.get(f"/api/v1/certification/veto-events/?enterprise={value}", **auth), 400, "invalid"
    )
    assert list(error["fields"]) == ["enterprise"]


def test_schema_documents_409_on_every_write_and_400_on_every_list():
    schema = yaml.safe_load(SCHEMA.read_text())
    writes = lists = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation["responses"]
            if method != "get":
                writes += 1
                assert "409" in responses, f"{method.upper()} {path} may answer 409 undocumented"
            elif any(p["name"] == "page_size" for p in operation.get("parameters", [])):
                lists += 1
                assert "400" in responses and "unknown value" in responses["400"]["description"]
                page_size = next(p for p in operation["parameters"] if p["name"] == "page_size")
                assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert writes > 20 and lists > 10


@pytest.mark.parametrize("query", ["needs_union=1", "needs_union=maybe", "has_union=0"])
def test_yes_no_parameter_takes_only_true_or_false(client, auth, query):
    # django-filter read anything else as "unknown" and answered the whole list.
    error = _error(client.get(f"/api/v1/enterprises/?{query}", **auth), 400, "invalid")
    assert list(error["fields"]) == [query.split("=")[0]]
    assert client.get("/api/v1/enterprises/?needs_union=false", **auth).status_code == 200
    assert client.get("/api/v1/organisations/?is_active=true", **auth).status_code == 200
    assert client.get("/api/v1/organisations/?is_active=yes", **auth).status_code == 400


def test_absent_email_is_null_not_an_empty_string(client, auth):
    enterprise = EnterpriseFactory(contact_email="")
    body = client.get(f"/api/v1/enterprises/{enterprise.pk}/", **auth).json()
    assert body["contact_email"] is None
    schema = yaml.safe_load(SCHEMA.read_text())["components"]["schemas"]["Enterprise"]
    assert schema["properties"]["contact_email"]["nullable"] is True


def test_server_error_under_the_api_is_the_json_error(auth, monkeypatch):
    from django.test import Client

    from apps.accounts.api.views import MeView

    def boom(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(MeView, "get", boom)
    response = Client(raise_request_exception=False).get("/api/v1/me/", **auth)
    error = _error(response, 500, "server_error")
    assert "boom" not in error["message"]


def test_the_mediation_case_list_refuses_malformed_parameters_too(client, auth):
    """Its list reads its own FilterSet (pages of keys): the same check applies (schemathesis
    found `?mine=` answered 200)."""
    for query in ("mine=", "mine=yes", "status="):
        error = _error(client.get(f"/api/v1/mediation/cases/?{query}", **auth), 400, "invalid")
        assert list(error["fields"]) == [query.split("=")[0]], query
