"""Requesting and generating reports (apps.reports.services): validation, both files, the same
figures as the cockpit for the same dates, progress, failure and retry, idempotence, audit."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.cockpit import selectors as cockpit
from apps.core.errors import DomainError, NotAllowed
from apps.reports import selectors, services
from apps.reports.models import Report
from tests.factories import user_with_role

from .conftest import MONTH_END, MONTH_START, p

pytestmark = pytest.mark.django_db


def _pdf_text(report) -> str:
    with report.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def _workbook(report):
    with report.xlsx.open("rb") as fh:
        return load_workbook(io.BytesIO(fh.read()))


def _json_value(value):
    """A figure's value in the form the report keeps it (Decimal as text)."""
    return str(value) if isinstance(value, Decimal) else value


# Requesting ----------------------------------------------------------------------------------------


def test_request_records_audits_and_queues(admin, towns, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = services.request_report(p(admin), kind="monthly", period_start=MONTH_START, town=towns[0])
    assert len(callbacks) == 1  # the generation is queued after commit
    assert report.status == "pending" and report.progress == 0
    assert (report.period_start, report.period_end) == (MONTH_START, MONTH_END)
    assert report.town == towns[0] and report.requested_by == admin and not report.scheduled
    event = AuditEvent.objects.get(action="reports.request")
    assert event.object_id == str(report.pk)


def test_a_town_may_be_given_by_its_code(admin, towns):
    report = services.request_report(
        p(admin), kind="quarterly", period_start=dt.date(2025, 7, 1), town="450206101"
    )
    assert report.town == towns[1] and report.period_end == dt.date(2025, 9, 30)


@pytest.mark.parametrize(
    ("kwargs", "field", "english"),
    [
        ({"kind": "weekly", "period_start": MONTH_START}, "kind", "Choose monthly, quarterly or yearly."),
        ({"kind": "monthly", "period_start": dt.date(2025, 11, 2)}, "period_start", "one whole period"),
        ({"kind": "quarterly", "period_start": MONTH_START}, "period_start", "one whole period"),
        ({"kind": "yearly", "period_start": dt.date(2100, 1, 1)}, "period_start", "has not ended yet"),
        ({"kind": "monthly", "period_start": MONTH_START, "town": "999999999"}, "town", "Choose a town"),
    ],
)
def test_bad_requests_are_refused_with_field_messages(admin, towns, kwargs, field, english):
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            services.request_report(p(admin), **kwargs)
        message = str(caught.value.fields[field][0])  # lazy: read in the language asked for
    assert field in caught.value.fields
    assert english in message
    assert not Report.objects.exists()


def test_the_messages_are_in_the_users_language(admin):
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as caught:
            services.request_report(p(admin), kind="weekly", period_start=MONTH_START)
        assert str(caught.value.fields["kind"][0]) == gettext("Choose monthly, quarterly or yearly.")
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            services.request_report(p(admin), kind="weekly", period_start=MONTH_START)
        assert str(caught.value.fields["kind"][0]) == "Choose monthly, quarterly or yearly."


def test_a_future_period_is_refused_whatever_today(admin):
    today = dt.date(2026, 3, 31)
    with pytest.raises(DomainError) as caught:
        services.request_report(p(admin), kind="monthly", period_start=dt.date(2026, 3, 1), today=today)
    assert "period_start" in caught.value.fields
    report = services.request_report(
        p(admin), kind="monthly", period_start=dt.date(2026, 3, 1), today=dt.date(2026, 4, 1)
    )
    assert report.period_end == dt.date(2026, 3, 31)


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_other_roles_may_not_request(role):
    user = user_with_role(role)
    with pytest.raises(NotAllowed):
        services.request_report(p(user), kind="monthly", period_start=MONTH_START)
    assert not Report.objects.exists()


# Generating ----------------------------------------------------------------------------------------


def test_generation_makes_both_files_with_the_figures(park, make_report):
    report = make_report()
    assert report.status == "ready" and report.progress == 100 and report.is_ready
    assert report.finished_at and report.attempts == 1 and report.message == ""
    # The PDF: Chinese text (Noto CJK), the park's figures and the table by town.
    with report.pdf.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    assert services._sha256(data) == report.pdf_sha256
    text = _pdf_text(report)
    with translation.override("zh-hans"):
        assert gettext("Labour relations report").replace(" ", "") in text
    assert "雒容镇" in text and "洛埠镇" in text
    # The .xlsx: the report, the figures with their targets, by town, the trend.
    book = _workbook(report)
    with translation.override("zh-hans"):
        assert book.sheetnames[:2] == [gettext("About the report"), gettext("Figures and targets")]
        assert gettext("By town") in book.sheetnames and gettext("Monthly trend") in book.sheetnames
    audit = AuditEvent.objects.get(action="reports.generated")
    assert audit.after["pdf_sha256"] == report.pdf_sha256 and audit.after["xlsx_sha256"] == report.xlsx_sha256


def test_the_figures_are_the_cockpits_for_the_same_dates(park, admin, make_report):
    report = make_report()
    # The cockpit, read as the park administrator, for the report's period (since / as of).
    live = cockpit.figures(p(admin), as_of=MONTH_END, since=MONTH_START)
    kept = selectors.figures_by_code(report.figures)
    assert set(kept) == set(live["by_code"])
    for code, figure in live["by_code"].items():
        assert kept[code]["value"] == _json_value(figure["value"]), code
        assert kept[code]["target"] == _json_value(figure["target"]), code
        assert kept[code]["meets_target"] == figure["meets_target"], code
    assert kept["enterprises.operating"]["value"] == 3
    # The .xlsx holds the same numbers (amounts in the money column, with separators).
    book = _workbook(report)
    sheet = book.worksheets[1]
    rows = {row[10].value: row for row in sheet.iter_rows(min_row=2)}
    for code, figure in live["by_code"].items():
        value = figure["value"]
        cell = rows[code][2] if figure["unit"] == "yuan" else rows[code][1]
        if value is None:
            assert cell.value is None, code
        else:
            assert Decimal(str(cell.value)) == Decimal(str(value)), code
    assert rows["mediation.amount_agreed"][2].number_format == "#,##0.00"
    # Each town's row is the cockpit's figures for that town.
    by_town = {row["key"]: row for row in report.figures["by_town"]["rows"]}
    for town in park["towns"]:
        town_live = cockpit.figures(
            p(admin), as_of=MONTH_END, since=MONTH_START, town=town.code, codes=selectors.BY_TOWN_CODES
        )
        for code in selectors.BY_TOWN_CODES:
            assert by_town[town.code]["values"][code] == _json_value(town_live["by_code"][code]["value"]), (
                code
            )
    assert by_town["450206100"]["values"]["enterprises.operating"] == 2


def test_the_trend_is_the_cockpits_monthly_record(park, admin, make_report):
    from apps.cockpit import services as cockpit_services

    cockpit_services.record_months(today=dt.date(2025, 12, 5))
    report = make_report(kind="yearly", period_start=dt.date(2025, 1, 1))
    trends = report.figures["trends"]
    live = cockpit.trends(p(admin), as_of=dt.date(2025, 12, 31), months=24, codes=selectors.TREND_CODES)
    assert trends["months"] == live["months"] and len(trends["months"]) == 24
    assert trends["series"] == {c: [_json_value(v) for v in values] for c, values in live["series"].items()}
    assert trends["series"]["unions.coverage"][-2] == "33.3"  # November 2025: 1 of 3 enterprises
    charts = selectors.charts(report.figures)
    assert [c["name"] for c in charts["lines"]] == ["rates", "cases"] and not charts["trend_empty"]
    rates = charts["lines"][0]
    assert [line["code"] for line in rates["lines"]] == list(selectors.TREND_CHARTS[0][1])
    assert rates["lines"][0]["points"]  # drawn where a month has a value


def test_a_town_report_has_the_towns_figures_and_no_table_by_town(park, admin, make_report, towns):
    report = make_report(town=towns[1])
    assert report.is_ready
    assert report.figures["by_town"] is None
    kept = selectors.figures_by_code(report.figures)
    assert kept["enterprises.operating"]["value"] == 1
    live = cockpit.figures(p(admin), as_of=MONTH_END, since=MONTH_START, town=towns[1].code)
    assert {c: f["value"] for c, f in kept.items()} == {
        c: _json_value(f["value"]) for c, f in live["by_code"].items()
    }
    with translation.override("zh-hans"):
        assert gettext("By town") not in _workbook(report).sheetnames


def test_progress_is_committed_step_by_step(park, admin, make_report, monkeypatch):
    seen = []
    real_compute, real_render = selectors.compute, services.render_pdf

    def compute(report):
        seen.append(Report.objects.values_list("status", "progress").get(pk=report.pk))
        return real_compute(report)

    def render(*args, **kwargs):
        seen.append(Report.objects.values_list("status", "progress").get(pk=args[1]["report"].pk))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(selectors, "compute", compute)
    monkeypatch.setattr(services, "render_pdf", render)
    report = make_report()
    assert seen == [("running", 10), ("running", 70)]
    assert report.progress == 100


def test_a_failed_generation_is_recorded_and_can_be_retried(
    park, admin, make_report, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(report):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "compute", boom)
    report = make_report()
    assert report.status == "failed"
    assert "the database went away" in report.message
    assert not report.pdf and not report.xlsx
    assert AuditEvent.objects.filter(action="reports.failed", object_id=str(report.pk)).exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(p(admin), report)
    report.refresh_from_db()
    assert report.status == "ready" and report.is_ready and report.attempts == 2
    assert AuditEvent.objects.filter(action="reports.retry").count() == 1


def test_only_a_failed_or_stale_report_can_be_retried(park, admin, make_report):
    report = make_report()
    with pytest.raises(DomainError):
        services.retry(p(admin), report)
    hr = user_with_role(Role.ENTERPRISE_HR)
    with pytest.raises(NotAllowed):
        services.retry(p(hr), report)


def test_generating_a_ready_report_again_changes_nothing(park, make_report):
    report = make_report()
    sha, name = report.pdf_sha256, report.pdf.name
    again = services.generate(report.pk)
    assert again.pdf_sha256 == sha and again.pdf.name == name and again.attempts == 1


def test_a_report_a_live_worker_is_generating_is_left_to_it(park, admin):
    report = services.request_report(p(admin), kind="monthly", period_start=MONTH_START)
    Report.objects.filter(pk=report.pk).update(status="running")
    assert services.generate(report.pk).status == "running"  # claimed by another worker
    report.refresh_from_db()
    assert report.attempts == 0 and not report.pdf
