import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

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
        parser.add_argument(
            "--expires",
            metavar="DATE",
            help="Last day the key works (YYYY-MM-DD, until the end of that day, park time) or an exact "
            "moment (ISO 8601, e.g. 2027-06-30T18:00+08:00). Default: the key does not expire.",
        )

    def handle(self, *args, name, scopes, area=None, expires=None, **options):
        area_obj = None
        if area:
            area_obj = Area.objects.filter(code=area).first()
            if area_obj is None:
                raise CommandError(f"No area with division code {area}.")
        expires_at = _expiry(expires) if expires else None
        scopes = [s for part in scopes for s in part.split(",") if s]
        try:
            with acting_as("command:create_api_client"):
                client, key = services.create_api_client(
                    name=name, scopes=scopes, area=area_obj, expires_at=expires_at
                )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created API client {client.name} with scopes {' '.join(client.scopes)}.")
        if client.expires_at:
            self.stdout.write(
                f"The key expires at {timezone.localtime(client.expires_at):%Y-%m-%d %H:%M %Z}."
            )
        self.stdout.write("Key (shown once, store it now):")
        self.stdout.write(key)


def _expiry(value: str) -> dt.datetime:
    """A date (valid through that day) or an ISO 8601 moment (park time when it has no offset)."""
    try:
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:
        day = moment = None
    if day is not None:
        return services.expiry_from_date(day)
    if moment is None:
        raise CommandError(f"--expires {value}: give a date (YYYY-MM-DD) or an ISO 8601 date and time.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
