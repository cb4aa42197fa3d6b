import pytest
from rest_framework.test import APIClient

from apps.legalaid import services
from apps.legalaid.models import LegalAidRequest

from .conftest import p, request_data

pytestmark = pytest.mark.django_db
URL = "/api/v1/legal-aid/requests/"


_names = iter(range(1000))


def _client(api_client_factory, *scopes, area=None):
    _c, key = api_client_factory(name=f"district-{next(_names)}", scopes=scopes, area=area)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_list_masks_id_and_hides_phone(api_client_factory, make_request):
    req, _ = make_request()
    api = _client(api_client_factory, "legalaid:read", "personal_data:read")
    body = api.get(URL).json()
    row = body["results"][0]
    assert row["serial"] == req.serial
    assert row["worker"]["id_number"] != req.applicant.id_number and "*" in row["worker"]["id_number"]
    assert row["worker"]["phone"] is None


def test_detail_full_id_only_with_personal_data_scope(api_client_factory, make_request):
    req, _ = make_request()
    plain = _client(api_client_factory, "legalaid:read").get(f"{URL}{req.pk}/").json()
    assert "*" in plain["worker"]["id_number"] and plain["worker"]["phone"] is None
    full = _client(api_client_factory, "legalaid:read", "personal_data:read").get(f"{URL}{req.pk}/").json()
    assert full["worker"]["id_number"] == req.applicant.id_number and full["worker"]["id_number_full"] is True


def test_scope_required(api_client_factory, make_request):
    make_request()
    assert _client(api_client_factory, "mediation:read").get(URL).status_code == 403


def test_create_and_act(api_client_factory, ent_a, union_a):
    api = _client(api_client_factory, "legalaid:read", "legalaid:write")
    data = request_data(enterprise=str(ent_a.pk))
    response = api.post(URL, data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["access_code"] and body["union"] == str(union_a.pk) and body["channel"] == "counter"
    pk = body["id"]
    refused = api.post(f"{URL}{pk}/refuse/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    assert api.post(f"{URL}{pk}/accept/", {}, format="json").json()["status"] == "accepted"
    closed = api.post(
        f"{URL}{pk}/close/", {"outcome": "settled", "amount_recovered": "300.00"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["outcome"] == "settled"
    assert api.post(f"{URL}{pk}/accept/", {}, format="json").status_code == 409


def test_bad_input_400(api_client_factory, union_a):
    api = _client(api_client_factory, "legalaid:write", "legalaid:read")
    response = api.post(URL, {"name": "", "kind": "x"}, format="json")
    assert response.status_code == 400
    assert {"name", "kind", "phone"} <= set(response.json()["error"]["fields"])
    unknown = api.post(
        URL, {**request_data(), "enterprise": "00000000-0000-0000-0000-000000000000"}, format="json"
    )
    assert unknown.status_code == 400 and "enterprise" in unknown.json()["error"]["fields"]
    assert not LegalAidRequest.objects.exists()


def test_area_client_sees_only_its_area(api_client_factory, make_request, ent_b):
    req, _ = make_request()
    api = _client(api_client_factory, "legalaid:read", area=ent_b.town)
    assert api.get(f"{URL}{req.pk}/").status_code == 404


def test_session_union_official_other_union_404(client, make_request, official_b):
    req, _ = make_request()
    client.force_login(official_b)
    assert client.get(f"{URL}{req.pk}/").status_code == 404
    assert client.post(f"{URL}{req.pk}/accept/").status_code == 404


def test_session_hr_refused(client, make_request, ent_hr_a):
    make_request()
    client.force_login(ent_hr_a)
    assert client.get(URL).status_code == 403


def test_api_link_refuses_case_out_of_scope(api_client_factory, make_request, official_a, ent_b):
    from apps.core.principal import SYSTEM
    from apps.mediation import services as mediation_services

    req, _ = make_request()
    services.accept(p(official_a), req)
    case, _ = mediation_services.register_case(
        SYSTEM,
        channel="walk_in",
        applicants=[{"name": "某人", "id_number": "", "phone": "13807710002"}],
        types=["remuneration"],
        claims="支付工资",
        amount_claimed="1000",
        respondent_enterprise=ent_b,
    )
    api = _client(api_client_factory, "legalaid:read", "legalaid:write", area=req.town)
    response = api.post(f"{URL}{req.pk}/link/", {"mediation_case_serial": case.serial}, format="json")
    assert response.status_code == 400 and "mediation_case" in response.json()["error"]["fields"]
