"""The appeal queue's .xlsx export: the columns, the page's filters, the list's scope (park: all;
HR: their enterprise's), 403 for roles without the list, formula-safe text, no query per row."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.appeals import services
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English (the language switch's cookie), so the sheet's texts read as below."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.worksheets[0]


def _rows(response):
    sheet = _sheet(response)
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return rows[0], rows[1:]


@pytest.fixture
def file_b(ent_b, ent_hr_b):
    def make(**extra):
        data = {
            "enterprise": ent_b,
            "kind": "training",
            "subject": "乙公司培训",
            "text": "请安排培训。",
            "contact_name": "李强",
            "contact_phone": "13877205678",
            **extra,
        }
        return services.file_appeal(p(ent_hr_b), **data)

    return make


def test_park_exports_every_column(client, file, park_admin, ent_hr_a, department):
    appeal = file(today=dt.date(2024, 3, 4))
    admin = p(park_admin)
    appeal = services.route(admin, appeal, department=department.pk)
    appeal = services.answer(admin, appeal, text="已对接。", answered_on=dt.date(2024, 3, 6))
    services.rate(p(ent_hr_a), appeal, satisfaction="satisfied")
    late = file(kind="dispute", today=dt.date(2024, 3, 4), subject='=HYPERLINK("http://x")')
    client.force_login(park_admin)
    header, rows = _rows(client.get(reverse("appeals:export")))
    assert header == [
        "Reference",
        "Enterprise",
        "Town / sub-district",
        "Kind",
        "Subject",
        "Status",
        "Department",
        "Filed on",
        "Due by",
        "Overdue",
        "Answered on",
        "Days to answer",
        "Satisfaction",
    ]
    by_ref = {r[0]: r for r in rows}
    assert set(by_ref) == {appeal.reference, late.reference}
    done = by_ref[appeal.reference]
    assert done[1] == appeal.enterprise.name
    assert done[3:7] == ["Hiring and employment", "招聘普工30名", "Closed (rated)", department.name]
    assert done[7].date() == dt.date(2024, 3, 4) and done[8].date() == appeal.due_on
    assert done[9] == "No" and done[10].date() == dt.date(2024, 3, 6) and done[11] == 2
    assert done[12] == "Satisfied"
    open_row = by_ref[late.reference]
    assert open_row[9] == "Yes" and open_row[10] is None and open_row[11] is None and open_row[12] is None
    # Text that looks like a formula stays text.
    assert open_row[4] == '=HYPERLINK("http://x")'
    sheet = _sheet(client.get(reverse("appeals:export")))
    cells = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)


def test_export_follows_the_filters(client, file, park_admin, file_b):
    hiring = file()
    training = file_b()
    client.force_login(park_admin)
    _h, rows = _rows(client.get(reverse("appeals:export"), {"kind": "training"}))
    assert [r[0] for r in rows] == [training.reference]
    _h, rows = _rows(client.get(reverse("appeals:export"), {"search": hiring.reference}))
    assert [r[0] for r in rows] == [hiring.reference]
    _h, rows = _rows(client.get(reverse("appeals:export"), {"status": "closed"}))
    assert rows == []


def test_hr_export_only_their_enterprise(client, file, file_b, ent_hr_a, ent_hr_b):
    mine = file()
    theirs = file_b()
    client.force_login(ent_hr_b)
    _h, rows = _rows(client.get(reverse("appeals:export")))
    assert [r[0] for r in rows] == [theirs.reference]
    # Asking for the other enterprise's appeal by its reference finds nothing.
    _h, rows = _rows(client.get(reverse("appeals:export"), {"search": mine.reference}))
    assert rows == []


@pytest.mark.parametrize("role", [Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_roles_without_the_list_get_403(client, file, role):
    file()
    client.force_login(user_with_role(role))
    assert client.get(reverse("appeals:export")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("appeals:export"))
    assert response.status_code == 302


def test_list_page_links_the_export_with_its_filters(client, park_admin, file):
    file()
    client.force_login(park_admin)
    html = client.get(reverse("appeals:list"), {"kind": "hiring"}).content.decode()
    assert reverse("appeals:export") + "?kind=hiring" in html


def test_no_query_per_row(client, file, park_admin, department):
    client.force_login(park_admin)
    appeal = file()
    services.route(p(park_admin), appeal, department=department.pk)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            _rows(client.get(reverse("appeals:export")))
        return len(ctx.captured_queries)

    count()  # warm up: the session, the user and their permissions are read once
    few = count()
    for _ in range(4):
        services.route(p(park_admin), file(), department=department.pk)
    assert count() == few
