"""What every phase of the district-scale data set shares: the deterministic random helpers and
the PostgreSQL COPY writer.

Rows are dicts keyed by the model's attribute names (``enterprise_id``, not ``enterprise``); a
`Table` fills in what a row leaves out as the model would (the field's default, an empty string
for text, NULL where the field allows it, "now" for the timestamps), converts JSON, and writes its
buffer with ``COPY ... FROM STDIN`` through psycopg 3 whenever it holds `CHUNK` rows. Primary keys
are UUIDs drawn from the phase's own random generator, so foreign keys are set without reading
anything back and the same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import random
import uuid
from collections import Counter

from django.db import connection, models
from django.utils import timezone

DAY = dt.timedelta(days=1)
#: Rows buffered per table before a COPY.
CHUNK = 50_000


class Rng(random.Random):
    """`random.Random` with the few draws every phase needs."""

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.getrandbits(128), version=4)

    def day(self, low: dt.date, high: dt.date) -> dt.date:
        if high <= low:
            return low
        return low + dt.timedelta(days=self.randint(0, (high - low).days))

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.choices(values, weights=weights)[0]


class Clock:
    """Today, now and moments on a given day in the park's time zone, never in the future."""

    def __init__(self, today: dt.date | None = None):
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = today or timezone.localdate()

    def at(self, rng: random.Random, day: dt.date, hours=(8, 17)) -> dt.datetime:
        when = dt.datetime.combine(
            day, dt.time(rng.randint(*hours), rng.randint(0, 59), rng.randint(0, 59)), self.tz
        )
        limit = self.now - dt.timedelta(minutes=5)
        return when if when < limit else limit - dt.timedelta(seconds=rng.randint(0, 3600))


def years_later(day: dt.date, years: int) -> dt.date:
    """The last day of a period of `years` years from `day` (both counted), as
    `apps.contracts.rules.months_later`."""
    from apps.contracts.rules import months_later

    return months_later(day, 12 * years)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Table:
    """Buffered COPY of one model's rows (see the module's docstring)."""

    def __init__(self, model: type[models.Model], *, chunk: int = CHUNK, now: dt.datetime | None = None):
        self.model = model
        self.chunk = chunk
        #: Auto-increment keys are left to the table's sequence, generated columns to the database.
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField)) and not f.generated
        ]
        self.sorted = self.fields[0].primary_key
        self.attnames = [f.attname for f in self.fields]
        self.json = [i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"]
        now = now or timezone.now()
        self.defaults = [self._default(f, now) for f in self.fields]
        self.rows: list[list] = []
        self.count = 0

    @staticmethod
    def _default(field, now):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.primary_key:
            return None  # always given
        if field.has_default() and not callable(field.default):
            return field.default
        if field.has_default() and field.default in (list, dict):
            return field.default()
        if field.null:
            return None
        if isinstance(field, models.CharField | models.TextField | models.FileField):
            return ""
        return None

    def make(self, row: dict) -> list:
        """The row as a list in column order (defaults filled in), to be changed before writing."""
        get = row.get
        return [get(a, d) for a, d in zip(self.attnames, self.defaults, strict=True)]

    def add(self, row: dict) -> None:
        self.rows.append(self.make(row))
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        for i in self.json:
            for r in rows:
                r[i] = json.dumps(r[i], ensure_ascii=False)
        if self.sorted:  # primary-key order: the key's index grows at its end
            rows.sort(key=operator.itemgetter(0))
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        sql = f"COPY {qn(self.model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for r in rows:
                copy.write_row(r)
        self.count += len(rows)


class Tables:
    """The tables of one phase: `tables[Model].add(row)`, `tables.flush()` at the end."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self._tables: dict[type, Table] = {}
        self.counts: Counter = Counter()

    def __getitem__(self, model) -> Table:
        if model not in self._tables:
            self._tables[model] = Table(model, now=self.now)
        return self._tables[model]

    def flush(self) -> Counter:
        for model, table in self._tables.items():
            table.flush()
            self.counts[model._meta.label] = table.count
        return self.counts
