"""Every module's facts and signals through the registry (issue 17, apps.core.facts): the agreed
codes are all there, with their value types; signal kinds are well formed; the grouped reads
give the same answer with and without DISTINCT ON (SQLite under `make run`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.core import grouped
from apps.core.facts import ACTORS, collect_facts, collect_signals, signal_kinds
from apps.core.principal import SYSTEM
from apps.mediation import services as mediation
from apps.mediation.models import Case
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

AGREED = {
    "contracts.signing_rate": (Decimal, type(None)),
    "contracts.workers_in_force": (int,),
    "contracts.in_force": (int,),
    "contracts.without_contract": (int,),
    "unions.has_union": (bool,),
    "unions.members": (int, type(None)),
    "unions.collective_contract": (bool,),
    "unions.wage_agreement": (bool,),
    "unions.congress_held": (bool,),
    "unions.congress_last": (dt.date, type(None)),
    "mediation.disputes": (int,),
    "mediation.collective_disputes": (int,),
    "mediation.mass_incidents": (int,),
    "inspection.open_orders": (int,),
    "inspection.arrears_listed": (bool,),
    "inspection.violations_published": (int,),
    "inspection.credit_grade": (str, type(None)),
    "inspection.complaints": (int,),
    "certification.title": (str, type(None)),
}


def test_every_agreed_fact_is_there_with_its_type():
    enterprise = EnterpriseFactory(employees=10)
    found = collect_facts(enterprise, timezone.localdate())
    assert set(AGREED) <= set(found)
    for code, types in AGREED.items():
        fact = found[code]
        assert isinstance(fact.value, types), code
        assert fact.display and fact.label and fact.source, code
        assert fact.as_of == timezone.localdate()
        assert fact.url.startswith("/"), code


def test_signal_kinds_are_well_formed():
    kinds = signal_kinds()
    assert {
        "contracts.without_contract",
        "contracts.expiring",
        "mediation.dispute",
        "mediation.collective_dispute",
        "mediation.mass_incident",
        "unions.no_union",
        "unions.collective_contract_expired",
        "certification.title_revoked",
        "certification.title_lapsed",
        "inspection.complaint",
        "inspection.open_order",
        "inspection.arrears_listed",
        "inspection.credit_c",
        "inspection.violation_published",
    } <= set(kinds)
    for code, kind in kinds.items():
        assert kind.code == code
        assert kind.actor in ACTORS, code
        assert kind.weight > 0 and kind.cap >= 1 and kind.source, code


def test_collect_signals_for_every_and_for_given_enterprises():
    today = timezone.localdate()
    assert list(collect_signals(today, [])) == []
    list(collect_signals(today))


def test_newest_without_distinct_on(monkeypatch, ent_a, ent_b):
    from apps.mediation.models import MediationOrganisation

    mediation.create_organisation(
        SYSTEM, name="调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town, ent_b.town]
    )
    applicant = {"name": "申请人", "id_number": "", "phone": "13807710001"}
    for enterprise in (ent_a, ent_a, ent_b):
        mediation.register_case(
            SYSTEM,
            channel=Case.Channel.WALK_IN,
            applicants=[applicant],
            types=["remuneration"],
            claims="工资",
            respondent_enterprise=enterprise,
        )
    qs = Case.objects.all()
    native = grouped.newest(qs, "respondent_enterprise", "received_on", ["serial"])
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", False)
    fallback = grouped.newest(qs, "respondent_enterprise", "received_on", ["serial"])
    assert fallback == native and set(native) == {ent_a.pk, ent_b.pk}
    assert list(grouped.grouped(qs.none(), "respondent_enterprise", "received_on")) == []
