from django.core.management.base import BaseCommand

from apps.cockpit import services


class Command(BaseCommand):
    help = "Record the cockpit's figures of the complete months of the trends' window not recorded yet."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=services.HISTORY_MONTHS)

    def handle(self, *args, months, **options):
        recorded = services.record_months(months=months)
        self.stdout.write(f"recorded {len(recorded)} month(s)")
