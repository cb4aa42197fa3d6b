"""The inspection list pages read a page in a fixed number of queries, however many rows it shows
(no query per row): measured with 1 row, then with 6."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.inspection.models import Interview, WrittenReview
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_interview_and_review_lists_do_not_query_per_row(client, park_admin, ent_a):
    client.force_login(park_admin)
    today = timezone.localdate()

    def add(n):
        for _ in range(n):
            enterprise = EnterpriseFactory(town=ent_a.town)
            Interview.objects.create(enterprise=enterprise, proposed_on=today)
            WrittenReview.objects.create(
                enterprise=enterprise, year=today.year - 1, due_on=today + dt.timedelta(days=1)
            )

    add(1)
    urls = [reverse("inspection:interviews"), reverse("inspection:reviews"), reverse("inspection:list")]
    [_count(client, url) for url in urls]  # warm the per-session caches
    first = [_count(client, url) for url in urls]
    add(5)
    assert [_count(client, url) for url in urls] == first
