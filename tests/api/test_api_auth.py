import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.accounts.models import ApiClient
from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
ORGS = "/api/v1/organisations/"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_missing_key_is_401_in_the_common_error_format(client):
    response = client.get(ORGS)
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "not_authenticated"
    assert body["request_id"] == response["X-Request-ID"]
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer hp_nope_nope", "Bearer not-a-key", "Bearer a b"])
def test_wrong_key_is_401(client, api_client_factory, header):
    api_client_factory()
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "error" in response.json()


def test_right_key_authenticates_and_me_describes_the_client(client, api_client_factory):
    _, key = api_client_factory(name="区人社局系统", scopes=["organisations:read", "enterprises:read"])
    response = client.get(ME, **bearer(key))
    assert response.status_code == 200
    assert response.json()["type"] == "api_client"
    assert response.json()["name"] == "区人社局系统"
    assert response.json()["scopes"] == ["enterprises:read", "organisations:read"]


def test_revoked_key_is_401(client, api_client_factory):
    c, key = api_client_factory()
    ApiClient.objects.filter(pk=c.pk).update(is_active=False)
    assert client.get(ME, **bearer(key)).status_code == 401


def test_missing_scope_is_403_and_names_the_scope(client, api_client_factory):
    _, key = api_client_factory(scopes=["mediation:read"])
    response = client.get(ORGS, **bearer(key))
    assert response.status_code == 403
    assert "organisations:read" in response.json()["error"]["message"]


def test_scope_grants_the_list(client, api_client_factory, enterprise_a):
    _, key = api_client_factory(scopes=["organisations:read"])
    response = client.get(ORGS, **bearer(key))
    assert response.status_code == 200
    assert response.json()["count"] >= 1
    assert {"count", "next", "previous", "results"} <= set(response.json())


def test_key_is_stored_only_as_a_digest(api_client_factory):
    c, key = api_client_factory()
    c.refresh_from_db()
    assert key not in (c.key_hash, c.key_prefix)
    assert len(c.key_hash) == 64
    for event in AuditEvent.objects.filter(object_id=str(c.pk)):
        assert key not in str(event.after)


def test_create_api_client_command_prints_the_key_once(client):
    out = io.StringIO()
    call_command(
        "create_api_client", "街道系统", "--scopes", "organisations:read", "mediation:write", stdout=out
    )
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("hp_")
    assert client.get(ME, **bearer(key)).status_code == 200
    c = ApiClient.objects.get(name="街道系统")
    assert sorted(c.scopes) == ["mediation:write", "organisations:read"]
    assert AuditEvent.objects.filter(action="accounts.create_api_client", object_id=str(c.pk)).exists()


def test_create_api_client_command_rejects_unknown_scope():
    with pytest.raises(CommandError, match="everything:all"):
        call_command("create_api_client", "bad", "--scopes", "everything:all", stdout=io.StringIO())
    assert not ApiClient.objects.filter(name="bad").exists()


def test_create_api_client_command_rejects_duplicate_name(api_client_factory):
    api_client_factory(name="dup")
    with pytest.raises(CommandError, match="dup"):
        call_command("create_api_client", "dup", "--scopes", "organisations:read", stdout=io.StringIO())


def test_session_user_can_call_me(client, hr_a):
    client.force_login(hr_a)
    body = client.get(ME).json()
    assert body["type"] == "user"
    assert body["roles"] == ["enterprise_hr"]


def test_unknown_filter_value_is_400_not_500(client, api_client_factory):
    _, key = api_client_factory()
    response = client.get(ORGS + "?kind=spaceship", **bearer(key))
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_throttling_answers_429(client, api_client_factory, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    _, key = api_client_factory()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "principal": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [client.get(ME, **bearer(key)).status_code for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]


def test_schema_and_docs_are_served_without_cdn(client, park_admin):
    client.force_login(park_admin)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


def test_committed_schema_documents_the_error_format():
    from pathlib import Path

    import yaml

    schema = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs/api/openapi.yaml").read_text())
    assert "Error" in schema["components"]["schemas"]
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert me["401"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


def test_schema_is_available_to_any_client_but_not_anonymously(client, api_client_factory):
    _, key = api_client_factory(scopes=["mediation:read"])
    assert client.get("/api/schema/", **bearer(key)).status_code == 200
    assert client.get("/api/schema/").status_code == 401


@pytest.mark.parametrize("header", ["", "   ", "Bearer", "Basic abc"])
def test_blank_or_foreign_authorization_headers_are_401_not_500(client, header):
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "error" in response.json()
