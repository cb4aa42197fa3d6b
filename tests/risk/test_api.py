"""`/api/v1/risk/`: list with the page's filters, one enterprise, its history; scope and area."""

import datetime as dt

import pytest

from apps.risk import services
from apps.risk.models import Level, RiskMonth

from .conftest import TODAY, give

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


@pytest.fixture
def scored(e1, e2):
    give(e1, ("test.complaint", 2))
    give(e2, ("test.collective", 2), ("test.complaint", 3))
    services.recompute(TODAY, notify_changes=False)
    return e1, e2


def test_list_detail_and_history(client, api_client_factory, scored):
    e1, e2 = scored
    _c, key = api_client_factory(scopes=["risk:read"])
    body = client.get("/api/v1/risk/", **bearer(key)).json()
    results = body["results"]
    assert [r["enterprise"]["id"] for r in results] == [str(e2.pk), str(e1.pk)]
    first = results[0]
    assert first["level"] == "serious" and first["score"] == 54 and first["town"] == e2.town.code
    assert first["signals"][0]["code"] == "test.collective" and first["signals"][0]["points"] == 30
    assert first["actors"] == ["union", "inspection"] and first["policy_version"] == 1
    assert "url" not in first["signals"][0]

    filtered = client.get("/api/v1/risk/", {"level": "watch"}, **bearer(key)).json()["results"]
    assert [r["enterprise"]["id"] for r in filtered] == [str(e1.pk)]
    by_signal = client.get("/api/v1/risk/", {"signal": "test.collective"}, **bearer(key)).json()["results"]
    assert [r["enterprise"]["id"] for r in by_signal] == [str(e2.pk)]

    detail = client.get(f"/api/v1/risk/{e1.pk}/", **bearer(key))
    assert detail.status_code == 200 and detail.json()["score"] == 16

    last = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    RiskMonth.objects.create(
        enterprise=e1, month=last, score=40, level=Level.WARNING, town=e1.town, policy_version=1
    )
    history = client.get(f"/api/v1/risk/{e1.pk}/history/", **bearer(key)).json()
    assert history["trend"] == "down"
    assert [(m["score"], m["level"]) for m in history["months"]] == [(40, "warning"), (16, "watch")]


def test_a_client_without_the_scope_is_refused(client, api_client_factory, scored):
    _c, key = api_client_factory(scopes=["enterprises:read"])
    assert client.get("/api/v1/risk/", **bearer(key)).status_code == 403


def test_an_area_client_sees_its_towns_only(client, api_client_factory, scored, town_a):
    e1, e2 = scored
    _c, key = api_client_factory(scopes=["risk:read"], area=town_a)
    results = client.get("/api/v1/risk/", **bearer(key)).json()["results"]
    assert [r["enterprise"]["id"] for r in results] == [str(e1.pk)]
    assert client.get(f"/api/v1/risk/{e2.pk}/", **bearer(key)).status_code == 404
    assert client.get(f"/api/v1/risk/{e2.pk}/history/", **bearer(key)).status_code == 404


def test_a_bad_filter_is_a_400(client, api_client_factory, scored):
    _c, key = api_client_factory(scopes=["risk:read"])
    assert client.get("/api/v1/risk/", {"level": "extreme"}, **bearer(key)).status_code == 400
    assert client.get("/api/v1/risk/", {"colour": "red"}, **bearer(key)).status_code == 400


def test_session_users_need_the_permission(client, scored, inspector_a):
    from apps.accounts.roles import Role
    from tests.factories import user_with_role

    e1, _ = scored
    client.force_login(inspector_a)
    assert [r["enterprise"]["id"] for r in client.get("/api/v1/risk/").json()["results"]] == [str(e1.pk)]
    client.force_login(user_with_role(Role.ENTERPRISE_HR, e1.organisation))
    assert client.get("/api/v1/risk/").status_code == 403
