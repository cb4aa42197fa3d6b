"""`GET /api/v1/audit/` (issue 15, item 10): the audit trail for clients with `audit:read` and for
signed-in park administrators; filters by object, action, actor, time and request id; cursor pages
(keyset on occurred_at, id); before/after only with `personal_data:read`, ID numbers masked even
then; area-restricted clients refused; reporters never served."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.accounts.scopes import AUDIT_SCOPE, SCOPES
from apps.accounts.services import create_api_client
from apps.audit.models import AUDIT_READ_SCOPE, AuditEvent
from apps.audit.selectors import events_for_api
from apps.core.models import Area
from apps.core.principal import principal_for_api_client
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/"
ID_NUMBER = "450205199003070018"
BASE = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))
#: The trail's events (the API clients made by the tests add events of their own).
CONTRACTS = {"object_type": "contracts.labourcontract"}


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def make_client(scopes=("audit:read",), area=None, name="区审计系统"):
    with transaction.atomic():
        return create_api_client(name=name, scopes=list(scopes), area=area)


@contextmanager
def at(moment, monkeypatch):
    """`occurred_at` is set on insert (auto_now_add): write the event at `moment`."""
    with monkeypatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: moment)
        yield


def event(monkeypatch, minutes, **fields):
    defaults = {
        "action": "contracts.file",
        "actor_label": "hr",
        "object_type": "contracts.labourcontract",
        "object_id": "c-1",
        "object_repr": "张三",
        "request_id": "req-1",
    }
    with at(BASE + dt.timedelta(minutes=minutes), monkeypatch):
        return AuditEvent.objects.create(**{**defaults, **fields})


@pytest.fixture
def trail(monkeypatch):
    """Ten events over ten minutes on three objects, by two actors, in two requests."""
    rows = []
    for n in range(10):
        rows.append(
            event(
                monkeypatch,
                n,
                object_id=f"c-{n % 3}",
                action="contracts.file" if n % 2 else "contracts.terminate",
                actor_label="hr" if n < 5 else "api:区人社局系统",
                request_id=f"req-{n // 5}",
                before={"status": "in_force"},
                after={"status": "ended", "id_number": ID_NUMBER, "note": f"身份证 {ID_NUMBER}"},
                ip_address="10.0.0.7",
                note=f"更正 {ID_NUMBER}",
            )
        )
    return rows


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_scope_exists_and_is_the_one_the_audit_app_reads():
    assert AUDIT_SCOPE == AUDIT_READ_SCOPE and AUDIT_SCOPE in SCOPES


def test_newest_first_with_cursor_pages_that_walk_everything(client, trail):
    _, key = make_client()
    response = client.get(URL, {"page_size": 4, **CONTRACTS}, **bearer(key))
    first = ids(response)
    assert first == [str(e.pk) for e in reversed(trail)][:4]
    walked = list(first)
    next_url = response.json()["next"]
    while next_url:
        # An event written during the walk (newer than the first page) never shows up nor shifts it.
        AuditEvent.objects.create(action="late", actor_label="x", object_type="x", object_id="y")
        response = client.get(next_url, **bearer(key))
        walked += ids(response)
        next_url = response.json()["next"]
    assert walked == [str(e.pk) for e in reversed(trail)]


def test_oldest_first_on_request(client, trail):
    _, key = make_client()
    assert ids(client.get(URL, {"ordering": "occurred_at", "page_size": 3, **CONTRACTS}, **bearer(key))) == [
        str(e.pk) for e in trail[:3]
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"object_type": "contracts.labourcontract", "object_id": "c-1"}, [1, 4, 7]),
        ({"action": "contracts.file"}, [1, 3, 5, 7, 9]),
        ({"actor": "hr"}, [0, 1, 2, 3, 4]),
        ({"since": "2026-03-01T09:07:00+08:00"}, [7, 8, 9]),
        ({"until": "2026-03-01T09:02:00+08:00"}, [0, 1]),
        ({"request_id": "req-1", "action": "contracts.terminate"}, [6, 8]),
        ({"object_type": "mediation.case"}, []),
        ({"object_type": "contracts.labourcontract", "object_id": "nope"}, []),
    ],
)
def test_filters(client, trail, params, expected):
    _, key = make_client()
    got = ids(client.get(URL, {**CONTRACTS, **params, "ordering": "occurred_at"}, **bearer(key)))
    assert got == [str(trail[n].pk) for n in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"object_id": "c-1"}, "object_id"),
        ({"since": "yesterday"}, "since"),
        ({"until": ""}, "until"),
        ({"ordering": "action"}, "ordering"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, trail, params, field):
    _, key = make_client()
    response = client.get(URL, params, **bearer(key))
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_without_personal_data_read_no_snapshot_nor_address(client, trail):
    _, key = make_client(scopes=["audit:read"])
    row = client.get(URL, {"page_size": 1, **CONTRACTS}, **bearer(key)).json()["results"][0]
    assert row["before"] is None and row["after"] is None and row["ip_address"] is None
    assert row["changed_fields"] == ["id_number", "note", "status"]
    assert ID_NUMBER not in str(row)


def test_with_personal_data_read_snapshots_come_with_id_numbers_masked(client, trail):
    _, key = make_client(scopes=["audit:read", "personal_data:read"])
    response = client.get(URL, {"page_size": 1, **CONTRACTS}, **bearer(key))
    row = response.json()["results"][0]
    assert row["before"] == {"status": "in_force"}
    assert row["after"]["status"] == "ended"
    assert row["after"]["id_number"] == "4502**********0018"
    assert row["ip_address"] == "10.0.0.7"
    assert ID_NUMBER not in response.content.decode()
    assert {"actor", "action", "object_type", "object_id", "request_id", "occurred_at"} <= set(row)


def test_a_client_without_the_scope_is_403(client, trail):
    _, key = make_client(scopes=["organisations:read", "personal_data:read"])
    response = client.get(URL, **bearer(key))
    assert response.status_code == 403
    assert "audit:read" in response.json()["error"]["message"]


def test_an_area_restricted_client_is_refused_with_a_reason(client, trail):
    area = Area.objects.create(name="柳东新区", code="450271", kind=Area.Kind.DISTRICT)
    with transaction.atomic():
        api, key = create_api_client(name="区系统", scopes=["organisations:read"], area=area)
    # The services refuse the combination; a client given it another way is still refused.
    type(api).objects.filter(pk=api.pk).update(scopes=["audit:read"])
    api.refresh_from_db()
    response = client.get(URL, **bearer(key))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"
    assert not events_for_api(principal_for_api_client(api)).exists()


def test_park_administrators_read_it_signed_in_and_see_snapshots(client, park_admin, trail):
    client.force_login(park_admin)
    response = client.get(URL, {"page_size": 2, **CONTRACTS})
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["after"]["id_number"] == "4502**********0018"


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_other_signed_in_roles_are_refused(client, role, trail):
    client.force_login(user_with_role(role))
    assert client.get(URL).status_code == 403


def test_reporters_are_never_served(client, trail, monkeypatch):
    event(monkeypatch, 30, object_type="inspection.reporter", object_id="r-1", after={"name": "举报人"})
    _, key = make_client(scopes=["audit:read", "personal_data:read"])
    response = client.get(URL, {"object_type": "inspection.reporter", "object_id": "r-1"}, **bearer(key))
    assert ids(response) == []
    assert "举报人" not in client.get(URL, **bearer(key)).content.decode()


def test_writes_through_the_api_are_found_by_request_id(client):
    """An API client's own write is in the trail under the request id it was answered with."""
    _, reader = make_client(scopes=["audit:read"])
    with transaction.atomic():
        _, writer_key = create_api_client(name="写入系统", scopes=["enterprises:write", "enterprises:read"])
    from tests.factories import AreaFactory, valid_uscc

    town = AreaFactory()
    response = client.post(
        "/api/v1/enterprises/",
        {
            "uscc": valid_uscc(),
            "name": "柳州丙科技有限公司",
            "town": town.code,
            "industry": "C",
            "ownership": "private",
        },
        content_type="application/json",
        **bearer(writer_key),
    )
    assert response.status_code == 201, response.content
    rows = client.get(URL, {"request_id": response["X-Request-ID"]}, **bearer(reader)).json()["results"]
    assert rows and all(r["actor"] == "api:写入系统" for r in rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_object_filter_is_served_by_the_object_index(trail):
    _, _key = make_client()
    from apps.accounts.models import ApiClient

    principal = principal_for_api_client(ApiClient.objects.get(name="区审计系统"))
    qs = (
        events_for_api(principal)
        .filter(object_type="contracts.labourcontract", object_id="c-1")
        .order_by("-occurred_at", "-id")[:51]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "audit_audit_object__3a368e_idx" in plan, plan


def test_the_sync_parameters_of_every_list_work_here_too(client, trail):
    _, key = make_client()
    oldest_first = ids(
        client.get(URL, {**CONTRACTS, "ordering": "updated_at", "page_size": 3}, **bearer(key))
    )
    assert oldest_first == [str(e.pk) for e in trail[:3]]
    since = ids(client.get(URL, {**CONTRACTS, "updated_since": "2026-03-01T01:08:00Z"}, **bearer(key)))
    assert since == [str(trail[9].pk), str(trail[8].pk)]
    response = client.get(URL, {"objet_type": "x"}, **bearer(key))  # a typo is not ignored
    assert response.status_code == 400 and "objet_type" in response.json()["error"]["fields"]


def test_since_and_until_with_an_offset_postgresql_refuses_are_read_in_utc(client, api_client_factory):
    """`+20:00` parses in Python but not in PostgreSQL (the schema fuzzer found a 500)."""
    _client, key = api_client_factory(name="audit-offsets", scopes=["audit:read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.get("/api/v1/audit/", {"since": "2740-12-11T07:39:53.75+20:00"}, **auth)
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    response = client.get("/api/v1/audit/", {"until": "0001-01-01T00:00:00+10:00"}, **auth)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["until"]
