"""Recompute every enterprise's risk and print the time (issue 17: 20,000 enterprises with the
volumes of the district data set in 60 s or less on PostgreSQL; `make benchmark-risk`)."""

import time

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from apps.core.facts import collect_signals
from apps.risk import services
from apps.risk.models import EnterpriseRisk

TARGET_SECONDS = 60


class Command(BaseCommand):
    help = "Recompute every enterprise's risk score and print how long it took."

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs", type=int, default=2, help="Full recomputes (the second finds no change)."
        )
        parser.add_argument("--no-signals", action="store_true", help="Skip the timing of the signals alone.")

    def handle(self, *args, runs=2, no_signals=False, **options):
        today = timezone.localdate()
        if not no_signals:
            self._signals(today)
        worst = 0.0
        for run in range(1, runs + 1):
            started = time.perf_counter()
            result = services.recompute(today)
            took = time.perf_counter() - started
            worst = max(worst, took)
            self.stdout.write(
                f"recompute run {run}: {took:.1f} s · {result['enterprises']} enterprises · "
                f"{result['written']} rows written · {result['changed']} level changes · "
                f"{result['notified']} notifications · policy v{result['policy_version']}"
            )
        levels = dict(EnterpriseRisk.objects.values_list("level").annotate(n=Count("pk")).order_by())
        self.stdout.write(f"levels: {levels}")
        verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
        self.stdout.write(f"slowest full recompute: {worst:.1f} s (target {TARGET_SECONDS} s: {verdict})")

    def _signals(self, today):
        """The signals alone, by module: the time until each module's last signal arrives (the
        providers run one after the other through apps.core.facts)."""
        started = last = time.perf_counter()
        per_module, counts, current = {}, {}, None
        for signal in collect_signals(today):
            module = signal.code.split(".")[0]
            now = time.perf_counter()
            if module != current:
                current = module
                last_start = last
                per_module.setdefault(module, 0.0)
            per_module[module] = now - last_start
            counts[module] = counts.get(module, 0) + 1
            last = now
        total = time.perf_counter() - started
        for module, took in per_module.items():
            self.stdout.write(f"signals {module}: {counts[module]} signals in about {took:.1f} s")
        self.stdout.write(f"signals, all modules: {total:.1f} s")
