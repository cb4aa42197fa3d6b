"""Conditional requests (issue 15, deliverable 3): details send `ETag` and `Last-Modified`;
`If-None-Match` answers 304 with no body; a write on an object with a stale `If-Match` is a 412 in
the one error format and writes nothing; without `If-Match` a write proceeds as before."""

from __future__ import annotations

import pytest
from django.utils.http import parse_http_date

from apps.contracts.models import LabourContract
from apps.enterprises.models import Enterprise
from apps.inspection.models import InspectionCase
from tests.factories import EnterpriseFactory

from .sync_data import API, client_with, populate

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise(client):
    client_with(client, scopes=["enterprises:read", "enterprises:write"])
    return EnterpriseFactory(employees=100)


def test_a_detail_sends_its_validators_and_304s_when_unchanged(client, enterprise):
    url = f"{API}enterprises/{enterprise.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/"), "a strong validator"
    enterprise.refresh_from_db()
    assert parse_http_date(response["Last-Modified"]) == int(enterprise.updated_at.timestamp())
    assert client.get(url)["ETag"] == etag, "the same version, the same tag"

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=header)
        assert unchanged.status_code == 304, header
        assert unchanged.content == b""
        assert unchanged["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_write_with_a_stale_if_match_is_a_412_and_writes_nothing(client, enterprise):
    url = f"{API}enterprises/{enterprise.pk}/"
    etag = client.get(url)["ETag"]

    for stale in ('"stale"', f"W/{etag}"):  # If-Match compares strongly: a weak tag never matches
        response = client.patch(url, {"employees": 150}, content_type="application/json", HTTP_IF_MATCH=stale)
        assert response.status_code == 412, stale
        assert response.json()["error"]["code"] == "precondition_failed"
        assert response.json()["request_id"]
    assert Enterprise.objects.get(pk=enterprise.pk).employees == 100, "nothing written"

    done = client.patch(url, {"employees": 150}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200
    assert Enterprise.objects.get(pk=enterprise.pk).employees == 150
    new = done["ETag"]
    assert new != etag, "the ETag changes after an update"
    assert client.get(url)["ETag"] == new, "the write's answer carries the object's new ETag"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, "the old copy is stale"

    again = client.patch(url, {"employees": 160}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert again.status_code == 412, "a second writer holding the old ETag loses"
    assert (
        client.patch(url, {"employees": 170}, content_type="application/json", HTTP_IF_MATCH="*").status_code
        == 200
    )
    assert client.patch(url, {"employees": 180}, content_type="application/json").status_code == 200, (
        "no If-Match: the write proceeds as before"
    )
    assert Enterprise.objects.get(pk=enterprise.pk).employees == 180


def test_if_match_is_checked_on_the_row_locked_for_the_write(client, enterprise):
    """The check and the write are one transaction and the row is locked first (FOR UPDATE): two
    writers holding the same ETag cannot both pass the check."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database for a write; it has no row locks")
    url = f"{API}enterprises/{enterprise.pk}/"
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.patch(url, {"employees": 150}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    locks = [i for i, q in enumerate(sql) if "FOR UPDATE" in q and Enterprise._meta.db_table in q]
    writes = [i for i, q in enumerate(sql) if q.startswith("UPDATE") and Enterprise._meta.db_table in q]
    assert locks and writes and locks[0] < writes[0], sql


def test_an_action_whose_answer_is_not_the_object_sends_no_etag(client, enterprise):
    """A survey recorded on an enterprise answers the survey: If-Match guards the write, but the
    answer carries no ETag (it would not be the survey's)."""
    url = f"{API}enterprises/{enterprise.pk}/"
    etag = client.get(url)["ETag"]
    survey = {"year": 2025, "employees": 120, "union_members": 30, "women": 40, "migrant_workers": 20}
    stale = client.post(f"{url}surveys/", survey, content_type="application/json", HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    assert not enterprise.surveys.exists()
    done = client.post(f"{url}surveys/", survey, content_type="application/json", HTTP_IF_MATCH=etag)
    assert done.status_code == 201, done.json()
    assert "ETag" not in done
    assert client.get(url)["ETag"] != etag, "the survey moved the enterprise's employees: a new version"


def test_a_change_by_someone_else_makes_the_etag_stale(client, enterprise):
    from apps.accounts.roles import Role
    from apps.core.principal import principal_for_user
    from apps.enterprises import services
    from tests.factories import user_with_role

    url = f"{API}enterprises/{enterprise.pk}/"
    etag = client.get(url)["ETag"]
    admin = principal_for_user(user_with_role(Role.PARK_ADMIN))
    services.update_enterprise(admin, enterprise, status="moved_out")
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    response = client.put(url, {"employees": 99}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412


def test_workflow_actions_honour_if_match(client):
    """The lifecycle's POST actions (`transition_endpoint`): a stale If-Match refuses the
    transition before it is made."""
    client_with(client, scopes=["inspection:read", "inspection:write"])
    from apps.core.principal import SYSTEM
    from apps.inspection import services

    case, _created = services.register_case(
        SYSTEM, source="patrol", enterprise=EnterpriseFactory(), matters=["no_written_contract"], facts="巡查"
    )
    url = f"{API}inspection/cases/{case.pk}/"
    etag = client.get(url)["ETag"]
    response = client.post(f"{url}accept/", {}, content_type="application/json", HTTP_IF_MATCH='"stale"')
    assert response.status_code == 412
    assert InspectionCase.objects.get(pk=case.pk).status == InspectionCase.Status.RECEIVED
    accepted = client.post(f"{url}accept/", {}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert accepted.status_code == 200, accepted.json()
    assert InspectionCase.objects.get(pk=case.pk).status != InspectionCase.Status.RECEIVED
    assert accepted["ETag"] == client.get(url)["ETag"] != etag
    start = client.post(f"{url}start_investigation/", {}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert start.status_code == 412, "the tag read before the acceptance is stale"


def test_the_etag_depends_on_what_the_caller_may_see(client):
    """ID numbers are masked without `personal_data:read`: two callers reading the same contract
    get different bodies, so different ETags (a 304 is never another caller's view)."""
    from django.test import Client

    client_with(client, scopes=["contracts:read"], name="masked")
    populate()
    contract = LabourContract.objects.order_by("pk").first()
    url = f"{API}contracts/{contract.pk}/"
    masked = client.get(url)
    full_client = Client()
    client_with(full_client, scopes=["contracts:read", "personal_data:read"], name="full")
    full = full_client.get(url)
    assert masked.status_code == full.status_code == 200
    assert masked.json()["worker"] != full.json()["worker"]
    assert masked["ETag"] != full["ETag"]
    assert full_client.get(url, HTTP_IF_NONE_MATCH=masked["ETag"]).status_code == 200


def test_the_schema_documents_the_conditional_headers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    detail = schema["paths"][f"{API}enterprises/{{id}}/"]
    read = detail["get"]
    assert any(p["in"] == "header" and p["name"] == "If-None-Match" for p in read["parameters"])
    assert "304" in read["responses"]
    assert {"ETag", "Last-Modified"} <= set(read["responses"]["200"]["headers"])
    for method in ("put", "patch"):
        write = detail[method]
        assert any(p["in"] == "header" and p["name"] == "If-Match" for p in write["parameters"])
        assert "412" in write["responses"]
        assert write["responses"]["412"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    accept = schema["paths"][f"{API}inspection/cases/{{id}}/accept/"]["post"]
    assert any(p["in"] == "header" and p["name"] == "If-Match" for p in accept["parameters"])
    assert "412" in accept["responses"]
    # Not on a list, nor on a create.
    listing = schema["paths"][f"{API}enterprises/"]
    assert "412" not in listing["post"]["responses"] and "304" not in listing["get"]["responses"]
