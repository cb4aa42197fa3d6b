"""Journey: a park administrator imports an .xlsx with one bad row, reads the report, fixes the
file, uploads it again, confirms, and finds the new enterprise in the list."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from apps.accounts.roles import Role
from apps.enterprises.models import Enterprise, ImportBatch
from tests.enterprises.test_import import enterprise_row, workbook_bytes
from tests.factories import PASSWORD, TownFactory, user_with_role, valid_uscc

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_imports_fixes_the_bad_row_confirms_and_finds_the_enterprise(page, live_url, tmp_path):
    user_with_role(Role.PARK_ADMIN, username="admin1", full_name="王伟")
    TownFactory(name="雒容镇", code="450271100")
    codes = [valid_uscc(), valid_uscc(), valid_uscc()]
    wrong = codes[1][:17] + ("0" if codes[1][17] != "0" else "1")  # wrong check character
    names = ["柳州华达汽车零部件制造有限公司", "柳州鑫源精密铸造有限公司", "柳州远航物流有限公司"]
    rows = [enterprise_row(code, name) for code, name in zip(codes, names, strict=True)]
    rows[1]["uscc"] = wrong
    rows[2].update(industry="G 交通运输、仓储和邮政业", survey_year=None, survey_employees=None)
    for key in ("union_members", "women", "migrant_workers", "has_union", "contract_signing_rate"):
        rows[2][key] = None
    for key in ("collective_contract", "wage_bargaining", "workers_congress", "mediation_committee"):
        rows[2][key] = None
    file = tmp_path / "企业名录.xlsx"
    file.write_bytes(workbook_bytes(rows))

    login(page, live_url, "admin1", PASSWORD)
    page.goto(live_url("/enterprises/import/"))
    expect(page.get_by_test_id("import-template")).to_be_visible()
    page.get_by_test_id("import-upload-form").locator("input[type='file']").set_input_files(str(file))
    page.get_by_test_id("import-upload-submit").click()

    # The report: 3 rows, 2 good, 1 bad; the bad row is row 3 of the sheet, in the code column.
    expect(page).to_have_url(re.compile(r"/enterprises/import/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("import-count-total")).to_have_text("3")
    expect(page.get_by_test_id("import-count-good")).to_have_text("2")
    expect(page.get_by_test_id("import-count-bad")).to_have_text("1")
    errors = page.get_by_test_id("import-errors").get_by_test_id("import-error-row")
    expect(errors).to_have_count(1)
    expect(errors.first).to_have_attribute("data-row", "3")
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_have_text("统一社会信用代码")
    expect(errors.first.locator("td").nth(2)).to_have_text(wrong)
    expect(page.get_by_test_id("import-skip-warning")).to_be_visible()
    expect(page.get_by_test_id("import-confirm")).to_be_visible()
    assert Enterprise.objects.count() == 0

    # Fix the code in the file and upload it again from the report page.
    rows[1]["uscc"] = codes[1]
    file.write_bytes(workbook_bytes(rows))
    page.get_by_test_id("import-reupload-form").locator("input[type='file']").set_input_files(str(file))
    page.get_by_test_id("import-reupload-submit").click()

    expect(page.get_by_test_id("import-no-errors")).to_be_visible()
    expect(page.get_by_test_id("import-count-good")).to_have_text("3")
    expect(page.get_by_test_id("import-count-bad")).to_have_text("0")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    page.get_by_test_id("import-confirm").click()

    # Back on the enterprise list with the counts of what was written.
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    expect(page.locator(".alert-success[role='alert']")).to_contain_text("3")
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == set(codes)
    assert ImportBatch.objects.filter(status=ImportBatch.Status.CONFIRMED).count() == 1

    page.goto(live_url(f"/enterprises/?search={quote(names[1])}"))
    link = page.get_by_role("link", name=names[1])
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name=names[0])).to_have_count(0)
    link.click()
    expect(page.get_by_text(codes[1]).first).to_be_visible()
