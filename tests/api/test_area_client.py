"""An API client restricted to an area (issue 15 #1): its principal used to be built from a UNION of
two ordered Area querysets, which SQLite refuses ("ORDER BY not allowed in subqueries of compound
statements"), so every call of such a client was a 500."""

import pytest
from django.db import connection

from apps.core.principal import principal_for_api_client
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite_compound_rules(monkeypatch):
    """PostgreSQL accepts ORDER BY in a compound statement's parts; SQLite (`make run`) does not.
    Make Django's compiler apply SQLite's rule here, so the test fails on either database."""
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)


def test_area_client_principal_covers_the_area_and_its_towns(api_client_factory, sqlite_compound_rules):
    district = AreaFactory(kind="district", code="450271", name="柳东新区")
    town = AreaFactory(code="450271100", parent=district)
    AreaFactory(kind="district", code="450202", name="城中区")  # elsewhere
    client, _ = api_client_factory(scopes=["organisations:read"], area=district)
    assert principal_for_api_client(client).area_ids == {district.pk, town.pk}


def test_area_client_me_is_json_200(client, api_client_factory, sqlite_compound_rules):
    district = AreaFactory(kind="district", code="450271", name="柳东新区")
    AreaFactory(code="450271100", parent=district)
    _, key = api_client_factory(scopes=["organisations:read"], area=district)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["area_restriction"] == "450271"
    assert client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
