"""The overdue queries behind reminders, at their boundaries."""

import datetime as dt

import pytest

from apps.inspection import selectors, services

from .conftest import p, travel

pytestmark = pytest.mark.django_db

D = dt.date


def test_decision_overdue_the_day_after_the_fifth_working_day(make_case, inspector, monkeypatch):
    travel(monkeypatch, D(2026, 9, 30))
    case = make_case()
    assert case.decision_due_on == D(2026, 10, 13)
    assert not selectors.decisions_overdue(D(2026, 10, 13)).exists()
    assert list(selectors.decisions_overdue(D(2026, 10, 14))) == [case]
    assert list(selectors.decisions_overdue(D(2026, 10, 14), p(inspector))) == [case]
    services.accept(p(inspector), case)
    assert not selectors.decisions_overdue(D(2026, 10, 14)).exists()


def test_investigation_overdue_after_its_deadline_and_extension_moves_it(
    make_case, inspector, park_admin, monkeypatch
):
    travel(monkeypatch, D(2026, 9, 29))
    me = p(inspector)
    case = services.start_investigation(me, services.accept(me, make_case()))
    due = case.due_on
    assert not selectors.investigations_overdue(due).exists()
    assert list(selectors.investigations_overdue(due + dt.timedelta(days=1))) == [case]
    clocks = {c["name"]: c for c in selectors.clocks(case, due + dt.timedelta(days=1))}
    assert clocks["investigation"]["overdue"] and clocks["investigation"]["unit"] == "working_days"
    assert clocks["investigation"]["source"] == "劳动保障监察条例第十七条"
    services.request_extension(me, case, reason="复杂")
    case = services.approve_extension(p(park_admin), case)
    assert not selectors.investigations_overdue(due + dt.timedelta(days=1)).exists()
    assert {c["name"]: c for c in selectors.clocks(case)}["investigation"]["days"] == 90


def test_orders_overdue_until_checked(make_case, inspector, monkeypatch):
    travel(monkeypatch, D(2026, 9, 29))
    me = p(inspector)
    case = services.start_investigation(me, services.accept(me, make_case()))
    case = services.decide(me, case, "decide_order", items=["补发工资"], order_due_on=D(2026, 10, 9))
    assert not selectors.orders_overdue(D(2026, 10, 9)).exists()
    assert selectors.orders_overdue(D(2026, 10, 10)).count() == 1
    travel(monkeypatch, D(2026, 10, 10))
    case = services.start_follow_up(me, case)
    services.record_follow_up(me, case.orders.get(), result="partly", escalation="penalty_recorded")
    assert not selectors.orders_overdue(D(2026, 10, 10)).exists()


def test_limitation_warning_on_the_case(make_case):
    case = make_case(violation_ended_on=D(2023, 1, 5))
    warning = selectors.limitation_warning(case)
    assert warning is not None and warning.source == "劳动保障监察条例第二十条"
    assert selectors.limitation_warning(make_case(violation_ended_on=case.received_on)) is None


def test_daily_job_reminds_once_flags_once_and_an_extension_clears_the_flag(
    make_case, inspector, park_admin, monkeypatch
):
    from apps.notifications.models import Notification

    travel(monkeypatch, D(2026, 9, 30))
    me = p(inspector)
    undecided = make_case()
    investigated = services.start_investigation(me, services.accept(me, make_case()))
    travel(monkeypatch, D(2026, 10, 14))
    assert services.flag_overdue() == {"reminded": 1, "flagged": 0, "listings_removed": 0}
    assert services.flag_overdue()["reminded"] == 0  # once per deadline
    assert Notification.objects.filter(recipient=inspector).count() == 1
    undecided.refresh_from_db()
    assert undecided.decision_reminded_on == D(2026, 10, 14)
    day_after = investigated.due_on + dt.timedelta(days=1)
    travel(monkeypatch, day_after)
    assert services.flag_overdue()["flagged"] == 1
    assert services.flag_overdue()["flagged"] == 0
    services.request_extension(me, investigated, reason="复杂")
    investigated = services.approve_extension(p(park_admin), investigated)
    assert investigated.overdue_notified_on is None
    assert services.flag_overdue()["flagged"] == 0  # the new deadline has not passed
