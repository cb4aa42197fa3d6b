"""The district-scale data set (`manage.py seed_scale`): a realistic district of 20,000
enterprises with a million labour contracts, a hundred thousand mediation cases and four rounds of
harmony certification, built fast enough to measure the platform against (docs/performance.md,
"District-scale data set").

Unlike the demo park (`seed_demo`, idempotent, a few hundred enterprises), this builds a whole
database at once: it refuses a database that already has enterprises unless told to reset it, and
writes with PostgreSQL's COPY. Every count of `COUNTS` is multiplied by the scale (at least 1);
the same seed and scale give the same rows (the encrypted ID numbers aside: their tokens carry a
random IV, the numbers and hashes are the same).

Phases, each in its own transaction (foreign keys checked at its end):
1. registry (`registry`): towns, authorities, enterprises and surveys, unions, logins;
2. contracts (`contracts`): workers, contracts, e-signatures, history;
3. mediation (`mediation`): organisations, mediators, cases with applicants and history;
4. certification (`certification`): rounds, applications, notices, certificates;
then ANALYZE.
"""

from __future__ import annotations

import time
from collections import Counter

from django.apps import apps as django_apps
from django.db import connection, transaction

from apps.core.context import acting_as

from . import certification, contracts, mediation, registry
from .base import Clock, Rng, Tables

#: The counts at scale 1.0.
COUNTS = {
    "enterprises": 20_000,
    "contracts": 1_062_987,
    "workers": 685_050,
    "esignatures": 623_834,
    "cases": 100_000,
    "applications": 19_036,
}
#: Apps whose tables the data set fills (and `--reset` empties), and the tables it keeps: the rule
#: set, the contract policy and the union targets the migrations create.
APPS = (
    "core",
    "accounts",
    "audit",
    "notifications",
    "documents",
    "enterprises",
    "unions",
    "contracts",
    "mediation",
    "certification",
)
KEEP = {
    "core.calendaroverride",
    "contracts.contractpolicy",
    "unions.uniontarget",
    "certification.ruleset",
    "certification.level",
    "certification.vetorule",
    "certification.category",
    "certification.item",
}


def counts_for(scale: float) -> dict[str, int]:
    counts = {name: max(1, round(n * scale)) for name, n in COUNTS.items()}
    counts["contracts"] = max(counts["contracts"], 2 * counts["enterprises"])
    counts["workers"] = max(counts["enterprises"], min(counts["workers"], counts["contracts"]))
    counts["esignatures"] = min(counts["esignatures"], counts["contracts"])
    return counts


def tables() -> list[str]:
    out = []
    for label in APPS:
        for model in django_apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower not in KEEP and not model._meta.proxy:
                out.append(model._meta.db_table)
    return out


def reset() -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in tables())} CASCADE")


def _check_constraints() -> None:
    """Run the deferred foreign-key checks of the phase now (also inside a test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def build(*, scale: float, seed: int, stdout, reset_first: bool = False) -> dict:
    counts = counts_for(scale)
    clock = Clock()
    timings: dict[str, float] = {}
    written: Counter = Counter()

    def phase(name):
        return Rng(f"{seed}-{name}")

    with acting_as("command:seed_scale"):
        started = time.monotonic()
        if reset_first:
            with transaction.atomic():
                reset()
            timings["reset"] = time.monotonic() - started

        t = time.monotonic()
        with transaction.atomic():
            enterprises = registry.plan(phase("plan"), clock, counts)
            t_reg = Tables(clock.now)
            context = registry.build(phase("registry"), clock, t_reg, enterprises, stdout)
            written.update(t_reg.flush())
            _check_constraints()
        timings["registry"] = time.monotonic() - t
        stdout.write(f"  registry: {timings['registry']:.1f} s")

        t = time.monotonic()
        with transaction.atomic():
            contracts.build(phase("contracts"), clock, enterprises, counts, stdout)
            _check_constraints()
        timings["contracts"] = time.monotonic() - t
        stdout.write(f"  contracts: {timings['contracts']:.1f} s")

        t = time.monotonic()
        with transaction.atomic():
            t_med = Tables(clock.now)
            mediation.build(phase("mediation"), clock, t_med, enterprises, context, counts, stdout)
            written.update(t_med.flush())
            _check_constraints()
        timings["mediation"] = time.monotonic() - t
        stdout.write(f"  mediation: {timings['mediation']:.1f} s")

        t = time.monotonic()
        with transaction.atomic():
            t_cert = Tables(clock.now)
            certification.build(phase("certification"), clock, t_cert, enterprises, context, counts, stdout)
            written.update(t_cert.flush())
            _check_constraints()
        timings["certification"] = time.monotonic() - t
        stdout.write(f"  certification: {timings['certification']:.1f} s")

        t = time.monotonic()
        names = tables()
        with connection.cursor() as cursor:
            for table in names:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        timings["analyze"] = time.monotonic() - t
        timings["total"] = time.monotonic() - started
    return {"counts": counts, "timings": timings, "tables": row_counts(names)}


def row_counts(names: list[str]) -> dict[str, int]:
    qn = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for table in names:
            cursor.execute(f"SELECT count(*) FROM {qn(table)}")  # noqa: S608 - names from the models
            n = cursor.fetchone()[0]
            if n:
                out[table] = n
    return out
