from django.core.management.base import BaseCommand, CommandError

from apps.accounts import services
from apps.accounts.scopes import SCOPES
from apps.core.context import acting_as
from apps.core.errors import DomainError
from apps.core.models import Area


class Command(BaseCommand):
    help = "Create an API client for a district system and print its key once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scopes",
            nargs="+",
            required=True,
            metavar="SCOPE",
            help="Known scopes: " + ", ".join(sorted(SCOPES)),
        )
        parser.add_argument("--area", help="Division code of the district the client is restricted to.")

    def handle(self, *args, name, scopes, area=None, **options):
        area_obj = None
        if area:
            area_obj = Area.objects.filter(code=area).first()
            if area_obj is None:
                raise CommandError(f"No area with division code {area}.")
        scopes = [s for part in scopes for s in part.split(",") if s]
        try:
            with acting_as("command:create_api_client"):
                client, key = services.create_api_client(name=name, scopes=scopes, area=area_obj)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created API client {client.name} with scopes {' '.join(client.scopes)}.")
        self.stdout.write("Key (shown once, store it now):")
        self.stdout.write(key)
