"""Least privilege for union officials (issue 14, finding 8; README "Who may do what"; ADR 0020).

An enterprise (or joint) union's official sees the enterprises their union covers, wherever they
are, and not the other enterprises of the union's town; their union and its parent federation
(read), not the sister unions; the certification applications of covered enterprises only. A
federation's official keeps the view of its area, plus what its unions cover. Checked through the
selectors, the pages and the 404 of an enterprise outside the scope.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.certification.default_rules import create_default
from apps.certification.models import Application, Category, Item, Level, Round, RuleSet, VetoRule
from apps.core.principal import principal_for_user
from apps.enterprises.models import Enterprise
from apps.unions.models import Union
from tests.factories import EnterpriseFactory, TownFactory, UnionFactory, user_with_role

pytestmark = pytest.mark.django_db


def _union(kind, town, enterprises=(), parent=None):
    union = UnionFactory(kind=kind, parent=parent, enterprises=list(enterprises))
    Organisation.objects.filter(pk=union.organisation_id).update(area=town)
    return union


@pytest.fixture
def park():
    t1, t2, t3 = TownFactory(), TownFactory(), TownFactory()
    own, neighbour, far, elsewhere, small = (EnterpriseFactory(town=t) for t in (t1, t1, t2, t3, t1))
    federation = _union("federation", t1)
    enterprise_union = _union("enterprise", t1, [own, far], parent=federation)
    sister = _union("enterprise", t1, [neighbour], parent=federation)
    other_federation = _union("federation", t3)
    joint = _union("joint", t1, [small])
    rule_set = RuleSet.objects.filter(version=1).first() or create_default(
        RuleSet, Level, VetoRule, Category, Item, region=settings.PARK_NAME, year=2026
    )
    today = timezone.localdate()
    cert_round = Round.objects.create(
        rule_set=rule_set,
        name="2026年度",
        year=today.year,
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=30),
    )
    level = rule_set.levels.get(code="A")
    applications = {
        e: Application.objects.create(round=cert_round, rule_set=rule_set, enterprise=e, target_level=level)
        for e in (own, neighbour, far, elsewhere)
    }
    return {
        "towns": (t1, t2, t3),
        "own": own,
        "neighbour": neighbour,
        "far": far,
        "elsewhere": elsewhere,
        "federation": federation,
        "union": enterprise_union,
        "sister": sister,
        "other_federation": other_federation,
        "joint": joint,
        "small": small,
        "applications": applications,
    }


def official(union):
    return user_with_role(Role.UNION_OFFICIAL, union.organisation)


def seen(model_qs, principal):
    return set(model_qs.visible_to(principal))


def test_an_enterprise_union_official_sees_the_enterprises_their_union_covers(park):
    principal = principal_for_user(official(park["union"]))
    assert seen(Enterprise.objects, principal) == {park["own"], park["far"]}  # not the neighbour
    assert seen(Union.objects, principal) == {park["union"], park["federation"]}  # not the sister
    assert {a.enterprise for a in Application.objects.visible_to(principal)} == {park["own"], park["far"]}


def test_a_joint_union_official_sees_only_the_enterprises_it_covers(park):
    principal = principal_for_user(official(park["joint"]))
    assert seen(Enterprise.objects, principal) == {park["small"]}
    assert seen(Union.objects, principal) == {park["joint"]}


def test_a_federation_official_keeps_the_area_and_what_its_unions_cover(park):
    principal = principal_for_user(official(park["federation"]))
    # Its town (own, neighbour, small) and the enterprise its union covers in another town (far).
    assert seen(Enterprise.objects, principal) == {park["own"], park["neighbour"], park["small"], park["far"]}
    assert seen(Union.objects, principal) == {
        park["federation"],
        park["union"],
        park["sister"],
        park["joint"],  # in its area
    }
    assert park["elsewhere"] not in {a.enterprise for a in Application.objects.visible_to(principal)}


def test_the_pages_answer_the_same(client, park):
    client.force_login(official(park["union"]))
    html = client.get(reverse("enterprises:list")).content.decode()
    assert park["own"].name in html and park["far"].name in html
    assert park["neighbour"].name not in html and park["elsewhere"].name not in html
    assert client.get(reverse("enterprises:detail", args=[park["own"].pk])).status_code == 200
    assert client.get(reverse("enterprises:detail", args=[park["neighbour"].pk])).status_code == 404
    unions_html = client.get(reverse("unions:list")).content.decode()
    assert park["federation"].name in unions_html and park["sister"].name not in unions_html
    app = park["applications"]
    assert client.get(reverse("certification:detail", args=[app[park["neighbour"]].pk])).status_code == 404


def test_park_admins_and_hr_are_unchanged(park):
    admin = principal_for_user(user_with_role(Role.PARK_ADMIN))
    assert Enterprise.objects.visible_to(admin).count() == 5
    hr = principal_for_user(user_with_role(Role.ENTERPRISE_HR, park["own"].organisation))
    assert seen(Enterprise.objects, hr) == {park["own"]}
    assert seen(Union.objects, hr) == {park["union"]}
