"""The demo seeder: 60 files (some exited), aid over three years with a campaign each year."""

import io
import random

import pytest
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.assistance.models import Aid, HardshipFile
from apps.demo import assistance as demo
from tests.factories import EnterpriseFactory, UnionFactory

pytestmark = pytest.mark.django_db


def test_seed_is_complete_and_idempotent(union_a):
    user = User.objects.create(username="union")
    Membership.objects.create(user=user, organisation=union_a.organisation, role=Role.UNION_OFFICIAL)
    for _ in range(4):
        UnionFactory(enterprises=[EnterpriseFactory()])
    demo.seed(random.Random(1), io.StringIO())
    assert HardshipFile.objects.count() == 60
    counts = dict(HardshipFile.objects.values_list("status").annotate(n=Count("id")))
    assert counts["exited"] == 10 and counts["approved"] == 36
    assert HardshipFile.objects.filter(enterprise__union_coverage__union=union_a).exists()
    today = timezone.localdate()
    years = set(Aid.objects.filter(kind="spring_festival").values_list("paid_on__year", flat=True))
    assert years == {
        y for y in range(today.year - 2, today.year + 1) if (y, 1, 20) <= (today.year, today.month, today.day)
    }
    assert not Aid.objects.exclude(file__status__in=["approved", "exited"]).exists()
    assert not Aid.objects.filter(paid_on__gt=today).exists()
    demo.seed(random.Random(1), io.StringIO())
    assert HardshipFile.objects.count() == 60
