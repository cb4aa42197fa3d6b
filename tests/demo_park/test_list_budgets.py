"""The lists of issues 17 and 19 on the demo park: each page shows many rows and its query count
stays within a budget that a query per row would break (a page of 25-50 rows)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User

#: (user, address, the least rows the demo park shows there, the most queries).
PAGES = [
    ("admin", "/risk/", 10, 16),
    ("admin", "/assistance/", 10, 16),
    ("admin", "/assistance/aid/", 10, 16),
    ("admin", "/assistance/candidates/", 1, 16),
    ("admin", "/legal-aid/", 10, 16),
    ("admin", "/appeals/", 10, 16),
    ("admin", "/unions/new-employment/", 10, 16),
    ("union", "/assistance/", 3, 18),
    ("union", "/legal-aid/", 1, 18),
    ("hr", "/appeals/", 3, 16),
]


@pytest.mark.parametrize(("username", "url", "rows", "budget"), PAGES, ids=[f"{u} {a}" for u, a, *_ in PAGES])
def test_list_pages_show_rows_without_a_query_per_row(demo_park, client, username, url, rows, budget):
    client.force_login(User.objects.get(username=username))
    client.get(url)  # warm the caches a first view fills
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr") - 1 >= rows, (url, "too few rows to tell")
    assert len(ctx.captured_queries) <= budget, (url, len(ctx.captured_queries))


BAD_PARAMS = {
    "status": "zzz",
    "level": "bogus",
    "town": "no-such",
    "kind": "<x>",
    "overdue": "maybe",
    "page": "abc",
    "cursor": "!!",
    "year": "19x9",
    "signal": "x" * 300,
    "industry": "??",
}


@pytest.mark.parametrize(
    "url",
    sorted(
        {url for _u, url, *_ in PAGES}
        | {
            "/unions/figures/",
            "/appeals/figures/",
            "/risk/chart/",
            "/risk/export.xlsx",
            "/appeals/export.xlsx",
            "/legal-aid/export.xlsx",
        }
    ),
)
def test_lists_answer_bad_parameters_without_a_server_error(demo_park, client, url):
    client.force_login(User.objects.get(username="admin"))
    response = client.get(url, BAD_PARAMS)
    assert response.status_code < 500, (url, response.status_code)
    assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
