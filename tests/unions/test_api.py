"""`/api/v1/unions/` and `/api/v1/collective-contracts/`."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.enterprises.models import Enterprise
from apps.unions import rules
from apps.unions.models import CollectiveContract, Union, UnionCoverage
from tests.factories import EnterpriseFactory, TownFactory, UnionFactory, user_with_role

pytestmark = pytest.mark.django_db

UNIONS = "/api/v1/unions/"
CONTRACTS = "/api/v1/collective-contracts/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="总工会只读", scopes=["unions:read"])[1]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="总工会系统", scopes=["unions:read", "unions:write"])[1]


@pytest.fixture
def federation():
    return UnionFactory(name="柳东新区总工会", kind="federation", members=0)


# Unions ---------------------------------------------------------------------------------------------


def test_joint_union_needs_two_enterprises(client, writer, ent_a):
    payload = {"name": "雒容镇联合工会", "kind": "joint", "enterprises": [str(ent_a.pk)]}
    response = client.post(UNIONS, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["enterprises"][0]
    assert "two or more" in message and "Trade Union Law art. 11" in message
    assert not Union.objects.filter(name="雒容镇联合工会").exists()


def test_create_joint_union_with_parent(client, writer, ent_a, ent_b, federation):
    payload = {
        "name": "雒容镇联合工会",
        "kind": "joint",
        "parent": str(federation.pk),
        "enterprises": [str(ent_a.pk), str(ent_b.pk)],
        "chair_name": "黄海",
        "founded_on": "2024-03-01",
        "members": 80,
    }
    response = client.post(UNIONS, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "joint" and body["parent"] == {"id": str(federation.pk), "name": "柳东新区总工会"}
    assert body["enterprise_count"] == 2
    assert {e["id"] for e in body["enterprises"]} == {str(ent_a.pk), str(ent_b.pk)}
    assert {e["uscc"] for e in body["enterprises"]} == {ent_a.uscc, ent_b.uscc}
    union = Union.objects.get(pk=body["id"])
    assert union.organisation.parent == federation.organisation
    # The registry now counts both enterprises as covered.
    assert set(UnionCoverage.objects.filter(union=union).values_list("enterprise", flat=True)) == {
        ent_a.pk,
        ent_b.pk,
    }


def test_enterprise_already_covered_is_400_naming_the_union(client, writer, ent_a):
    UnionFactory(name="甲公司工会", enterprises=[ent_a])
    payload = {"name": "另一个工会", "kind": "enterprise", "enterprises": [str(ent_a.pk)]}
    response = client.post(UNIONS, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 400
    assert "甲公司工会" in response.json()["error"]["fields"]["enterprises"][0]


def test_parent_must_be_a_federation_and_exist(client, writer, ent_a, ent_b):
    not_federation = UnionFactory(kind="enterprise", enterprises=[ent_b])
    payload = {"name": "甲公司工会", "kind": "enterprise", "enterprises": [str(ent_a.pk)]}
    response = client.post(
        UNIONS, payload | {"parent": str(not_federation.pk)}, content_type=JSON, **bearer(writer)
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["parent"] == [
        "The parent must be a federation of trade unions."
    ]
    response = client.post(
        UNIONS,
        payload | {"parent": "00000000-0000-0000-0000-000000000000"},
        content_type=JSON,
        **bearer(writer),
    )
    assert response.status_code == 400 and "parent" in response.json()["error"]["fields"]


def test_restricted_client_cannot_cover_enterprises_outside_its_area(
    client, api_client_factory, ent_a, ent_b
):
    _, key = api_client_factory(
        name="雒容镇工会系统", scopes=["unions:read", "unions:write"], area=ent_a.town
    )
    payload = {"name": "乙公司工会", "kind": "enterprise", "enterprises": [str(ent_b.pk)]}
    response = client.post(UNIONS, payload, content_type=JSON, **bearer(key))
    assert response.status_code == 400
    assert "enterprises" in response.json()["error"]["fields"]
    assert not UnionCoverage.objects.exists()
    ok = client.post(
        UNIONS,
        payload | {"name": "甲公司工会", "enterprises": [str(ent_a.pk)]},
        content_type=JSON,
        **bearer(key),
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["area"]["code"] == ent_a.town.code


def test_restricted_client_gets_the_federation_it_registered(client, api_client_factory, ent_a):
    # A federation has no enterprises and so no town: the client does not see it by area
    # afterwards, but the answer to its own request still describes what was written.
    _, key = api_client_factory(name="镇工会系统", scopes=["unions:read", "unions:write"], area=ent_a.town)
    response = client.post(
        UNIONS, {"name": "雒容镇总工会", "kind": "federation"}, content_type=JSON, **bearer(key)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "federation" and body["enterprise_count"] == 0 and body["enterprises"] == []
    assert Union.objects.filter(pk=body["id"], kind="federation").exists()


def test_union_list_filters(client, reader, federation):
    town = TownFactory(name="洛埠镇", code="450271102")
    e1, e2, e3 = EnterpriseFactory(town=town), EnterpriseFactory(), EnterpriseFactory()
    a = UnionFactory(
        name="洛埠镇甲公司工会", kind="enterprise", parent=federation, enterprises=[e1], members=40
    )
    a.organisation.area = town
    a.organisation.save()
    b = UnionFactory(name="乙公司工会", kind="joint", enterprises=[e2, e3], is_active=False, members=90)
    auth = bearer(reader)
    assert ids(client.get(UNIONS, {"kind": "joint"}, **auth)) == [str(b.pk)]
    assert ids(client.get(UNIONS, {"search": "洛埠"}, **auth)) == [str(a.pk)]
    assert ids(client.get(UNIONS, {"parent": str(federation.pk)}, **auth)) == [str(a.pk)]
    assert ids(client.get(UNIONS, {"is_active": "false"}, **auth)) == [str(b.pk)]
    assert ids(client.get(UNIONS, {"town": town.code}, **auth)) == [str(a.pk)]
    assert ids(client.get(UNIONS, {"ordering": "-members"}, **auth)) == [
        str(b.pk),
        str(a.pk),
        str(federation.pk),
    ]
    assert ids(client.get(UNIONS, {"ordering": "members"}, **auth)) == [
        str(federation.pk),
        str(a.pk),
        str(b.pk),
    ]
    body = client.get(f"{UNIONS}{b.pk}/", **auth).json()
    assert body["enterprise_count"] == 2
    by_name = Enterprise.objects.filter(pk__in=[e2.pk, e3.pk]).order_by("name").values_list("name", flat=True)
    assert [e["name"] for e in body["enterprises"]] == list(by_name)
    assert client.get(UNIONS, {"kind": "club"}, **auth).status_code == 400


def test_update_union_and_replace_coverage(client, writer, ent_a, ent_b):
    union = UnionFactory(name="甲公司工会", kind="enterprise", enterprises=[ent_a])
    response = client.patch(
        f"{UNIONS}{union.pk}/", {"chair_name": "韦青", "members": 45}, content_type=JSON, **bearer(writer)
    )
    assert response.status_code == 200, response.content
    assert response.json()["chair_name"] == "韦青" and response.json()["members"] == 45
    response = client.patch(
        f"{UNIONS}{union.pk}/",
        {"kind": "joint", "name": "甲乙联合工会", "enterprises": [str(ent_a.pk), str(ent_b.pk)]},
        content_type=JSON,
        **bearer(writer),
    )
    assert response.status_code == 200, response.content
    assert response.json()["enterprise_count"] == 2
    # Changing the kind without enough enterprises is refused.
    response = client.patch(
        f"{UNIONS}{union.pk}/", {"enterprises": [str(ent_a.pk)]}, content_type=JSON, **bearer(writer)
    )
    assert response.status_code == 400 and "enterprises" in response.json()["error"]["fields"]


def test_hr_sees_the_union_of_its_enterprise_only(client, ent_hr_a, ent_a, ent_b):
    other = EnterpriseFactory()
    joint = UnionFactory(name="联合工会", kind="joint", enterprises=[ent_a, other])
    union_b = UnionFactory(name="乙公司工会", kind="enterprise", enterprises=[ent_b])
    client.force_login(ent_hr_a)
    assert ids(client.get(UNIONS)) == [str(joint.pk)]
    body = client.get(f"{UNIONS}{joint.pk}/").json()
    # The joint union covers two enterprises; HR of A is shown only its own.
    assert body["enterprise_count"] == 2
    assert [e["id"] for e in body["enterprises"]] == [str(ent_a.pk)]
    assert client.get(f"{UNIONS}{union_b.pk}/").status_code == 404
    # HR may not register unions.
    payload = {"name": "新工会", "kind": "enterprise", "enterprises": [str(ent_a.pk)]}
    assert client.post(UNIONS, payload, content_type=JSON).status_code == 403


def test_union_scopes(client, reader, api_client_factory, ent_a):
    _, other = api_client_factory(name="企业库系统", scopes=["enterprises:read"])
    response = client.get(UNIONS, **bearer(other))
    assert response.status_code == 403 and "unions:read" in response.json()["error"]["message"]
    payload = {"name": "甲公司工会", "kind": "enterprise", "enterprises": [str(ent_a.pk)]}
    response = client.post(UNIONS, payload, content_type=JSON, **bearer(reader))
    assert response.status_code == 403 and "unions:write" in response.json()["error"]["message"]
    assert not Union.objects.exists()


def test_union_list_query_count_does_not_grow_with_page_size(client, reader, federation):
    for i in range(60):
        UnionFactory(
            name=f"工会{i:02d}", kind="enterprise", parent=federation, enterprises=[EnterpriseFactory()]
        )
    auth = bearer(reader)
    client.get(UNIONS, **auth)
    with CaptureQueriesContext(connection) as small:
        r5 = client.get(UNIONS, {"page_size": 5}, **auth)
    with CaptureQueriesContext(connection) as large:
        r50 = client.get(UNIONS, {"page_size": 50}, **auth)
    assert len(r5.json()["results"]) == 5 and len(r50.json()["results"]) == 50
    assert all(len(row["enterprises"]) == 1 for row in r50.json()["results"] if row["kind"] == "enterprise")
    assert len(small.captured_queries) == len(large.captured_queries)


# Collective contracts -------------------------------------------------------------------------------


def today():
    return timezone.localdate()


def contract_payload(enterprise, **overrides):
    signed = today() - dt.timedelta(days=5)
    return {
        "enterprise": str(enterprise.pk),
        "kind": "wage",
        "title": "2026 年度工资专项集体合同",
        "employer_representative": "王强",
        "worker_representative": "李慕江",
        "signed_on": signed.isoformat(),
        "starts_on": signed.isoformat(),
        "ends_on": rules.add_years(signed, 2).isoformat(),
        "representatives_total": 30,
        "representatives_present": 25,
        "representatives_approving": 20,
        **overrides,
    }


def make_contract(enterprise, signed_days_ago=5, **fields):
    signed = today() - dt.timedelta(days=signed_days_ago)
    values = {
        "kind": "comprehensive",
        "title": "集体合同",
        "employer_representative": "王强",
        "worker_representative": "李慕江",
        "signed_on": signed,
        "starts_on": signed,
        "ends_on": rules.add_years(signed, 2),
        "representatives_total": 30,
        "representatives_present": 25,
        "representatives_approving": 20,
        **fields,
    }
    return CollectiveContract.objects.create(enterprise=enterprise, **values)


def test_failing_quorum_is_400_naming_the_rule(client, writer, ent_a):
    payload = contract_payload(ent_a, representatives_present=19, representatives_approving=19)
    response = client.post(CONTRACTS, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["representatives_present"][0]
    assert "two thirds" in message and "Provisions on Collective Contracts art. 36" in message
    assert not CollectiveContract.objects.exists()


def test_failing_majority_is_400_on_approving(client, writer, ent_a):
    payload = contract_payload(ent_a, representatives_present=25, representatives_approving=15)
    response = client.post(CONTRACTS, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "15 of 30" in fields["representatives_approving"][0]
    assert "representatives_present" not in fields


def test_term_longer_than_three_years_is_400(client, writer, ent_a):
    signed = today() - dt.timedelta(days=5)
    payload = contract_payload(ent_a, ends_on=rules.add_years(signed, 4).isoformat())
    response = client.post(CONTRACTS, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 400 and "art. 38" in response.json()["error"]["fields"]["ends_on"][0]


def test_create_contract_derives_state_vote_and_filing_due(client, writer, ent_a):
    union = UnionFactory(kind="enterprise", enterprises=[ent_a])
    response = client.post(CONTRACTS, contract_payload(ent_a), content_type=JSON, **bearer(writer))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enterprise"] == {"id": str(ent_a.pk), "name": ent_a.name, "uscc": ent_a.uscc}
    assert body["union"] == {"id": str(union.pk), "name": union.name}  # the covering union by default
    assert body["state"] == "awaiting_filing"
    assert body["vote"] == {"adopted": True, "quorum": True, "majority": True}
    signed = today() - dt.timedelta(days=5)
    assert body["filing_due"] == (signed + dt.timedelta(days=10)).isoformat()
    assert body["filed_late"] is False and body["effective_on"] is None


def test_file_then_object_then_refile(client, writer, ent_a):
    contract = make_contract(ent_a, signed_days_ago=5)
    url = f"{CONTRACTS}{contract.pk}/"
    filed = client.post(url + "file/", {"filed_on": today().isoformat()}, content_type=JSON, **bearer(writer))
    assert filed.status_code == 200, filed.content
    assert filed.json()["state"] == "under_review"
    assert filed.json()["effective_on"] == (today() + dt.timedelta(days=15)).isoformat()
    # Filing twice is refused; a filed contract can no longer be corrected.
    again = client.post(url + "file/", {"filed_on": today().isoformat()}, content_type=JSON, **bearer(writer))
    assert again.status_code == 400
    assert client.patch(url, {"title": "改"}, content_type=JSON, **bearer(writer)).status_code == 400

    no_note = client.post(
        url + "objection/",
        {"objection_on": today().isoformat(), "objection_note": " "},
        content_type=JSON,
        **bearer(writer),
    )
    assert no_note.status_code == 400 and "objection_note" in no_note.json()["error"]["fields"]
    objected = client.post(
        url + "objection/",
        {"objection_on": today().isoformat(), "objection_note": "工资增长条款低于当地最低工资标准"},
        content_type=JSON,
        **bearer(writer),
    )
    assert objected.status_code == 200, objected.content
    assert objected.json()["state"] == "objection" and objected.json()["effective_on"] is None
    assert objected.json()["objection_note"] == "工资增长条款低于当地最低工资标准"
    # After an objection the parties correct the text and file again.
    assert (
        client.patch(url, {"title": "修订后的集体合同"}, content_type=JSON, **bearer(writer)).status_code
        == 200
    )
    refiled = client.post(
        url + "file/", {"filed_on": today().isoformat()}, content_type=JSON, **bearer(writer)
    )
    assert refiled.status_code == 200 and refiled.json()["state"] == "under_review"
    assert refiled.json()["title"] == "修订后的集体合同"


def test_objection_to_an_unfiled_contract_is_refused(client, writer, ent_a):
    contract = make_contract(ent_a)
    response = client.post(
        f"{CONTRACTS}{contract.pk}/objection/",
        {"objection_on": today().isoformat(), "objection_note": "理由"},
        content_type=JSON,
        **bearer(writer),
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Only a filed contract can receive an objection."


def test_late_filing_and_in_force_state(client, writer, ent_a):
    contract = make_contract(ent_a, signed_days_ago=60)
    filed_on = today() - dt.timedelta(days=40)  # 20 days after signing: late (art. 42)
    response = client.post(
        f"{CONTRACTS}{contract.pk}/file/",
        {"filed_on": filed_on.isoformat()},
        content_type=JSON,
        **bearer(writer),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["filed_late"] is True
    assert body["state"] == "in_force"
    assert body["effective_on"] == (filed_on + dt.timedelta(days=15)).isoformat()


def test_filing_before_signing_is_400_on_filed_on(client, writer, ent_a):
    contract = make_contract(ent_a, signed_days_ago=5)
    response = client.post(
        f"{CONTRACTS}{contract.pk}/file/",
        {"filed_on": (today() - dt.timedelta(days=6)).isoformat()},
        content_type=JSON,
        **bearer(writer),
    )
    assert response.status_code == 400 and "filed_on" in response.json()["error"]["fields"]


def test_contract_list_filters_including_state(client, reader, ent_a, ent_b):
    awaiting = make_contract(ent_a, signed_days_ago=5, kind="wage")
    in_force = make_contract(
        ent_a,
        signed_days_ago=100,
        filed_on=today() - dt.timedelta(days=95),
        effective_on=today() - dt.timedelta(days=80),
    )
    objected = make_contract(
        ent_b,
        signed_days_ago=20,
        filed_on=today() - dt.timedelta(days=15),
        objection_on=today() - dt.timedelta(days=10),
        objection_note="理由",
    )
    expired = make_contract(
        ent_b,
        signed_days_ago=900,
        ends_on=today() - dt.timedelta(days=1),
        filed_on=today() - dt.timedelta(days=895),
        effective_on=today() - dt.timedelta(days=880),
    )
    auth = bearer(reader)

    def state(value):
        return ids(client.get(CONTRACTS, {"state": value}, **auth))

    assert state("awaiting_filing") == [str(awaiting.pk)]
    assert state("in_force") == [str(in_force.pk)]
    assert state("objection") == [str(objected.pk)]
    assert state("expired") == [str(expired.pk)]
    assert ids(client.get(CONTRACTS, **auth)) == [str(c.pk) for c in (awaiting, objected, in_force, expired)]
    rows = {r["id"]: r for r in client.get(CONTRACTS, **auth).json()["results"]}
    assert rows[str(expired.pk)]["state"] == "expired" and rows[str(objected.pk)]["state"] == "objection"
    assert set(ids(client.get(CONTRACTS, {"enterprise": str(ent_b.pk)}, **auth))) == {
        str(objected.pk),
        str(expired.pk),
    }
    assert ids(client.get(CONTRACTS, {"kind": "wage"}, **auth)) == [str(awaiting.pk)]
    after = (today() - dt.timedelta(days=30)).isoformat()
    assert set(ids(client.get(CONTRACTS, {"signed_after": after}, **auth))) == {
        str(awaiting.pk),
        str(objected.pk),
    }
    before = (today() - dt.timedelta(days=100)).isoformat()
    assert set(ids(client.get(CONTRACTS, {"signed_before": before}, **auth))) == {
        str(in_force.pk),
        str(expired.pk),
    }
    assert ids(client.get(CONTRACTS, {"ends_before": today().isoformat()}, **auth)) == [str(expired.pk)]
    assert client.get(CONTRACTS, {"state": "dormant"}, **auth).status_code == 400


def test_hr_records_own_contracts_but_not_filings(client, ent_hr_a, ent_a, ent_b):
    contract_b = make_contract(ent_b)
    client.force_login(ent_hr_a)
    response = client.post(CONTRACTS, contract_payload(ent_a), content_type=JSON, **EN)
    assert response.status_code == 201, response.content
    contract_id = response.json()["id"]
    # B does not exist for HR of A: not as a contract, not as an enterprise to record one for.
    assert client.get(f"{CONTRACTS}{contract_b.pk}/").status_code == 404
    response = client.post(CONTRACTS, contract_payload(ent_b), content_type=JSON)
    assert response.status_code == 400 and "enterprise" in response.json()["error"]["fields"]
    assert ids(client.get(CONTRACTS)) == [contract_id]
    # Filing and objections are acts of the HR bureau.
    response = client.post(
        f"{CONTRACTS}{contract_id}/file/", {"filed_on": today().isoformat()}, content_type=JSON
    )
    assert response.status_code == 403
    assert CollectiveContract.objects.get(pk=contract_id).filed_on is None


def test_union_official_records_contracts_of_covered_enterprises(client, ent_a, ent_b):
    union = UnionFactory(kind="enterprise", enterprises=[ent_a])
    official = user_with_role(Role.UNION_OFFICIAL, union.organisation)
    client.force_login(official)
    assert client.post(CONTRACTS, contract_payload(ent_a), content_type=JSON).status_code == 201
    assert client.post(CONTRACTS, contract_payload(ent_b), content_type=JSON).status_code == 400


def test_contract_scopes(client, reader, writer, ent_a):
    contract = make_contract(ent_a)
    response = client.post(CONTRACTS, contract_payload(ent_a), content_type=JSON, **bearer(reader))
    assert response.status_code == 403 and "unions:write" in response.json()["error"]["message"]
    response = client.post(
        f"{CONTRACTS}{contract.pk}/file/",
        {"filed_on": today().isoformat()},
        content_type=JSON,
        **bearer(reader),
    )
    assert response.status_code == 403
    # No PUT: corrections are PATCHes.
    assert (
        client.put(f"{CONTRACTS}{contract.pk}/", {}, content_type=JSON, **bearer(writer)).status_code == 405
    )
    assert client.get(f"{CONTRACTS}{contract.pk}/", **bearer(reader)).status_code == 200


def test_contract_list_query_count_does_not_grow_with_page_size(client, reader):
    for i in range(60):
        enterprise = EnterpriseFactory()
        UnionFactory(kind="enterprise", enterprises=[enterprise])
        make_contract(enterprise, signed_days_ago=i + 1, union=enterprise.union_coverage.union)
    auth = bearer(reader)
    client.get(CONTRACTS, **auth)
    with CaptureQueriesContext(connection) as small:
        r5 = client.get(CONTRACTS, {"page_size": 5}, **auth)
    with CaptureQueriesContext(connection) as large:
        r50 = client.get(CONTRACTS, {"page_size": 50}, **auth)
    assert len(r5.json()["results"]) == 5 and len(r50.json()["results"]) == 50
    assert all(row["union"] is not None for row in r50.json()["results"])
    assert len(small.captured_queries) == len(large.captured_queries)
