"""`/api/v1/assistance/`: scopes, area, masking, bad input."""

import pytest

from apps.assistance.models import Aid, HardshipFile
from apps.audit.models import AuditEvent

from .conftest import TODAY, id_number

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FILES = "/api/v1/assistance/hardship-files/"
AID = "/api/v1/assistance/aid/"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


@pytest.fixture
def files(approved_file, official_b, ent_b):
    return approved_file(), approved_file(by=official_b, enterprise=ent_b)


def test_list_masks_and_needs_the_scope(client, api_client_factory, files):
    _c, key = api_client_factory(scopes=["assistance:read"])
    response = client.get(FILES, **bearer(key))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 2 and all("*" in r["id_number"] and not r["id_number_full"] for r in rows)
    _c, other = api_client_factory(name="other", scopes=["unions:read"])
    assert client.get(FILES, **bearer(other)).status_code == 403


def test_detail_in_full_only_with_personal_data_and_audited(client, api_client_factory, files):
    file = files[0]
    _c, key = api_client_factory(scopes=["assistance:read"])
    body = client.get(f"{FILES}{file.pk}/", **bearer(key)).json()
    assert body["id_number"] != file.id_number and body["id_number"].startswith(file.id_number[:4])
    _c, full = api_client_factory(name="full", scopes=["assistance:read", "personal_data:read"])
    body = client.get(f"{FILES}{file.pk}/", **bearer(full)).json()
    assert body["id_number"] == file.id_number and body["id_number_full"] is True
    assert AuditEvent.objects.filter(action="view_full:id_number", object_id=str(file.pk)).exists()


def test_area_restricted_client_gets_404_outside(client, api_client_factory, files, ent_a):
    _c, key = api_client_factory(scopes=["assistance:read"], area=ent_a.town)
    assert [r["id"] for r in client.get(FILES, **bearer(key)).json()["results"]] == [str(files[0].pk)]
    assert client.get(f"{FILES}{files[1].pk}/", **bearer(key)).status_code == 404


def test_create_assess_approve_pay_through_the_api(client, api_client_factory, ent_a):
    _c, key = api_client_factory(scopes=["assistance:read", "assistance:write"])
    body = {
        "enterprise": str(ent_a.pk),
        "name": "接口职工",
        "id_number": id_number(55),
        "difficulties": ["disability", "single_parent"],
        "household_size": 2,
        "household_monthly_income": "1200.00",
    }
    response = client.post(FILES, body, content_type="application/json", **bearer(key))
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert "*" in response.json()["id_number"]
    r = client.post(
        f"{FILES}{pk}/assess/",
        {"assessed_on": TODAY.isoformat(), "assessor": "王"},
        content_type="application/json",
        **bearer(key),
    )
    assert r.status_code == 200 and r.json()["qualifies"] is True
    r = client.post(f"{FILES}{pk}/approve/", {}, content_type="application/json", **bearer(key))
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(
        AID,
        {
            "file": pk,
            "kind": "education",
            "amount": "800",
            "paid_on": TODAY.isoformat(),
            "funding_source": "助学金",
            "approved_by": "李",
        },
        content_type="application/json",
        **bearer(key),
    )
    assert r.status_code == 201 and Aid.objects.count() == 1
    r = client.post(
        f"{AID}campaign/",
        {
            "files": [pk],
            "amount": "300",
            "paid_on": TODAY.isoformat(),
            "funding_source": "春节",
            "approved_by": "李",
        },
        content_type="application/json",
        **bearer(key),
    )
    assert r.status_code == 201 and len(r.json()) == 1
    assert client.get(f"{AID}?kind=spring_festival", **bearer(key)).json()["results"][0]["amount"] == "300.00"


def test_bad_input_is_a_400_naming_the_field(client, api_client_factory, ent_a, make_file):
    _c, key = api_client_factory(scopes=["assistance:read", "assistance:write"])
    body = {
        "enterprise": str(ent_a.pk),
        "name": "x",
        "id_number": "110101199003071234",
        "difficulties": ["illness"],
        "household_size": 2,
        "household_monthly_income": "100",
    }
    r = client.post(FILES, body, content_type="application/json", **bearer(key))
    assert r.status_code == 400 and "id_number" in str(r.json())
    r = client.post(FILES, {**body, "difficulties": ["rich"]}, content_type="application/json", **bearer(key))
    assert r.status_code == 400 and "difficulties" in str(r.json())
    draft = make_file()
    r = client.post(
        AID,
        {
            "file": str(draft.pk),
            "kind": "medical",
            "amount": "10",
            "paid_on": TODAY.isoformat(),
            "funding_source": "x",
            "approved_by": "y",
        },
        content_type="application/json",
        **bearer(key),
    )
    assert r.status_code == 400 and "file" in str(r.json())
    r = client.post(f"{FILES}{draft.pk}/approve/", {}, content_type="application/json", **bearer(key))
    assert r.status_code == 409
    assert client.get(f"{FILES}?status=", **bearer(key)).status_code == 400
    assert HardshipFile.objects.count() == 1


def test_reader_may_not_write(client, api_client_factory, ent_a):
    _c, key = api_client_factory(scopes=["assistance:read"])
    r = client.post(FILES, {"name": "x"}, content_type="application/json", **bearer(key))
    assert r.status_code == 403
