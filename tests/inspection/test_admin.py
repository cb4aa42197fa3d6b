"""The admin shows inspection read-only and never shows reporters."""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from apps.accounts.roles import Role
from apps.inspection import services
from apps.inspection.models import Source
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    user = user_with_role(Role.PARK_ADMIN)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def test_cases_and_listings_read_only_and_no_reporter(client, staff, make_case, inspector, ent_a):
    me = p(inspector)
    case = make_case(source=Source.REPORT, reporter={"name": "绝密举报人", "phone": "13900000009"})
    case = services.start_investigation(me, services.accept(me, case))
    services.decide(
        me, case, "decide_order", items=["补缴社保"], order_due_on=case.received_on + dt.timedelta(9)
    )
    services.list_wage_arrears(
        p(staff), enterprise=ent_a, listed_on=case.received_on, decision_reference="文号1"
    )
    client.force_login(staff)
    for name in ("inspectioncase", "wagearrearslisting"):
        page = client.get(reverse(f"admin:inspection_{name}_changelist"))
        assert page.status_code == 200
        assert client.get(reverse(f"admin:inspection_{name}_add")).status_code == 403
    page = client.get(reverse("admin:inspection_inspectioncase_change", args=[case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert case.serial in body and "补缴社保" in body
    assert "绝密举报人" not in body and "13900000009" not in body
    assert (
        client.post(reverse("admin:inspection_inspectioncase_change", args=[case.pk]), {}).status_code == 403
    )
    with pytest.raises(NoReverseMatch):
        reverse("admin:inspection_reporter_changelist")
