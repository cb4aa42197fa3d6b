"""The contract library at district scale (docs/performance.md): its queries are served by
indexes, and their number does not grow with the rows."""

import pytest

from apps.contracts import filters, selectors
from apps.contracts.models import LabourContract
from apps.core.principal import principal_for_user
from tests.perf import assert_served_by_index

pytestmark = pytest.mark.django_db

ORDER = ("-start", "-created_at", "-id")


def test_the_library_in_its_order_park_wide_per_enterprise_and_per_status(park_admin, ent_a):
    everyone = LabourContract.objects.order_by(*ORDER)
    assert_served_by_index(everyone[:25], "contracts_labourcontract")
    assert_served_by_index(everyone.filter(enterprise=ent_a)[:25], "contracts_labourcontract")
    assert_served_by_index(everyone.filter(status="in_force")[:25], "contracts_labourcontract")


def test_the_books_lists_are_served_by_indexes(ent_a):
    import datetime as dt

    today = dt.date(2026, 12, 1)
    own = LabourContract.objects.filter(enterprise=ent_a)
    for key in ("in_force", "expiring_30", "late_terminations"):
        assert_served_by_index(
            filters.book_list(own, key, today), "contracts_labourcontract", sorted_by_index=False
        )
    assert_served_by_index(
        filters.expiring(LabourContract.objects.all(), today, 30),
        "contracts_labourcontract",
        sorted_by_index=False,
    )


def test_a_name_search_reads_the_workers_through_an_index(park_admin):
    _fs, qs = selectors.contract_list(principal_for_user(park_admin), {"name": "张"})
    assert_served_by_index(qs[:25], "contracts_worker", sorted_by_index=False)


def test_the_book_is_counted_once_and_again_after_a_filing(
    park_admin, ent_a, policy, django_assert_num_queries
):
    from apps.contracts import services
    from tests.contracts.conftest import row

    admin = principal_for_user(park_admin)
    services.file_batch(admin, [row(ent_a, 1)])
    assert selectors.contract_book(admin, ent_a)["in_force"] == 1
    with django_assert_num_queries(0):
        assert selectors.contract_book(admin, ent_a)["in_force"] == 1
    services.file_batch(admin, [row(ent_a, 2)])
    assert selectors.contract_book(admin, ent_a)["in_force"] == 2
