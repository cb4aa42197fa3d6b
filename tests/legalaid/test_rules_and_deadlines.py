import datetime as dt

import pytest

from apps.core.models import CalendarOverride
from apps.core.principal import ANONYMOUS, SYSTEM
from apps.legalaid import rules, selectors, services
from apps.legalaid.models import LegalAidPolicy

from .conftest import request_data

pytestmark = pytest.mark.django_db


def test_default_policy_from_data_migration():
    policy = selectors.policy_in_force(dt.date(2026, 3, 2))
    assert (policy.decision_days, policy.close_days) == (5, 90)
    assert policy.pk is not None  # the row the migration wrote, editable in the admin


def test_policy_from_a_date_applies_from_that_date():
    LegalAidPolicy.objects.create(effective_from=dt.date(2026, 6, 1), decision_days=3, close_days=60)
    assert selectors.policy_in_force(dt.date(2026, 5, 31)).decision_days == 5
    assert selectors.policy_in_force(dt.date(2026, 6, 1)).decision_days == 3


def test_decision_due_counts_working_days_over_national_day():
    policy = rules.default_policy()
    # Received on Tuesday 2025-09-30: 1-8 October are the National Day holidays (official
    # schedule), 28 September and 11 October are make-up working days.
    due = rules.decision_due(policy, dt.date(2025, 9, 30))
    # Working days after it: 9, 10, 11 (a Saturday worked), 13, 14 October.
    assert due == dt.date(2025, 10, 14)
    # Without the holiday it would have been 2025-10-07.
    assert due > dt.date(2025, 10, 7)


def test_decision_due_honours_an_override_holiday():
    policy = rules.default_policy()
    plain = rules.decision_due(policy, dt.date(2030, 3, 4))  # Monday
    CalendarOverride.objects.create(date=dt.date(2030, 3, 6), is_working_day=False, note="test")
    from apps.core.calendar import overrides_read_once

    with overrides_read_once():
        moved = rules.decision_due(policy, dt.date(2030, 3, 4))
    assert moved == plain + dt.timedelta(days=1)


def test_register_sets_the_policy_deadline(make_request):
    req, code = make_request()
    assert req.decision_due_on == rules.decision_due(
        selectors.policy_in_force(req.received_on), req.received_on
    )
    assert req.due_on is None and len(code) == rules.ACCESS_CODE_LENGTH


def test_overdue_decisions_notified_once_a_day(make_request, official_a, monkeypatch):
    req, _ = make_request()
    later = req.decision_due_on + dt.timedelta(days=1)
    assert services.notify_overdue(req.decision_due_on) == 0
    assert services.notify_overdue(later) == 1
    assert services.notify_overdue(later) == 0  # once a day
    from apps.notifications.models import Notification

    assert (
        Notification.objects.filter(recipient=official_a, link__contains=str(req.pk)).count() == 2
    )  # new + overdue


def test_public_request_needs_id_number_and_consent(ent_a, union_a, english):
    from apps.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.register_request(ANONYMOUS, **request_data(enterprise=ent_a, consent=False, id_number=""))
    assert {"consent", "id_number"} <= set(exc.value.fields)


def test_bad_input_reported_per_field(union_a, english):
    from apps.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.register_request(
            SYSTEM, name="", id_number="123", phone="12", kind="nope", facts="", claims="", consent=True
        )
    assert {"name", "id_number", "phone", "kind", "facts", "claims", "employer_name"} <= set(exc.value.fields)
