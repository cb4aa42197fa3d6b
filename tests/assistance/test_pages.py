"""The pages: list with filters and export, forms with errors, the lifecycle, aid, campaign, figures."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.assistance import selectors
from apps.assistance.models import Aid, HardshipFile
from apps.audit.models import AuditEvent

from .conftest import TODAY, id_number, p

pytestmark = pytest.mark.django_db


def test_create_form_shows_errors_and_keeps_input(client, official_a, ent_a):
    client.force_login(official_a)
    data = {
        "enterprise": ent_a.pk,
        "name": "李四",
        "id_number": "110101199003071234",
        "difficulties": ["illness"],
        "household_size": 3,
        "household_monthly_income": "1500",
    }
    response = client.post(reverse("assistance:create"), data)
    assert response.status_code == 200 and response.context["form"].errors["id_number"]
    assert "李四" in response.content.decode() and not HardshipFile.objects.exists()
    response = client.post(reverse("assistance:create"), {**data, "id_number": id_number(9)})
    assert response.status_code == 302


def test_the_whole_journey_on_pages(client, official_a, make_file):
    file = make_file()
    client.force_login(official_a)
    detail = reverse("assistance:detail", args=[file.pk])
    html = client.get(detail).content.decode()
    assert file.id_number not in html and 'data-testid="action-assess"' in html
    r = client.post(
        reverse("assistance:action", args=[file.pk, "assess"]), {"assessed_on": TODAY, "assessor": "王"}
    )
    assert r.status_code == 302
    r = client.post(reverse("assistance:action", args=[file.pk, "approve"]), {"approved_on": TODAY})
    assert r.status_code == 302
    r = client.post(
        reverse("assistance:pay_aid", args=[file.pk]),
        {
            "kind": "medical",
            "amount": "1000",
            "paid_on": TODAY,
            "funding_source": "帮扶资金",
            "approved_by": "李",
        },
    )
    assert r.status_code == 302 and Aid.objects.count() == 1
    html = client.get(detail).content.decode()
    assert 'data-testid="aid-row"' in html and 'data-action="approve"' in html
    r = client.post(reverse("assistance:action", args=[file.pk, "exit"]), {"reason": "", "exited_on": TODAY})
    assert r.status_code == 200  # the reason is required: the form says so
    r = client.post(
        reverse("assistance:action", args=[file.pk, "exit"]), {"reason": "已就业", "exited_on": TODAY}
    )
    assert r.status_code == 302
    r = client.post(
        reverse("assistance:pay_aid", args=[file.pk]),
        {
            "kind": "medical",
            "amount": "1000",
            "paid_on": TODAY,
            "funding_source": "帮扶资金",
            "approved_by": "李",
        },
    )
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    assert Aid.objects.count() == 1


def test_reveal_the_id_number_is_audited(client, official_a, make_file):
    file = make_file()
    client.force_login(official_a)
    r = client.post(reverse("assistance:reveal_id", args=[file.pk]))
    assert file.id_number in r.content.decode()
    assert AuditEvent.objects.filter(action="view_full:id_number", object_id=str(file.pk)).exists()


def test_list_filters_and_export(client, official_a, make_file, approved_file):
    make_file(name="草稿职工", difficulties=["disability"])
    approved_file(name="在档职工")
    client.force_login(official_a)
    url = reverse("assistance:list")
    html = client.get(url, {"status": "approved"}).content.decode()
    assert "在档职工" in html and "草稿职工" not in html
    html = client.get(url, {"difficulty": "disability"}).content.decode()
    assert "草稿职工" in html and "在档职工" not in html
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    # Income per head and threshold are amounts: numbers shown as 2,460,633.00 (issue 20).
    filed = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "在档职工")
    assert isinstance(filed[6].value, int | float) and filed[6].number_format == "#,##0.00"
    assert filed[7].number_format == "#,##0.00"
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    assert "在档职工" in csv and "*" in csv
    assert client.get(url, {"status": "nonsense"}).status_code == 200


def test_campaign_page(client, official_a, approved_file, make_file):
    files = [approved_file(), approved_file()]
    make_file(name="草稿")
    client.force_login(official_a)
    url = reverse("assistance:campaign")
    html = client.get(url).content.decode()
    assert "草稿" not in html
    r = client.post(
        url,
        {
            "kind": "spring_festival",
            "amount": "500",
            "paid_on": TODAY,
            "funding_source": "春节送温暖",
            "approved_by": "李",
            "files": [f.pk for f in files],
        },
    )
    assert r.status_code == 302 and Aid.objects.filter(kind="spring_festival").count() == 2
    assert client.get(reverse("assistance:aid_list")).status_code == 200


def test_figures_page_and_hook(client, official_a, approved_file):
    file = approved_file(difficulties=["illness", "disability"])
    client.force_login(official_a)
    assert client.get(reverse("assistance:figures")).status_code == 200
    blocks = {b["key"]: b for b in selectors.union_figures(p(official_a), TODAY.year)}
    assert set(blocks) == {
        "hardship_by_status",
        "hardship_by_kind",
        "hardship_by_town",
        "hardship_exited",
        "aid_by_kind",
    }
    by_status = {r["status"]: r["files"] for r in blocks["hardship_by_status"]["rows"]}
    assert by_status["approved"] == 1
    by_kind = {r["kind"]: r["files"] for r in blocks["hardship_by_kind"]["rows"]}
    assert by_kind["illness"] == 1 and by_kind["disability"] == 1
    other = selectors.union_figures(p(official_a), TODAY.year, town="999999999")
    assert {r["status"]: r["files"] for r in other[0]["rows"]}["approved"] == 0
    assert (
        file.enterprise.town.code
        and selectors.union_figures(p(official_a), TODAY.year, town=file.enterprise.town.code)[0]["rows"]
    )


def test_reviews_and_candidates_pages(client, official_a):
    client.force_login(official_a)
    assert client.get(reverse("assistance:reviews_due")).status_code == 200
    assert client.get(reverse("assistance:candidates")).status_code == 200
