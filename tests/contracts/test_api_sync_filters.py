"""The contract list's filters that were silently ignored (issue 15, bug 5): `uscc` (the README's
name, the same as `enterprise_uscc`), `town`, `record_id` and `platform` now filter; an unknown
parameter is a 400 naming it instead of the whole library; `ordering=updated_at` sorts it."""

import pytest

from apps.contracts.models import LabourContract
from tests.factories import EnterpriseFactory, TownFactory

from .conftest import PDF, esign, row
from .test_api import API, bearer, file, refs

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="区人社局合同同步", scopes=["contracts:read"])[1]


@pytest.fixture
def filed(ent_a, park_admin, policy):
    other_town = EnterpriseFactory(town=TownFactory(code="450299777"))
    file(
        park_admin,
        row(ent_a, 1, **esign(1)),
        row(ent_a, 2, **esign(2, platform="法大大", record_id="FDD-9")),
        row(other_town, 3),
        files={"1.pdf": PDF, "2.pdf": PDF},
    )
    return other_town


def test_uscc_town_record_id_and_platform_filter(client, reader, ent_a, filed):
    def get(query):
        return refs(client.get(f"{API}?{query}", **bearer(reader)))

    assert get("") == ["HT-00001", "HT-00002", "HT-00003"]
    assert get(f"uscc={filed.uscc}") == ["HT-00003"]
    assert (
        get(f"uscc={ent_a.uscc.lower()}") == get(f"enterprise_uscc={ent_a.uscc}") == ["HT-00001", "HT-00002"]
    )
    assert get("town=450299777") == ["HT-00003"]
    assert get(f"town={ent_a.town.code}") == ["HT-00001", "HT-00002"]
    assert get("record_id=LQ-1") == ["HT-00001"]
    assert get("record_id=FDD-9") == ["HT-00002"]
    assert get("record_id=FDD-9&platform=乐签") == []
    assert get("platform=法大大") == ["HT-00002"]
    assert get("record_id=NOPE") == []


def test_a_wrong_town_or_an_unknown_parameter_is_a_400_naming_it(client, reader, filed):
    for query, field in (("town=999999999", "town"), ("id_number=450205199003070011", "id_number")):
        response = client.get(f"{API}?{query}", **bearer(reader))
        assert response.status_code == 400, query
        assert list(response.json()["error"]["fields"]) == [field]


def test_contracts_sort_and_walk_by_update_time(client, reader, filed):
    body = client.get(f"{API}?ordering=updated_at&cursor=&page_size=1000", **bearer(reader)).json()
    ids = [r["id"] for r in body["results"]]
    in_db = LabourContract.objects.order_by("updated_at", "pk").values_list("pk", flat=True)
    assert ids == [str(pk) for pk in in_db]
    newest = client.get(f"{API}?ordering=-updated_at", **bearer(reader)).json()["results"]
    assert [r["id"] for r in newest] == ids[::-1]
