"""The contract list's fast rows (apps/contracts/api/rows.py) are exactly what the `Contract`
serializer writes, for every kind of contract, in both languages, for every reader: the two paths
cannot drift apart."""

import json

import pytest
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from apps.contracts import services
from apps.contracts.api import rows as fast
from apps.contracts.api.serializers import ContractOutSerializer
from apps.contracts.models import LabourContract
from apps.core.principal import principal_for_api_client

from .conftest import PDF, esign, p, row

pytestmark = pytest.mark.django_db


def _json(data):
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def contracts(ent_a, ent_b, park_admin, policy):
    rows_ = [
        row(ent_a, 1),
        row(ent_a, 2, kind="open_ended", end="", probation_end="", hours_system="", signing=""),
        row(ent_a, 3, **esign(3)),
        row(ent_b, 4, kind="task", end="", task="装配线安装", monthly_pay="4512.50"),
        row(ent_b, 5, **esign(5, record_id="LQ-5b", file_name="")),
    ]
    result = services.file_batch(p(park_admin), rows_, files={"3.pdf": PDF})
    assert not result.errors, result.errors
    services.terminate(p(park_admin), result.created[0], terminated_on="2026-06-30", reason="协商一致解除")
    return LabourContract.objects.all()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("personal", [False, True])
def test_the_rows_are_the_serializers(contracts, api_client_factory, language, personal):
    scopes = ["contracts:read"] + (["personal_data:read"] if personal else [])
    client, _key = api_client_factory(name=f"reader-{personal}", scopes=scopes)
    principal = principal_for_api_client(client)
    queryset = contracts.select_related("enterprise", "worker", "esignature").order_by("-start", "-pk")
    with translation.override(language):
        expected = _json(ContractOutSerializer(queryset, many=True, context={"principal": principal}).data)
        got = _json(fast.represent(fast.values(queryset)))
    assert len(got) == 5
    assert got == expected
    # Lists never show a number in full, whatever the scope.
    assert all("*" in item["worker"]["id_number"] and item["worker"]["phone"] is None for item in got)


def test_a_deep_page_number_page_reads_values_rows(contracts, api_client_factory, client, monkeypatch):
    """Past `DEFERRED_JOIN_FROM` rows a page-number page finds its keys first, then the rows: with
    the list's values rows as with model instances (the fuzzer found a 500 there)."""
    monkeypatch.setattr("apps.core.pagination.DEFERRED_JOIN_FROM", 0)
    _client, key = api_client_factory(name="deep-reader", scopes=["contracts:read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    whole = client.get("/api/v1/contracts/", {"page_size": 5}, **auth).json()["results"]
    second = client.get("/api/v1/contracts/", {"page_size": 2, "page": 2}, **auth)
    assert second.status_code == 200, second.content
    assert second.json()["results"] == whole[2:4]
