"""The demo park's collective contracts agree with the workers' congress meetings that adopted
them (集体合同规定 art. 36, issue 17 item 3)."""

import pytest

from apps.unions.models import CollectiveContract
from tests.unions.test_demo_consistency import contradictions

pytestmark = pytest.mark.django_db


def test_every_demo_contract_links_an_agreeing_meeting(demo_park):
    assert CollectiveContract.objects.exists()
    assert not CollectiveContract.objects.filter(congress__isnull=True).exists()
    assert contradictions() == []
