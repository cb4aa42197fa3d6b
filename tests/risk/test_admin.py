"""[POLICY] Editing the risk policy in the admin saves a new version; older ones stay read-only."""

import pytest

from apps.risk.models import RiskPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(park_admin):
    park_admin.is_staff = True
    park_admin.save()
    return park_admin


def test_saving_the_newest_version_makes_a_new_one(client, staff):
    park_admin = staff
    client.force_login(park_admin)
    v1 = RiskPolicy.objects.get(version=1)
    url = f"/admin/risk/riskpolicy/{v1.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "valid_from": "2026-01-01",
        "watch_from": "12",
        "warning_from": "30",
        "serious_from": "60",
        "note": "after the 2026 review",
        "weights-TOTAL_FORMS": "1",
        "weights-INITIAL_FORMS": "0",
        "weights-MIN_NUM_FORMS": "0",
        "weights-MAX_NUM_FORMS": "1000",
        "weights-0-code": "test.complaint",
        "weights-0-weight": "9",
        "weights-0-cap": "4",
        "_save": "Save",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    v1.refresh_from_db()
    assert (v1.watch_from, v1.weights.count()) == (10, 0)
    v2 = RiskPolicy.objects.get(version=2)
    assert (v2.watch_from, v2.serious_from, v2.created_by) == (12, 60, park_admin)
    assert list(v2.weights.values_list("code", "weight", "cap")) == [("test.complaint", 9, 4)]
    # Version 1 is now read-only: no save, and a post changes nothing.
    assert b'name="_save"' not in client.get(url).content
    assert client.post(url, {**data, "watch_from": "1"}).status_code == 403
    assert RiskPolicy.objects.count() == 2
