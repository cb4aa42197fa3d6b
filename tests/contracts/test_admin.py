"""The park keeps the contract filing policy in the admin (issue 18: the minimum wage the checks
use must be maintainable), versioned by the date it takes effect and audited; contracts are
read-only there."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.contracts.models import ContractPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(park_admin):
    park_admin.is_staff = True
    park_admin.save()
    return park_admin


def test_the_park_adds_next_years_minimum_wage_audited(client, staff_admin):
    client.force_login(staff_admin)
    assert client.get(reverse("admin:contracts_contractpolicy_changelist")).status_code == 200
    start = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        reverse("admin:contracts_contractpolicy_add"),
        {
            "effective_from": start.isoformat(),
            "monthly_minimum_wage": "2100.00",
            "hourly_minimum_wage": "21.20",
            "termination_filing_days": "7",
            "source": "桂政规〔2027〕1号",
        },
    )
    assert response.status_code == 302, response.content[:500]
    policy = ContractPolicy.objects.get(effective_from=start)
    assert AuditEvent.objects.filter(
        action="admin.add:contracts.contractpolicy", object_id=str(policy.pk)
    ).exists()
    # A future row may still be corrected.
    assert client.get(reverse("admin:contracts_contractpolicy_change", args=[policy.pk])).status_code == 200


def test_a_policy_in_effect_is_kept_as_it_was(client, staff_admin):
    past = ContractPolicy.objects.create(
        effective_from=dt.date(2020, 1, 1), monthly_minimum_wage="1810.00", hourly_minimum_wage="17.50"
    )
    client.force_login(staff_admin)
    url = reverse("admin:contracts_contractpolicy_change", args=[past.pk])
    response = client.post(
        url,
        {
            "effective_from": "2020-01-01",
            "monthly_minimum_wage": "1.00",
            "hourly_minimum_wage": "1.00",
            "termination_filing_days": "7",
        },
    )
    assert response.status_code == 403
    past.refresh_from_db()
    assert str(past.monthly_minimum_wage) == "1810.00"
    assert (
        client.post(
            reverse("admin:contracts_contractpolicy_delete", args=[past.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_contracts_are_read_only_in_the_admin(client, staff_admin):
    client.force_login(staff_admin)
    assert client.get(reverse("admin:contracts_labourcontract_changelist")).status_code == 200
    assert client.get(reverse("admin:contracts_labourcontract_add")).status_code == 403
