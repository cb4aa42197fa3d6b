"""Pull every labour contract through the API's cursor under gunicorn and report rows per second
(apps/demo/benchmark_pull.py). Normally on the district-scale data set:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python manage.py benchmark_pull --write-docs

(`make benchmark-pull`.) With --write-docs the figure goes to docs/performance.md between the
markers of the section "Bulk pull through the API".
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.demo import benchmark_pull

BEGIN, END = "<!-- pull:begin -->", "<!-- pull:end -->"


class Command(BaseCommand):
    help = "Pull every contract through the API cursor under gunicorn; rows per second (docs/performance.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write-docs", action="store_true", help="Write the figure into docs/performance.md."
        )
        parser.add_argument("--log", default="", help="File for gunicorn's output (default: discarded).")

    def handle(self, *args, write_docs, log, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("benchmark_pull creates an API client: not under production settings.")
        pull = benchmark_pull.run(self.stdout, log=Path(log) if log else None)
        if write_docs:
            path = Path(settings.BASE_DIR) / "docs" / "performance.md"
            text = path.read_text()
            if BEGIN not in text or END not in text:
                raise CommandError(f"{path} lacks the markers {BEGIN} and {END}.")
            head, rest = text.split(BEGIN, 1)
            _old, tail = rest.split(END, 1)
            line = (
                f"\n{pull.rows:,} contracts in {pull.pages:,} pages of 1,000 in {pull.seconds:.1f} s: "
                f"**{pull.rows_per_second:,.0f} rows/s** (target {benchmark_pull.TARGET_ROWS_PER_SECOND:,}; "
                f"{'met' if pull.met else 'NOT met'}), slowest page {pull.slowest_page_ms:.0f} ms, "
                f"{pull.duplicates} rows seen twice. Measured {benchmark_pull.machine()}.\n"
            )
            path.write_text(head + BEGIN + line + END + tail)
            self.stdout.write(f"Written to {path}.")
        if not pull.met:
            raise CommandError(
                f"{pull.rows_per_second:,.0f} rows/s is below the target of {benchmark_pull.TARGET_ROWS_PER_SECOND:,}."
            )
