"""Measure pages and API lists under gunicorn on the database in DATABASE_URL (see
apps/demo/benchmark.py). Normally run on the district-scale data set:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python manage.py benchmark --write-docs

(`make benchmark` does exactly that.) The results table goes to docs/performance.md with
--write-docs, between the markers of the section "Benchmark results".
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.demo import benchmark

BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"


class Command(BaseCommand):
    help = "Benchmark pages and API lists under gunicorn (production-like settings); see docs/performance.md."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20, help="Requests per URL at each concurrency.")
        parser.add_argument(
            "--only", default="", help="Only targets whose name, group or role contains this."
        )
        parser.add_argument(
            "--write-docs", action="store_true", help="Write the table into docs/performance.md."
        )
        parser.add_argument("--log", default="", help="File for gunicorn's output (default: discarded).")

    def handle(self, *args, requests, only, write_docs, log, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("benchmark creates users and an API client: not under production settings.")
        needle = only.lower()

        def wanted(target):
            return not needle or needle in f"{target.group} {target.name} {target.role}".lower()

        results, summary = benchmark.run(self.stdout, n=requests, only=wanted, log=Path(log) if log else None)
        counts = benchmark.counts()
        report = "\n".join(
            [
                f"Measured {benchmark.machine()}.",
                "",
                "Data set: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".",
                "",
                benchmark.table(results, summary["hello_rps"], None),
                "",
                _summary(summary),
            ]
        )
        self.stdout.write("\n" + report + "\n")
        failed = [r for r in results if r.target.group != "baseline" and not r.met]
        if write_docs and needle:
            self.stdout.write("Not written to docs/performance.md: --only measured a part of the matrix.")
        elif write_docs:
            self._write_docs(report)
        if failed:
            self.stdout.write(self.style.WARNING(f"{len(failed)} targets not met."))

    def _write_docs(self, report):
        path = settings.BASE_DIR / "docs" / "performance.md"
        text = path.read_text() if path.exists() else "# Performance\n"
        block = f"{BEGIN}\n{report}\n{END}"
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip() + "\n\n## Benchmark results\n\n" + block + "\n"
        path.write_text(text)
        self.stdout.write(f"Written to {path}.")


def _summary(s) -> str:
    def fmt(value, spec):
        return "—" if value is None else format(value, spec)

    return "\n".join(
        [
            f"- Hello view of a default Django project: {fmt(s['hello_rps'], ',.0f')} requests/s at concurrency 4.",
            f"- Cheapest authenticated page (inbox): {fmt(s['cheapest_rps'], ',.0f')} requests/s, "
            f"{fmt(s['cheapest_ratio'], '.0%')} of the hello view (target ≥ 40 %).",
            f"- Contract library vs Django's admin changelist of the same table (p50 at concurrency 1): "
            f"{fmt(s['library_vs_admin'], '.1f')}× faster (target ≥ 5×).",
        ]
    )
