"""The registry and the unions at district scale (docs/performance.md): their lists are served by
indexes (the query counts are guarded in test_pages)."""

import pytest

from apps.core.principal import principal_for_user
from apps.enterprises import selectors
from apps.unions.models import Union
from tests.perf import assert_served_by_index

pytestmark = pytest.mark.django_db


def test_the_registry_list_in_its_order(park_admin):
    _fs, qs = selectors.enterprise_list(principal_for_user(park_admin), {})
    assert_served_by_index(qs.select_related(None).values("pk")[:50], "enterprises_enterprise")


def test_the_union_list_in_its_order():
    assert_served_by_index(Union.objects.order_by("kind", "name", "pk")[:50], "unions_union")
