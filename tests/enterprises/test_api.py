"""`/api/v1/enterprises/` and `/api/v1/enterprises/{id}/surveys/`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import uscc as uscc_mod

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from tests.factories import (
    AreaFactory,
    EnterpriseFactory,
    SurveyFactory,
    TownFactory,
    UnionFactory,
    user_with_role,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/enterprises/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def detail(enterprise):
    return f"{URL}{enterprise.pk}/"


def surveys_url(enterprise):
    return f"{URL}{enterprise.pk}/surveys/"


def wrong_check_character(code):
    return code[:17] + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="区人社局只读", scopes=["enterprises:read"])[1]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="区人社局系统", scopes=["enterprises:read", "enterprises:write"])[1]


@pytest.fixture
def town():
    return TownFactory(name="雒容镇", code="450271101")


def new_enterprise_payload(town, **overrides):
    return {
        "uscc": valid_uscc(),
        "name": "柳州丙新能源科技有限公司",
        "legal_representative": "陈立",
        "address": "柳东新区新柳大道 88 号",
        "town": town.code,
        "industry": "C",
        "ownership": "private",
        "established_on": "2019-05-20",
        "employees": 240,
        "contact_name": "周敏",
        "contact_phone": "0772-3100000",
        "contact_email": "hr@bing.example.cn",
        **overrides,
    }


# Lists, filters, search, ordering ------------------------------------------------------------------


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_list_filters_search_and_ordering(client, reader, town):
    other_town = TownFactory(name="洛埠镇", code="450271102")
    a = EnterpriseFactory(name="柳州甲汽车零部件有限公司", town=town, industry="C", employees=1200)
    b = EnterpriseFactory(name="柳州乙物流有限公司", town=other_town, industry="G", employees=45)
    c = EnterpriseFactory(
        name="柳州丙餐饮管理有限公司", town=town, industry="H", employees=8, status="closed"
    )
    UnionFactory(kind="enterprise", enterprises=[a])
    auth = bearer(reader)

    assert ids(client.get(URL, {"search": "汽车零部件"}, **auth)) == [str(a.pk)]
    # The start of the USCC, in lower case, finds it; the middle of the USCC does not.
    assert ids(client.get(URL, {"search": b.uscc[:14].lower()}, **auth)) == [str(b.pk)]
    assert ids(client.get(URL, {"search": b.uscc[4:14]}, **auth)) == []
    assert set(ids(client.get(URL, {"town": town.code}, **auth))) == {str(a.pk), str(c.pk)}
    by_name = Enterprise.objects.order_by("name").values_list("pk", flat=True)
    assert ids(client.get(URL, {"ordering": "name"}, **auth)) == [str(pk) for pk in by_name]
    by_name_desc = ids(client.get(URL, {"ordering": "-name"}, **auth))
    assert by_name_desc == [str(pk) for pk in reversed(by_name)]
    assert ids(client.get(URL, {"industry": "G"}, **auth)) == [str(b.pk)]
    assert ids(client.get(URL, {"status": "closed"}, **auth)) == [str(c.pk)]
    assert ids(client.get(URL, {"size": "large"}, **auth)) == [str(a.pk)]
    assert ids(client.get(URL, {"employees_min": 10, "employees_max": 100}, **auth)) == [str(b.pk)]
    assert ids(client.get(URL, {"has_union": "true"}, **auth)) == [str(a.pk)]
    assert set(ids(client.get(URL, {"has_union": "false"}, **auth))) == {str(b.pk), str(c.pk)}
    assert ids(client.get(URL, {"ordering": "-employees"}, **auth)) == [str(a.pk), str(b.pk), str(c.pk)]
    assert ids(client.get(URL, {"ordering": "employees"}, **auth)) == [str(c.pk), str(b.pk), str(a.pk)]

    body = client.get(URL, {"page_size": 2}, **auth).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_needs_union_filter_and_flag(client, reader):
    needs = EnterpriseFactory(name="柳州丁电子有限公司")
    SurveyFactory(enterprise=needs, year=2025, employees=300, union_members=60)
    small = EnterpriseFactory(name="柳州戊商贸有限公司")
    SurveyFactory(enterprise=small, year=2025, employees=30, union_members=10, women=10, migrant_workers=5)
    rows = client.get(URL, {"needs_union": "true"}, **bearer(reader)).json()["results"]
    assert [r["id"] for r in rows] == [str(needs.pk)]
    assert rows[0]["needs_union"] is True and rows[0]["has_union"] is False


def test_invalid_filter_value_is_400_with_the_field(client, reader):
    response = client.get(URL, {"industry": "ZZ", "town": "999999999"}, **bearer(reader))
    assert response.status_code == 400
    assert {"industry", "town"} <= set(response.json()["error"]["fields"])


# Retrieve ------------------------------------------------------------------------------------------


def test_retrieve_shows_the_registry_record(client, reader, town):
    e = EnterpriseFactory(name="柳州甲汽车零部件有限公司", town=town, industry="C", employees=350)
    SurveyFactory(enterprise=e, year=2024, employees=340, union_members=100)
    SurveyFactory(enterprise=e, year=2025, employees=350, union_members=120)
    UnionFactory(kind="enterprise", enterprises=[e])
    body = client.get(detail(e), **bearer(reader)).json()
    assert body["id"] == str(e.pk)
    assert body["uscc"] == e.uscc
    assert body["town"] == {"id": str(town.pk), "name": "雒容镇", "code": "450271101"}
    assert body["industry"] == "C" and body["industry_label"] == "C Manufacturing"
    assert body["size"] == "medium"
    assert body["has_union"] is True and body["needs_union"] is False
    assert body["latest_survey"]["year"] == 2025
    assert body["latest_survey"]["union_members"] == 120
    assert body["latest_survey"]["membership_rate"] == pytest.approx(34.3)
    assert body["organisation_id"] == str(e.organisation_id)
    assert {"contact_phone", "established_on", "status", "created_at", "updated_at"} <= set(body)


def test_enterprise_without_survey_has_null_latest_survey(client, reader):
    e = EnterpriseFactory()
    assert client.get(detail(e), **bearer(reader)).json()["latest_survey"] is None


def test_malformed_and_unknown_ids_are_404(client, reader):
    assert client.get(f"{URL}not-a-uuid/", **bearer(reader)).status_code == 404
    assert client.get(f"{URL}00000000-0000-0000-0000-000000000000/", **bearer(reader)).status_code == 404


# Create and update ----------------------------------------------------------------------------------


def test_client_with_write_scope_registers_an_enterprise(client, writer, town):
    payload = new_enterprise_payload(town)
    payload["uscc"] = payload["uscc"].lower()
    response = client.post(URL, payload, content_type="application/json", **bearer(writer))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uscc"] == payload["uscc"].upper()
    assert body["town"]["code"] == town.code
    assert body["status"] == "operating"
    assert body["has_union"] is False and body["latest_survey"] is None
    e = Enterprise.objects.get(pk=body["id"])
    assert e.organisation.kind == Organisation.Kind.ENTERPRISE and e.organisation.code == e.uscc
    assert e.contact_email == "hr@bing.example.cn"


def test_wrong_check_character_is_400_on_uscc(client, writer, town):
    code = wrong_check_character(valid_uscc())
    response = client.post(
        URL, new_enterprise_payload(town, uscc=code), content_type="application/json", **bearer(writer)
    )
    assert response.status_code == 400
    error = response.json()["error"]
    expected = uscc_mod.calc_check_digit(code[:17])
    assert "check character" in error["fields"]["uscc"][0]
    assert f"“{expected}”" in error["fields"]["uscc"][0]
    assert not Enterprise.objects.filter(uscc=code).exists()


@pytest.mark.parametrize("code", ["91450200", "91450200MA5L!!!!!X", ""])
def test_malformed_uscc_is_400_on_uscc(client, writer, town, code):
    response = client.post(
        URL, new_enterprise_payload(town, uscc=code), content_type="application/json", **bearer(writer)
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["uscc"]


def test_duplicate_uscc_is_400_naming_the_existing_enterprise(client, writer, ent_a, town):
    before = Enterprise.objects.count()
    response = client.post(
        URL, new_enterprise_payload(town, uscc=ent_a.uscc), content_type="application/json", **bearer(writer)
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert ent_a.name in error["message"]
    assert ent_a.name in error["fields"]["uscc"][0]
    assert Enterprise.objects.count() == before


def test_missing_required_fields_are_reported_together(client, writer):
    response = client.post(URL, {"name": "柳州某公司"}, content_type="application/json", **bearer(writer))
    assert response.status_code == 400
    assert {"uscc", "town", "industry", "ownership"} <= set(response.json()["error"]["fields"])


def test_write_client_updates_controlled_fields(client, writer, ent_a):
    response = client.patch(
        detail(ent_a), {"status": "moved_out"}, content_type="application/json", **bearer(writer)
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "moved_out"
    ent_a.refresh_from_db()
    ent_a.organisation.refresh_from_db()
    assert ent_a.status == "moved_out" and ent_a.organisation.is_active is False


def test_put_needs_the_required_fields_and_changes_what_is_sent(client, writer, ent_a, town):
    incomplete = client.put(
        detail(ent_a), {"name": "新名称"}, content_type="application/json", **bearer(writer)
    )
    assert incomplete.status_code == 400
    assert "uscc" in incomplete.json()["error"]["fields"]
    payload = new_enterprise_payload(town, uscc=ent_a.uscc, name="柳州甲汽车零部件集团有限公司")
    response = client.put(detail(ent_a), payload, content_type="application/json", **bearer(writer))
    assert response.status_code == 200, response.content
    ent_a.refresh_from_db()
    assert ent_a.name == "柳州甲汽车零部件集团有限公司" and ent_a.town == town
    assert ent_a.organisation.name == ent_a.name


def test_update_to_a_taken_uscc_is_400_naming_the_owner(client, writer, ent_a, ent_b):
    response = client.patch(
        detail(ent_a), {"uscc": ent_b.uscc}, content_type="application/json", **bearer(writer)
    )
    assert response.status_code == 400
    assert ent_b.name in response.json()["error"]["fields"]["uscc"][0]


def test_delete_is_not_offered(client, writer, ent_a):
    assert client.delete(detail(ent_a), **bearer(writer)).status_code == 405
    assert Enterprise.objects.filter(pk=ent_a.pk).exists()


# Scopes ---------------------------------------------------------------------------------------------


def test_missing_scope_is_403_naming_the_scope(client, api_client_factory, ent_a):
    _, key = api_client_factory(name="调解系统", scopes=["mediation:read"])
    for url in (URL, detail(ent_a), surveys_url(ent_a)):
        response = client.get(url, **bearer(key))
        assert response.status_code == 403
        assert "enterprises:read" in response.json()["error"]["message"]


def test_read_only_client_cannot_write(client, reader, ent_a, town):
    calls = [
        client.post(URL, new_enterprise_payload(town), content_type="application/json", **bearer(reader)),
        client.patch(detail(ent_a), {"name": "改名"}, content_type="application/json", **bearer(reader)),
        client.put(
            detail(ent_a), new_enterprise_payload(town), content_type="application/json", **bearer(reader)
        ),
        client.post(
            surveys_url(ent_a),
            {"year": 2025, "employees": 10},
            content_type="application/json",
            **bearer(reader),
        ),
    ]
    for response in calls:
        assert response.status_code == 403
        assert "enterprises:write" in response.json()["error"]["message"]
    ent_a.refresh_from_db()
    assert ent_a.name == "柳州甲汽车零部件有限公司"
    assert Enterprise.objects.count() == 1 and not EnterpriseSurvey.objects.exists()


def test_client_restricted_to_an_area_sees_and_writes_only_there(client, api_client_factory, town):
    district = AreaFactory(kind="district", code="450271", name="柳东新区")
    town.parent = district
    town.save()
    elsewhere = TownFactory(name="城中街道", code="450202001")
    inside = EnterpriseFactory(town=town)
    outside = EnterpriseFactory(town=elsewhere)
    _, key = api_client_factory(
        name="雒容镇系统", scopes=["enterprises:read", "enterprises:write"], area=town
    )
    auth = bearer(key)
    assert ids(client.get(URL, **auth)) == [str(inside.pk)]
    assert client.get(URL, {"search": outside.name}, **auth).json()["count"] == 0
    assert client.get(detail(inside), **auth).status_code == 200
    assert client.get(detail(outside), **auth).status_code == 404
    assert client.get(surveys_url(outside), **auth).status_code == 404
    assert (
        client.patch(detail(outside), {"name": "x"}, content_type="application/json", **auth).status_code
        == 404
    )
    # Registering or moving an enterprise outside the client's area is refused on `town`.
    response = client.post(URL, new_enterprise_payload(elsewhere), content_type="application/json", **auth)
    assert response.status_code == 400 and "town" in response.json()["error"]["fields"]
    response = client.patch(detail(inside), {"town": elsewhere.code}, content_type="application/json", **auth)
    assert response.status_code == 400 and "town" in response.json()["error"]["fields"]
    response = client.post(URL, new_enterprise_payload(town), content_type="application/json", **auth)
    assert response.status_code == 201


# Session users (pages' users calling the API) -------------------------------------------------------


def test_hr_of_a_gets_404_on_b_in_detail_surveys_and_list(client, ent_hr_a, ent_a, ent_b):
    client.force_login(ent_hr_a)
    assert ids(client.get(URL)) == [str(ent_a.pk)]
    assert client.get(detail(ent_a)).status_code == 200
    assert client.get(detail(ent_b)).status_code == 404
    assert client.get(surveys_url(ent_b)).status_code == 404
    post = client.post(surveys_url(ent_b), {"year": 2025, "employees": 10}, content_type="application/json")
    assert post.status_code == 404
    assert (
        client.patch(detail(ent_b), {"contact_phone": "1"}, content_type="application/json").status_code
        == 404
    )
    assert not EnterpriseSurvey.objects.filter(enterprise=ent_b).exists()


def test_hr_cannot_change_uscc_or_status_but_can_change_contacts(client, ent_hr_a, ent_a):
    client.force_login(ent_hr_a)
    for field, value in (("uscc", valid_uscc()), ("status", "closed")):
        response = client.patch(detail(ent_a), {field: value}, content_type="application/json", **EN)
        assert response.status_code == 400
        error = response.json()["error"]
        assert "Only the park administration may change" in error["fields"][field][0]
    response = client.patch(detail(ent_a), {"contact_phone": "0772-8888888"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["contact_phone"] == "0772-8888888"
    ent_a.refresh_from_db()
    assert ent_a.contact_phone == "0772-8888888" and ent_a.status == "operating"
    # Sending the unchanged USCC along with the change is fine.
    response = client.patch(
        detail(ent_a), {"uscc": ent_a.uscc, "contact_name": "刘洋"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_session_user_without_the_permission_gets_403(client, ent_hr_a, ent_a):
    client.force_login(ent_hr_a)
    town = ent_a.town
    response = client.post(URL, new_enterprise_payload(town), content_type="application/json")
    assert response.status_code == 403
    mediator = user_with_role(Role.MEDIATOR)
    client.force_login(mediator)
    assert client.patch(detail(ent_a), {"name": "x"}, content_type="application/json").status_code == 403
    ent_a.refresh_from_db()
    assert ent_a.name == "柳州甲汽车零部件有限公司"


def test_park_admin_session_registers_an_enterprise(client, park_admin, town):
    client.force_login(park_admin)
    response = client.post(URL, new_enterprise_payload(town), content_type="application/json")
    assert response.status_code == 201


# Surveys --------------------------------------------------------------------------------------------


def survey(year, **overrides):
    return {
        "year": year,
        "employees": 200,
        "union_members": 80,
        "women": 90,
        "migrant_workers": 50,
        "has_union": True,
        "contract_signing_rate": "98.50",
        "collective_contract": True,
        **overrides,
    }


def test_surveys_post_creates_or_replaces_and_get_lists_newest_first(client, ent_hr_a, ent_a):
    client.force_login(ent_hr_a)
    url = surveys_url(ent_a)
    r2024 = client.post(url, survey(2024, employees=180), content_type="application/json")
    assert r2024.status_code == 201, r2024.content
    assert r2024.json()["year"] == 2024 and r2024.json()["contract_signing_rate"] == "98.50"
    assert client.post(url, survey(2025), content_type="application/json").status_code == 201
    # The same year again replaces that year's survey.
    again = client.post(url, survey(2025, employees=220, union_members=100), content_type="application/json")
    assert again.status_code == 201
    rows = client.get(url).json()
    assert [r["year"] for r in rows] == [2025, 2024]
    assert rows[0]["employees"] == 220 and rows[0]["union_members"] == 100
    assert rows[0]["membership_rate"] == pytest.approx(45.5)
    assert EnterpriseSurvey.objects.filter(enterprise=ent_a).count() == 2
    ent_a.refresh_from_db()
    assert ent_a.latest_survey.year == 2025 and ent_a.employees == 220
    assert client.get(detail(ent_a)).json()["latest_survey"]["year"] == 2025


def test_survey_with_more_members_than_employees_is_400_on_the_field(client, writer, ent_a):
    response = client.post(
        surveys_url(ent_a),
        survey(2025, employees=50, union_members=60, women=70),
        content_type="application/json",
        **bearer(writer),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["union_members"] == ["Union members cannot outnumber employees."]
    assert "women" in fields
    assert not EnterpriseSurvey.objects.exists()


def test_survey_shape_errors_are_400(client, writer, ent_a):
    response = client.post(
        surveys_url(ent_a),
        {"year": "last year", "employees": -1},
        content_type="application/json",
        **bearer(writer),
    )
    assert response.status_code == 400
    assert "year" in response.json()["error"]["fields"]
    response = client.post(
        surveys_url(ent_a), survey(1999), content_type="application/json", **bearer(writer)
    )
    assert response.status_code == 400 and "year" in response.json()["error"]["fields"]


def test_reader_lists_surveys(client, reader, ent_a):
    SurveyFactory(enterprise=ent_a, year=2023)
    SurveyFactory(enterprise=ent_a, year=2025)
    response = client.get(surveys_url(ent_a), **bearer(reader))
    assert response.status_code == 200
    assert [r["year"] for r in response.json()] == [2025, 2023]


# Query counts ---------------------------------------------------------------------------------------


def _queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_list_query_count_does_not_grow_with_page_size(client, reader):
    towns = [TownFactory() for _ in range(3)]
    for i in range(60):
        e = EnterpriseFactory(town=towns[i % 3], employees=50 + i)
        SurveyFactory(enterprise=e, year=2025, employees=50 + i, union_members=30)
        if i % 4 == 0:
            UnionFactory(kind="enterprise", enterprises=[e])
    auth = bearer(reader)
    client.get(URL, **auth)  # the first call also records the key's last use
    small, r5 = _queries(client, f"{URL}?page_size=5", **auth)
    large, r50 = _queries(client, f"{URL}?page_size=50", **auth)
    assert len(r5.json()["results"]) == 5 and len(r50.json()["results"]) == 50
    assert small == large


def test_session_list_query_count_does_not_grow_with_page_size(client, park_admin):
    for _ in range(60):
        SurveyFactory(enterprise=EnterpriseFactory(), year=2025)
    client.force_login(park_admin)
    client.get(URL)
    small, r5 = _queries(client, f"{URL}?page_size=5&ordering=-employees")
    large, r50 = _queries(client, f"{URL}?page_size=50&ordering=-employees")
    assert len(r5.json()["results"]) == 5 and len(r50.json()["results"]) == 50
    assert all(row["latest_survey"]["year"] == 2025 for row in r50.json()["results"])
    assert small == large
