import io
import random

import pytest
from django.core.management import call_command
from stdnum.cn import uscc

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.demo import generators as demo
from apps.demo.users import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_park_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    assert enterprises.count() == 200
    assert enterprises.values("area").distinct().count() == 2
    # The foundation's dozen enterprise unions, under the park federation (the unions module's seeder
    # adds more, see tests/enterprises/test_demo.py).
    first_twelve = list(enterprises.order_by("name").values_list("name", flat=True)[:12])
    federation = Organisation.objects.get(kind=Organisation.Kind.UNION, name="柳东新区工会联合会")
    assert set(
        Organisation.objects.filter(
            kind=Organisation.Kind.UNION, parent=federation, name__in=[f"{n}工会委员会" for n in first_twelve]
        ).values_list("name", flat=True)
    ) == {f"{n}工会委员会" for n in first_twelve}
    for code in enterprises.values_list("code", flat=True):
        assert uscc.is_valid(code), code
    assert len(set(enterprises.values_list("code", flat=True))) == 200


def test_every_demo_user_logs_in_with_the_documented_password(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for username, _name, role, _kind in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.memberships.filter(role=role).exists()
        assert username in out.getvalue()
    assert User.objects.get(username="admin").memberships.get().role == Role.PARK_ADMIN


def test_generated_uscc_and_org_code_check_characters():
    rng = random.Random(1)
    for _ in range(500):
        code = demo.make_uscc(rng)
        assert uscc.is_valid(code)
        assert code.startswith("91450271")
    names = demo.enterprise_names(random.Random(2), 300)
    assert len({n for n, _ in names}) == 300
