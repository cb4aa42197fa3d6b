"""Build the district-scale data set for performance work (docs/performance.md). PostgreSQL only:
it writes with COPY. Refuses production settings, and a database that already has enterprises
unless --reset is given (which empties the platform's tables first)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.demo import scale as district
from apps.enterprises.models import Enterprise


class Command(BaseCommand):
    help = "Build the district-scale data set (20,000 enterprises, 1 million contracts at --scale 1.0)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=0.05, help="Share of the full district (default 0.05)."
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed (same seed and scale, same rows)."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Empty the platform's tables first (TRUNCATE ... CASCADE)."
        )

    def handle(self, *args, scale, seed, reset, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "seed_scale refuses to run under production settings: it creates known passwords."
            )
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it writes with COPY).")
        if not 0 < scale <= 1.0:
            raise CommandError("--scale must be above 0 and at most 1.0.")
        if Enterprise.objects.exists() and not reset:
            raise CommandError(
                "The database already holds enterprises; seed_scale builds a whole district into an empty "
                "one. Use --reset to empty the platform's tables first."
            )
        self.stdout.write(f"Building the district at scale {scale} (seed {seed})...")
        result = district.build(scale=scale, seed=seed, stdout=self.stdout, reset_first=reset)
        self.stdout.write("Rows per table:")
        for table, n in sorted(result["tables"].items()):
            self.stdout.write(f"  {table:<45} {n:>10,}")
        self.stdout.write("Time per phase:")
        for name, seconds in result["timings"].items():
            self.stdout.write(f"  {name:<15} {seconds:>8.1f} s")
        self.stdout.write(self.style.SUCCESS("District-scale data set ready."))
