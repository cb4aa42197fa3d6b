"""The demo seeders (here the district at scale; the demo park in
tests/demo_park/test_consistent_records.py) record no collective contract whose attendance contradicts the workers'
congress meeting that adopted it (集体合同规定 art. 36, issue 17 item 3): each contract links its
meeting, held before signing, with the same figures."""

import io

import pytest
from django.core.management import call_command

from apps.unions import rules
from apps.unions.models import CollectiveContract, WorkersCongress

pytestmark = pytest.mark.django_db


def contradictions() -> list:
    """Contracts whose figures contradict their linked meeting, or (unlinked) a same-day meeting."""
    meetings: dict = {}
    for m in WorkersCongress.objects.all():
        meetings.setdefault((m.enterprise_id, m.held_on), []).append(m)
    wrong = []
    for c in CollectiveContract.objects.select_related("congress"):
        figures = {name: getattr(c, name) for name, _f in rules.ATTENDANCE_FIELDS}
        if c.congress is not None:
            errors = rules.meeting_link_errors(
                c.congress, enterprise_id=c.enterprise_id, signed_on=c.signed_on
            ) or rules.attendance_errors(figures, c.congress, linked=True)
            if errors:
                wrong.append((c, errors))
            continue
        same_day = meetings.get((c.enterprise_id, c.signed_on), [])
        results = [rules.attendance_errors(figures, m, linked=False) for m in same_day]
        if results and all(results):
            wrong.append((c, results[0]))
    return wrong


def test_seed_scale_links_every_contract_to_an_agreeing_meeting():
    call_command("seed_scale", scale=0.0005, stdout=io.StringIO())
    assert CollectiveContract.objects.exists()
    assert not CollectiveContract.objects.filter(congress__isnull=True).exists()
    assert contradictions() == []
