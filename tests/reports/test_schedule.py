"""The schedule (reports.send_scheduled, daily): on the first day of a month, quarter and year the
previous period's report for each scope with subscribers, once; its subscribers are told when it
is ready, in their language, with the link."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.notifications.models import Notification
from apps.reports import services
from apps.reports.models import Report, ReportSubscription
from config.celery import BEAT_SCHEDULE
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db

NEW_YEAR = dt.date(2026, 1, 1)


@pytest.fixture
def subscribers(park, towns):
    """Two park administrators (one reads English) and an HR user who subscribed before losing the
    right to read reports (a row made directly: the service refuses them)."""
    zh_admin = user_with_role(Role.PARK_ADMIN, language="zh-hans")
    en_admin = user_with_role(Role.PARK_ADMIN, language="en")
    for kind in ("monthly", "quarterly", "yearly"):
        services.subscribe(p(zh_admin), kind=kind)
    services.subscribe(p(en_admin), kind="monthly")
    services.subscribe(p(en_admin), kind="quarterly", town=towns[0])
    hr = user_with_role(Role.ENTERPRISE_HR)
    ReportSubscription.objects.create(user=hr, kind="monthly")
    return {"zh": zh_admin, "en": en_admin, "hr": hr}


def run(day, capture):
    with capture(execute=True):
        return services.send_scheduled(today=day)


def test_the_job_is_in_the_beat_schedule():
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "reports.send_scheduled")
    assert entry["schedule"].hour == {6}


def test_on_new_years_day_the_previous_month_quarter_and_year_once(
    subscribers, towns, django_capture_on_commit_callbacks
):
    result = run(NEW_YEAR, django_capture_on_commit_callbacks)
    reports = Report.objects.order_by("kind", "town__code")
    made = {(r.kind, r.period_start, r.period_end, r.town_id) for r in reports}
    assert made == {
        ("monthly", dt.date(2025, 12, 1), dt.date(2025, 12, 31), None),
        ("quarterly", dt.date(2025, 10, 1), dt.date(2025, 12, 31), None),
        ("quarterly", dt.date(2025, 10, 1), dt.date(2025, 12, 31), towns[0].pk),
        ("yearly", dt.date(2025, 1, 1), dt.date(2025, 12, 31), None),
    }
    assert len(result["created"]) == 4
    assert all(r.scheduled and r.requested_by is None and r.is_ready for r in reports)
    assert all(r.notified_at is not None for r in reports)
    assert AuditEvent.objects.filter(action="reports.scheduled").count() == 4

    # A second run the same day makes nothing and tells nobody again.
    notified = Notification.objects.count()
    again = run(NEW_YEAR, django_capture_on_commit_callbacks)
    assert again["created"] == [] and Report.objects.count() == 4
    assert Notification.objects.count() == notified


def test_subscribers_are_told_in_their_language_with_the_link(
    subscribers, towns, django_capture_on_commit_callbacks
):
    run(NEW_YEAR, django_capture_on_commit_callbacks)
    zh, en, hr = subscribers["zh"], subscribers["en"], subscribers["hr"]
    # The Chinese-reading administrator: the park's monthly, quarterly and yearly reports.
    assert Notification.objects.filter(recipient=zh).count() == 3
    # The English-reading one: the park's monthly and the town's quarterly reports.
    en_notes = Notification.objects.filter(recipient=en).order_by("title")
    assert en_notes.count() == 2
    monthly = Report.objects.get(kind="monthly", scheduled=True)
    town_quarter = Report.objects.get(kind="quarterly", town=towns[0])
    assert {n.link for n in en_notes} == {
        reverse("reports:detail", args=[monthly.pk]),
        reverse("reports:detail", args=[town_quarter.pk]),
    }
    titles = sorted(n.title for n in en_notes)
    assert titles == ["Monthly report 2025-12 is ready", "Quarterly report Q4 2025 is ready"]
    assert any("雒容镇" in n.body for n in en_notes)
    # HR lost (never had) the right to read reports: not told.
    assert not Notification.objects.filter(recipient=hr).exists()


def test_nothing_on_other_days_and_no_report_without_subscribers(
    subscribers, django_capture_on_commit_callbacks
):
    assert run(dt.date(2026, 1, 2), django_capture_on_commit_callbacks)["created"] == []
    assert not Report.objects.exists()
    # 1 February: the monthly report of January only (quarterly and yearly are not due).
    run(dt.date(2026, 2, 1), django_capture_on_commit_callbacks)
    assert list(Report.objects.values_list("kind", "period_start")) == [("monthly", dt.date(2026, 1, 1))]


def test_no_subscriber_no_report(park, django_capture_on_commit_callbacks):
    assert run(NEW_YEAR, django_capture_on_commit_callbacks)["created"] == []
    assert not Report.objects.exists()


def test_the_constraint_keeps_one_scheduled_report_per_period_and_scope(park):
    from django.db import IntegrityError, transaction

    Report.objects.create(
        kind="monthly", period_start=dt.date(2025, 12, 1), period_end=dt.date(2025, 12, 31), scheduled=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            kind="monthly",
            period_start=dt.date(2025, 12, 1),
            period_end=dt.date(2025, 12, 31),
            scheduled=True,
        )
    # A report requested by a user for the same period is another record.
    Report.objects.create(kind="monthly", period_start=dt.date(2025, 12, 1), period_end=dt.date(2025, 12, 31))


def test_a_lost_report_is_queued_again(park, admin, django_capture_on_commit_callbacks):
    report = services.request_report(p(admin), kind="monthly", period_start=dt.date(2025, 11, 1))
    Report.objects.filter(pk=report.pk).update(
        status="running", updated_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    )
    result = run(dt.date(2026, 1, 2), django_capture_on_commit_callbacks)
    assert result["requeued"] == 1
    report.refresh_from_db()
    assert report.is_ready and report.attempts == 1
    assert AuditEvent.objects.filter(action="reports.requeued").exists()


def test_subscribing_twice_keeps_one_and_others_may_not(admin, towns):
    first = services.subscribe(p(admin), kind="monthly", town=towns[0])
    assert services.subscribe(p(admin), kind="monthly", town=towns[0]) == first
    services.subscribe(p(admin), kind="monthly")
    assert ReportSubscription.objects.filter(user=admin).count() == 2
    from apps.core.errors import DomainError, NotAllowed

    with pytest.raises(DomainError):
        services.subscribe(p(admin), kind="daily")
    with pytest.raises(NotAllowed):
        services.subscribe(p(user_with_role(Role.MEDIATOR)), kind="monthly")
    other = user_with_role(Role.PARK_ADMIN)
    assert services.unsubscribe(p(other), first.pk) is False  # not theirs
    assert services.unsubscribe(p(admin), first.pk) is True
    assert ReportSubscription.objects.filter(user=admin).count() == 1
