"""Memberships and permissions are cached between requests, and a change ends them at once."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Membership

pytestmark = pytest.mark.django_db

PAGE = "/enterprises/"


def queries(client):
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(PAGE).status_code
    return status, len(ctx.captured_queries)


def test_a_role_taken_away_ends_with_the_next_request(client, park_admin):
    client.force_login(park_admin)
    first = queries(client)
    second = queries(client)
    assert first[0] == second[0] == 200
    assert second[1] < first[1], "the second page reads memberships and permissions from the cache"
    Membership.objects.filter(user=park_admin).delete()
    assert client.get(PAGE).status_code == 403


def test_a_group_permission_granted_counts_at_once(client, hr_a):
    client.force_login(hr_a)
    assert client.get("/audit/").status_code == 403
    group = Group.objects.create(name="auditors")
    group.permissions.add(Permission.objects.get(codename="view_auditevent"))
    hr_a.groups.add(group)
    assert client.get("/audit/").status_code != 403
