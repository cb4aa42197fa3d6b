"""Journey (issue 20, periodic reports): the park administrator opens the reports from the menu,
requests the monthly report of last month for the whole park, sees its status and then its
downloads (Celery is eager here, so it is ready when the page opens), downloads the PDF and the
.xlsx, and subscribes to the monthly reports. A report a worker is still generating shows its
progress bar, which htmx refreshes by itself until the downloads appear. At 375 px no page of the
journey scrolls sideways. An enterprise's HR is refused the reports (403).

Screenshots: $SHOTS_DIR/reports-*.png (test-artifacts/shots by default).
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override
from openpyxl import load_workbook
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.cockpit import services as cockpit
from apps.reports import rules, services
from apps.reports.models import Report, ReportSubscription
from tests.factories import PASSWORD, EnterpriseFactory, TownFactory, UnionFactory, user_with_role

from .helpers import follow_menu, login

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts/shots"))
PHONE_SIZE = {"width": 375, "height": 812}
DESKTOP_SIZE = {"width": 1440, "height": 900}


def zh(text) -> str:
    with override("zh-hans"):
        return gettext(text) if isinstance(text, str) else str(text)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reports-{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"{page.url} scrolls sideways: {scroll} px wide in a {inner} px window"


@pytest.fixture
def park(db):
    towns = [TownFactory(name="雒容镇", code="450206100"), TownFactory(name="洛埠镇", code="450206101")]
    first = EnterpriseFactory(name="柳州恒达机械制造有限公司", town=towns[0], employees=120)
    EnterpriseFactory(name="柳州顺通物流有限公司", town=towns[0], employees=60)
    EnterpriseFactory(name="柳州华达汽车零部件有限公司", town=towns[1], employees=300)
    UnionFactory(enterprises=[first], members=100)
    admin = user_with_role(Role.PARK_ADMIN, username="admin1", full_name="王伟")
    hr = user_with_role(Role.ENTERPRISE_HR, first.organisation, username="hr1", full_name="刘人事")
    cockpit.record_months()  # the cockpit's monthly record: the reports' trend lines
    return {"towns": towns, "admin": admin, "hr": hr}


def test_park_administrator_requests_a_monthly_report_and_downloads_it(page, live_url, park):
    start, end = rules.latest_complete("monthly", timezone.localdate())
    page.set_viewport_size(DESKTOP_SIZE)

    # 1. The reports, from the menu: none yet.
    login(page, live_url, "admin1", PASSWORD)
    follow_menu(page, "reports:list")
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.get_by_test_id("report-row")).to_have_count(0)
    expect(page.get_by_test_id("report-no-subscription")).to_be_visible()

    # 2. Requests last month's report for the whole park (the form proposes it).
    page.get_by_test_id("report-request").click()
    expect(page).to_have_url(re.compile(r"/reports/new/$"))
    form = page.get_by_test_id("report-request-form")
    form.locator("select[name='kind']").select_option("monthly")
    expect(form.locator("select[name='quarter']")).to_be_hidden()  # only the month applies
    form.locator("select[name='year']").select_option(str(start.year))
    form.locator("select[name='month']").select_option(str(start.month))
    expect(form.locator("select[name='town']")).to_have_value("")
    shot(page, "1440-request")
    form.get_by_test_id("report-request-submit").click()

    # 3. The report's page: its status, then (eager Celery) the downloads, figures and charts.
    expect(page).to_have_url(re.compile(r"/reports/[0-9a-f-]{36}/$"))
    report = Report.objects.get()
    assert (report.kind, report.period_start, report.period_end, report.town) == ("monthly", start, end, None)
    status = page.get_by_test_id("report-status")
    expect(status).to_be_visible()
    expect(status).to_have_attribute("data-status", "ready")
    expect(status).to_have_text(zh(Report.Status.READY.label))
    expect(page.get_by_test_id("report-downloads")).to_be_visible()
    expect(page.get_by_test_id("report-figure")).to_have_count(len(report.figures["figures"]))
    operating = page.locator("[data-testid='report-figure'][data-code='enterprises.operating']")
    expect(operating.get_by_test_id("report-figure-value")).to_have_text("3")
    expect(page.get_by_test_id("report-town-row")).to_have_count(2)
    expect(page.get_by_test_id("report-bar-chart")).to_have_count(2)
    expect(page.get_by_test_id("report-line-chart")).to_have_count(2)
    no_horizontal_scroll(page)
    shot(page, "1440-ready")

    # 4. Downloads the PDF and the .xlsx (through the scoped, audited view).
    with page.expect_download() as pdf_download:
        page.get_by_test_id("report-download-pdf").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf_download.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as xlsx_download:
        page.get_by_test_id("report-download-xlsx").click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert zh("Figures and targets") in book.sheetnames and zh("By town") in book.sheetnames
    assert services._sha256(pdf) == report.pdf_sha256

    # 5. The list keeps it; the administrator subscribes to the monthly reports of the park.
    page.goto(live_url("/reports/"))
    expect(page.get_by_test_id("report-row")).to_have_count(1)
    subscribe = page.get_by_test_id("report-subscribe-form")
    subscribe.locator("select[name='kind']").select_option("monthly")
    subscribe.get_by_test_id("report-subscribe").click()
    expect(page.get_by_test_id("report-subscription")).to_have_count(1)
    assert ReportSubscription.objects.filter(user=park["admin"], kind="monthly", town=None).exists()
    shot(page, "1440-list")

    # 6. At 375 px: the list, the form and the report do not scroll sideways.
    page.set_viewport_size(PHONE_SIZE)
    for path, name in [
        ("/reports/", "list"),
        ("/reports/new/", "request"),
        (f"/reports/{report.pk}/", "ready"),
    ]:
        page.goto(live_url(path))
        no_horizontal_scroll(page)
        shot(page, f"375-{name}")
    expect(page.get_by_test_id("report-download-pdf")).to_be_visible()


def test_the_page_shows_the_progress_until_the_downloads(page, live_url, park):
    """A report waiting for a worker: the bar at 0 %, then the step a worker reached, then the
    downloads, each brought by the page's own htmx poll (no reload)."""
    start, end = rules.latest_complete("quarterly", timezone.localdate())
    report = Report.objects.create(
        kind="quarterly",
        period_start=start,
        period_end=end,
        town=park["towns"][0],
        requested_by=park["admin"],
        message="",
    )
    page.set_viewport_size(DESKTOP_SIZE)
    login(page, live_url, "admin1", PASSWORD)
    page.goto(live_url(f"/reports/{report.pk}/"))
    bar = page.get_by_test_id("report-progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("report-downloads")).to_have_count(0)

    # A worker reaches the spreadsheet step: the poll shows it.
    Report.objects.filter(pk=report.pk).update(status="running", progress=50, message="正在生成电子表格")
    expect(bar).to_have_attribute("aria-valuenow", "50", timeout=8_000)
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "running")
    expect(page.get_by_test_id("report-step")).to_contain_text("正在生成电子表格")
    shot(page, "1440-progress")
    page.set_viewport_size(PHONE_SIZE)
    no_horizontal_scroll(page)
    shot(page, "375-progress")
    page.set_viewport_size(DESKTOP_SIZE)

    # The worker finishes (the service the task runs): the downloads replace the bar.
    Report.objects.filter(pk=report.pk).update(status="pending", progress=0)
    services.generate(report.pk)
    expect(page.get_by_test_id("report-downloads")).to_be_visible(timeout=8_000)
    expect(page.get_by_test_id("report-progress")).to_have_count(0)
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "ready")
    expect(page.get_by_test_id("report-by-town")).to_have_count(0)  # a town's report
    expect(page.get_by_test_id("report-title")).to_contain_text("雒容镇")


def test_enterprise_hr_is_refused_the_reports(page, live_url, park):
    login(page, live_url, "hr1", PASSWORD)
    expect(page.locator("[data-nav='reports:list']")).to_have_count(0)
    response = page.goto(live_url("/reports/"))
    assert response.status == 403
