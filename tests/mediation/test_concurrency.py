"""Concurrent actions on one case leave exactly one result, and concurrent registrations get
different serial numbers. Real transactions in two threads; everything is created inside the
test because a transactional test flushes the database afterwards."""

import threading

import pytest
from django.db import connections

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import InvalidTransition
from apps.core.principal import SYSTEM
from apps.mediation import services
from apps.mediation.models import Case, MediationOrganisation, Mediator, SerialCounter
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import applicant, p

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*functions, timeout=30):
    """Run each function in its own thread, released together; returns their results (or the
    exception each raised), in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait(timeout=timeout)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads)
    return results


def organisation_with_two_mediators():
    enterprise = EnterpriseFactory(name="柳州并发测试有限公司")
    org = services.create_organisation(
        SYSTEM, name="并发测试调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[enterprise.town]
    )
    users = []
    for name in ("甲调解", "乙调解"):
        user = user_with_role(Role.MEDIATOR, org.organisation, full_name=name)
        services.save_mediator(SYSTEM, Mediator(organisation=org, user=user, name=name))
        users.append(user)
    return enterprise, org, users


def register(enterprise, n=1):
    case, _code = services.register_case(
        SYSTEM,
        channel=Case.Channel.WALK_IN,
        applicants=[applicant(n)],
        types=["remuneration"],
        claims="支付拖欠工资",
        respondent_enterprise=enterprise,
    )
    return case


def test_two_mediators_accepting_at_once_leave_exactly_one_result():
    enterprise, org, (first, second) = organisation_with_two_mediators()
    case = register(enterprise)
    assert case.organisation == org

    def accept(user):
        def go():
            principal = p(user)
            fresh = Case.objects.get(pk=case.pk)
            return services.accept(principal, fresh, mediator=Mediator.objects.get(user=user))

        return go

    results = run_at_once(accept(first), accept(second))
    accepted = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(accepted) == 1 and len(refused) == 1, results
    assert refused[0].code == "invalid_transition"

    case.refresh_from_db()
    assert case.status == Case.Status.IN_MEDIATION
    assert case.history.filter(action="accept").count() == 1
    winner = case.history.get(action="accept").actor
    assert case.mediator.user == winner
    assert AuditEvent.objects.for_object(case).filter(action="mediation.accept").count() == 1


def test_accept_and_refuse_at_once_leave_one_result():
    enterprise, _org, (first, second) = organisation_with_two_mediators()
    case = register(enterprise)
    results = run_at_once(
        lambda: services.accept(
            p(first), Case.objects.get(pk=case.pk), mediator=Mediator.objects.get(user=first)
        ),
        lambda: services.refuse(p(second), Case.objects.get(pk=case.pk), "不属于劳动争议"),
    )
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    case.refresh_from_db()
    assert case.history.exclude(action="receive").count() == 1
    assert case.status in (Case.Status.IN_MEDIATION, Case.Status.REFUSED)


def test_serial_numbers_allocated_at_once_differ():
    enterprise, _org, _users = organisation_with_two_mediators()
    assert not SerialCounter.objects.exists()  # the first of the year: the counter row is created too
    results = run_at_once(*[lambda n=n: register(enterprise, n) for n in range(1, 5)])
    assert all(isinstance(r, Case) for r in results), results
    serials = sorted(r.serial for r in results)
    assert len(set(serials)) == 4
    year = results[0].received_on.year
    assert serials == [f"TJ{year}-{n:05d}" for n in range(1, 5)]
    assert SerialCounter.objects.get(year=year).last == 4
