"""Export of the filtered registry list to .xlsx and CSV: same filters and scope as the list, same
columns as the import (an export imports again without errors), no query per row."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from apps.accounts.roles import Role
from apps.core.principal import principal_for_user
from apps.enterprises import importing
from apps.enterprises.importing import HEADERS
from apps.enterprises.models import Enterprise
from tests.factories import EnterpriseFactory, OrganisationFactory, SurveyFactory, TownFactory, user_with_role

from .test_import import read_xlsx, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def towns(db):
    return TownFactory(name="雒容镇", code="450271100"), TownFactory(name="洛埠镇", code="450271101")


@pytest.fixture
def registry(towns):
    """Three enterprises in two towns and two industries; two with surveys."""
    t1, t2 = towns
    a = EnterpriseFactory(
        name="柳州甲汽车零部件有限公司",
        town=t1,
        industry="C",
        ownership="joint_stock",
        established_on=dt.date(2015, 3, 9),
        contact_name="李娜",
        contact_phone="13877200001",
        contact_email="hr@jia.example.cn",
        address="柳东新区车园大道1号",
        employees=320,
    )
    SurveyFactory(enterprise=a, year=2023, employees=300, union_members=200, women=90, migrant_workers=150)
    SurveyFactory(
        enterprise=a,
        year=2024,
        employees=320,
        union_members=210,
        women=95,
        migrant_workers=160,
        has_union=True,
        contract_signing_rate=Decimal("97.50"),
        collective_contract=True,
        workers_congress=True,
    )
    b = EnterpriseFactory(
        name="柳州乙物流有限公司",
        town=t2,
        industry="G",
        ownership="foreign",
        status="moved_out",
        employees=40,
    )
    SurveyFactory(enterprise=b, year=2024, employees=40, union_members=0, women=10, migrant_workers=30)
    c = EnterpriseFactory(name="柳州丙机械制造有限公司", town=t2, industry="C", ownership="private")
    return a, b, c


def csv_rows(response_or_bytes) -> list[list[str]]:
    """The rows of a CSV download (a streamed response can be read once: pass its bytes instead
    when the test reads them too)."""
    raw = response_or_bytes if isinstance(response_or_bytes, bytes) else response_or_bytes.getvalue()
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_xlsx_export_has_the_import_columns_and_chinese_values(client, park_admin, registry):
    a, b, c = registry
    client.force_login(park_admin)
    response = client.get(reverse("enterprises:export_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == importing.XLSX_CONTENT_TYPE
    assert 'attachment; filename="enterprises-' in response["Content-Disposition"]
    _, rows = read_xlsx(response.getvalue())
    assert rows[0] == HEADERS
    by_code = {r[0]: r for r in rows[1:]}
    assert set(by_code) == {a.uscc, b.uscc, c.uscc}
    row = dict(zip(HEADERS, by_code[a.uscc], strict=True))
    assert row["企业名称"] == "柳州甲汽车零部件有限公司"
    assert row["所属镇（街道）"] == "雒容镇"
    assert row["行业门类"] == "C 制造业"
    assert row["经济类型"] == "股份制"
    assert row["经营状态"] == "在营"
    assert row["成立日期"] == dt.datetime(2015, 3, 9)
    assert row["调查年度"] == 2024  # the latest survey
    assert (row["调查职工人数"], row["工会会员数"], row["女职工人数"], row["农民工人数"]) == (
        320,
        210,
        95,
        160,
    )
    assert row["劳动合同签订率(%)"] == 97.5
    assert (row["是否建立工会"], row["是否签订集体合同"], row["是否开展工资集体协商"]) == ("是", "是", "否")
    assert dict(zip(HEADERS, by_code[b.uscc], strict=True))["经营状态"] == "迁出"
    no_survey = dict(zip(HEADERS, by_code[c.uscc], strict=True))
    assert no_survey["调查年度"] is None and no_survey["是否建立工会"] is None


def test_exports_honour_the_list_filters(client, park_admin, registry):
    a, b, c = registry
    client.force_login(park_admin)

    _, rows = read_xlsx(client.get(reverse("enterprises:export_xlsx") + "?industry=C").getvalue())
    assert {r[0] for r in rows[1:]} == {a.uscc, c.uscc}

    rows = csv_rows(client.get(reverse("enterprises:export_csv") + "?industry=C&town=450271101"))
    assert [r[0] for r in rows[1:]] == [c.uscc]

    rows = csv_rows(client.get(reverse("enterprises:export_csv") + "?search=乙物流"))
    assert [r[0] for r in rows[1:]] == [b.uscc]


def test_csv_has_a_bom_and_chinese(client, park_admin, registry):
    a, _, _ = registry
    client.force_login(park_admin)
    response = client.get(reverse("enterprises:export_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming, "exports are streamed, whatever their size"
    raw = response.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(raw)
    assert rows[0] == HEADERS
    row = dict(zip(HEADERS, next(r for r in rows if r[0] == a.uscc), strict=True))
    assert row["企业名称"] == "柳州甲汽车零部件有限公司"
    assert row["成立日期"] == "2015-03-09"
    assert row["劳动合同签订率(%)"] == "97.50"
    assert row["联系电话"] == "13877200001"


def test_formulas_are_never_exported(client, park_admin, towns):
    EnterpriseFactory(name='=HYPERLINK("http://evil.example")', town=towns[0])
    client.force_login(park_admin)
    rows = csv_rows(client.get(reverse("enterprises:export_csv")))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(client.get(reverse("enterprises:export_xlsx")).getvalue())).active
    assert ws["B2"].data_type == "s" and ws["B2"].value.startswith("=HYPERLINK")


def test_export_imports_again_without_errors(client, park_admin, registry):
    client.force_login(park_admin)
    content = client.get(reverse("enterprises:export_xlsx")).getvalue()
    before = {e.uscc: _state(e) for e in Enterprise.objects.all()}

    admin = principal_for_user(park_admin)
    batch = importing.validate_file(upload(content, "export.xlsx"), admin)

    assert batch.errors == []
    assert batch.total_rows == 3 and len(batch.rows) == 3
    assert {r["action"] for r in batch.rows} == {"update"}
    assert importing.confirm_import(admin, batch) == {"created": 0, "updated": 3, "surveys": 2}
    assert Enterprise.objects.count() == 3
    assert {e.uscc: _state(e) for e in Enterprise.objects.all()} == before


def test_export_of_a_new_registry_recreates_it(client, park_admin, registry):
    """The exported file registers the same enterprises in an empty registry (another park)."""
    client.force_login(park_admin)
    content = client.get(reverse("enterprises:export_xlsx")).getvalue()
    before = {e.uscc: _state(e) for e in Enterprise.objects.all()}
    for e in Enterprise.objects.all():
        org = e.organisation
        Enterprise.objects.filter(pk=e.pk).update(latest_survey=None)
        e.surveys.all().delete()
        e.delete()
        org.delete()

    admin = principal_for_user(park_admin)
    batch = importing.validate_file(upload(content, "export.xlsx"), admin)
    assert batch.errors == []
    assert importing.confirm_import(admin, batch) == {"created": 3, "updated": 0, "surveys": 2}
    after = {e.uscc: _state(e) for e in Enterprise.objects.all()}
    # Only the latest survey is exported, so the older one is not recreated.
    assert after == before


def _state(e):
    s = e.latest_survey
    survey = None
    if s is not None:
        survey = (s.year, s.employees, s.union_members, s.women, s.migrant_workers, s.has_union,
                  s.contract_signing_rate, s.collective_contract, s.wage_bargaining, s.workers_congress,
                  s.mediation_committee)  # fmt: skip
    return (e.name, e.legal_representative, e.address, e.town_id, e.industry, e.ownership, e.established_on,
            e.status, e.employees, e.contact_name, e.contact_phone, e.contact_email, survey)  # fmt: skip


def _export_queries(client, url, n_enterprises, town):
    for _ in range(n_enterprises - Enterprise.objects.count()):
        SurveyFactory(enterprise=EnterpriseFactory(town=town))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["export_xlsx", "export_csv"])
def test_export_queries_do_not_grow_with_rows(client, park_admin, towns, name):
    client.force_login(park_admin)
    url = reverse(f"enterprises:{name}")
    client.get(url).getvalue()  # the first page of a session fills the caches (permissions, memberships)
    few = _export_queries(client, url, 5, towns[0])
    many = _export_queries(client, url, 30, towns[0])
    assert many == few, f"{few} queries for 5 enterprises, {many} for 30"


def test_enterprise_hr_may_not_export(client, ent_hr_a):
    client.force_login(ent_hr_a)
    assert client.get(reverse("enterprises:export_xlsx")).status_code == 403
    assert client.get(reverse("enterprises:export_csv")).status_code == 403


def test_union_official_exports_only_their_area(client, registry, towns):
    a, b, c = registry
    federation = OrganisationFactory(kind="union", area=towns[1])
    official = user_with_role(Role.UNION_OFFICIAL, federation)
    client.force_login(official)

    _, rows = read_xlsx(client.get(reverse("enterprises:export_xlsx")).getvalue())
    assert {r[0] for r in rows[1:]} == {b.uscc, c.uscc}
    rows = csv_rows(client.get(reverse("enterprises:export_csv") + "?industry=C"))
    assert [r[0] for r in rows[1:]] == [c.uscc]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("enterprises:export_csv"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_exports_follow_the_lists_order(client, park_admin, registry):
    a, b, c = registry
    client.force_login(park_admin)
    response = client.get(reverse("enterprises:export_csv"), {"ordering": "-employees"})
    rows = csv_rows(b"".join(response.streaming_content))
    assert [r[0] for r in rows[1:]] == [a.uscc, c.uscc, b.uscc]  # 320, 100, 40 employees
