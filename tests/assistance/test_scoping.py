"""Who sees which files: never the enterprise's HR; a union official the enterprises their union
covers; park administrators all; outside the scope is a 404."""

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.assistance import selectors
from apps.assistance.models import Aid, HardshipFile
from apps.core.principal import principal_for_user
from tests.factories import UnionFactory, user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(approved_file, official_a, official_b, ent_b):
    a = approved_file()
    b = approved_file(by=official_b, enterprise=ent_b)
    return a, b


def test_hr_sees_none_even_of_their_enterprise(files, ent_hr_a):
    assert not HardshipFile.objects.visible_to(p(ent_hr_a)).exists()
    assert not Aid.objects.visible_to(p(ent_hr_a)).exists()


def test_hr_who_is_also_an_official_elsewhere_sees_only_as_official(files, ent_a, official_b):
    from apps.accounts.models import Membership

    Membership.objects.create(user=official_b, organisation=ent_a.organisation, role=Role.ENTERPRISE_HR)
    official_b._principal_cache = None
    del official_b._principal_cache
    visible = set(HardshipFile.objects.visible_to(principal_for_user(official_b)))
    assert visible == {files[1]}


def test_union_official_sees_covered_enterprises_only(files, official_a, official_b):
    assert set(HardshipFile.objects.visible_to(p(official_a))) == {files[0]}
    assert set(HardshipFile.objects.visible_to(p(official_b))) == {files[1]}


def test_federation_sees_what_its_unions_cover(files, union_a):
    federation = UnionFactory(kind="federation", name="园区工会联合会")
    union_a.parent = federation
    union_a.save()
    user = user_with_role(Role.UNION_OFFICIAL, federation.organisation)
    assert set(HardshipFile.objects.visible_to(p(user))) == {files[0]}


def test_park_admin_sees_all(files, park_admin):
    assert HardshipFile.objects.visible_to(p(park_admin)).count() == 2


def test_mediators_and_inspectors_see_nothing(files):
    for role in (Role.MEDIATOR, Role.INSPECTOR):
        user = user_with_role(role)
        assert not HardshipFile.objects.visible_to(p(user)).exists()
        assert not user.has_perm("assistance.view_hardshipfile")


def test_pages_404_outside_and_403_for_hr(client, files, official_a, ent_hr_a):
    client.force_login(official_a)
    assert client.get(reverse("assistance:detail", args=[files[0].pk])).status_code == 200
    assert client.get(reverse("assistance:detail", args=[files[1].pk])).status_code == 404
    assert client.get(reverse("assistance:action", args=[files[1].pk, "exit"])).status_code == 404
    assert client.get(reverse("assistance:pay_aid", args=[files[1].pk])).status_code == 404
    html = client.get(reverse("assistance:list")).content.decode()
    assert files[0].name in html and files[1].name not in html
    client.force_login(ent_hr_a)
    for name in ("assistance:list", "assistance:aid_list", "assistance:candidates", "assistance:figures"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("assistance:detail", args=[files[0].pk])).status_code == 403


def test_dossier_section_hidden_for_hr_and_counts_for_the_union(files, ent_a, official_a, ent_hr_a):
    [section] = selectors.dossier_sections(p(ent_hr_a), ent_a)
    assert section == {"key": "hardship", "title": section["title"], "hidden": True}
    [section] = selectors.dossier_sections(p(official_a), ent_a)
    assert section["context"]["total"] == 1 and not section.get("hidden")
