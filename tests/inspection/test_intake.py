"""Registering inspection cases: serial numbers, sources, idempotent referrals, the employer, the
workers' protected ID numbers, and bad input reported per field without a write."""

import pytest

from apps.core.errors import DomainError, NotAllowed
from apps.core.personal_data import lookup_hash
from apps.core.principal import ANONYMOUS, SYSTEM
from apps.inspection import services
from apps.inspection.models import InspectionCase, Reporter, Source, Worker

from .conftest import p, worker

pytestmark = pytest.mark.django_db


def test_serial_number_and_clock(make_case):
    from apps.inspection import rules

    first, second = make_case(), make_case()
    year = first.received_on.year
    assert (first.serial, second.serial) == (f"JC{year}-00001", f"JC{year}-00002")
    assert first.decision_due_on == rules.acceptance_due(first.received_on).date
    assert first.status == InspectionCase.Status.RECEIVED
    assert first.history.get().action == "receive"


def test_id_numbers_are_encrypted_and_hashed(make_case):
    case = make_case()
    w = Worker.objects.get(case=case)
    assert w.id_number == worker(1)["id_number"]
    assert w.id_number_hash == lookup_hash(worker(1)["id_number"])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select id_number from inspection_worker where id = %s", [w.pk])
        assert cursor.fetchone()[0] != worker(1)["id_number"]


@pytest.mark.parametrize("source", [s for s in Source.values if s != Source.COMPLAINT])
def test_every_source(make_case, source):
    case = make_case(source=source, source_reference=f"REF-{source}")
    assert case.source == source


def test_referrals_are_idempotent_on_source_and_reference(make_case, ent_a, inspector):
    case = make_case(source=Source.REFERRAL, source_reference="12345-2026-0001")
    again, created = services.register_case(
        p(inspector),
        source=Source.REFERRAL,
        source_reference="12345-2026-0001",
        enterprise=ent_a,
        matters=["other"],
    )
    assert (again.pk, created) == (case.pk, False)
    # The same reference from another source is another case.
    other = make_case(source=Source.CAMPAIGN, source_reference="12345-2026-0001")
    assert other.pk != case.pk
    assert InspectionCase.objects.count() == 2


def test_a_complaint_names_a_worker_and_only_a_report_has_a_reporter(make_case, ent_a, english):
    with pytest.raises(DomainError) as error:
        services.register_case(
            SYSTEM,
            source=Source.COMPLAINT,
            enterprise=ent_a,
            matters=["wage_arrears"],
            workers=[],
            reporter={"name": "某人"},
        )
    assert set(error.value.fields) == {"workers", "reporter"}
    assert not InspectionCase.objects.exists()


def test_junk_is_reported_per_field_without_a_write(ent_a, inspector):
    with pytest.raises(DomainError) as error:
        services.register_case(
            p(inspector),
            source="hotline?",
            employer_name="",
            matters=["bribery"],
            amount_owed="NaN",
            workers_count="many",
            workers=[{"name": "", "id_number": "123", "phone": "abc"}, "junk"],
            received_on="2026-13-40",
            violation_ended_on=20260101,
        )
    fields = set(error.value.fields)
    assert {
        "source",
        "employer_name",
        "town",
        "matters",
        "amount_owed",
        "workers_count",
        "workers.0.name",
        "workers.0.id_number",
        "workers.1.name",
        "received_on",
        "violation_ended_on",
    } <= fields
    assert not InspectionCase.objects.exists() and not Worker.objects.exists()


def test_anonymous_report(make_case):
    case = make_case(source=Source.REPORT, reporter={"anonymous": True, "name": "不会保存", "phone": ""})
    reporter = Reporter.objects.get(case=case)
    assert reporter.anonymous and reporter.name == ""


def test_only_inspectors_and_the_park_register(ent_a, ent_hr_a, union_official_a):
    for principal in (p(ent_hr_a), p(union_official_a), ANONYMOUS):
        with pytest.raises(NotAllowed):
            services.register_case(principal, source=Source.PATROL, enterprise=ent_a, matters=["other"])
