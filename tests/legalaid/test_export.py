"""The legal-aid list's .xlsx export: the columns, the page's filters, the list's scope (the
handling union's officials, a federation its area's, the park all; HR never), the ID number
masked (never in full), formula-safe text, no query per row."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.core.personal_data import mask_id_number
from apps.core.principal import SYSTEM
from apps.legalaid import services
from apps.legalaid.models import Lawyer
from apps.mediation import services as mediation_services
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db

HEADER = [
    "Serial number",
    "Received on",
    "Channel",
    "Kind of help",
    "Worker",
    "ID number",
    "Employer",
    "Handling union",
    "Status",
    "Decision due",
    "Decided on",
    "Lawyer",
    "Mediation case",
    "Outcome",
    "Amount recovered (yuan)",
]


@pytest.fixture
def client(client):
    """Pages in English (the language switch's cookie), so the sheet's texts read as below."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(response):
    rows = [[c.value for c in row] for row in _book(response).worksheets[0].iter_rows()]
    return rows[0], rows[1:]


def _export(client, user, **params):
    client.force_login(user)
    return client.get(reverse("legalaid:export"), params)


@pytest.fixture
def med_case(ent_a):
    case, _code = mediation_services.register_case(
        SYSTEM,
        channel="walk_in",
        applicants=[{"name": "工人1", "id_number": "", "phone": "13807710001"}],
        types=["remuneration"],
        claims="支付工资",
        amount_claimed="12000",
        respondent_enterprise=ent_a,
    )
    return case


def test_official_exports_every_column_with_the_id_masked(
    client, make_request, official_a, union_a, med_case
):
    req, _ = make_request(n=1, name="=cmd|' /C calc'!A0")
    req = services.accept(p(official_a), req)
    lawyer = Lawyer.objects.create(name="韦律师", union=union_a)
    req = services.assign_lawyer(p(official_a), req, lawyer)
    req = services.link_case(p(official_a), req, serial=med_case.serial)
    req = services.close(p(official_a), req, outcome="won", amount_recovered=Decimal("8000.50"))
    header, rows = _rows(_export(client, official_a))
    assert header == HEADER
    [row] = rows
    full = req.applicant.id_number
    assert row[0] == req.serial and row[1].date() == req.received_on
    assert row[2] == req.get_channel_display() and row[3] == req.get_kind_display()
    assert row[4] == "=cmd|' /C calc'!A0"  # kept as text, never a formula
    assert row[5] == mask_id_number(full) and full not in row[5] and "*" in row[5]
    assert row[6] == req.employer_name and row[7] == union_a.name
    assert row[8] == req.get_status_display()
    assert row[9].date() == req.decision_due_on and row[10].date() == req.decided_on
    assert row[11:15] == ["韦律师", med_case.serial, req.get_outcome_display(), 8000.5]
    sheet = _book(_export(client, official_a)).worksheets[0]
    assert sheet.cell(row=2, column=5).data_type == "s"
    # The amount is a number shown with thousands separators (issue 20).
    assert sheet.cell(row=2, column=15).number_format == "#,##0.00"


def test_the_full_id_number_is_never_in_the_file(client, make_request, official_a, park_admin):
    req, _ = make_request()
    full = req.applicant.id_number
    for user in (official_a, park_admin):
        content = b"".join(_export(client, user, reveal="id_number").streaming_content)
        book = load_workbook(io.BytesIO(content))
        values = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row]
        assert full not in " ".join(values)
        assert mask_id_number(full) in values


def test_export_follows_the_filters(client, make_request, official_a):
    advice, _ = make_request(n=1, kind="advice")
    mediation, _ = make_request(n=2, kind="mediation")
    services.accept(p(official_a), mediation)
    _h, rows = _rows(_export(client, official_a, kind="advice"))
    assert [r[0] for r in rows] == [advice.serial]
    _h, rows = _rows(_export(client, official_a, status="accepted"))
    assert [r[0] for r in rows] == [mediation.serial]
    _h, rows = _rows(_export(client, official_a, search=advice.serial))
    assert [r[0] for r in rows] == [advice.serial]


def test_scoped_as_the_list(client, make_request, ent_b, official_a, official_b, fed_official, park_admin):
    mine, _ = make_request(n=1)
    theirs, _ = make_request(n=2, enterprise=ent_b)
    _h, rows = _rows(_export(client, official_b))
    assert [r[0] for r in rows] == [theirs.serial]
    _h, rows = _rows(_export(client, official_b, search=mine.serial))
    assert rows == []
    _h, rows = _rows(_export(client, park_admin))
    assert {r[0] for r in rows} == {mine.serial, theirs.serial}
    # The federation reads its unions' requests but does not handle them: no ID number at all.
    _h, rows = _rows(_export(client, fed_official))
    assert {r[0] for r in rows} == {mine.serial, theirs.serial}
    assert all(r[5] is None for r in rows)


def test_hr_never_export(client, make_request, ent_hr_a):
    make_request()
    assert _export(client, ent_hr_a).status_code == 403


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.INSPECTOR])
def test_roles_without_the_list_get_403(client, make_request, role):
    make_request()
    assert _export(client, user_with_role(role)).status_code == 403


def test_list_page_links_the_export_with_its_filters(client, make_request, official_a):
    make_request()
    client.force_login(official_a)
    html = client.get(reverse("legalaid:list"), {"kind": "advice"}).content.decode()
    assert reverse("legalaid:export") + "?kind=advice" in html


def test_no_query_per_row(client, make_request, official_a, union_a):
    lawyer = Lawyer.objects.create(name="韦律师", union=union_a)

    def add(n):
        req, _ = make_request(n=n)
        req = services.accept(p(official_a), req)
        services.assign_lawyer(p(official_a), req, lawyer)

    add(1)
    client.force_login(official_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            _rows(client.get(reverse("legalaid:export")))
        return len(ctx.captured_queries)

    count()  # warm up: the session, the user and their permissions are read once
    few = count()
    for n in range(2, 6):
        add(n)
    assert count() == few
