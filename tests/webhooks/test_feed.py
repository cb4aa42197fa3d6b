"""GET /api/v1/events/: the events the client's scopes and area allow, in order, with a cursor."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from apps.accounts.services import create_api_client
from apps.webhooks import services
from apps.webhooks.models import Event
from tests.factories import EnterpriseFactory, TownFactory

from .conftest import change_enterprise

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


def key_for(scopes, area=None, name="feed-client"):
    with transaction.atomic():
        _client, key = create_api_client(name=name, scopes=list(scopes), area=area)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def get(client, headers, **params):
    return client.get(URL, params, **headers)


@pytest.fixture
def towns():
    return TownFactory(), TownFactory()


@pytest.fixture
def changes(towns):
    """Three enterprise changes (two in the first town), a mediation-like event and a contract
    event, published."""
    in_a = EnterpriseFactory(town=towns[0])
    in_a2 = EnterpriseFactory(town=towns[0])
    in_b = EnterpriseFactory(town=towns[1])
    for n, enterprise in enumerate((in_a, in_b, in_a2)):
        change_enterprise(enterprise, employees=200 + n)
    Event.objects.create(
        type="mediation.case.accept",
        family="mediation.case",
        object_id="c1",
        occurred_at=timezone.now(),  # after the enterprises' changes
        area=towns[1],
        data={"status": "in_mediation", "path": "/api/v1/mediation/cases/c1/"},
    )
    services.publish_events()
    return in_a, in_b, in_a2


def test_a_client_reads_the_families_its_scopes_allow_in_order(client, changes):
    headers = key_for(["enterprises:read"])
    response = get(client, headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [e["object"]["id"] for e in body["results"]] == [str(e.pk) for e in changes]
    assert [e["sequence"] for e in body["results"]] == [1, 2, 3]
    assert {e["type"] for e in body["results"]} == {"enterprises.enterprise.update"}
    assert body["has_more"] is False and body["last_sequence"] == 3
    assert body["next"] == "http://127.0.0.1:8000/api/v1/events/?after=3"
    first = body["results"][0]
    assert set(first) == {"id", "sequence", "type", "occurred_at", "object", "data"}
    assert first["data"] == {"status": "operating", "path": f"/api/v1/enterprises/{changes[0].pk}/"}


def test_a_client_without_the_families_scope_reads_none_of_them(client, changes):
    body = get(client, key_for(["mediation:read"])).json()
    assert [e["type"] for e in body["results"]] == ["mediation.case.accept"]
    body = get(client, key_for(["organisations:read"], name="other")).json()
    assert body["results"] == [] and body["last_sequence"] == 0


def test_a_client_restricted_to_an_area_reads_its_towns_events_only(client, changes, towns):
    body = get(client, key_for(["enterprises:read", "mediation:read"], area=towns[0])).json()
    assert [e["object"]["id"] for e in body["results"]] == [str(changes[0].pk), str(changes[2].pk)]


def test_the_cursor_walks_pages_without_repeating_or_skipping(client, changes):
    headers = key_for(["enterprises:read", "mediation:read"])
    seen, after = [], 0
    while True:
        body = get(client, headers, after=after, page_size=1).json()
        seen += [e["sequence"] for e in body["results"]]
        after = body["last_sequence"]
        if not body["has_more"]:
            break
    assert seen == [1, 2, 3, 4]
    # A change made now is read from the same cursor, once.
    change_enterprise(changes[1], employees=5)
    services.publish_events()
    body = get(client, headers, after=after).json()
    assert [e["sequence"] for e in body["results"]] == [5]


def test_the_type_filter_takes_families_and_types(client, changes):
    headers = key_for(["enterprises:read", "mediation:read"])
    assert len(get(client, headers, type="mediation.case").json()["results"]) == 1
    assert len(get(client, headers, type="enterprises.enterprise.update").json()["results"]) == 3
    assert len(get(client, headers, type="mediation.case,enterprises.enterprise").json()["results"]) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "x"}, "after"),
        ({"after": "-1"}, "after"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": ""}, "page_size"),
        ({"type": "contracts.labourcontract"}, "type"),  # the client's scopes do not allow it
        ({"type": "nonsense"}, "type"),
        ({"updated_since": "2026-01-01"}, "updated_since"),  # unknown parameter
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, changes, params, field):
    response = get(client, key_for(["enterprises:read", "mediation:read"]), **params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["code"] == "invalid"
    assert list(body["error"]["fields"]) == [field]


def test_page_size_goes_up_to_1000_and_more_is_a_400(client, changes):
    headers = key_for(["enterprises:read"])
    assert len(get(client, headers, page_size=1000).json()["results"]) == 3
    response = get(client, headers, page_size=1001)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


def test_signed_in_users_park_administrators_only(client, changes, park_admin, hr_a):
    client.force_login(park_admin)
    assert len(client.get(URL).json()["results"]) == 4
    client.force_login(hr_a)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 401 or client.get(URL).status_code == 403
