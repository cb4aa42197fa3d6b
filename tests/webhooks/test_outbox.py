"""The outbox: events written in the transaction of the change, in bulk for bulk filings,
numbered after commit in the order they became visible."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from apps.audit import services as audit
from apps.contracts import services as contracts
from apps.contracts.models import LabourContract
from apps.core.principal import principal_for_user
from apps.webhooks import registry, services
from apps.webhooks.models import Event
from tests.contracts.conftest import esign, row
from tests.factories import EnterpriseFactory
from tests.mediation.conftest import accepted

from .conftest import change_enterprise, park_admin_principal

pytestmark = pytest.mark.django_db


def test_an_audited_change_writes_its_event_in_the_same_transaction(ent_a):
    change_enterprise(ent_a, employees=321)
    event = Event.objects.get(family="enterprises.enterprise")
    assert event.type == "enterprises.enterprise.update"
    assert event.object_id == str(ent_a.pk)
    assert event.area_id == ent_a.town_id
    assert event.sequence is None  # numbered after commit (publish_events)
    # No personal data: the status and where to fetch the object.
    assert event.data == {"status": "operating", "path": f"/api/v1/enterprises/{ent_a.pk}/"}


def test_a_rolled_back_change_leaves_no_event(ent_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        change_enterprise(ent_a, employees=999)
        assert Event.objects.count() == 1  # written with the change...
        raise RuntimeError("the change fails after its audit")
    assert not Event.objects.exists()  # ...and gone with it


def test_a_committed_change_queues_one_publication_however_many_writes(
    ent_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        change_enterprise(ent_a, employees=11)
        change_enterprise(ent_a, employees=12)
        change_enterprise(ent_a, employees=13)
    assert Event.objects.count() == 3
    assert [c for c in callbacks if c is services._publish_after_commit] == [services._publish_after_commit]


def test_only_registered_sources_and_their_own_modules_actions_are_events(ent_a):
    with transaction.atomic():
        audit.record("accounts.set_language", ent_a.organisation, after={"x": 1})  # not a source
        # Another module's record about an enterprise is not a change of it.
        audit.record("contracts.export_book", ent_a, after={"rows": 3}, only_changes=False)
        audit.record("enterprises.anything", None)  # no object
    assert not Event.objects.exists()


def test_a_deletion_in_the_admin_leaves_a_tombstone(ent_a):
    with transaction.atomic():
        audit.record("admin.delete:enterprises.enterprise", ent_a, before={"name": ent_a.name})
    event = Event.objects.get()
    assert event.type == "enterprises.enterprise.delete"
    assert (event.object_id, event.area_id) == (str(ent_a.pk), ent_a.town_id)


def test_event_types_name_the_family_and_the_verb():
    sources = registry.sources()
    assert list(sources) == [
        "enterprises.enterprise",
        "certification.application",
        "certification.certificate",
        "mediation.case",
        "contracts.labourcontract",
        "inspection.inspectioncase",
        "inspection.rectificationorder",
        # Union services and enterprise appeals (issue 19).
        "assistance.hardshipfile",
        "assistance.aid",
        "legalaid.legalaidrequest",
        "appeals.appeal",
    ]
    assert sources["certification.certificate"].verb("certification.issue_certificate") == "issue"
    assert sources["certification.application"].verb("certification.create_application") == "create"
    assert sources["mediation.case"].verb("mediation.accept") == "accept"
    assert sources["mediation.case"].verb("mediation.reissue_access_code") is None
    assert sources["inspection.inspectioncase"].verb("inspection.issue_access_code") is None
    assert sources["enterprises.enterprise"].verb("admin.delete:enterprises.enterprise") == "delete"
    assert sources["enterprises.enterprise"].verb("admin.change:enterprises.enterprise") == "update"
    assert sources["enterprises.enterprise"].verb("contracts.export_book") is None
    assert {s.scope for s in sources.values()} == {
        "enterprises:read",
        "contracts:read",
        "mediation:read",
        "certification:read",
        "inspection:read",
        "assistance:read",
        "legalaid:read",
        "appeals:read",
    }


def test_a_case_transition_is_an_event_with_its_status(make_case, mediator_user):
    case, _code = make_case()
    accepted(case, mediator_user)
    types = list(
        Event.objects.filter(object_id=str(case.pk)).order_by("occurred_at").values_list("type", flat=True)
    )
    assert types[-1] == "mediation.case.accept"
    event = Event.objects.filter(type="mediation.case.accept").get()
    assert event.data["status"] == "in_mediation"
    assert event.data["path"] == f"/api/v1/mediation/cases/{case.pk}/"
    assert event.area_id == case.town_id
    assert "mediation.case.reissue_access_code" not in types


def _batch(enterprises, start, n):
    return [
        row(
            enterprises[k % len(enterprises)], k, **(esign(k) if k % 3 == 0 else {}), contract_number=f"W-{k}"
        )
        for k in range(start, start + n)
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_bulk_filing_writes_its_events_in_one_statement_and_a_bounded_number_of_queries(
    park_admin,
    policy,
):
    enterprises = [EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()]
    principal = principal_for_user(park_admin)
    contracts.file_batch(principal, [])  # the principal's memberships, read once
    counts = []
    for start, n in ((1, 60), (100, 600)):
        rows = _batch(enterprises, start, n)
        with CaptureQueriesContext(connection) as queries:
            result = contracts.file_batch(principal, rows)
        assert not result.errors and len(result.created) == n
        writes = [q["sql"] for q in queries if "webhooks_event" in q["sql"]]
        assert len(writes) == 1 and writes[0].startswith("COPY"), writes  # one COPY for the batch
        counts.append(len(queries))
    assert counts[0] == counts[1], counts  # no query per row
    events = Event.objects.filter(type="contracts.labourcontract.file")
    assert events.count() == 660
    # Each event carries its contract's town (set-based look-up through the enterprise).
    towns = dict(LabourContract.objects.values_list("pk", "enterprise__town"))
    assert all(towns[__import__("uuid").UUID(e.object_id)] == e.area_id for e in events)


def test_publication_numbers_the_events_in_order_and_adds_nothing_twice(ent_a, ent_b):
    change_enterprise(ent_a, employees=1)
    change_enterprise(ent_b, employees=2)
    assert services.publish_events() == 2
    assert services.publish_events() == 0
    assert list(Event.objects.order_by("sequence").values_list("sequence", "object_id")) == [
        (1, str(ent_a.pk)),
        (2, str(ent_b.pk)),
    ]
    change_enterprise(ent_a, employees=3)
    services.publish_events(batch=1)
    assert Event.objects.filter(sequence=3).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_numbered_after_the_ones_already_read(ent_a, ent_b, monkeypatch):
    """A writer that started first and commits last: its event was written before another's, but
    a reader who read the other's must still find it after its cursor (the feed never skips)."""
    monkeypatch.setattr(services, "_queue_publication", lambda: None)  # published below, by hand
    park_admin_principal()  # the writers' user, committed before they start
    written, go_on = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                change_enterprise(ent_a, employees=10)
                written.set()
                go_on.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(10)
    change_enterprise(ent_b, employees=20)  # committed while the first is still open
    services.publish_events()
    first = Event.objects.get(object_id=str(ent_b.pk))
    assert first.sequence == 1  # the reader's cursor is now 1
    go_on.set()
    thread.join(10)
    services.publish_events()
    late = Event.objects.get(object_id=str(ent_a.pk))
    assert late.sequence == 2  # after the cursor: read on the next page
    assert late.occurred_at < first.occurred_at  # though it was written first
