"""The pages of the contract library: the list with its filters (one query count whatever the
number of contracts; park totals for administrators), scoping (another enterprise's contract is a
404), the masked ID number everywhere (list, contract page, book lists, .xlsx and PDF exports) and
the audited full view, the filing form (good, refused with the article, flagged with the finding's
message, e-signed with its file), the verification of the signed file (tampering detected), the
termination, the book per enterprise (一户一册) with the list behind each figure, the dossier
section, the home cards and a junk sweep over every page."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.contracts import services
from apps.contracts.models import ESignature, LabourContract
from apps.core.personal_data import mask_id_number
from tests.factories import user_with_role

from .conftest import PDF, esign, id_number, p, row

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids), so assertions read the source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="(?:contract|book)-row" data-pk="([^"]+)"', html)


def pks(*contracts) -> set[str]:
    return {str(c.pk) for c in contracts}


def detail(contract) -> str:
    return reverse("contracts:detail", args=[contract.pk])


def fresh(contract) -> LabourContract:
    return LabourContract.objects.get(pk=contract.pk)


def day(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


def file(user, *rows_, files=None) -> list[LabourContract]:
    result = services.file_batch(p(user), list(rows_), files=files)
    assert not result.errors, result.errors
    return result.created


@pytest.fixture
def book(ent_a, park_admin, policy):
    """ent_a's contracts, one for each figure of the book:
    1 in force (clean), 2 e-signed, 3 expiring in 20 days, 4 expiring in 50 days, 5 flagged
    (probation too long), 6 terminated and filed late, 7 written 3 months after work started."""
    contracts = file(
        park_admin,
        row(ent_a, 1, probation_end=""),
        row(ent_a, 2, probation_end="", **esign(2)),
        row(ent_a, 3, probation_end="", end=day(20)),
        row(ent_a, 4, probation_end="", end=day(50)),
        row(ent_a, 5, probation_end="2026-07-01"),
        row(ent_a, 6, probation_end=""),
        row(ent_a, 7, probation_end="", employment_start="2025-10-01"),
        files={"2.pdf": PDF},
    )
    by_n = {int(c.reference[-2:]): c for c in contracts}
    services.terminate(p(park_admin), by_n[6], terminated_on=day(-30), reason="协商一致解除")
    return by_n


# The list ---------------------------------------------------------------------------------------------


def test_hr_sees_only_their_enterprises_contracts_with_masked_numbers(
    en, ent_a, ent_b, ent_hr_a, ent_hr_b, park_admin, policy
):
    (a,) = file(park_admin, row(ent_a, 1))
    (b,) = file(park_admin, row(ent_b, 2))
    for user, expected in ((ent_hr_a, pks(a)), (ent_hr_b, pks(b)), (park_admin, pks(a, b))):
        html = page(login(en, user).get(reverse("contracts:list")))
        assert set(rows(html)) == expected
        assert id_number(1) not in html and id_number(2) not in html
    html = page(login(en, ent_hr_a).get(reverse("contracts:list")))
    assert mask_id_number(id_number(1)) in html and "工人1" in html and ent_a.name in html
    assert 'data-testid="park-totals"' not in html and 'data-testid="subnav-totals"' not in html
    assert 'name="enterprise_uscc"' not in html  # HR has one enterprise: no enterprise filter
    html = page(login(en, park_admin).get(reverse("contracts:list")))
    # Administrators choose the enterprise by its credit code (a list of 20,000 names would not do).
    assert 'data-testid="park-totals"' in html and 'name="enterprise_uscc"' in html
    assert re.search(r'data-testid="total-in_force">2<', html)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()


def test_list_needs_login_and_the_permission(client, en):
    response = client.get(reverse("contracts:list"))
    assert response.status_code == 302 and "login" in response["Location"]
    union = user_with_role(Role.UNION_OFFICIAL)
    assert login(en, union).get(reverse("contracts:list")).status_code == 403
    assert en.get(reverse("contracts:create")).status_code == 403


def test_list_filters(en, ent_a, ent_b, park_admin, policy):
    clean, esigned, expiring, flagged, part_time = file(
        park_admin,
        row(ent_a, 1, worker_name="张三丰", probation_end=""),
        row(ent_a, 2, probation_end="", **esign(2)),
        row(ent_a, 3, probation_end="", end=day(20)),
        row(ent_a, 4, probation_end="2026-07-01"),
        row(ent_b, 5, kind="part_time", end="", probation_end="", monthly_pay="", hourly_pay="25"),
        files={"2.pdf": PDF},
    )
    services.terminate(p(park_admin), expiring, terminated_on=day(-1), reason="r")
    client = login(en, park_admin)

    def listed(query):
        return set(rows(page(client.get(reverse("contracts:list") + query))))

    assert listed("") == pks(clean, esigned, expiring, flagged, part_time)
    assert listed(f"?enterprise={ent_b.pk}") == pks(part_time)
    assert listed("?kind=part_time") == pks(part_time)
    assert listed("?status=terminated") == pks(expiring)
    assert listed("?signing=e_signature") == pks(esigned)
    assert listed("?flagged=true") == pks(flagged)
    assert listed("?flagged=false") == pks(clean, esigned, expiring, part_time)
    assert listed("?flag=probation_too_long") == pks(flagged)
    assert listed("?flag=below_minimum_wage") == set()
    # The name: its start, surname first (an index serves it on a million workers).
    assert listed("?name=张三") == listed("?name=张三丰") == pks(clean)
    assert listed("?name=三丰") == set()

    # The ID number: exact only, through the keyed hash, sent by POST: the list's address carries a
    # short-lived token, never the number.
    def by_id(number):
        response = client.post(reverse("contracts:find_by_id"), {"id_number": number})
        assert response.status_code == 302 and number not in response["Location"]
        return response["Location"]

    assert set(rows(page(client.get(by_id(id_number(4)))))) == pks(flagged)
    assert set(rows(page(client.get(by_id(id_number(4).lower()))))) == pks(flagged)
    wrong = client.get(by_id(id_number(4)[:10]), follow=True)
    assert (
        'data-testid="id-search-error"' in page(wrong)
        and id_number(4)[:10] not in wrong.request["QUERY_STRING"]
    )
    # Expiring: only contracts in force.
    (soon,) = file(park_admin, row(ent_a, 6, probation_end="", end=day(25)))
    assert listed("?expiring_within=30") == pks(soon)
    assert listed("?expiring_within=24") == set()
    # Bad filters: nothing listed, the errors shown.
    html = page(client.get(reverse("contracts:list") + "?expiring_within=-3&kind=zzz"))
    assert rows(html) == [] and 'data-testid="filter-errors"' in html
    # The flag badge shows the finding's short label.
    html = page(client.get(reverse("contracts:list") + "?flagged=true"))
    assert 'data-code="probation_too_long"' in html and "Probation too long" in html


def test_the_list_shows_the_filters_it_applies(en, ent_a, park_admin, policy):
    """The page's form is the filter set's: each parameter is shown as chosen, the API's own
    descriptions are not (the ID number keeps its hint)."""
    client = login(en, park_admin)
    html = page(
        client.get(
            reverse("contracts:list")
            + f"?flagged=true&status=terminated&status=expired&flag=second_probation&enterprise={ent_a.pk}"
            + "&expiring_within=30"
        )
    )
    assert re.search(r'<option value="true" selected>Yes</option>', html)
    # The statuses are checkboxes (issue 20: no Ctrl-click list), with the same parameters.
    assert re.search(
        r'<input type="checkbox" name="status" value="terminated"[^>]* checked', html
    ) and re.search(r'<input type="checkbox" name="status" value="expired"[^>]* checked', html)
    assert not re.search(r'<input type="checkbox" name="status" value="in_force"[^>]* checked', html)
    assert re.search(r'<option value="second_probation" selected>Second probation</option>', html)
    assert f'<input type="hidden" name="enterprise" value="{ent_a.pk}">' in html
    assert 'name="expiring_within" value="30"' in html
    assert 'aria-describedby="id_search_help"' in html and 'id="id_search_help"' in html
    assert "id_status_helptext" not in html and "One or several" not in html


def test_list_paginates_and_keeps_filters(en, ent_a, park_admin, policy):
    file(park_admin, *(row(ent_a, n, probation_end="") for n in range(1, 28)))
    client = login(en, park_admin)
    html = page(client.get(reverse("contracts:list") + "?kind=fixed_term"))
    first = rows(html)
    following = re.search(r'href="(\?[^"]*after=[^"]*)" data-testid="page-next"', html).group(1)
    assert len(first) == 25 and "kind=fixed_term" in following
    html = page(client.get(reverse("contracts:list") + following.replace("&amp;", "&")))
    assert len(rows(html)) == 2 and not set(rows(html)) & set(first)
    assert 'data-testid="page-previous"' in html and 'data-testid="page-next"' not in html
    assert "27 contracts" in html
    # A cursor of junk shows the first page instead of an error.
    assert rows(page(client.get(reverse("contracts:list") + "?kind=fixed_term&after=zz"))) == first


def test_list_runs_in_a_constant_number_of_queries(en, ent_a, ent_b, park_admin, policy):
    def count():
        client = login(en, park_admin)
        cache.clear()  # both counts with nothing cached: the park's totals are computed each time
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("contracts:list")).status_code == 200
        return len(ctx.captured_queries)

    def batch(first, n):
        return [
            row(ent_a if i % 2 else ent_b, i, probation_end="2026-07-01" if i % 3 else "", **esign(i))
            for i in range(first, first + n)
        ]

    file(park_admin, *batch(1, 5), files={f"{i}.pdf": PDF for i in range(1, 6)})
    small = count()
    file(park_admin, *batch(6, 10), files={f"{i}.pdf": PDF for i in range(6, 16)})
    assert LabourContract.objects.count() == 15
    assert count() == small


# One contract -----------------------------------------------------------------------------------------


def test_another_enterprises_contract_is_a_404(en, ent_a, ent_hr_a, ent_hr_b, park_admin, policy):
    (contract,) = file(park_admin, row(ent_a, 1))
    assert page(login(en, ent_hr_a).get(detail(contract)))
    assert page(login(en, park_admin).get(detail(contract)))
    client = login(en, ent_hr_b)
    for name in ("detail", "terminate", "signed_file"):
        assert client.get(reverse(f"contracts:{name}", args=[contract.pk])).status_code == 404, name
    assert client.post(reverse("contracts:verify", args=[contract.pk])).status_code == 404
    assert (
        client.post(reverse("contracts:terminate", args=[contract.pk]), {"terminated_on": day(0)}).status_code
        == 404
    )
    assert fresh(contract).status == LabourContract.Status.IN_FORCE
    assert client.get("/contracts/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_contract_page_masks_the_number_and_the_full_view_is_audited(en, ent_a, ent_hr_a, policy):
    (contract,) = file(ent_hr_a, row(ent_a, 7))
    number = id_number(7)
    client = login(en, ent_hr_a)
    html = page(client.get(detail(contract)))
    assert mask_id_number(number) in html and number not in html
    assert 'data-testid="show-full-id"' in html and "?full=1" in html
    # Junk in `full` shows nothing in full and logs nothing.
    assert number not in page(client.get(detail(contract) + "?full=yes"))
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()
    html = page(client.get(detail(contract) + "?full=1"))
    assert number in html and 'data-testid="full-note"' in html
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    assert event.actor == ent_hr_a and event.object_id == str(contract.worker_id)
    assert event.action == "view_full:id_number"


def test_the_contract_page_shows_terms_flags_and_history(en, ent_a, ent_hr_a, policy):
    (contract,) = file(ent_hr_a, row(ent_a, 1, probation_end="2026-07-01", monthly_pay="1000"))
    assert set(contract.flags) == {"probation_too_long", "below_minimum_wage"}
    html = page(login(en, ent_hr_a).get(detail(contract)))
    assert 'data-testid="flags"' in html
    assert "For this term the probation may last at most 6 month(s), until 2026-06-30." in html
    assert "劳动合同法第十九条" in html
    assert "The monthly pay is below the local minimum wage (1,990.00 yuan)." in html
    assert "最低工资规定第十二条" in html
    assert "装配工" in html and "HT-00001" in html
    assert 'data-testid="history-row"' in html and "Filed" in html
    assert 'data-testid="action-terminate"' in html
    assert 'data-testid="esignature"' not in html  # on paper


# Filing -----------------------------------------------------------------------------------------------


def form_data(ent, n=1, **extra) -> dict:
    data = row(ent, n)
    data.pop("enterprise_uscc")
    data.update({"enterprise": str(ent.pk), "hours_system": "standard", "signing": "paper"})
    data["social_insurance"] = "on"
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_the_filing_form_files_for_the_hrs_own_enterprise(en, ent_a, ent_b, ent_hr_a, policy):
    client = login(en, ent_hr_a)
    html = page(client.get(reverse("contracts:create")))
    assert 'data-testid="contract-form"' in html and ent_a.name in html and ent_b.name not in html
    # The enterprise is fixed: another one posted is ignored.
    response = client.post(reverse("contracts:create"), form_data(ent_a, enterprise=str(ent_b.pk)))
    contract = LabourContract.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(contract)
    assert contract.enterprise == ent_a and contract.flags == [] and contract.social_insurance
    assert contract.source == LabourContract.Source.PAGE and contract.filed_by == ent_hr_a
    html = page(client.get(detail(contract)))
    assert "The contract is filed." in html and mask_id_number(id_number(1)) in html


def test_the_same_paper_contract_filed_again_says_nothing_changed(en, ent_a, ent_hr_a, policy):
    """A repeat is never reported as a new filing (issue 15): the same paper contract again is
    'already filed', one contract in the book."""
    client = login(en, ent_hr_a)
    assert "The contract is filed." in page(
        client.post(reverse("contracts:create"), form_data(ent_a), follow=True)
    )
    response = client.post(reverse("contracts:create"), form_data(ent_a), follow=True)
    assert LabourContract.objects.count() == 1
    html = page(response)
    assert "already filed with these terms" in html and "The contract is filed." not in html


def test_a_wrong_check_character_is_refused_on_its_field(en, ent_a, ent_hr_a, policy):
    number = id_number(1)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    html = page(
        login(en, ent_hr_a).post(reverse("contracts:create"), form_data(ent_a, worker_id_number=wrong))
    )
    assert 'data-testid="form-errors"' in html and 'data-testid="error-worker_id_number"' in html
    assert not LabourContract.objects.exists()


def test_an_end_before_the_start_is_refused_with_its_article(en, ent_a, ent_hr_a, policy):
    html = page(
        login(en, ent_hr_a).post(
            reverse("contracts:create"), form_data(ent_a, end="2025-12-31", probation_end="")
        )
    )
    assert 'data-testid="error-end"' in html
    assert "The contract must end after it starts." in html and "劳动合同法第十二条" in html
    assert not LabourContract.objects.exists()


def test_missing_fields_and_junk_are_form_errors(en, ent_a, ent_hr_a, policy):
    client = login(en, ent_hr_a)
    html = page(client.post(reverse("contracts:create"), {}))
    assert 'data-testid="error-worker_name"' in html and 'data-testid="error-start"' in html
    html = page(
        client.post(
            reverse("contracts:create"),
            form_data(ent_a, hours_system="flexible", monthly_pay="NaN", start="2026-02-31"),
        )
    )
    assert 'data-testid="error-monthly_pay"' in html and 'data-testid="error-start"' in html
    html = page(client.post(reverse("contracts:create"), form_data(ent_a, hours_system="flexible")))
    assert 'data-testid="error-hours_approval"' in html
    assert not LabourContract.objects.exists()


def test_a_flagged_filing_shows_the_findings_message(en, ent_a, ent_hr_a, policy):
    response = login(en, ent_hr_a).post(
        reverse("contracts:create"), form_data(ent_a, probation_end="2026-07-01"), follow=True
    )
    html = page(response)
    contract = LabourContract.objects.get()
    assert contract.flags == ["probation_too_long"]
    message = next(str(m) for m in response.context["messages"])
    assert "For this term the probation may last at most 6 month(s), until 2026-06-30." in message
    assert "劳动合同法第十九条" in message
    assert "Probation too long" in html


def test_an_e_signed_filing_stores_the_file_and_its_hash(en, ent_a, ent_hr_a, policy):
    data = form_data(ent_a, **{k: v for k, v in esign(1).items() if k not in ("file_sha256", "file_name")})
    data["employer_signed_at"] = "2026-01-01T09:00"
    data["worker_signed_at"] = "2026-01-01T09:05"
    data["signed_file"] = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")
    client = login(en, ent_hr_a)
    response = client.post(reverse("contracts:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = LabourContract.objects.get()
    signature = contract.esignature
    assert signature.sha256 == hashlib.sha256(PDF).hexdigest() and signature.file
    html = page(client.get(detail(contract)))
    assert signature.sha256 in html and "LQ-1" in html and 'data-testid="verify-button"' in html
    # The download: scoped, the bytes as filed, audited.
    download = client.get(reverse("contracts:signed_file", args=[contract.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="view_full:signed_file").count() == 1


def test_the_signed_file_must_be_a_pdf_and_match_the_declared_hash(en, ent_a, ent_hr_a, policy):
    client = login(en, ent_hr_a)
    base = {k: v for k, v in esign(1).items() if k not in ("file_sha256", "file_name")}
    base.update(employer_signed_at="2026-01-01T09:00", worker_signed_at="2026-01-01T09:05")
    data = form_data(ent_a, **base)
    data["signed_file"] = SimpleUploadedFile(
        "contract.pdf", b"not a pdf at all", content_type="application/pdf"
    )
    html = page(client.post(reverse("contracts:create"), data))
    assert 'data-testid="error-signed_file"' in html
    data = form_data(ent_a, **base, file_sha256="0" * 64)
    data["signed_file"] = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")
    html = page(client.post(reverse("contracts:create"), data))
    assert 'data-testid="error-file_sha256"' in html and "the file was altered" in html
    # E-signed without any file or hash: the evidence is asked for.
    html = page(client.post(reverse("contracts:create"), form_data(ent_a, **base)))
    assert 'data-testid="error-signed_file"' in html
    assert not LabourContract.objects.exists() and not ESignature.objects.exists()


def test_filing_needs_the_permission(en, ent_a, policy):
    union = user_with_role(Role.UNION_OFFICIAL)
    client = login(en, union)
    assert client.get(reverse("contracts:create")).status_code == 403
    assert client.post(reverse("contracts:create"), form_data(ent_a)).status_code == 403
    # HR whose organisation is not an enterprise of the registry: nothing to file for.
    client = login(en, user_with_role(Role.ENTERPRISE_HR))
    assert client.get(reverse("contracts:create")).status_code == 403
    assert client.post(reverse("contracts:create"), form_data(ent_a)).status_code == 403
    assert not LabourContract.objects.exists()


# Verification and termination ---------------------------------------------------------------------------


def test_the_verify_button_detects_a_tampered_file(en, ent_a, ent_hr_a, park_admin, policy):
    (contract,) = file(park_admin, row(ent_a, 1, **esign(1)), files={"1.pdf": PDF})
    client = login(en, ent_hr_a)
    response = client.post(reverse("contracts:verify", args=[contract.pk]), follow=True)
    html = page(response)
    assert "The signed file is intact" in html and 'data-result="intact"' in html
    assert 'data-testid="tampered-alert"' not in html
    with open(contract.esignature.file.path, "ab") as fh:
        fh.write(b"changed")
    html = page(client.post(reverse("contracts:verify", args=[contract.pk]), follow=True))
    assert "TAMPERED" in html and 'data-testid="tampered-alert"' in html and 'data-result="tampered"' in html
    assert ESignature.objects.get().tampered
    # The list shows it too; GET is not allowed on verify.
    assert 'data-testid="tampered-badge"' in page(client.get(reverse("contracts:list")))
    assert client.get(reverse("contracts:verify", args=[contract.pk])).status_code == 405


def test_verify_on_a_paper_contract_says_there_is_no_file(en, ent_a, ent_hr_a, policy):
    (contract,) = file(ent_hr_a, row(ent_a, 1))
    html = page(login(en, ent_hr_a).post(reverse("contracts:verify", args=[contract.pk]), follow=True))
    assert "no signed file to verify" in html
    assert login(en, ent_hr_a).get(reverse("contracts:signed_file", args=[contract.pk])).status_code == 404


def test_the_termination_form(en, ent_a, ent_hr_a, policy):
    (contract,) = file(ent_hr_a, row(ent_a, 1))
    client = login(en, ent_hr_a)
    url = reverse("contracts:terminate", args=[contract.pk])
    html = page(client.get(url))
    assert 'data-testid="terminate-form"' in html and "7 working days" in html
    html = page(client.post(url, {"terminated_on": "", "reason": "协商一致"}))
    assert "Enter the date the contract ended." in html
    html = page(client.post(url, {"terminated_on": day(3), "reason": "协商一致"}))
    assert "File a termination once it has happened." in html
    html = page(client.post(url, {"terminated_on": day(-1), "reason": ""}))
    assert "Give a reason" in html
    assert fresh(contract).status == LabourContract.Status.IN_FORCE
    response = client.post(url, {"terminated_on": day(-1), "reason": "协商一致解除"}, follow=True)
    html = page(response)
    contract = fresh(contract)
    assert (
        contract.status == LabourContract.Status.TERMINATED
        and contract.terminated_on == TODAY - dt.timedelta(1)
    )
    assert "The termination is filed." in html and 'data-testid="termination-on-time"' in html
    assert 'data-testid="action-terminate"' not in html
    # Once terminated: the form says why not, and a POST is refused on the form.
    assert 'data-testid="refusal"' in page(client.get(url))
    assert client.post(url, {"terminated_on": day(-1), "reason": "again"}).status_code == 200
    assert fresh(contract).termination_reason == "协商一致解除"


def test_a_late_termination_is_said_so(en, ent_a, ent_hr_a, policy):
    (contract,) = file(ent_hr_a, row(ent_a, 1))
    response = login(en, ent_hr_a).post(
        reverse("contracts:terminate", args=[contract.pk]),
        {"terminated_on": day(-30), "reason": "协商一致解除"},
        follow=True,
    )
    html = page(response)
    assert "The termination is filed, late" in html and 'data-testid="termination-late"' in html


# The book per enterprise (一户一册) ---------------------------------------------------------------------------


def figure(html: str, key: str) -> int:
    match = re.search(rf'data-testid="figure-{key}" data-value="(\d+)"', html)
    assert match, key
    return int(match.group(1))


def test_the_dossier_section_shows_the_books_figures(en, book, ent_a, ent_hr_a, ent_hr_b, park_admin):
    for user in (ent_hr_a, park_admin):
        html = page(login(en, user).get(reverse("enterprises:detail", args=[ent_a.pk])))
        assert 'data-testid="dossier-contracts-section"' in html
        counts = {key: figure(html, key) for key in ("in_force", "expiring_30", "expiring_60")}
        assert counts == {"in_force": 6, "expiring_30": 1, "expiring_60": 2}
        assert figure(html, "flagged") == 2  # probation too long; written late
        assert figure(html, "late_terminations") == 1
        assert figure(html, "without_contract") == 1
        assert figure(html, "open_ended_due") == 0
        assert reverse("contracts:book_list", args=[ent_a.pk, "expiring_30"]) in html
        assert reverse("contracts:book_xlsx", args=[ent_a.pk]) in html
    assert login(en, ent_hr_b).get(reverse("enterprises:detail", args=[ent_a.pk])).status_code == 404
    # Other roles who see the enterprise do not get the section.
    union = user_with_role(Role.UNION_OFFICIAL)
    from apps.accounts.roles import ROLE_PERMISSIONS

    assert "contracts.view_labourcontract" not in ROLE_PERMISSIONS.get(Role.UNION_OFFICIAL, ())
    response = login(en, union).get(reverse("enterprises:detail", args=[ent_a.pk]))
    if response.status_code == 200:
        assert 'data-testid="dossier-contracts-section"' not in response.content.decode()


def test_the_list_behind_each_figure(en, book, ent_a, ent_hr_a):
    client = login(en, ent_hr_a)

    def listed(key):
        return set(rows(page(client.get(reverse("contracts:book_list", args=[ent_a.pk, key])))))

    assert listed("in_force") == pks(*(book[n] for n in (1, 2, 3, 4, 5, 7)))
    assert listed("expiring_30") == pks(book[3])
    assert listed("expiring_60") == pks(book[3], book[4])
    assert listed("flagged") == pks(book[5], book[7])
    assert listed("late_terminations") == pks(book[6])
    assert listed("without_contract") == pks(book[7])
    assert listed("open_ended_due") == set()
    html = page(client.get(reverse("contracts:book_list", args=[ent_a.pk, "in_force"])))
    for n in (1, 2, 3):
        assert id_number(n) not in html and mask_id_number(id_number(n)) in html
    assert client.get(reverse("contracts:book_list", args=[ent_a.pk, "nonsense"])).status_code == 404


def test_the_book_of_another_enterprise_is_a_404(en, book, ent_a, ent_b, ent_hr_b):
    client = login(en, ent_hr_b)
    for name, args in (
        ("contracts:book_list", [ent_a.pk, "in_force"]),
        ("contracts:book_xlsx", [ent_a.pk]),
        ("contracts:book_pdf", [ent_a.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert page(client.get(reverse("contracts:book_list", args=[ent_b.pk, "in_force"])))
    assert not AuditEvent.objects.filter(action="contracts.export_book").exists()


def test_the_xlsx_export_masks_id_numbers_and_is_audited(en, book, ent_a, ent_hr_a):
    from openpyxl import load_workbook

    response = login(en, ent_hr_a).get(reverse("contracts:book_xlsx", args=[ent_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert len(workbook.sheetnames) == 1 + 7
    text = " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.value
    )
    for n in range(1, 8):
        assert id_number(n) not in text
    assert mask_id_number(id_number(1)) in text and "工人1" in text
    figures = {row[0].value: row[1].value for row in workbook.worksheets[0].iter_rows()}
    assert figures["Expiring within 30 days"] == 1 and figures["Contracts in force"] == 6
    event = AuditEvent.objects.get(action="contracts.export_book")
    assert event.actor == ent_hr_a and event.object_id == str(ent_a.pk) and event.after["format"] == "xlsx"


def test_the_xlsx_export_writes_a_formula_as_text(en, ent_a, ent_hr_a, park_admin, policy):
    """A worker's name or a contract number starting with "=" is data, never run by Excel."""
    from openpyxl import load_workbook

    file(park_admin, row(ent_a, 1, worker_name='=HYPERLINK("http://x.example")', contract_number="=1+1"))
    response = login(en, ent_hr_a).get(reverse("contracts:book_xlsx", args=[ent_a.pk]))
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    in_force = workbook.worksheets[1]
    cells = [cell for line in in_force.iter_rows(min_row=2) for cell in line if cell.value is not None]
    written = {cell.value: cell.data_type for cell in cells}
    assert written['=HYPERLINK("http://x.example")'] == "s" and written["=1+1"] == "s"
    assert not any(
        cell.data_type == "f" for sheet in workbook.worksheets for line in sheet.iter_rows() for cell in line
    )


def test_the_pdf_book_masks_id_numbers(en, book, ent_a, park_admin, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    client = login(en, park_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contracts:book_pdf_generate", args=[ent_a.pk]))
    response = client.get(reverse("contracts:book_pdf", args=[ent_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    compact = re.sub(r"\s+", "", text)
    for n in range(1, 8):
        assert id_number(n) not in compact
    assert mask_id_number(id_number(1)) in compact
    assert ent_a.uscc in compact and "劳动合同备案台账" in compact
    assert "仅列前" not in compact  # every row: no cap any more
    assert AuditEvent.objects.filter(action="contracts.export_book", after__format="pdf").count() == 1


# Home cards ------------------------------------------------------------------------------------------


def test_home_cards(en, book, ent_b, ent_hr_a, ent_hr_b, park_admin):
    from django.utils import translation

    from apps.contracts.selectors import home_cards

    with translation.override("en"):
        hr = {str(c["label"]): c["value"] for c in home_cards(p(ent_hr_a))}
        park = {str(c["label"]): c["value"] for c in home_cards(p(park_admin))}
    assert hr == {"Contracts in force": 6, "Contracts expiring within 30 days": 1}
    assert [c["value"] for c in home_cards(p(ent_hr_b))] == [0, 0]
    assert park == {"Contracts in force in the park": 6, "Contracts expiring within 30 days": 1}
    assert home_cards(p(user_with_role(Role.UNION_OFFICIAL))) == []
    html = page(login(en, ent_hr_a).get(reverse("dashboard:home")))
    # On the home page the expiring count is a worklist item (issue 20), linked to the same list.
    assert "1 contract ending within 30 days: renew or end it" in html
    assert reverse("contracts:list") + "?expiring_within=30" in html


# Junk ------------------------------------------------------------------------------------------------

JUNK = {
    "enterprise": "-1",
    "worker_name": "x" * 500,
    "worker_id_number": "<script>",
    "worker_phone": "phone",
    "kind": "../../etc",
    "employment_start": "2026-02-31",
    "start": "yesterday",
    "end": "31/31/2031",
    "probation_end": "0000-00-00",
    "hours_system": "zzz",
    "monthly_pay": "1e999",
    "hourly_pay": "NaN",
    "weekly_hours": "-5",
    "social_insurance": "maybe",
    "signed_on": "tomorrow",
    "signing": "e_signature",
    "employer_signed_at": "2026-13-01T25:61",
    "worker_signed_at": "junk",
    "file_sha256": "zz",
    "signed_file": "not a file",
    "terminated_on": "2026-02-30",
    "reason": "x" * 5000,
    "page": "-3",
}


@pytest.mark.parametrize("who", ["anonymous", "hr", "other_hr", "union", "admin"])
def test_no_page_answers_500_to_junk(client, who, ent_a, ent_hr_a, ent_hr_b, park_admin, policy):
    (paper,) = file(park_admin, row(ent_a, 1))
    (signed,) = file(park_admin, row(ent_a, 2, **esign(2)), files={"2.pdf": PDF})
    user = {
        "anonymous": None,
        "hr": ent_hr_a,
        "other_hr": ent_hr_b,
        "union": user_with_role(Role.UNION_OFFICIAL),
        "admin": park_admin,
    }[who]
    if user is not None:
        client.force_login(user)
    zero = "00000000-0000-0000-0000-000000000000"
    urls = [
        reverse("contracts:list"),
        reverse("contracts:list")
        + "?enterprise=junk&kind=%00&status=zzz&signing=y&flagged=maybe&flag=nope&expiring_within=1e9"
        + "&name=%27%22&id_token=%00%27&page=-3",
        reverse("contracts:list") + "?expiring_within=99999999999999999999&id_token=" + "9" * 40,
        reverse("contracts:create"),
        f"/contracts/{zero}/",
        f"/contracts/{zero}/terminate/",
        f"/contracts/{zero}/verify/",
        f"/contracts/{zero}/signed-file/",
        f"/contracts/book/{zero}/in_force/",
        f"/contracts/book/{zero}/export.xlsx",
        f"/contracts/book/{ent_a.pk}/nonsense/",
        f"/contracts/book/{ent_a.pk}/in_force/?page=zz",
    ]
    for contract in (paper, signed):
        urls += [
            detail(contract),
            detail(contract) + "?full=junk",
            *(
                reverse(f"contracts:{name}", args=[contract.pk])
                for name in ("terminate", "verify", "signed_file")
            ),
        ]
    before = {c.pk: (c.status, c.terminated_on) for c in LabourContract.objects.all()}
    for target in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(target, JUNK if method == "post" else None)
            assert response.status_code < 500, (who, method, target, response.status_code)
    assert {c.pk: (c.status, c.terminated_on) for c in LabourContract.objects.all()} == before
    assert LabourContract.objects.count() == 2
