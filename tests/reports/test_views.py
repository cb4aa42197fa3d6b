"""The reports pages: permissions (only park administrators), the list (newest first, filtered,
paged), the request form and its errors in Chinese and English, the report's page and its htmx
progress fragment, the downloads (scoped, audited, never from /media/), subscriptions."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.reports.models import Report, ReportSubscription
from apps.reports.views import PAGE_SIZE
from tests.factories import user_with_role

from .conftest import MONTH_START

pytestmark = pytest.mark.django_db


def _en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def ready(park, make_report):
    return make_report()


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_other_roles_get_403_everywhere(client, ready, role):
    client.force_login(user_with_role(role))
    for name, args in [
        ("reports:list", []),
        ("reports:request", []),
        ("reports:detail", [ready.pk]),
        ("reports:pdf", [ready.pk]),
        ("reports:xlsx", [ready.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert (
        client.post(reverse("reports:request"), {"kind": "monthly", "year": 2025, "month": 11}).status_code
        == 403
    )
    assert client.post(reverse("reports:retry", args=[ready.pk])).status_code == 403
    assert client.post(reverse("reports:subscribe"), {"kind": "monthly"}).status_code == 403
    assert Report.objects.count() == 1 and not ReportSubscription.objects.exists()
    assert not AuditEvent.objects.filter(action="reports.download").exists()


def test_anonymous_is_sent_to_login(client, ready):
    response = client.get(reverse("reports:pdf", args=[ready.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_menu_offers_reports_to_park_administrators_only(client, admin):
    client.force_login(admin)
    assert reverse("reports:list") in client.get(reverse("dashboard:home")).content.decode()
    client.force_login(user_with_role(Role.ENTERPRISE_HR))
    assert reverse("reports:list") not in client.get(reverse("dashboard:home")).content.decode()


def test_list_newest_first_filtered_and_paged(client, admin, towns):
    for i in range(PAGE_SIZE + 2):
        Report.objects.create(
            kind="monthly" if i % 2 else "yearly",
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 1, 31) if i % 2 else dt.date(2024, 12, 31),
            town=towns[0] if i == 0 else None,
        )
    newest = Report.objects.create(
        kind="quarterly", period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 9, 30)
    )
    client.force_login(admin)
    html = client.get(reverse("reports:list")).content.decode()
    assert html.count('data-testid="report-row"') == PAGE_SIZE
    assert html.index(str(newest.pk)) < html.index('data-kind="monthly"')  # the newest first
    page2 = client.get(reverse("reports:list"), {"page": 2}).content.decode()
    assert page2.count('data-testid="report-row"') == 3
    yearly = client.get(reverse("reports:list"), {"kind": "yearly"}).content.decode()
    assert yearly.count('data-testid="report-row"') == 14 and 'data-kind="monthly"' not in yearly
    town = client.get(reverse("reports:list"), {"scope": towns[0].code}).content.decode()
    assert town.count('data-testid="report-row"') == 1
    park = client.get(reverse("reports:list"), {"scope": "park"}).content.decode()
    assert park.count('data-testid="report-row"') == PAGE_SIZE
    # Junk parameters: no 500.
    assert client.get(reverse("reports:list"), {"kind": "weekly", "page": "x"}).status_code == 200
    assert client.get(reverse("reports:list"), {"scope": "nowhere"}).status_code == 200


def test_request_a_report_then_see_it_ready(client, admin, park, django_capture_on_commit_callbacks):
    client.force_login(admin)
    assert client.get(reverse("reports:request")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"), {"kind": "monthly", "year": 2025, "month": 11, "town": ""}
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:detail", args=[report.pk])
    assert (report.period_start, report.town, report.requested_by) == (MONTH_START, None, admin)
    event = AuditEvent.objects.get(action="reports.request")
    assert event.actor == admin
    page = client.get(response.url).content.decode()
    # Eager Celery in tests: generated at once.
    assert 'data-testid="report-status" data-status="ready"' in page
    assert (
        reverse("reports:pdf", args=[report.pk]) in page and reverse("reports:xlsx", args=[report.pk]) in page
    )
    assert 'data-testid="report-by-town"' in page and 'data-testid="report-bar-chart"' in page
    # No month recorded by the cockpit in this test: the page says so instead of empty axes.
    assert 'data-testid="report-trend-empty"' in page and 'data-testid="report-line-chart"' not in page
    assert "hx-trigger" not in page  # nothing left to poll


def test_a_quarterly_report_of_a_town(client, admin, park, towns):
    client.force_login(admin)
    client.post(
        reverse("reports:request"), {"kind": "quarterly", "year": 2025, "quarter": 3, "town": towns[1].code}
    )
    report = Report.objects.get()
    assert (report.kind, report.period_start, report.period_end, report.town) == (
        "quarterly",
        dt.date(2025, 7, 1),
        dt.date(2025, 9, 30),
        towns[1],
    )


@pytest.mark.parametrize(
    ("data", "english"),
    [
        ({"kind": "monthly", "year": 2025}, "Choose the month of a monthly report."),
        ({"kind": "quarterly", "year": 2025, "month": 3}, "Choose the quarter of a quarterly report."),
        ({"kind": "weekly", "year": 2025, "month": 3}, "Select a valid choice."),
        ({"kind": "monthly", "year": 1890, "month": 3}, "Select a valid choice."),
        ({"kind": "monthly", "year": 2025, "month": 13}, "Select a valid choice."),
        ({"kind": "monthly", "year": 2025, "month": 1, "town": "000"}, "Select a valid choice."),
    ],
)
def test_request_form_errors_in_english(client, admin, park, data, english):
    client.force_login(admin)
    response = _en(client).post(reverse("reports:request"), data)
    assert response.status_code == 200
    assert english in response.content.decode()
    assert not Report.objects.exists()


def test_a_period_that_has_not_ended_is_refused_in_both_languages(client, admin, park):
    from django.utils import timezone

    today = timezone.localdate()
    data = {"kind": "monthly", "year": today.year, "month": today.month}
    client.force_login(admin)
    english = _en(client).post(reverse("reports:request"), data).content.decode()
    assert "The period has not ended yet" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.post(reverse("reports:request"), data).content.decode()
    with translation.override("zh-hans"):
        expected = gettext(
            "The period has not ended yet (it ends on %(end)s): choose a period that has ended."
        )
    assert expected.split("(")[0].split("（")[0][:6] in chinese
    assert not Report.objects.exists()


def test_download_both_files_audited(client, admin, ready):
    client.force_login(admin)
    pdf = client.get(reverse("reports:pdf", args=[ready.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["X-Content-SHA256"] == ready.pdf_sha256
    assert "attachment" in pdf["Content-Disposition"] and ".pdf" in pdf["Content-Disposition"]
    xlsx = client.get(reverse("reports:xlsx", args=[ready.pk]))
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert len(book.sheetnames) == 4
    events = AuditEvent.objects.filter(action="reports.download", object_id=str(ready.pk))
    assert sorted(e.after["file"] for e in events) == ["pdf", "xlsx"]
    assert all(e.actor == admin for e in events)
    # The files are never under /media/.
    assert client.get(settings.MEDIA_URL + ready.pdf.name).status_code == 404


def test_no_download_before_ready_and_404_for_no_report(client, admin, park):
    report = Report.objects.create(kind="monthly", period_start=MONTH_START, period_end=dt.date(2025, 11, 30))
    client.force_login(admin)
    assert client.get(reverse("reports:pdf", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:xlsx", args=[report.pk])).status_code == 404
    import uuid

    assert client.get(reverse("reports:detail", args=[uuid.uuid4()])).status_code == 404


def test_the_progress_fragment_polls_while_in_progress(client, admin, park):
    report = Report.objects.create(
        kind="monthly",
        period_start=MONTH_START,
        period_end=dt.date(2025, 11, 30),
        status="running",
        progress=50,
        message="Writing the spreadsheet",
    )
    client.force_login(admin)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'data-testid="report-progress"' in page
    assert 'aria-valuenow="50"' in page and "w-pct-50" in page and "Writing the spreadsheet" in page
    fragment = client.get(
        reverse("reports:detail", args=[report.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="report-live"') and "<html" not in fragment
    assert 'data-status="running"' in fragment


def test_a_failed_report_shows_why_and_can_be_generated_again(
    client, admin, park, django_capture_on_commit_callbacks
):
    report = Report.objects.create(
        kind="monthly",
        period_start=MONTH_START,
        period_end=dt.date(2025, 11, 30),
        status="failed",
        progress=10,
        message="RuntimeError: boom",
    )
    client.force_login(admin)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-error"' in page and "RuntimeError: boom" in page
    assert 'data-testid="report-retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_ready
    # A ready report cannot be retried: the page says why, no 500.
    response = client.post(reverse("reports:retry", args=[report.pk]), follow=True)
    assert response.status_code == 200


def test_subscribe_and_unsubscribe(client, admin, towns):
    client.force_login(admin)
    assert client.post(reverse("reports:subscribe"), {"kind": "monthly", "town": ""}).status_code == 302
    assert (
        client.post(reverse("reports:subscribe"), {"kind": "quarterly", "town": towns[0].code}).status_code
        == 302
    )
    subs = ReportSubscription.objects.filter(user=admin)
    assert subs.count() == 2
    html = client.get(reverse("reports:list")).content.decode()
    assert html.count('data-testid="report-subscription"') == 2
    bad = _en(client).post(reverse("reports:subscribe"), {"kind": "daily"})
    assert bad.status_code == 400 and "Select a valid choice." in bad.content.decode()
    # Someone else's subscription: 404; one's own: gone.
    other = user_with_role(Role.PARK_ADMIN)
    theirs = ReportSubscription.objects.create(user=other, kind="yearly")
    assert client.post(reverse("reports:unsubscribe", args=[theirs.pk])).status_code == 404
    mine = subs.first()
    assert client.post(reverse("reports:unsubscribe", args=[mine.pk])).status_code == 302
    assert not ReportSubscription.objects.filter(pk=mine.pk).exists()
    assert ReportSubscription.objects.filter(pk=theirs.pk).exists()
    assert AuditEvent.objects.filter(action="reports.unsubscribe").count() == 1


def test_a_leader_reads_and_subscribes_but_does_not_generate(
    client, ready, django_capture_on_commit_callbacks
):
    """Leaders (issue 20: the park's figures only) read every report and receive the scheduled ones;
    requesting or regenerating one is the park administrators'."""
    leader = user_with_role(Role.LEADER)
    client.force_login(leader)
    html = client.get(reverse("reports:list")).content.decode()
    assert html.count('data-testid="report-row"') == 1 and 'data-testid="report-request"' not in html
    assert client.get(reverse("reports:detail", args=[ready.pk])).status_code == 200
    assert client.get(reverse("reports:pdf", args=[ready.pk])).status_code == 200
    assert client.get(reverse("reports:xlsx", args=[ready.pk])).status_code == 200
    assert client.get(reverse("reports:request")).status_code == 403
    assert client.post(reverse("reports:retry", args=[ready.pk])).status_code == 403
    assert client.post(reverse("reports:subscribe"), {"kind": "yearly"}).status_code == 302
    assert ReportSubscription.objects.filter(user=leader, kind="yearly").exists()
    from apps.reports import services

    with django_capture_on_commit_callbacks(execute=True):
        services.send_scheduled(today=dt.date(2026, 1, 1))
    from apps.notifications.models import Notification

    yearly = Report.objects.get(kind="yearly", scheduled=True)
    assert Notification.objects.get(recipient=leader).link == reverse("reports:detail", args=[yearly.pk])
