"""Two inspectors accepting the same case at once leave exactly one result; concurrent
registrations get different serial numbers and a referral sent twice at once makes one case.
Real transactions in two threads (PostgreSQL row locks); everything is created inside the test
because a transactional test flushes the database afterwards."""

import pytest

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import InvalidTransition
from apps.core.principal import SYSTEM
from apps.inspection import services
from apps.inspection.models import InspectionCase, InspectionSerialCounter, Source
from tests.factories import EnterpriseFactory, user_with_role
from tests.mediation.test_concurrency import run_at_once

from .conftest import p, worker

pytestmark = pytest.mark.django_db(transaction=True)


def setting():
    enterprise = EnterpriseFactory(name="柳州并发监察测试有限公司")
    brigade = Organisation.objects.create(
        name="并发中队", kind=Organisation.Kind.INSPECTION, area=enterprise.town
    )
    users = [user_with_role(Role.INSPECTOR, brigade, full_name=name) for name in ("甲监察", "乙监察")]
    return enterprise, users


def register(enterprise, n=1, **extra):
    case, _created = services.register_case(
        SYSTEM,
        source=extra.pop("source", Source.COMPLAINT),
        enterprise=enterprise,
        matters=["wage_arrears"],
        workers=[worker(n)],
        **extra,
    )
    return case


def test_two_inspectors_accepting_at_once_leave_exactly_one_result():
    enterprise, (first, second) = setting()
    case = register(enterprise)

    def accept(user):
        return lambda: services.accept(p(user), InspectionCase.objects.get(pk=case.pk))

    results = run_at_once(accept(first), accept(second))
    accepted = [r for r in results if isinstance(r, InspectionCase)]
    refused = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(accepted) == 1 and len(refused) == 1, results
    case.refresh_from_db()
    assert case.status == InspectionCase.Status.ACCEPTED
    assert case.history.filter(action="accept").count() == 1
    assert case.inspector == case.history.get(action="accept").actor
    assert AuditEvent.objects.for_object(case).filter(action="inspection.accept").count() == 1


def test_accept_and_refuse_at_once_leave_one_result():
    enterprise, (first, second) = setting()
    case = register(enterprise)
    results = run_at_once(
        lambda: services.accept(p(first), InspectionCase.objects.get(pk=case.pk)),
        lambda: services.refuse(
            p(second),
            InspectionCase.objects.get(pk=case.pk),
            basis="not_labour_matter",
            reason="不属于监察事项",
        ),
    )
    assert sum(isinstance(r, InspectionCase) for r in results) == 1, results
    case.refresh_from_db()
    assert case.history.exclude(action="receive").count() == 1


def test_serials_at_once_differ_and_a_referral_sent_twice_at_once_is_one_case():
    enterprise, _users = setting()
    assert not InspectionSerialCounter.objects.exists()
    results = run_at_once(*[lambda n=n: register(enterprise, n) for n in range(1, 5)])
    assert all(isinstance(r, InspectionCase) for r in results), results
    year = results[0].received_on.year
    assert sorted(r.serial for r in results) == [f"JC{year}-{n:05d}" for n in range(1, 5)]
    twice = run_at_once(
        *[
            lambda: register(enterprise, 9, source=Source.REFERRAL, source_reference="12345-XYZ")
            for _ in range(2)
        ]
    )
    assert all(isinstance(r, InspectionCase) for r in twice), twice
    assert twice[0].pk == twice[1].pk
    assert InspectionCase.objects.filter(source_reference="12345-XYZ").count() == 1
