"""Load the demo park. Idempotent: running it again changes nothing that is already there.

Each module's demo is a module of this package with a `seed(rng, stdout)` function, listed in
SEEDERS in the order they build on each other (the registry before the unions, and so on).
"""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.core.context import acting_as
from apps.core.models import Area
from apps.demo import appeals as demo_appeals  # enterprise appeals (issue 19)
from apps.demo import assistance as demo_assistance  # the hardship file and aid (issue 19)
from apps.demo import certification, contracts, enterprises, inspection, mediation, risk, unions
from apps.demo import cockpit as demo_cockpit  # the cockpit's monthly record (issue 20)
from apps.demo import generators as demo
from apps.demo import legalaid as demo_legalaid  # legal aid (issue 19)
from apps.demo import newforms as demo_newforms  # new forms of employment (issue 19)
from apps.demo.users import DEMO_PASSWORD, DEMO_USERS

ENTERPRISE_COUNT = 200
#: (label, module): each module's seeder, in the order they build on each other. The label seeds
#: the module's own random generator, so adding a module does not change the others' data.
SEEDERS = [
    ("enterprises", enterprises),
    ("unions", unions),
    ("certification", certification),
    ("mediation", mediation),
    ("contracts", contracts),
    ("inspection", inspection),
    ("appeals", demo_appeals),
    ("newforms", demo_newforms),
    ("legalaid", demo_legalaid),
    ("assistance", demo_assistance),
    ("risk", risk),  # scores what the others made (issue 17)
    ("cockpit", demo_cockpit),  # last: the monthly record of every figure (issue 20)
]
UNION_COUNT = 12


class Command(BaseCommand):
    help = "Load the demo park (idempotent). Refuses to run with production settings."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same park).")

    def handle(self, *args, seed, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "seed_demo refuses to run under production settings: it creates known passwords."
            )
        rng = random.Random(seed)
        # The demo's notifications are real rows (the inboxes show them), but their e-mails would go
        # to made-up addresses and fill `make run`'s console with hundreds of messages: dropped.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with acting_as("command:seed_demo"), transaction.atomic():
                self._foundation(rng)
            for label, module in SEEDERS:
                with acting_as("command:seed_demo"), transaction.atomic():
                    module.seed(random.Random(f"{seed}-{label}"), self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo park ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for username, name, role, _kind in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {name}  {Role(role).label}")

    def _foundation(self, rng):
        district, _ = Area.objects.get_or_create(
            code=demo.DISTRICT[1], defaults={"name": demo.DISTRICT[0], "kind": Area.Kind.DISTRICT}
        )
        towns = []
        for name, code in demo.TOWNS:
            town, _ = Area.objects.get_or_create(
                code=code, defaults={"name": name, "kind": Area.Kind.TOWN, "parent": district}
            )
            towns.append(town)

        def org(name, kind, area, code="", parent=None):
            obj, _ = Organisation.objects.get_or_create(
                kind=kind, name=name, defaults={"area": area, "code": code, "parent": parent}
            )
            return obj

        park = org(f"{demo.DISTRICT[0]}管理委员会", Organisation.Kind.PARK, district)
        org(f"{demo.DISTRICT[0]}人力资源和社会保障局", Organisation.Kind.DISTRICT, district, parent=park)
        federation = org(f"{demo.DISTRICT[0]}工会联合会", Organisation.Kind.UNION, district)
        mediation = org(f"{demo.DISTRICT[0]}劳动人事争议调解委员会", Organisation.Kind.MEDIATION, district)
        inspection = org(f"{demo.DISTRICT[0]}劳动保障监察大队", Organisation.Kind.INSPECTION, district)
        if not inspection.phone:  # the brigade's public contact (issue 20: whom to call)
            inspection.phone, inspection.address = "0772-3161234", f"{demo.DISTRICT[0]}政务服务中心三楼"
            inspection.save(update_fields=["phone", "address"])
        for town in towns:
            org(f"{town.name}劳动争议调解委员会", Organisation.Kind.MEDIATION, town)

        existing = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).count()
        enterprises = list(Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).order_by("name"))
        if existing < ENTERPRISE_COUNT:
            names = demo.enterprise_names(rng, ENTERPRISE_COUNT)
            taken = set(
                Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).values_list("name", flat=True)
            )
            new = [
                Organisation(
                    name=name,
                    kind=Organisation.Kind.ENTERPRISE,
                    code=demo.make_uscc(rng),
                    area=rng.choice(towns),
                )
                for name, _section in names
                if name not in taken
            ][: ENTERPRISE_COUNT - existing]
            Organisation.objects.bulk_create(new)
            enterprises = list(
                Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).order_by("name")
            )

        first_enterprise = enterprises[0]
        # A few enterprise unions under the park federation (the union survey comes with the registry).
        unions = [
            org(f"{e.name}工会委员会", Organisation.Kind.UNION, e.area, parent=federation)
            for e in enterprises[:UNION_COUNT]
        ]
        enterprise_union = unions[0]
        homes = {
            "park": park,
            "enterprise": first_enterprise,
            "union": enterprise_union,
            "mediation": mediation,
            "inspection": inspection,
        }
        for username, name, role, kind in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"full_name": name, "email": f"{username}@demo.park.cn"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == Role.PARK_ADMIN
                user.save()
            Membership.objects.get_or_create(user=user, organisation=homes[kind], role=role)
