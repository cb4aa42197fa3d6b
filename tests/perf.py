"""Guards of the district-scale work (docs/performance.md), for the tests of each module:

- `assert_served_by_index(queryset, table)`: on PostgreSQL, the plan of a list's main query (a
  page of it) reads `table` through an index and needs no sort, whatever the size of the test
  data: sequential scans and sorts are made a last resort for the EXPLAIN, so the plan shows
  whether an index *can* serve the query, as the planner will choose on a million rows.
- `queries_of(client, url)`: how many queries a page or endpoint runs, to assert that the count
  does not grow with the rows.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def assert_served_by_index(queryset, table: str, *, sorted_by_index: bool = True) -> str:
    """The query reads `table` through an index (and, if `sorted_by_index`, in the index's order)."""
    if connection.vendor != "postgresql":
        return ""
    plan = explain(queryset)
    assert f"Seq Scan on {table}" not in plan, f"no index serves this query on {table}:\n{plan}"
    if sorted_by_index:
        assert "Sort" not in plan or "Sort Key" not in plan, f"the order is not an index's:\n{plan}"
    return plan


def queries_of(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)
