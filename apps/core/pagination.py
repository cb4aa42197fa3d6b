"""Paging through lists of any size without counting or scanning a million rows per request.

- **Counts** (`count_rows`): exact while the list holds at most `EXACT_COUNT_CAP` rows, found by
  counting at most one row more than that (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`); past it,
  PostgreSQL's planner estimate for the same query (EXPLAIN), shown as "about". A page never runs
  a `COUNT(*)` over the whole table.
- **Page numbers** (`CountingPaginator`): Django's paginator with that count. Fine for lists of
  tens of thousands of rows (the offset stays small enough).
- **Keyset pages** (`KeysetPaginator`): for tables of a million rows, "next" and "previous" carry
  the last row's ordering values (`?after=` / `?before=`), so the 20,000th page costs what the
  first does. The ordering must end with a unique column (the primary key) and be served by an
  index.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

#: Up to this many rows a list's count is exact; past it, an estimate shown as "about".
EXACT_COUNT_CAP = 10_000
#: From this offset on, a numbered page reads its keys first, then its rows (`CountingPaginator.page`).
DEFERRED_JOIN_FROM = 500


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows `queryset` returns (EXPLAIN, nothing is executed), or
    None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_rows(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(rows, exact): exact up to `cap` (EXACT_COUNT_CAP), else the planner's estimate (at least
    cap + 1)."""
    cap = EXACT_COUNT_CAP if cap is None else cap
    # Only the rows' keys: no joined columns to read (select_related) nor to compare (DISTINCT).
    if getattr(queryset, "_fields", None) is None:  # not already a `.values()` queryset
        queryset = queryset.select_related(None)
    keys = queryset.order_by().values("pk")
    bounded = keys[: cap + 1].count()
    if bounded <= cap:
        return bounded, True
    estimate = planner_estimate(keys)
    if estimate is None:
        return queryset.count(), True
    return max(estimate, cap + 1), False


class CountingPage(Page):
    def has_next(self):
        if self.paginator.count_is_estimate:  # the estimated end proves nothing: a full page may go on
            return len(self.object_list) == self.paginator.per_page
        return super().has_next()


class CountingPaginator(Paginator):
    """Django's paginator, counting with `count_rows`. `count_is_estimate` tells the template to
    say "about"; the last page number is then an estimate too (a page past the end is empty)."""

    def __init__(self, object_list, per_page, **kwargs):
        kwargs.setdefault("allow_empty_first_page", True)
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return count_rows(self.object_list)
        return len(self.object_list), True

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_estimate(self) -> bool:
        return not self._counted[1]

    def _get_page(self, *args, **kwargs):
        return CountingPage(*args, **kwargs)

    def validate_number(self, number):
        """With an estimated count the last page number is an estimate too: any page past the
        first is served (empty past the real end) rather than refused for lying past the estimate."""
        if not self.count_is_estimate:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(str(exc)) from exc
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        """Pages of a list with joins, and deep pages, read the page's keys first (only the table
        and what the filter and order need: an index walk), then those rows with their joins: the
        joins and annotations are computed for one page, not for every row before the offset or
        every row that matches before the sort."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        qs = self.object_list
        heavy = isinstance(qs, QuerySet) and bool(qs.query.select_related or qs.query.annotations)
        if isinstance(qs, QuerySet) and (heavy or bottom >= DEFERRED_JOIN_FROM):
            rows_are_values = getattr(qs, "_fields", None) is not None  # apps/contracts/api/rows.py
            keys = list(
                (qs if rows_are_values else qs.select_related(None)).values_list("pk", flat=True)[bottom:top]
            )
            found = {(obj["id"] if rows_are_values else obj.pk): obj for obj in qs.filter(pk__in=keys)}
            return self._get_page([found[k] for k in keys if k in found], number, self)
        if self.count_is_estimate:  # Django would cut the page at the estimated end
            return self._get_page(list(qs[bottom:top]), number, self)
        return super().page(number)


def paginate(request, queryset, per_page: int) -> Page:
    """The page of `?page=` (first page on junk, last page past the end) with a bounded count."""
    return CountingPaginator(queryset, per_page).get_page(request.GET.get("page"))


# --- Keyset pages -----------------------------------------------------------------------------------


class InvalidCursor(ValueError):
    """A cursor that was not made by this paginator (or by another ordering)."""


def _encode_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time | uuid.UUID | Decimal):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


@dataclass
class KeysetPage:
    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_is_estimate: bool
    per_page: int
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


class KeysetPaginator:
    """Pages of `queryset` in `ordering` (e.g. ``["-start", "-created_at", "-pk"]``; the last field
    must be unique), reached by cursors instead of offsets. A cursor is the ordering values of the
    row at the edge of the page, base64-encoded JSON: it reveals only what the page shows."""

    def __init__(self, queryset: QuerySet, ordering: list[str], per_page: int):
        if not ordering or ordering[-1].lstrip("-") not in {"pk", "id"}:
            raise ValueError("a keyset ordering must end with the primary key")
        self.queryset = queryset
        self.ordering = ordering
        self.per_page = per_page
        self.model = queryset.model

    # Cursors -------------------------------------------------------------------------------------

    def _field_names(self):
        return [f.lstrip("-") for f in self.ordering]

    def _values(self, obj) -> list:
        values = []
        for name in self._field_names():
            attr = self.model._meta.pk.attname if name == "pk" else name
            if isinstance(obj, dict):  # a `.values()` page (apps/contracts/api/rows.py)
                value = obj[attr]
            else:
                value = obj
                for part in attr.split("__"):
                    value = getattr(value, part)
            values.append(_encode_value(value))
        return values

    def encode(self, obj) -> str:
        raw = json.dumps(self._values(obj), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> list:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw)
        except (ValueError, TypeError) as exc:
            raise InvalidCursor(cursor) from exc
        names = self._field_names()
        if not isinstance(values, list) or len(values) != len(names):
            raise InvalidCursor(cursor)
        parsed = []
        for name, value in zip(names, values, strict=True):
            model_field = self._model_field(name)
            try:
                parsed.append(None if value is None else model_field.to_python(value))
            except Exception as exc:  # noqa: BLE001 - any junk in a cursor is an invalid cursor
                raise InvalidCursor(cursor) from exc
        return parsed

    def _model_field(self, name):
        if name == "pk":
            return self.model._meta.pk
        model, field_ = self.model, None
        for part in name.split("__"):
            field_ = model._meta.get_field(part)
            model = getattr(field_, "related_model", None) or model
        return field_

    # Queries -------------------------------------------------------------------------------------

    def _after(self, queryset, values, ordering):
        """`queryset` narrowed to the rows strictly after `values` in `ordering`. When every field
        sorts the same way this is one row comparison, `(a, b, id) < (x, y, z)`, which PostgreSQL
        answers from the index; mixed directions need the expanded form
        (a > x) OR (a = x AND b > y) OR ..."""
        directions = {spec.startswith("-") for spec in ordering}
        if len(directions) == 1 and all("__" not in spec for spec in ordering):
            table = self.model._meta.db_table
            connection = connections[queryset.db]
            quote = connection.ops.quote_name
            columns = ", ".join(
                f"{quote(table)}.{quote(self._model_field(spec.lstrip('-')).column)}" for spec in ordering
            )
            marks = ", ".join(["%s"] * len(values))
            op = "<" if directions == {True} else ">"
            model_fields = [self._model_field(spec.lstrip("-")) for spec in ordering]
            params = [f.get_db_prep_value(v, connection) for f, v in zip(model_fields, values, strict=True)]
            return queryset.extra(where=[f"({columns}) {op} ({marks})"], params=params)  # noqa: S610
        condition = Q(pk__in=[])
        equal = Q()
        for spec, value in zip(ordering, values, strict=True):
            name = spec.lstrip("-")
            op = "lt" if spec.startswith("-") else "gt"
            condition |= equal & Q(**{f"{name}__{op}": value})
            equal &= Q(**{name: value})
        return queryset.filter(condition)

    @staticmethod
    def _reverse(ordering):
        return [f[1:] if f.startswith("-") else f"-{f}" for f in ordering]

    def page(self, *, after: str | None = None, before: str | None = None) -> KeysetPage:
        count, exact = count_rows(self.queryset)
        if before:
            values = self.decode(before)
            reverse = self._reverse(self.ordering)
            rows = list(self._after(self.queryset, values, reverse).order_by(*reverse)[: self.per_page + 1])
            has_previous = len(rows) > self.per_page
            rows = list(reversed(rows[: self.per_page]))
            has_next = True
        else:
            qs = self.queryset.order_by(*self.ordering)
            if after:
                qs = self._after(qs, self.decode(after), self.ordering)
            rows = list(qs[: self.per_page + 1])
            has_next = len(rows) > self.per_page
            rows = rows[: self.per_page]
            has_previous = bool(after)
        return KeysetPage(
            object_list=rows,
            has_next=has_next and bool(rows),
            has_previous=has_previous and bool(rows),
            next_cursor=self.encode(rows[-1]) if rows and has_next else None,
            previous_cursor=self.encode(rows[0]) if rows and has_previous else None,
            count=count,
            count_is_estimate=not exact,
            per_page=self.per_page,
        )
