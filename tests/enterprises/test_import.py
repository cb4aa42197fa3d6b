"""Excel import of the registry: file checks, the row report, confirmation (all or nothing),
re-import by USCC, and who may do it. Files are built in memory with openpyxl."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import principal_for_user
from apps.enterprises import importing
from apps.enterprises.importing import COLUMN_BY_KEY, COLUMNS, HEADERS
from apps.enterprises.models import Enterprise, EnterpriseSurvey, ImportBatch
from tests.factories import EnterpriseFactory, SurveyFactory, TownFactory, user_with_role, valid_uscc

pytestmark = pytest.mark.django_db

ALL_KEYS = [c.key for c in COLUMNS]
H = {c.key: c.header for c in COLUMNS}  # column key -> Chinese header


# --- Building files ---------------------------------------------------------------------------------


def enterprise_row(uscc, name, town="雒容镇", **over) -> dict:
    """A full, valid row by column key (with a survey of 2024)."""
    row = {
        "uscc": uscc,
        "name": name,
        "legal_representative": "王强",
        "address": "柳州市柳东新区车园大道1号",
        "town": town,
        "industry": "C 制造业",
        "ownership": "私营",
        "established_on": "2019-05-01",
        "status": "在营",
        "employees": 200,
        "contact_name": "李娜",
        "contact_phone": "0772-1234567",
        "contact_email": "hr@example.cn",
        "survey_year": 2024,
        "survey_employees": 200,
        "union_members": 150,
        "women": 80,
        "migrant_workers": 120,
        "has_union": "是",
        "contract_signing_rate": "98%",
        "collective_contract": "是",
        "wage_bargaining": "否",
        "workers_congress": "是",
        "mediation_committee": "否",
    }
    row.update(over)
    return row


def workbook_bytes(rows, keys=None, headers=None, formats=None) -> bytes:
    """rows: dicts by column key; headers: header texts (default: the Chinese ones of `keys`);
    formats: {key: number_format} for that column's data cells."""
    keys = keys or ALL_KEYS
    headers = headers or [H[k] for k in keys]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, key in enumerate(keys, start=1):
            cell = ws.cell(row=r, column=c, value=row.get(key))
            if formats and key in formats:
                cell.number_format = formats[key]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content: bytes, name="enterprises.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def xlsx_upload(rows, name="enterprises.xlsx", **kwargs) -> SimpleUploadedFile:
    return upload(workbook_bytes(rows, **kwargs), name)


def read_xlsx(content: bytes, sheet=0):
    wb = load_workbook(io.BytesIO(content), data_only=True)
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    return wb, [[c.value for c in row] for row in ws.iter_rows()]


def error_cells(batch) -> set:
    return {(e["row"], e["column"]) for e in batch.errors}


def reason(batch, row, key) -> str:
    return " ".join(e["reason"] for e in batch.errors if e["row"] == row and e["column"] == H[key])


# --- Fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), whatever the catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def town(db):
    return TownFactory(name="雒容镇", code="450271100")


@pytest.fixture
def town2(db):
    return TownFactory(name="洛埠镇", code="450271101")


@pytest.fixture
def admin(park_admin):
    return principal_for_user(park_admin)


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    return client


# --- Writing good files -------------------------------------------------------------------------------


def test_valid_file_creates_enterprises_and_surveys(admin, town, town2):
    a, b = valid_uscc(), valid_uscc()
    rows = [
        enterprise_row(a, "柳州甲汽车零部件有限公司"),
        enterprise_row(
            b.lower(),
            "柳州乙物流有限公司",
            town="450271101",
            industry="G",
            ownership="Foreign invested",
            **dict.fromkeys([k for k in ALL_KEYS if COLUMN_BY_KEY[k].target == "survey"]),
        ),
    ]
    batch = importing.validate_file(xlsx_upload(rows), admin)

    assert batch.errors == []
    assert (batch.total_rows, len(batch.rows), batch.status) == (2, 2, ImportBatch.Status.VALIDATED)
    assert batch.uploaded_by == admin.user and len(batch.file_sha256) == 64
    assert Enterprise.objects.count() == 0  # nothing written before confirmation

    result = importing.confirm_import(admin, batch)

    assert result == {"created": 2, "updated": 0, "surveys": 1}
    e = Enterprise.objects.get(uscc=a)
    assert (e.name, e.town, e.industry, e.ownership, e.status) == (
        "柳州甲汽车零部件有限公司",
        town,
        "C",
        "private",
        "operating",
    )
    assert e.established_on == dt.date(2019, 5, 1)
    assert (e.legal_representative, e.contact_phone, e.contact_email) == (
        "王强",
        "0772-1234567",
        "hr@example.cn",
    )
    assert e.organisation.code == a and e.organisation.area == town
    s = e.latest_survey
    assert (s.year, s.employees, s.union_members, s.women, s.migrant_workers) == (2024, 200, 150, 80, 120)
    assert s.contract_signing_rate == Decimal("98.00")
    assert (
        s.has_union,
        s.collective_contract,
        s.wage_bargaining,
        s.workers_congress,
        s.mediation_committee,
    ) == (
        True,
        True,
        False,
        True,
        False,
    )
    other = Enterprise.objects.get(uscc=b)  # lower-case code normalised, town found by division code
    assert (other.town, other.industry, other.ownership, other.latest_survey) == (town2, "G", "foreign", None)
    assert other.surveys.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CONFIRMED and batch.confirmed_at is not None
    assert batch.result == result
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"enterprises.import_validated", "enterprises.import_confirmed", "enterprises.create"} <= actions


def test_reimport_updates_by_uscc_and_never_duplicates(admin, town):
    a, b = valid_uscc(), valid_uscc()
    rows = [enterprise_row(a, "甲公司"), enterprise_row(b, "乙公司")]
    importing.confirm_import(admin, importing.validate_file(xlsx_upload(rows), admin))

    rows[0].update(name="甲公司（更名）", survey_year=2025, union_members=160)
    batch = importing.validate_file(xlsx_upload(rows), admin)
    assert batch.errors == []
    assert {r["action"] for r in batch.rows} == {"update"}
    result = importing.confirm_import(admin, batch)

    assert result == {"created": 0, "updated": 2, "surveys": 2}
    assert Enterprise.objects.count() == 2
    e = Enterprise.objects.get(uscc=a)
    assert e.name == "甲公司（更名）" and e.organisation.name == "甲公司（更名）"
    assert list(e.surveys.values_list("year", flat=True)) == [2025, 2024]
    assert e.latest_survey.year == 2025 and e.latest_survey.union_members == 160
    # The same year again replaces that year's survey instead of adding one.
    assert EnterpriseSurvey.objects.filter(enterprise__uscc=b).count() == 1


def test_reimport_changes_only_the_filled_in_columns(admin):
    ent = EnterpriseFactory(address="旧地址", contact_name="赵敏", employees=80)
    SurveyFactory(enterprise=ent, year=2024, employees=80, union_members=30, women=20, migrant_workers=10)
    rows = [{"uscc": ent.uscc, "address": "新地址", "status": "迁出", "survey_year": 2024, "women": 25}]
    keys = ["uscc", "name", "address", "contact_name", "status", "survey_year", "women"]

    batch = importing.validate_file(xlsx_upload(rows, keys=keys), admin)
    assert batch.errors == []
    importing.confirm_import(admin, batch)

    ent.refresh_from_db()
    assert (ent.address, ent.contact_name, ent.status, ent.name) == ("新地址", "赵敏", "moved_out", ent.name)
    survey = ent.surveys.get(year=2024)  # blank survey columns keep what the survey had
    assert (survey.employees, survey.union_members, survey.women, survey.migrant_workers) == (80, 30, 25, 10)


def test_values_in_the_forms_parks_write_them(admin, town):
    keys = ["uscc", "name", "town", "industry", "ownership", "established_on", "status", "employees"]
    keys += ["survey_year", "survey_employees", "has_union", "contract_signing_rate", "collective_contract"]
    variants = [
        {"industry": "c", "ownership": "private", "established_on": dt.datetime(2019, 5, 1), "has_union": "有",
         "contract_signing_rate": 95, "collective_contract": "N", "status": "Operating"},
        {"industry": "制造业", "ownership": "民营企业", "established_on": "2019/5/1", "has_union": True,
         "contract_signing_rate": "95.5%", "collective_contract": "no", "status": "operating"},
        {"industry": "C Manufacturing", "ownership": "Private", "established_on": "2019年5月1日", "has_union": "Y",
         "contract_signing_rate": 0.955, "collective_contract": 0, "status": "存续"},
        {"industry": "F 批发和零售业", "ownership": "股份有限公司", "established_on": "2019-05-01",
         "has_union": "yes", "contract_signing_rate": "0.5", "collective_contract": "无", "status": "注销"},
    ]  # fmt: skip
    rows = []
    for i, v in enumerate(variants):
        rows.append({"uscc": valid_uscc(), "name": f"企业{i}", "town": "雒容镇", "employees": 12.0,
                     "survey_year": "2024年", "survey_employees": None, **v})  # fmt: skip
    content = workbook_bytes(rows, keys=keys, formats={"contract_signing_rate": "0.0%"})
    # Only the third row's rate is a percentage cell; the others are plain numbers or text.
    wb = load_workbook(io.BytesIO(content))
    for r in (2, 3, 5):
        wb.active.cell(row=r, column=keys.index("contract_signing_rate") + 1).number_format = "General"
    out = io.BytesIO()
    wb.save(out)

    batch = importing.validate_file(upload(out.getvalue()), admin)

    assert batch.errors == []
    ents = [r["enterprise"] for r in batch.rows]
    surveys = [r["survey"] for r in batch.rows]
    assert [e["industry"] for e in ents] == ["C", "C", "C", "F"]
    assert [e["ownership"] for e in ents] == ["private", "private", "private", "joint_stock"]
    assert [e["status"] for e in ents] == ["operating", "operating", "operating", "closed"]
    assert {e["established_on"] for e in ents} == {"2019-05-01"}
    assert {e["town"] for e in ents} == {str(town.pk)}
    assert [s["contract_signing_rate"] for s in surveys] == ["95.00", "95.50", "95.50", "0.50"]
    assert [s["has_union"] for s in surveys] == [True, True, True, True]
    assert [s["collective_contract"] for s in surveys] == [False, False, False, False]
    # A blank survey employee count takes the row's employee count.
    assert {(s["year"], s["employees"]) for s in surveys} == {(2024, 12)}


def test_english_headers_in_any_case_are_accepted(admin, town):
    keys = ["uscc", "name", "town", "industry", "ownership", "survey_year", "survey_employees"]
    headers = ["uscc", "NAME", " Town ", "industry", "Ownership", "Survey year", "survey employees"]
    rows = [{"uscc": valid_uscc(), "name": "甲", "town": "雒容镇", "industry": "C", "ownership": "私营",
             "survey_year": 2024, "survey_employees": 10}]  # fmt: skip
    batch = importing.validate_file(xlsx_upload(rows, keys=keys, headers=headers), admin)
    assert batch.errors == [] and len(batch.rows) == 1


def test_full_width_brackets_in_headers_are_the_same_header(admin, town):
    keys = ["uscc", "name", "town", "industry", "ownership", "survey_year", "survey_employees",
            "contract_signing_rate"]  # fmt: skip
    headers = ["统一社会信用代码", "企业名称", "所属镇(街道)", "行业门类", "经济类型", "调查年度", "调查职工人数",
               "劳动合同签订率（％）"]  # fmt: skip
    rows = [{"uscc": valid_uscc(), "name": "甲", "town": "雒容镇", "industry": "C", "ownership": "私营",
             "survey_year": 2024, "survey_employees": 10, "contract_signing_rate": 90}]  # fmt: skip
    batch = importing.validate_file(xlsx_upload(rows, keys=keys, headers=headers), admin)
    assert batch.errors == []
    # The report names the column as the file spells it.
    rows[0]["town"] = "火星镇"
    batch = importing.validate_file(xlsx_upload(rows, keys=keys, headers=headers), admin)
    assert error_cells(batch) == {(2, "所属镇(街道)")}


# --- The row report ---------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_row_column_and_reason(admin, town):
    good = valid_uscc()
    bad_check = valid_uscc()
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    dup = valid_uscc()
    future = timezone.localdate() + dt.timedelta(days=30)
    rows = [
        enterprise_row(good, "好企业"),  # row 2
        enterprise_row(bad_check, "校验位错企业"),  # row 3
        enterprise_row(
            valid_uscc(),
            "负数企业",
            employees=-5,
            survey_employees=10,
            union_members=5,
            women=5,
            migrant_workers=5,
        ),  # row 4  # fmt: skip
        enterprise_row(
            valid_uscc(), "会员超员企业", survey_employees=100, union_members=101, migrant_workers=50
        ),  # row 5
        enterprise_row(valid_uscc(), "未知镇企业", town="火星镇"),  # row 6
        enterprise_row(valid_uscc(), "未来企业", established_on=future.isoformat()),  # row 7
        enterprise_row(dup, "重复一"),  # row 8
        enterprise_row(dup, "重复二"),  # row 9
        enterprise_row(valid_uscc(), "小数企业", employees=12.5, survey_employees=12.5),  # row 10
        enterprise_row(valid_uscc(), "缺年度企业", survey_year=None),  # row 11
        enterprise_row(
            valid_uscc(), "坏邮箱企业", contact_email="not-an-address", has_union="也许"
        ),  # row 12
    ]
    batch = importing.validate_file(xlsx_upload(rows), admin)

    assert batch.total_rows == 11
    assert [r["row"] for r in batch.rows] == [2]
    assert error_cells(batch) == {
        (3, H["uscc"]),
        (4, H["employees"]),
        (5, H["union_members"]),
        (6, H["town"]),
        (7, H["established_on"]),
        (8, H["uscc"]),
        (9, H["uscc"]),
        (10, H["employees"]),
        (10, H["survey_employees"]),
        (11, H["survey_year"]),
        (12, H["contact_email"]),
        (12, H["has_union"]),
    }
    assert "check character" in reason(batch, 3, "uscc")
    assert bad_check in reason(batch, 3, "uscc")
    assert reason(batch, 4, "employees") == "Enter a whole number, 0 or more."
    assert reason(batch, 5, "union_members") == "Union members cannot outnumber employees."
    assert "火星镇" in reason(batch, 6, "town") and "雒容镇" in reason(batch, 6, "town")
    assert "future" in reason(batch, 7, "established_on")
    assert "rows 8, 9" in reason(batch, 8, "uscc") and "rows 8, 9" in reason(batch, 9, "uscc")
    assert reason(batch, 10, "employees") == "Enter a whole number, 0 or more."
    assert "survey year" in reason(batch, 11, "survey_year")
    by_cell = {(e["row"], e["column"]): e for e in batch.errors}
    assert by_cell[(3, H["uscc"])]["value"] == bad_check
    assert by_cell[(4, H["employees"])]["value"] == "-5"
    assert by_cell[(10, H["employees"])]["value"] == "12.5"
    assert batch.errors == sorted(batch.errors, key=lambda e: e["row"])  # in file order


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("contract_signing_rate", "abc", "Enter a percentage between 0 and 100."),
        ("contract_signing_rate", "1e400", "Enter a percentage between 0 and 100."),
        ("contract_signing_rate", 150, "Enter a percentage between 0 and 100."),
        ("established_on", "2019-02-30", "This date does not exist."),
        ("established_on", "去年", "Enter a date, e.g. 2019-05-01."),
        ("industry", "Z", "Enter an industry section A–T"),
        ("ownership", "合资", "Unknown ownership type"),
        ("status", "休眠", "Unknown status"),
        ("survey_year", 1999, "The survey year must be between 2000 and"),
        ("women", "十", "Enter a whole number, 0 or more."),
        ("employees", 10**10, "This number is too large."),
        ("name", "长" * 201, "At most 200 characters; this has 201."),
    ],
)
def test_bad_values_are_explained(admin, town, key, value, expected):
    row = enterprise_row(valid_uscc(), "甲")
    row[key] = value
    batch = importing.validate_file(xlsx_upload([row]), admin)
    assert error_cells(batch) == {(2, H[key])}
    assert reason(batch, 2, key).startswith(expected)
    assert batch.rows == []


def test_new_enterprise_needs_town_industry_ownership(admin, town):
    keys = ["uscc", "name", "town", "industry", "ownership"]
    rows = [{"uscc": valid_uscc(), "name": "缺项企业"}, {"uscc": "", "name": "无代码企业", "town": "雒容镇"}]
    batch = importing.validate_file(xlsx_upload(rows, keys=keys), admin)
    assert error_cells(batch) == {(2, H["town"]), (2, H["industry"]), (2, H["ownership"]), (3, H["uscc"]),
                                  (3, H["industry"]), (3, H["ownership"])}  # fmt: skip
    assert reason(batch, 2, "town") == "This field is required."
    # Columns missing from the file are named by their template header.
    batch = importing.validate_file(xlsx_upload(rows[:1], keys=["uscc", "name"]), admin)
    assert error_cells(batch) == {(2, H["town"]), (2, H["industry"]), (2, H["ownership"])}


def test_a_code_typed_as_a_number_is_explained(admin, town):
    rows = [enterprise_row(914502711234567890, "数字代码企业")]
    batch = importing.validate_file(xlsx_upload(rows), admin)
    assert error_cells(batch) == {(2, H["uscc"])}
    assert "text" in reason(batch, 2, "uscc")


def test_the_template_example_row_is_refused(admin, town):
    batch = importing.validate_file(upload(importing.template_workbook()), admin)
    assert batch.total_rows == 1 and batch.rows == []
    assert error_cells(batch) == {(2, H["uscc"])}
    assert "example row" in reason(batch, 2, "uscc")


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_excel(admin, town):
    content = workbook_bytes([enterprise_row(valid_uscc(), "甲"), {}, {}, enterprise_row("123", "乙")])
    batch = importing.validate_file(upload(content), admin)
    assert batch.total_rows == 2
    assert error_cells(batch) == {(5, H["uscc"])}


# --- Confirmation -------------------------------------------------------------------------------------


def test_confirm_writes_only_the_good_rows(admin, town):
    good = valid_uscc()
    rows = [enterprise_row(good, "好企业"), enterprise_row(valid_uscc(), "坏企业", town="火星镇")]
    batch = importing.validate_file(xlsx_upload(rows), admin)
    assert len(batch.rows) == 1 and len(batch.errors) == 1

    assert importing.confirm_import(admin, batch) == {"created": 1, "updated": 0, "surveys": 1}
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [good]


def test_confirm_is_all_or_nothing_when_the_database_changed(admin, town, town2):
    rows = [enterprise_row(valid_uscc(), "甲企业"), enterprise_row(valid_uscc(), "乙企业", town="洛埠镇")]
    batch = importing.validate_file(xlsx_upload(rows), admin)
    assert batch.errors == []
    town2.delete()  # the town was merged away between validation and confirmation
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError) as exc:
        importing.confirm_import(admin, batch)

    assert "Row 3" in str(exc.value) and "nothing was imported" in str(exc.value)
    assert H["town"] in str(exc.value)
    assert Enterprise.objects.count() == 0 and EnterpriseSurvey.objects.count() == 0
    assert AuditEvent.objects.count() == events
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.result == {}


def test_a_code_registered_since_validation_is_updated_not_duplicated(admin, town):
    code = valid_uscc()
    batch = importing.validate_file(xlsx_upload([enterprise_row(code, "导入名称")]), admin)
    assert batch.rows[0]["action"] == "create"
    EnterpriseFactory(uscc=code, name="手工登记名称", town=town)

    assert importing.confirm_import(admin, batch) == {"created": 0, "updated": 1, "surveys": 1}
    assert Enterprise.objects.filter(uscc=code).count() == 1
    assert Enterprise.objects.get(uscc=code).name == "导入名称"


def test_a_batch_is_confirmed_once_and_can_be_discarded(admin, town):
    batch = importing.validate_file(xlsx_upload([enterprise_row(valid_uscc(), "甲")]), admin)
    importing.confirm_import(admin, batch)
    with pytest.raises(DomainError):
        importing.confirm_import(admin, batch)
    assert Enterprise.objects.count() == 1

    other = importing.validate_file(xlsx_upload([enterprise_row(valid_uscc(), "乙")]), admin)
    importing.discard_import(admin, other)
    other.refresh_from_db()
    assert other.status == ImportBatch.Status.DISCARDED
    with pytest.raises(DomainError):
        importing.confirm_import(admin, other)
    assert Enterprise.objects.count() == 1
    assert AuditEvent.objects.filter(action="enterprises.import_discarded").count() == 1


def test_a_batch_without_good_rows_cannot_be_confirmed(admin, town):
    batch = importing.validate_file(xlsx_upload([enterprise_row("123", "甲")]), admin)
    with pytest.raises(DomainError):
        importing.confirm_import(admin, batch)


# --- File-level problems: a clear message and no batch -------------------------------------------------


def _file_refused(admin, uploaded) -> str:
    with pytest.raises(DomainError) as exc:
        importing.validate_file(uploaded, admin)
    assert exc.value.field == "file"
    assert ImportBatch.objects.count() == 0
    return str(exc.value)


def test_a_csv_renamed_to_xlsx_is_refused(admin):
    message = _file_refused(admin, upload("统一社会信用代码,企业名称\n1,2\n".encode(), "enterprises.xlsx"))
    assert "not an Excel workbook" in message and "enterprises.xlsx" in message


def test_a_csv_is_refused_by_its_extension(admin):
    message = _file_refused(admin, upload("统一社会信用代码,企业名称\n".encode(), "enterprises.csv"))
    assert "not an .xlsx file" in message


def test_an_old_xls_is_refused_with_advice(admin):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert "Excel 97" in _file_refused(admin, upload(xls, "old.xlsx"))
    assert "not an .xlsx file" in _file_refused(admin, upload(xls, "old.xls"))


def test_a_zip_that_is_not_a_workbook_is_refused(admin):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "cannot be read as an Excel workbook" in _file_refused(admin, upload(out.getvalue()))


def test_a_file_over_the_limit_is_refused(admin, town, monkeypatch):
    content = workbook_bytes([enterprise_row(valid_uscc(), "甲")])
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", len(content) - 1)
    assert "larger than" in _file_refused(admin, upload(content))
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", len(content))
    assert importing.validate_file(upload(content), admin).errors == []


def test_wrong_headers_name_the_expected_ones(admin):
    content = workbook_bytes([{"a": 1, "b": 2}], keys=["a", "b"], headers=["公司", "代码"])
    message = _file_refused(admin, upload(content))
    assert "Unknown columns: 公司、代码" in message
    assert "Missing columns: 统一社会信用代码、企业名称" in message
    assert "统一社会信用代码、企业名称、法定代表人" in message  # the expected headers, in order


def test_a_repeated_header_is_refused(admin):
    content = workbook_bytes([{}], keys=["uscc", "name"], headers=["统一社会信用代码", "USCC"])
    assert "appears twice" in _file_refused(admin, upload(content))


def test_empty_sheet_and_headers_only_are_refused(admin):
    wb = Workbook()
    out = io.BytesIO()
    wb.save(out)
    assert "is empty" in _file_refused(admin, upload(out.getvalue()))
    assert "no rows" in _file_refused(admin, upload(workbook_bytes([])))


def test_too_many_rows_are_refused(admin, town, monkeypatch):
    monkeypatch.setattr(importing, "MAX_IMPORT_ROWS", 2)
    rows = [enterprise_row(valid_uscc(), f"企业{i}") for i in range(3)]
    assert "more than 2 rows" in _file_refused(admin, xlsx_upload(rows))


def test_only_park_administrators_import(ent_hr_a, town):
    hr = principal_for_user(ent_hr_a)
    with pytest.raises(NotAllowed):
        importing.validate_file(xlsx_upload([enterprise_row(valid_uscc(), "甲")]), hr)
    assert ImportBatch.objects.count() == 0


# --- Pages ------------------------------------------------------------------------------------------------


def test_upload_page_and_template_download(en_client, park_admin, town):
    en_client.force_login(park_admin)
    page = en_client.get(reverse("enterprises:import_upload"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="import-upload-form"' in html and 'accept=".xlsx' in html
    assert reverse("enterprises:import_template") in html

    response = en_client.get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == importing.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb, rows = read_xlsx(response.content)
    assert rows[0] == HEADERS
    assert rows[1][0] == importing.EXAMPLE_USCC
    assert wb.sheetnames == [importing.DATA_SHEET_TITLE, importing.NOTES_SHEET_TITLE]
    notes = [[c.value for c in row] for row in wb[importing.NOTES_SHEET_TITLE].iter_rows()]
    town_note = next(r for r in notes if r[0] == H["town"])
    assert "雒容镇 (450271100)" in town_note[3]
    assert "C 制造业" in next(r for r in notes if r[0] == H["industry"])[3]


def test_upload_report_confirm_through_the_pages(
    en_client, park_admin, town, django_capture_on_commit_callbacks
):
    en_client.force_login(park_admin)
    good = valid_uscc()
    rows = [enterprise_row(good, "好企业"), enterprise_row("91450271MA5L0C9X0", "坏企业")]

    response = en_client.post(reverse("enterprises:import_upload"), {"file": xlsx_upload(rows)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "enterprises:import_report", args=[batch.pk]
    )

    html = en_client.get(response.url).content.decode()
    assert 'data-testid="import-count-total">2<' in html
    assert 'data-testid="import-count-good">1<' in html
    assert 'data-testid="import-count-bad">1<' in html
    assert 'data-testid="import-errors"' in html and 'data-row="3"' in html and H["uscc"] in html
    assert "will be skipped" in html
    assert 'data-testid="import-confirm"' in html

    # The task runs after commit (inside the test's transaction: when the block exits; with eager
    # Celery in `make run`, before the view answers).
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CONFIRMED
    assert batch.result == {"created": 1, "updated": 0, "surveys": 1}
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [good]

    html = en_client.get(reverse("enterprises:import_report", args=[batch.pk])).content.decode()
    assert 'data-testid="import-result"' in html and 'data-testid="import-confirm"' not in html
    # Confirming again is refused with a message, not an error page.
    response = en_client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert response.status_code == 302 and Enterprise.objects.count() == 1


def test_a_bad_file_is_a_form_error_in_the_users_language(client, park_admin):
    client.force_login(park_admin)
    response = client.post(reverse("enterprises:import_upload"), {"file": upload(b"a,b\n1,2\n", "x.csv")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert '<html lang="zh-hans">' in response.content.decode()
    assert ImportBatch.objects.count() == 0

    client.cookies["django_language"] = "en"
    response = client.post(reverse("enterprises:import_upload"), {"file": upload(b"a,b\n1,2\n", "x.csv")})
    assert "not an .xlsx file" in response.content.decode()
    response = client.post(reverse("enterprises:import_upload"), {})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_discard_through_the_page(en_client, park_admin, town):
    en_client.force_login(park_admin)
    batch = importing.validate_file(
        xlsx_upload([enterprise_row(valid_uscc(), "甲")]), principal_for_user(park_admin)
    )
    response = en_client.post(reverse("enterprises:import_discard", args=[batch.pk]))
    assert response.status_code == 302 and response.url == reverse("enterprises:import_upload")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and Enterprise.objects.count() == 0


def test_confirm_and_discard_need_post(en_client, park_admin, town):
    en_client.force_login(park_admin)
    batch = importing.validate_file(
        xlsx_upload([enterprise_row(valid_uscc(), "甲")]), principal_for_user(park_admin)
    )
    assert en_client.get(reverse("enterprises:import_confirm", args=[batch.pk])).status_code == 405
    assert en_client.get(reverse("enterprises:import_discard", args=[batch.pk])).status_code == 405
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_other_roles_get_403_on_every_import_page(client, park_admin, town, role):
    batch = importing.validate_file(
        xlsx_upload([enterprise_row(valid_uscc(), "甲")]), principal_for_user(park_admin)
    )
    client.force_login(user_with_role(role))
    for name, args in [("import_upload", []), ("import_template", []), ("import_report", [batch.pk])]:
        assert client.get(reverse(f"enterprises:{name}", args=args)).status_code == 403, name
    post_file = {"file": xlsx_upload([enterprise_row(valid_uscc(), "乙")])}
    assert client.post(reverse("enterprises:import_upload"), post_file).status_code == 403
    for name in ("import_confirm", "import_discard"):
        assert client.post(reverse(f"enterprises:{name}", args=[batch.pk])).status_code == 403, name
    assert Enterprise.objects.count() == 0 and ImportBatch.objects.count() == 1


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("enterprises:import_upload"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_batch_is_404(client, park_admin):
    client.force_login(park_admin)
    url = reverse("enterprises:import_report", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_confirm_hands_the_writing_to_a_task_and_the_report_follows_it(
    en_client, park_admin, town, django_capture_on_commit_callbacks
):
    """Without a worker the batch stays "being written" and the page refreshes itself; when the
    task runs and a row is refused, nothing is written, the batch is failed and the uploader told."""
    from apps.core.principal import principal_for_user
    from apps.enterprises import importing
    from apps.notifications.models import Notification

    en_client.force_login(park_admin)
    en_client.post(
        reverse("enterprises:import_upload"), {"file": xlsx_upload([enterprise_row(valid_uscc(), "甲")])}
    )
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = en_client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert len(callbacks) == 1
    assert response.url == reverse("enterprises:import_report", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PROCESSING
    html = en_client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in html and 'data-testid="import-processing"' in html
    assert 'data-testid="import-confirm"' not in html

    town.delete()  # the stored row's town is gone by the time the task runs
    assert importing.run_confirm(principal_for_user(park_admin), batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "town" in batch.failure.lower()
    assert not Enterprise.objects.exists()
    assert Notification.objects.filter(recipient=park_admin, link__contains=str(batch.pk)).exists()
    # Running the task again does nothing.
    assert importing.run_confirm(principal_for_user(park_admin), batch.pk) == "skipped"
