import pytest

from apps.accounts.models import Organisation
from apps.core.principal import principal_for_api_client, principal_for_user
from tests.factories import AreaFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_hr_sees_own_organisation_page_and_404_on_another(client, hr_a, enterprise_a, enterprise_b):
    client.force_login(hr_a)
    assert client.get(f"/accounts/organisations/{enterprise_a.pk}/").status_code == 200
    assert client.get(f"/accounts/organisations/{enterprise_b.pk}/").status_code == 404


def test_hr_list_shows_only_own_organisation(client, hr_a, enterprise_a, enterprise_b):
    client.force_login(hr_a)
    page = client.get("/accounts/organisations/").content.decode()
    assert enterprise_a.name in page
    assert enterprise_b.name not in page


def test_admin_sees_everything(client, park_admin, enterprise_a, enterprise_b):
    client.force_login(park_admin)
    assert client.get(f"/accounts/organisations/{enterprise_b.pk}/").status_code == 200


def test_api_session_user_gets_404_out_of_scope(client, hr_a, enterprise_a, enterprise_b):
    client.force_login(hr_a)
    assert client.get(f"/api/v1/organisations/{enterprise_a.pk}/").status_code == 200
    response = client.get(f"/api/v1/organisations/{enterprise_b.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    ids = [o["id"] for o in client.get("/api/v1/organisations/").json()["results"]]
    assert ids == [str(enterprise_a.pk)]


def test_api_client_with_district_restriction_sees_only_its_area(client, api_client_factory):
    district = AreaFactory(kind="district", code="450271", name="柳东新区")
    town_in = AreaFactory(code="450271100", parent=district)
    elsewhere = AreaFactory(kind="district", code="450202", name="城中区")
    inside = OrganisationFactory(area=town_in)
    outside = OrganisationFactory(area=elsewhere)
    _, key = api_client_factory(scopes=["organisations:read"], area=district)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(f"/api/v1/organisations/{inside.pk}/", **auth).status_code == 200
    assert client.get(f"/api/v1/organisations/{outside.pk}/", **auth).status_code == 404


def test_malformed_id_is_404_not_500(client, park_admin):
    client.force_login(park_admin)
    assert client.get("/api/v1/organisations/not-a-uuid/").status_code == 404


def test_principal_for_user_and_client(hr_a, enterprise_a, api_client_factory):
    p = principal_for_user(hr_a)
    assert p.organisation_ids() == {enterprise_a.pk}
    assert not p.is_park_admin
    assert list(Organisation.objects.visible_to(p)) == [enterprise_a]
    client, _ = api_client_factory(scopes=["organisations:read"])
    pc = principal_for_api_client(client)
    assert pc.is_api_client and pc.has_scope("organisations:read") and not pc.has_scope("mediation:read")


def test_list_query_count_does_not_grow_with_page_size(client, park_admin, django_assert_max_num_queries):
    OrganisationFactory.create_batch(60)
    client.force_login(park_admin)
    with django_assert_max_num_queries(12):
        small = client.get("/api/v1/organisations/?page_size=5")
    with django_assert_max_num_queries(12):
        large = client.get("/api/v1/organisations/?page_size=60")
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 60
