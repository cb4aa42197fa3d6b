"""Reports, exports and bulk pulls can read from a replica (DATABASE_REPLICA_URL); writes never do."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.core.db import REPLICA, for_reports
from tests.testapp.models import Case, CaseHistory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_without_a_replica_reports_read_the_primary(settings):
    settings.DATABASE_REPLICA_ENABLED = False
    assert for_reports(Case.objects.all()).db == "default"


def test_reports_read_the_replica_and_writes_stay_on_the_primary(settings):
    settings.DATABASE_REPLICA_ENABLED = True
    case = Case.objects.create(title="from the primary")
    CaseHistory.objects.create(subject=case, action="accept", from_status="received", to_status="accepted")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        rows = list(for_reports(Case.objects.all()))
        history = list(rows[0].history.all())  # related rows follow the replica row
    assert [r.title for r in rows] == ["from the primary"]
    assert rows[0]._state.db == REPLICA and history[0]._state.db == REPLICA
    assert len(on_replica.captured_queries) == 2
    with CaptureQueriesContext(connections["default"]) as on_primary:
        rows[0].title = "changed"
        rows[0].save()
    assert any("UPDATE" in q["sql"] for q in on_primary.captured_queries), "writes go to the primary"
    assert Case.objects.get().title == "changed"
