"""The union module's facts and risk signals (issue 17, apps/unions/facts.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.unions import facts
from apps.unions.models import CollectiveContract, WorkersCongress
from tests.factories import EnterpriseFactory, SurveyFactory, UnionFactory

pytestmark = pytest.mark.django_db
K = CollectiveContract.Kind


def today():
    return timezone.localdate()


def contract(enterprise, kind=K.COMPREHENSIVE, *, starts_days_ago=100, ends_in_days=600, filed=True, **extra):
    starts = today() - dt.timedelta(days=starts_days_ago)
    return CollectiveContract.objects.create(
        enterprise=enterprise,
        kind=kind,
        title="集体合同",
        employer_representative="王强",
        worker_representative="李慕江",
        signed_on=starts - dt.timedelta(days=20),
        starts_on=starts,
        ends_on=today() + dt.timedelta(days=ends_in_days),
        representatives_total=51,
        representatives_present=40,
        representatives_approving=38,
        filed_on=starts - dt.timedelta(days=15) if filed else None,
        effective_on=starts if filed else None,
        **extra,
    )


def congress(enterprise, days_ago, present, total=51):
    return WorkersCongress.objects.create(
        enterprise=enterprise,
        held_on=today() - dt.timedelta(days=days_ago),
        representatives_total=total,
        representatives_present=present,
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_facts_of_an_enterprise_with_its_union(english, django_assert_max_num_queries):
    enterprise = EnterpriseFactory()
    union = UnionFactory(members=720, enterprises=[enterprise])
    contract(enterprise)
    contract(enterprise, K.WAGE, ends_in_days=-5)  # expired: not in force
    congress(enterprise, 30, present=30)  # 30 of 51: no quorum (the example)
    congress(enterprise, 200, present=40)  # 40 of 51: quorum
    with django_assert_max_num_queries(3):
        found = {f.code: f for f in facts.enterprise_facts(enterprise, today())}
    assert found["unions.has_union"].value is True
    assert found["unions.has_union"].url == f"/unions/{union.pk}/"
    assert found["unions.members"].value == 720
    assert found["unions.members"].display == "720 members"
    assert found["unions.collective_contract"].value is True
    assert found["unions.collective_contract"].url.startswith("/unions/contracts/")
    assert found["unions.wage_agreement"].value is False
    assert found["unions.congress_held"].value is True
    assert "40 of 51" in found["unions.congress_held"].display
    assert found["unions.congress_last"].value == today() - dt.timedelta(days=30)
    assert "30 of 51" in found["unions.congress_last"].display
    assert found["unions.congress_held"].permission == "unions.view_workerscongress"


def test_facts_without_union_or_quorum():
    enterprise = EnterpriseFactory()
    congress(enterprise, 30, present=30)
    congress(enterprise, 400, present=51)  # quorum, but more than 12 months ago
    contract(enterprise, filed=False)  # awaiting filing: not in force
    found = {f.code: f.value for f in facts.enterprise_facts(enterprise, today())}
    assert found == {
        "unions.has_union": False,
        "unions.members": None,
        "unions.collective_contract": False,
        "unions.wage_agreement": False,
        "unions.congress_held": False,
        "unions.congress_last": today() - dt.timedelta(days=30),
    }


def test_joint_union_members_are_not_per_enterprise():
    a, b = EnterpriseFactory(), EnterpriseFactory()
    UnionFactory(kind="joint", members=300, enterprises=[a, b])
    found = {f.code: f for f in facts.enterprise_facts(a, today())}
    assert found["unions.has_union"].value is True
    assert found["unions.members"].value is None


def test_inactive_union_is_no_union():
    enterprise = EnterpriseFactory()
    UnionFactory(is_active=False, enterprises=[enterprise])
    assert {f.code: f.value for f in facts.enterprise_facts(enterprise, today())}["unions.has_union"] is False


def test_signals(english):
    needs = EnterpriseFactory()
    SurveyFactory(enterprise=needs, union_members=30)
    covered = EnterpriseFactory()
    SurveyFactory(enterprise=covered, union_members=30)
    UnionFactory(enterprises=[covered])
    small = EnterpriseFactory()
    SurveyFactory(enterprise=small, union_members=10)
    expired = EnterpriseFactory()
    old = contract(expired, starts_days_ago=1200, ends_in_days=-30)
    renewing = EnterpriseFactory()
    contract(renewing, starts_days_ago=1200, ends_in_days=-30)
    contract(renewing, starts_days_ago=0, filed=False)  # signed again, awaiting filing
    found = {(s.enterprise_id, s.code): s for s in facts.risk_signals(today())}
    assert set(found) == {(needs.pk, "unions.no_union"), (expired.pk, "unions.collective_contract_expired")}
    no_union = found[(needs.pk, "unions.no_union")]
    assert no_union.count == 1 and no_union.url == "/unions/needs-union/"
    assert no_union.detail.startswith("30 union members")
    gone = found[(expired.pk, "unions.collective_contract_expired")]
    assert gone.ref_id == str(old.pk) and gone.last_on == old.ends_on
    assert gone.url == f"/unions/contracts/{old.pk}/"
    assert {s.enterprise_id for s in facts.risk_signals(today(), [expired.pk])} == {expired.pk}
    assert list(facts.risk_signals(today(), [])) == []


def _queries():
    with CaptureQueriesContext(connection) as ctx:
        list(facts.risk_signals(today()))
    return len(ctx.captured_queries)


def test_signal_queries_do_not_grow_with_enterprises():
    def add():
        SurveyFactory(enterprise=EnterpriseFactory(), union_members=40)
        contract(EnterpriseFactory(), starts_days_ago=1200, ends_in_days=-30)

    add()
    one = _queries()
    for _i in range(4):
        add()
    assert _queries() == one
    assert len(list(facts.risk_signals(today()))) == 10
