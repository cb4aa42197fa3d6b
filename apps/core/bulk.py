"""Writing many rows at once: PostgreSQL's COPY ... FROM STDIN where it is available (the rows
stream to the server as they are made: several times faster than INSERT for thousands of rows),
Django's bulk_create elsewhere (SQLite for `make run`). Used by the contract filing and the audit
trail's bulk events.
"""

from __future__ import annotations

import functools
import json
import operator
import time

from django.db import connection, models
from django.utils import timezone

#: Field types whose Python value is written as the column stores it, as Django would write it;
#: any other field (JSON, the encrypted ID number, a file...) gives its `get_db_prep_save`.
_AS_IS = frozenset(
    {
        models.UUIDField,
        models.CharField,
        models.TextField,
        models.DateField,
        models.DateTimeField,
        models.BooleanField,
        models.DecimalField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.ForeignKey,
        models.OneToOneField,
    }
)


class Table:
    """A model's concrete fields in their order: instances built positionally, and the values of
    a row as its columns store them (for COPY)."""

    def __init__(self, model):
        self.model = model
        self.fields = tuple(model._meta.concrete_fields)
        self.attnames = tuple(f.attname for f in self.fields)
        self.pairs = tuple(zip(self.attnames, self.fields, strict=True))
        self.values_of = operator.attrgetter(*self.attnames)
        self.prepared = tuple(
            (i, _column_value(f)) for i, f in enumerate(self.fields) if type(f) not in _AS_IS
        )
        self.auto_now = frozenset(
            f.attname
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        )

    def args(self, values: dict) -> list:
        """The fields' values in their order from `values` by attribute name; a field not given
        takes its default (the time now for auto_now fields)."""
        return [values[a] if a in values else self._default(f) for a, f in self.pairs]

    def _default(self, model_field):
        return timezone.now() if model_field.attname in self.auto_now else model_field.get_default()

    def build(self, values: dict):
        """An unsaved instance (Model.__init__'s positional path: no keyword parsing)."""
        return self.model(*self.args(values))

    def column_values(self, values):
        """The fields' values in their order as the columns store them."""
        if not self.prepared:
            return values
        values = list(values)
        for i, prepare in self.prepared:
            values[i] = prepare(values[i])
        return values

    def copy_sql(self) -> str:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        return f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"


def _column_value(model_field):
    """How a field that is not written as it is gives its column's value: JSON as its text (what
    the field's Jsonb adapter would send), any other through the field's `get_db_prep_save`."""
    if type(model_field) is models.JSONField:
        dumps = functools.partial(json.dumps, cls=model_field.encoder) if model_field.encoder else json.dumps
        return lambda value: None if value is None else dumps(value)
    return lambda value: model_field.get_db_prep_save(value, connection)


@functools.cache
@functools.cache
def table(model) -> Table:
    """The model's `Table`, made once per process."""
    return Table(model)


def copies() -> bool:
    """Whether the database takes COPY ... FROM STDIN (PostgreSQL through psycopg)."""
    return connection.vendor == "postgresql"


def insert(model, items: list) -> None:
    """Insert `items` (instances built by `Table.build`, or the values of rows by attribute name)
    in one statement: COPY ... FROM STDIN on PostgreSQL (the rows stream to the server as they are
    made), bulk_create elsewhere (SQLite, `make run`). The COPY runs through the connection's
    execute wrappers and is logged with the queries when they are (tests, DEBUG): it counts as the
    one query it is. A unique or foreign key error is Django's IntegrityError, as with
    bulk_create. Instances written are saved instances afterwards."""
    if not items:
        return
    table_ = table(model)
    instances = not isinstance(items[0], dict)
    if not copies():
        model.objects.bulk_create(items if instances else [table_.build(v) for v in items], batch_size=1000)
        return
    if instances:
        if table_.auto_now:  # what pre_save would have set (bulk_create calls it; COPY does not)
            now = timezone.now()
            for obj in items:
                for attname in table_.auto_now:
                    if getattr(obj, attname) is None:
                        setattr(obj, attname, now)
        rows = (table_.column_values(table_.values_of(obj)) for obj in items)
    else:
        rows = (table_.column_values(table_.args(values)) for values in items)

    def copy(sql, params, many, context):
        with context["cursor"].cursor.copy(sql) as stream:
            for row in rows:
                stream.write_row(row)

    sql = table_.copy_sql()
    started = time.monotonic()
    with connection.cursor() as cursor:
        run = copy
        for wrapper in reversed(connection.execute_wrappers):
            run = functools.partial(wrapper, run)
        with connection.wrap_database_errors:
            run(sql, None, False, {"connection": connection, "cursor": cursor})
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(items)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    if instances:
        for obj in items:
            obj._state.adding = False
            obj._state.db = connection.alias
