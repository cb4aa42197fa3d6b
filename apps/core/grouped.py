"""Grouped reads for the modules' risk signals (issue 17, `apps.core.facts`): how many records each
enterprise has and the date of the newest (one GROUP BY), and the newest record of each enterprise
(one query: DISTINCT ON on PostgreSQL, one ordered pass elsewhere, e.g. SQLite under `make run`).

Never a query per enterprise: the risk job reads 20,000 enterprises at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator

from django.db import connections
from django.db.models import Count, Max, QuerySet
from django.urls import reverse

#: Stands for the varying argument of a path built once for thousands of rows (`path_maker`).
PLACEHOLDER = uuid.UUID(int=0)


def path_maker(viewname: str, *args, placeholder=PLACEHOLDER) -> Callable[[object], str]:
    """A function of one value giving `reverse(viewname, args)` with `placeholder` (an argument
    of `args`) replaced by that value: one `reverse` for a whole list of signals."""
    path = reverse(viewname, args=args)
    head, marker, tail = path.partition(str(placeholder))
    if not marker:
        raise ValueError(f"{placeholder} is not in the path of {viewname}")
    return lambda value: f"{head}{value}{tail}"


def for_enterprises(qs: QuerySet, key: str, enterprise_ids: Iterable | None) -> QuerySet:
    """`qs` limited to the given enterprises (all when None); `key` is the path to the enterprise."""
    if enterprise_ids is None:
        return qs
    return qs.filter(**{f"{key}__in": list(enterprise_ids)})


def counts_and_last(qs: QuerySet, key: str, date_field: str) -> dict:
    """{enterprise id: (records, newest date)} in one grouped query (rows without an enterprise
    are left out)."""
    rows = (
        qs.filter(**{f"{key}__isnull": False})
        .order_by()
        .values(key)
        .annotate(n=Count("pk"), last=Max(date_field))
        .values_list(key, "n", "last")
    )
    return {ent: (n, last) for ent, n, last in rows}


def newest(qs: QuerySet, key: str, date_field: str, fields: Iterable[str] = ()) -> dict:
    """{enterprise id: the newest row as a dict of `pk`, `date_field` and `fields`} in one query.
    PostgreSQL picks one row per enterprise (DISTINCT ON); a database without it reads the rows
    in order and keeps the first of each enterprise."""
    qs = qs.filter(**{f"{key}__isnull": False})
    columns = list(dict.fromkeys([key, "pk", date_field, *fields]))
    ordered = qs.order_by(key, f"-{date_field}", "-pk")
    if connections[qs.db].features.can_distinct_on_fields:
        return {row[key]: row for row in ordered.distinct(key).values(*columns)}
    found: dict = {}
    for row in ordered.values(*columns).iterator(chunk_size=2000):
        found.setdefault(row[key], row)
    return found


def grouped(qs: QuerySet, key: str, date_field: str, fields: Iterable[str] = ()) -> Iterator[tuple]:
    """(enterprise id, records, newest date, newest row) for every enterprise with records: two
    queries whatever the number of enterprises."""
    figures = counts_and_last(qs, key, date_field)
    if not figures:
        return
    rows = newest(qs, key, date_field, fields)
    for ent, (n, last) in figures.items():
        yield ent, n, last, rows.get(ent, {})
