"""Rate-limit headers (issue 15, item 9): every API response of a client or signed-in user carries
X-RateLimit-Limit / -Remaining / -Reset from the principal's throttle; a 429 adds Retry-After and
keeps the one error format; the schema documents the headers on 429."""

import pytest
from django.db import transaction

from apps.accounts.services import create_api_client
from apps.api.schema import RATE_LIMIT_HEADERS
from apps.api.throttling import PrincipalRateThrottle, rate_limit_state

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
ORGS = "/api/v1/organisations/"
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture
def budget(monkeypatch):
    """Five requests a minute per principal."""
    monkeypatch.setattr(
        PrincipalRateThrottle,
        "THROTTLE_RATES",
        {**PrincipalRateThrottle.THROTTLE_RATES, "principal": "5/min"},
    )
    return 5


@pytest.fixture
def key():
    with transaction.atomic():
        return create_api_client(name="区人社局系统", scopes=["organisations:read"])[1]


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_headers_on_every_answer_and_remaining_goes_down(client, budget, key):
    seen = []
    for url in (ME, ORGS, ORGS + "?kind=nope", ME):  # a 200, a list, a 400, a 200
        response = client.get(url, **bearer(key))
        assert all(h in response for h in HEADERS), (url, response.status_code)
        assert response["X-RateLimit-Limit"] == "5"
        assert 0 < int(response["X-RateLimit-Reset"]) <= 60
        seen.append(int(response["X-RateLimit-Remaining"]))
    assert seen == [4, 3, 2, 1]


def test_429_has_retry_after_the_headers_and_the_error_format(client, budget, key):
    for _ in range(budget):
        assert client.get(ME, **bearer(key)).status_code == 200
    response = client.get(ME, **bearer(key))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Limit"] == "5"
    assert int(response["X-RateLimit-Reset"]) >= int(response["Retry-After"]) - 1
    body = response.json()
    assert body["error"]["code"] == "throttled"
    assert body["request_id"] == response["X-Request-ID"]


def test_each_client_has_its_own_budget(client, budget, key):
    with transaction.atomic():
        _, other = create_api_client(name="街道系统", scopes=["organisations:read"])
    for _ in range(budget):
        client.get(ME, **bearer(key))
    assert client.get(ME, **bearer(key)).status_code == 429
    response = client.get(ME, **bearer(other))
    assert response.status_code == 200 and response["X-RateLimit-Remaining"] == "4"


def test_signed_in_users_get_the_headers_too(client, budget, park_admin):
    client.force_login(park_admin)
    response = client.get(ME)
    assert response.status_code == 200 and response["X-RateLimit-Remaining"] == "4"


def test_answers_the_throttle_never_saw_carry_no_headers(client, budget):
    response = client.get(ME, HTTP_AUTHORIZATION="Bearer hp_nope_nope")  # 401 before throttling
    assert response.status_code == 401
    assert "X-RateLimit-Limit" not in response


def test_pages_carry_no_rate_limit_headers(client, budget, park_admin):
    client.force_login(park_admin)
    assert "X-RateLimit-Limit" not in client.get("/")


def test_reset_is_when_the_oldest_counted_request_leaves_the_window():
    state = rate_limit_state(10, 60, [100.0, 90.0, 70.5], now=110.0)
    assert state == {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "7", "X-RateLimit-Reset": "21"}
    assert rate_limit_state(10, 60, [], now=0.0)["X-RateLimit-Reset"] == "60"


def test_the_schema_documents_the_headers_on_429(admin_client_api_schema):
    for path in admin_client_api_schema["paths"].values():
        for method, operation in path.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                headers = operation["responses"]["429"].get("headers", {})
                assert set(RATE_LIMIT_HEADERS) <= set(headers), (method, operation.get("operationId"))


@pytest.fixture
def admin_client_api_schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)
