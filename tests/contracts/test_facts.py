"""The contract book's facts and risk signals (issue 17, apps.core.facts)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.contracts import facts
from apps.contracts.models import LabourContract, Worker
from apps.core.facts import collect_facts, collect_signals, signal_kinds
from tests.factories import EnterpriseFactory

TODAY = dt.date(2026, 6, 15)
_seq = itertools.count(1)
S = LabourContract.Status


def contracts(
    enterprise, n, *, status=S.IN_FORCE, start=dt.date(2025, 1, 1), end=dt.date(2027, 12, 31), flags=()
):
    """`n` workers, each with one contract at `enterprise` (bulk: the book's sizes in one go)."""
    workers = []
    for _i in range(n):
        k = next(_seq)
        workers.append(
            Worker(
                name=f"工人{k}",
                id_number=f"45020519900307{k:04d}",
                id_number_hash=f"facts-{k:010d}",
                sex="male",
                birth_date=dt.date(1990, 3, 7),
            )
        )
    Worker.objects.bulk_create(workers)
    rows = [
        LabourContract(
            enterprise=enterprise,
            worker=w,
            kind="fixed_term",
            employment_start=start,
            start=start,
            end=end,
            job="装配工",
            signed_on=start,
            status=status,
            flags=list(flags),
        )
        for w in workers
    ]
    return LabourContract.objects.bulk_create(rows)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def book(db):
    """The issue's example: 1,525 employees, 1,366 workers with a contract in force (89.6 %), 16
    workers whose contract lapsed more than a month ago and were never given a new one."""
    enterprise = EnterpriseFactory(employees=1525)
    contracts(enterprise, 1366)
    contracts(enterprise, 16, status=S.EXPIRED, start=dt.date(2023, 1, 1), end=dt.date(2026, 3, 31))
    return enterprise


def test_facts_of_the_issue_example(book, english, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        found = {f.code: f for f in facts.enterprise_facts(book, TODAY)}
    rate = found["contracts.signing_rate"]
    assert rate.value == Decimal("89.6")
    assert rate.display == "89.6 %: 1,366 workers with a contract in force of 1,525 employees"
    assert rate.url == f"/contracts/book/{book.pk}/in_force/"
    assert rate.permission == "contracts.view_labourcontract"
    assert found["contracts.workers_in_force"].value == 1366
    assert found["contracts.in_force"].value == 1366
    missing = found["contracts.without_contract"]
    assert missing.value == 16
    assert "劳动合同法第十条" in missing.source and "第八十二条" in missing.source
    assert missing.url == f"/contracts/book/{book.pk}/without_contract/"
    # Kept until the enterprise's contracts change: a second read costs no query.
    with django_assert_max_num_queries(0):
        facts.enterprise_facts(book, TODAY)


def test_facts_agree_with_the_book(book):
    from apps.contracts.selectors import contract_book
    from apps.core.principal import SYSTEM

    shown = contract_book(SYSTEM, book, TODAY)
    found = collect_facts(book, TODAY)
    assert found["contracts.signing_rate"].value == Decimal(str(shown["signing_rate"]))
    assert found["contracts.workers_in_force"].value == shown["workers_in_force"]
    assert found["contracts.in_force"].value == shown["in_force"]
    assert found["contracts.without_contract"].value == shown["counts"]["without_contract"]


def test_no_employee_count_means_no_rate(db):
    enterprise = EnterpriseFactory(employees=0)
    contracts(enterprise, 3)
    found = {f.code: f for f in facts.enterprise_facts(enterprise, TODAY)}
    assert found["contracts.signing_rate"].value is None
    assert found["contracts.workers_in_force"].value == 3


def test_late_written_contract_counts_as_without(db):
    enterprise = EnterpriseFactory(employees=10)
    contracts(enterprise, 2, flags=["double_wage_risk"])
    found = {f.code: f for f in facts.enterprise_facts(enterprise, TODAY)}
    assert found["contracts.without_contract"].value == 2
    assert found["contracts.in_force"].value == 2


def test_signals(book, english):
    contracts(book, 3, end=TODAY + dt.timedelta(days=10))
    contracts(book, 2, end=TODAY + dt.timedelta(days=45))  # outside the 30 days
    other = EnterpriseFactory()
    contracts(
        other, 1, status=S.EXPIRED, start=dt.date(2024, 1, 1), end=TODAY - dt.timedelta(days=20)
    )  # < 1 month
    found = {(s.enterprise_id, s.code): s for s in facts.risk_signals(TODAY)}
    missing = found[(book.pk, "contracts.without_contract")]
    assert missing.count == 16
    assert missing.last_on == dt.date(2026, 3, 31)
    assert missing.detail == "16 workers without a written contract after one month"
    assert missing.ref_type == "contracts.labourcontract"
    assert LabourContract.objects.get(pk=missing.ref_id).status == S.EXPIRED
    assert missing.url == f"/contracts/book/{book.pk}/without_contract/"
    soon = found[(book.pk, "contracts.expiring")]
    assert soon.count == 3 and soon.last_on == TODAY + dt.timedelta(days=10)
    assert soon.url == f"/contracts/book/{book.pk}/expiring_30/"
    assert (other.pk, "contracts.without_contract") not in found
    assert {"contracts.without_contract", "contracts.expiring"} <= set(signal_kinds())


def test_signals_for_given_enterprises(book):
    other = EnterpriseFactory()
    contracts(other, 2, status=S.EXPIRED, start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1))
    only = list(facts.risk_signals(TODAY, [other.pk]))
    assert {s.enterprise_id for s in only} == {other.pk}
    assert list(facts.risk_signals(TODAY, [])) == []
    assert {
        s.enterprise_id for s in collect_signals(TODAY, [book.pk]) if s.code.startswith("contracts.")
    } == {book.pk}


def _queries(today):
    with CaptureQueriesContext(connection) as ctx:
        list(facts.risk_signals(today))
    return len(ctx.captured_queries)


def test_signal_queries_do_not_grow_with_enterprises(db):
    first = EnterpriseFactory()
    contracts(first, 2, status=S.EXPIRED, start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1))
    contracts(first, 1, end=TODAY + dt.timedelta(days=5))
    one = _queries(TODAY)
    for _i in range(4):
        e = EnterpriseFactory()
        contracts(e, 2, status=S.EXPIRED, start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1))
        contracts(e, 1, end=TODAY + dt.timedelta(days=5))
    assert _queries(TODAY) == one
    assert len([s for s in facts.risk_signals(TODAY) if s.code == "contracts.without_contract"]) == 5
