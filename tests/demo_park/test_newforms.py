"""The demo park's new forms of employment (issue 19, apps/demo/newforms.py): 300 platform workers
on 3 platforms, most of them current members of a joint or industry union, every membership within
the rules (joinable kinds, one current membership, dates never in the future), the figures by
platform and town, and a second run that adds nothing."""

import io
import random

from django.db.models import Count, Q
from django.utils import timezone

from apps.core.principal import SYSTEM
from apps.demo import newforms as demo
from apps.unions import rules, selectors
from apps.unions.models import Platform, PlatformMembership, PlatformWorker


def test_platform_workers(demo_park):
    today = timezone.localdate()
    assert "New forms of employment: 300 platform workers" in demo_park
    assert PlatformWorker.objects.count() == demo.COUNT
    assert Platform.objects.annotate(n=Count("workers")).filter(n__gt=0).count() == 3
    memberships = PlatformMembership.objects.select_related("union")
    assert all(m.union.kind in rules.JOINABLE_UNION_KINDS for m in memberships)
    assert not memberships.filter(Q(joined_on__gt=today) | Q(left_on__gt=today)).exists()
    current = PlatformMembership.objects.current_on(today)
    assert current.count() > demo.COUNT / 2
    assert memberships.filter(left_on__isnull=False).exists()
    assert set(PlatformWorker.objects.values_list("relationship", flat=True)) == set(
        PlatformWorker.Relationship.values
    )
    tables = {t["key"]: t for t in selectors.newforms_figures(SYSTEM, today.year)}
    assert tables["newforms_by_platform"]["rows"][-1][1] == current.values("worker").distinct().count()
    assert len(tables["newforms_by_town"]["rows"]) >= 3  # two towns and the total


def test_second_run_adds_nothing(demo_park):
    before = PlatformWorker.objects.count(), PlatformMembership.objects.count()
    out = io.StringIO()
    demo.seed(random.Random(1), out)
    assert "nothing added" in out.getvalue()
    assert (PlatformWorker.objects.count(), PlatformMembership.objects.count()) == before
