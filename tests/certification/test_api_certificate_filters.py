"""`/api/v1/certification/certificates/` filters and an enterprise's current title by credit code
(issue 15, deliverable 8): filterable by enterprise, credit code, level, status, in force today and
a search; `certificates/current/?uscc=` answers the title in force today in one call, or a 404 that
says why, or a 400 for a malformed credit code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.certification import selectors, services
from apps.certification.models import Application, Certificate
from apps.core.principal import principal_for_user
from apps.enterprises.models import Enterprise
from tests.factories import EnterpriseFactory, TownFactory, valid_uscc

pytestmark = pytest.mark.django_db

CERTS = "/api/v1/certification/certificates/"
CURRENT = f"{CERTS}current/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
S = Certificate.Status


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def error(response, code):
    assert response.status_code == code, response.content
    return response.json()["error"]


def today():
    return timezone.localdate()


def title(enterprise, cert_round, code, number, *, issued_days_ago=30, valid_days=1000, status=S.VALID):
    rs = cert_round.rule_set
    level = rs.levels.get(code=code)
    app = Application.objects.create(
        round=cert_round, rule_set=rs, enterprise=enterprise, target_level=level, status="certified"
    )
    issued = today() - dt.timedelta(days=issued_days_ago)
    cert = Certificate.objects.create(
        number=number,
        application=app,
        enterprise=enterprise,
        level=level,
        round=cert_round,
        issuer=rs.issuer,
        issued_on=issued,
        valid_until=issued + dt.timedelta(days=valid_days),
    )
    if status != S.VALID:
        Certificate.objects.filter(pk=cert.pk).update(status=status, ended_on=today() - dt.timedelta(days=3))
    return cert


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="区政府采购系统", scopes=["certification:read"])[1]


@pytest.fixture
def park(cert_round, cert_admin):
    """Five enterprises: one holding A and AA (both in force), one whose title was revoked, one
    whose title expired yesterday (not yet marked lapsed), one whose title lapsed, one without."""
    holder = EnterpriseFactory(name="柳州和谐汽车配件有限公司")
    revoked = EnterpriseFactory(name="柳州撤销机械有限公司")
    expired = EnterpriseFactory(name="柳州过期电子有限公司")
    lapsed = EnterpriseFactory(name="柳州失效纺织有限公司")
    none = EnterpriseFactory(name="柳州未评物流有限公司")
    a = title(holder, cert_round, "A", "HX2024-A-0001", issued_days_ago=700)
    aa = title(holder, cert_round, "AA", "HX2026-AA-0002", issued_days_ago=20)
    gone = title(revoked, cert_round, "A", "HX2025-A-0003")
    services.revoke(principal_for_user(cert_admin), gone, "发生重大劳动保障违法行为")
    old = title(expired, cert_round, "A", "HX2023-A-0004", issued_days_ago=1096, valid_days=1095)
    dead = title(lapsed, cert_round, "A", "HX2023-A-0005", status=S.LAPSED)
    return {
        "holder": holder,
        "revoked": revoked,
        "expired": expired,
        "lapsed": lapsed,
        "none": none,
        "a": a,
        "aa": aa,
        "gone": gone,
        "old": old,
        "dead": dead,
    }


def numbers(client, key, params):
    response = client.get(CERTS, params, **bearer(key))
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["results"])


# Filters --------------------------------------------------------------------------------------------


def test_every_filter_narrows_the_list(client, reader, park):
    everything = numbers(client, reader, {})
    assert everything == sorted(c.number for c in Certificate.objects.all()) and len(everything) == 5
    holder = park["holder"]
    assert numbers(client, reader, {"enterprise": str(holder.pk)}) == ["HX2024-A-0001", "HX2026-AA-0002"]
    assert numbers(client, reader, {"uscc": holder.uscc}) == ["HX2024-A-0001", "HX2026-AA-0002"]
    assert numbers(client, reader, {"uscc": holder.uscc.lower()}) == ["HX2024-A-0001", "HX2026-AA-0002"]
    assert numbers(client, reader, {"uscc": park["none"].uscc}) == []
    assert numbers(client, reader, {"uscc": valid_uscc()}) == []  # a well-formed code of no enterprise
    assert numbers(client, reader, {"level": "AA"}) == ["HX2026-AA-0002"]
    assert numbers(client, reader, {"status": "revoked"}) == ["HX2025-A-0003"]
    assert numbers(client, reader, {"status": ["revoked", "lapsed"]}) == ["HX2023-A-0005", "HX2025-A-0003"]
    # Recorded as valid: the expired one too, until the daily job marks it; `in_force` says today.
    assert numbers(client, reader, {"status": "valid"}) == [
        "HX2023-A-0004",
        "HX2024-A-0001",
        "HX2026-AA-0002",
    ]
    assert numbers(client, reader, {"in_force": "true"}) == ["HX2024-A-0001", "HX2026-AA-0002"]
    assert numbers(client, reader, {"in_force": "false"}) == [
        "HX2023-A-0004",
        "HX2023-A-0005",
        "HX2025-A-0003",
    ]
    assert numbers(client, reader, {"search": "hx2025-a-0003"}) == ["HX2025-A-0003"]
    assert numbers(client, reader, {"search": "撤销机械"}) == ["HX2025-A-0003"]
    assert numbers(client, reader, {"search": park["expired"].uscc[:10]}) == ["HX2023-A-0004"]
    assert numbers(client, reader, {"uscc": holder.uscc, "level": "A", "in_force": "true"}) == [
        "HX2024-A-0001"
    ]


def test_bad_filter_values_are_a_400_naming_the_parameter(client, reader, park):
    for params, field in [
        ({"uscc": "91450200MA5K"}, "uscc"),  # too short
        ({"uscc": park["holder"].uscc[:17] + ("0" if park["holder"].uscc[17] != "0" else "1")}, "uscc"),
        ({"uscc": "9145020OMA5KXXXXX!"}, "uscc"),
        ({"enterprise": "not-an-id"}, "enterprise"),
        ({"enterprise": ""}, "enterprise"),
        ({"status": "expired"}, "status"),
        ({"in_force": "perhaps"}, "in_force"),
    ]:
        assert field in error(client.get(CERTS, params, **bearer(reader)), 400)["fields"], params


def test_an_area_restricted_client_filters_within_its_area(client, api_client_factory, park):
    holder = park["holder"]
    other_town = TownFactory()
    _, key = api_client_factory(name="另一镇系统", scopes=["certification:read"], area=other_town)
    assert numbers(client, key, {"uscc": holder.uscc}) == []
    assert error(client.get(CURRENT, {"uscc": holder.uscc}, **bearer(key)), 404)["code"] == "not_found"
    _, own = api_client_factory(name="本镇系统", scopes=["certification:read"], area=holder.town)
    assert numbers(client, own, {"uscc": holder.uscc}) == ["HX2024-A-0001", "HX2026-AA-0002"]


def test_a_detail_is_found_by_its_number(client, reader, park):
    """The filters are the list's: a detail is found by its number alone."""
    response = client.get(f"{CERTS}{park['gone'].number}/", **bearer(reader))
    assert response.status_code == 200 and response.json()["status"] == "revoked"


# The current title ----------------------------------------------------------------------------------


def test_the_current_title_by_credit_code(client, reader, park):
    holder = park["holder"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CURRENT, {"uscc": f" {holder.uscc.lower()} "}, **bearer(reader))
    assert response.status_code == 200, response.content
    body = response.json()
    # The highest level in force.
    assert body["number"] == "HX2026-AA-0002" and body["level"]["code"] == "AA"
    assert body["status"] == "valid" and body["valid_until"] == park["aa"].valid_until.isoformat()
    assert body["enterprise"]["id"] == str(holder.pk)
    assert body["verify_url"] == selectors.verification_url("HX2026-AA-0002")
    # The key, the enterprise, its certificates; no scan, no query per certificate.
    assert len(queries) <= 6, [q["sql"] for q in queries]


@pytest.mark.parametrize(
    ("who", "number", "word"),
    [
        ("revoked", "HX2025-A-0003", "revoked"),
        ("expired", "HX2023-A-0004", "expired"),
        ("lapsed", "HX2023-A-0005", "lapsed"),
    ],
)
def test_no_title_in_force_is_a_404_saying_what_became_of_the_last(client, reader, park, who, number, word):
    err = error(client.get(CURRENT, {"uscc": park[who].uscc}, **bearer(reader)), 404)
    assert err["code"] == "no_title"
    assert number in err["message"] and word in err["message"]


def test_an_enterprise_without_certificate_or_unknown(client, reader, park):
    err = error(client.get(CURRENT, {"uscc": park["none"].uscc}, **bearer(reader)), 404)
    assert err["code"] == "no_title" and "no certificate" in err["message"]
    err = error(client.get(CURRENT, {"uscc": valid_uscc()}, **bearer(reader)), 404)
    assert err["code"] == "not_found" and "credit code" in err["message"]


def test_a_malformed_credit_code_is_a_400(client, reader, park):
    for value in ("", "123", "91450200MA5K!@#$%^", "x" * 60):
        assert "uscc" in error(client.get(CURRENT, {"uscc": value}, **bearer(reader)), 400)["fields"], value
    assert "uscc" in error(client.get(CURRENT, **bearer(reader)), 400)["fields"]
    wrong_check = park["holder"].uscc[:17] + ("0" if park["holder"].uscc[17] != "0" else "1")
    assert "uscc" in error(client.get(CURRENT, {"uscc": wrong_check}, **bearer(reader)), 400)["fields"]


def test_who_may_ask(client, api_client_factory, park, ent_hr_a, cert_admin):
    _, other = api_client_factory(name="合同系统", scopes=["contracts:read"])
    assert error(client.get(CURRENT, {"uscc": park["holder"].uscc}, **bearer(other)), 403)
    assert error(client.get(CERTS, {"uscc": park["holder"].uscc}, **bearer(other)), 403)
    # A park administrator through the session; an enterprise's HR sees only its own enterprise.
    client.force_login(cert_admin)
    assert client.get(CURRENT, {"uscc": park["holder"].uscc}, **EN).status_code == 200
    client.force_login(ent_hr_a)
    assert error(client.get(CURRENT, {"uscc": park["holder"].uscc}, **EN), 404)["code"] == "not_found"


def test_the_look_up_reads_indexes(park):
    """The enterprise by its unique credit code, then its certificates by `(enterprise, status)`:
    no sequential scan of either table."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    holder = park["holder"]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for qs in (
                Enterprise.objects.filter(uscc=holder.uscc),
                Certificate.objects.filter(enterprise=holder).valid_on(today()),
                Certificate.objects.filter(enterprise__uscc=holder.uscc),
            ):
                sql, params = qs.query.sql_with_params()
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan" not in plan, plan
        finally:
            cursor.execute("RESET enable_seqscan")
