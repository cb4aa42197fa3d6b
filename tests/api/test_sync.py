"""Incremental sync (issue 15, deliverable 3): every list of the router takes `updated_since` and
`ordering=updated_at` / `-updated_at` and walks by cursor, pages of up to 1,000 rows; a cursor
walk by update time meets every row while rows are inserted and updated between its pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.api.sync import sync_field
from apps.enterprises.models import Enterprise
from tests.factories import EnterpriseFactory

from .sync_data import API, client_with, list_routes, populate

pytestmark = pytest.mark.django_db

LISTS = list_routes()
#: Lists whose `ordering` is their own and does not take `updated_at`: none (the audit trail takes
#: it as `occurred_at`: an event never changes after it occurred).
OWN_ORDERING_ONLY: set[str] = set()
#: Lists `populate()` leaves empty (their rows take a whole procedure to make): checked all the same.
EMPTY_HERE = {
    "collective-contracts",
    "certification/applications",
    "certification/certificates",
    "inspection/wage-arrears-listings",
    "certification/rule-sets",  # made by a migration: gone once a transactional test flushed the database
}
FAR_PAST = "2000-01-01T00:00:00+08:00"
FAR_FUTURE = "2999-01-01T00:00:00Z"


def admin():
    from apps.accounts.roles import Role
    from apps.core.principal import principal_for_user
    from tests.factories import user_with_role

    return principal_for_user(user_with_role(Role.PARK_ADMIN))


def params_of(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query, keep_blank_values=True).items()}


def walk(client, url, **params):
    """Every page of a cursor walk: (the ids in order, the pages' bodies)."""
    ids, params = [], {"cursor": "", **params}
    while True:
        response = client.get(url, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids
        params = params_of(body["next"])


@pytest.fixture
def park(client):
    api_client = client_with(client)
    return populate(api_client)


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[prefix for prefix, _ in LISTS])
def test_every_list_takes_updated_since_and_the_updated_at_orderings(client, park, prefix, viewset):
    url = f"{API}{prefix}/"
    everything = client.get(url, {"page_size": 200})
    assert everything.status_code == 200, everything.json()
    count = everything.json()["count"]
    assert count > 0 or prefix in EMPTY_HERE, "populate() makes rows of this list"

    assert client.get(url, {"updated_since": FAR_PAST}).json()["count"] == count
    assert client.get(url, {"updated_since": FAR_FUTURE}).json()["count"] == 0

    if prefix in OWN_ORDERING_ONLY:
        return
    ascending = client.get(url, {"ordering": "updated_at", "page_size": 200})
    descending = client.get(url, {"ordering": "-updated_at", "page_size": 200})
    assert ascending.status_code == descending.status_code == 200, (ascending.json(), descending.json())
    rows = ascending.json()["results"]
    assert len(rows) == count
    # Each row carries its time of change, so a client keeps the last one it saw.
    assert all(("updated_at" in row or "occurred_at" in row) for row in rows), prefix
    if rows and "id" in rows[0]:
        ids = [row["id"] for row in rows]
        field = sync_field(viewset())  # `occurred_at` for the audit trail
        in_db = list(viewset.model.objects.filter(pk__in=ids).order_by(field, "pk").values_list("pk", field))
        assert ids == [str(pk) for pk, _at in in_db], "ordered by (updated_at, id)"
        assert [row["id"] for row in descending.json()["results"]] == ids[::-1]
        # From the middle row on: the rows changed at or after its update time, no other.
        pivot = in_db[len(in_db) // 2][1]
        since = client.get(url, {"updated_since": pivot.isoformat(), "ordering": "updated_at"}).json()
        assert [row["id"] for row in since["results"]] == [str(pk) for pk, at in in_db if at >= pivot]

    # A cursor walks the list by update time, both ways, and with the largest page.
    for ordering in ("updated_at", "-updated_at"):
        response = client.get(url, {"cursor": "", "ordering": ordering, "page_size": 1000})
        assert response.status_code == 200, response.json()
        assert len(response.json()["results"]) == count
    assert client.get(url, {"cursor": ""}).status_code == 200, "every list has a cursor"


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[prefix for prefix, _ in LISTS])
@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-03-01",  # a date alone
        "2026-03-01T08:00:00",  # no offset
        "2026-13-01T08:00:00Z",
        "",
        "0001-01-01T00:00:00+10:00",  # before year 1 in UTC
    ],
)
def test_a_malformed_updated_since_is_a_400_naming_it(client, prefix, viewset, value):
    client_with(client)
    response = client.get(f"{API}{prefix}/", {"updated_since": value})
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == ["updated_since"]


def test_updated_since_takes_the_offset_forms_and_an_unencoded_plus(client):
    client_with(client)
    old = EnterpriseFactory()
    Enterprise.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    new = EnterpriseFactory()
    url = f"{API}enterprises/"
    day_before = timezone.now() - dt.timedelta(days=1)
    for value in (
        day_before.isoformat(),  # +00:00
        day_before.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        day_before.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(),
    ):
        ids = [r["id"] for r in client.get(url, {"updated_since": value}).json()["results"]]
        assert ids == [str(new.pk)], value
    # `+08:00` written in an address without %2B arrives as a space: still read as the offset.
    raw = day_before.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    response = client.get(f"{url}?updated_since={raw}")
    assert [r["id"] for r in response.json()["results"]] == [str(new.pk)]


def test_an_update_moves_a_row_into_the_next_pull(client):
    """The nightly pull: keep the last `updated_at`, ask again from it; a row updated meanwhile (a
    status change included) comes again, the others do not."""
    client_with(client)
    rows = [EnterpriseFactory() for _ in range(3)]
    url = f"{API}enterprises/"
    first = client.get(url, {"ordering": "updated_at", "cursor": ""}).json()["results"]
    assert {r["id"] for r in first} == {str(e.pk) for e in rows}
    last = Enterprise.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    from apps.enterprises import services

    services.update_enterprise(admin(), rows[0], status="moved_out")
    later = client.get(url, {"ordering": "updated_at", "cursor": "", "updated_since": last.isoformat()})
    ids = [r["id"] for r in later.json()["results"]]
    # The row at `last` itself comes again (the bound is inclusive), then the updated one.
    assert ids[-1] == str(rows[0].pk)
    assert set(ids) <= {str(rows[0].pk), str(Enterprise.objects.get(updated_at=last).pk)}


def test_a_walk_by_update_time_meets_every_row_while_rows_are_inserted_and_updated(client):
    """Between pages, rows are inserted and updated (some already seen, some not yet): the walk
    sees every row at least once, and twice only a row updated after it was seen."""
    client_with(client)
    from apps.enterprises import services

    principal = admin()
    rows = [EnterpriseFactory() for _ in range(9)]
    url = f"{API}enterprises/"
    params = {"cursor": "", "ordering": "updated_at", "page_size": 3}
    seen, updated_after_seen, page = [], set(), 0
    while True:
        body = client.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        page += 1
        if page == 1:
            EnterpriseFactory()  # inserted during the walk: met at its end
            services.update_enterprise(principal, rows[0], employees=120)  # seen: comes again at the end
            updated_after_seen.add(str(rows[0].pk))
            not_yet = Enterprise.objects.exclude(pk__in=seen).order_by("updated_at", "pk").first()
            services.update_enterprise(principal, not_yet, employees=130)  # not seen yet: moves, met once
        elif page == 2:
            EnterpriseFactory()  # inserted during the walk: met at its end
            changed = Enterprise.objects.get(pk=seen[-1])
            services.update_enterprise(principal, changed, status="closed")
            updated_after_seen.add(seen[-1])
        if not body["next"]:
            break
        params = params_of(body["next"])
    every = {str(pk) for pk in Enterprise.objects.values_list("pk", flat=True)}
    assert len(every) == 11
    assert set(seen) == every, "no row is skipped"
    twice = {pk for pk in seen if seen.count(pk) > 1}
    assert twice == updated_after_seen, "a row repeats only if it was updated after it was seen"


def test_a_list_without_an_order_of_its_own_walks_by_update_time(client):
    """Without `ordering`, the cursor walks the list's keyset (contracts: newest start first) or,
    for a list that declares none (organisations), (updated_at, id)."""
    client_with(client)
    Organisation.objects.bulk_create(
        Organisation(name=f"组织{i}", kind=Organisation.Kind.PARK) for i in range(7)
    )
    url = f"{API}organisations/"
    ids = walk(client, url, page_size=3)
    assert len(ids) == len(set(ids)) == Organisation.objects.count()


def test_page_size_1000_with_a_cursor_200_with_page_numbers(client):
    client_with(client)
    Organisation.objects.bulk_create(
        Organisation(name=f"组织{i}", kind=Organisation.Kind.PARK) for i in range(1005)
    )
    url = f"{API}organisations/"
    body = client.get(url, {"cursor": "", "ordering": "updated_at", "page_size": 1000}).json()
    assert len(body["results"]) == 1000 and body["next"]
    rest = client.get(url, params_of(body["next"])).json()
    total = Organisation.objects.count()
    assert len(rest["results"]) == total - 1000 and rest["next"] is None
    assert len({r["id"] for r in body["results"] + rest["results"]}) == total
    assert len(client.get(url, {"page_size": 200}).json()["results"]) == 200
    for params in ({"page_size": 201}, {"page_size": 1000}, {"cursor": "", "page_size": 1001}):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert list(response.json()["error"]["fields"]) == ["page_size"]


def test_a_cursor_walks_no_order_but_its_own_or_update_time(client):
    client_with(client)
    EnterpriseFactory()
    response = client.get(f"{API}enterprises/", {"cursor": "", "ordering": "name"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["ordering"]
    response = client.get(f"{API}mediation/cases/", {"cursor": "", "ordering": "received_on"})
    assert response.status_code == 400


def test_the_lists_own_orderings_still_work(client):
    client_with(client)
    EnterpriseFactory(name="乙"), EnterpriseFactory(name="甲")
    names = [r["name"] for r in client.get(f"{API}enterprises/", {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)
    assert client.get(f"{API}organisations/", {"ordering": "-name"}).status_code == 200
    # DRF's ordering dropped an unknown field silently and sorted by the default: now a 400.
    response = client.get(f"{API}organisations/", {"ordering": "nonsense"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["ordering"]
    # A list without orderings of its own sorts only by update time; another value is not ignored.
    response = client.get(f"{API}inspection/cases/", {"ordering": "received_on"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["ordering"]
    assert client.get(f"{API}inspection/cases/", {"ordering": "-updated_at"}).status_code == 200
    # An ordering the endpoint declares itself (the audit trail's) is its own business.
    assert client.get(f"{API}audit/", {"ordering": "occurred_at"}).status_code == 200


def test_mediation_cases_take_updated_since_and_minus_updated_at(client, park):
    case = park["mediation_case"]
    url = f"{API}mediation/cases/"
    body = client.get(url, {"ordering": "-updated_at", "updated_since": FAR_PAST}).json()
    assert [r["id"] for r in body["results"]] == [str(case.pk)]
    ids = walk(client, url, ordering="updated_at", updated_since=case.updated_at.isoformat())
    assert ids == [str(case.pk)]


def test_the_schema_documents_updated_since_the_orderings_and_the_cursor_on_every_list():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for prefix, _viewset in LISTS:
        if prefix in OWN_ORDERING_ONLY:
            continue
        operation = schema["paths"][f"{API}{prefix}/"]["get"]
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert parameters["updated_since"]["schema"] == {"type": "string", "format": "date-time"}, prefix
        assert "cursor" in parameters, prefix
        ordering = parameters["ordering"]["schema"]
        values = ordering.get("enum") or ordering.get("items", {}).get("enum")
        if values is None:  # a free-text ordering (DRF's OrderingFilter): its description says it
            assert "`updated_at`" in parameters["ordering"]["description"], prefix
        else:
            assert {"updated_at", "-updated_at"} <= set(values), prefix
        assert "1,000" in parameters["page_size"]["description"], prefix


def test_an_offset_postgresql_would_refuse_is_read_in_utc(client):
    """Python parses offsets up to ±23:59, PostgreSQL takes ±15:59: the moment is sent in UTC (the
    schema fuzzer found a 500 with `+20:06`)."""
    client_with(client)
    EnterpriseFactory()
    response = client.get(f"{API}enterprises/", {"updated_since": "1998-05-19T21:55:11+20:06"})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
