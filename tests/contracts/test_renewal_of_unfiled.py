"""Issue 18, item 6: a first import of renewals whose earlier contracts are not filed.

A 2025 renewal of a worker employed since 2019, filed without the earlier contracts, was judged
against the day work started and flagged "written late". The filing now says so explicitly: the
`renews_unfiled` column (import file, filing form, API) makes the one-month rule count from this
contract's start and marks it "predecessor not filed" (an INFO, not a flag). Without the column
nothing changes, and a first contract written 3 months after work started is still flagged."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.contracts import importing, rules, services
from apps.contracts.models import LabourContract

from .conftest import p, row

pytestmark = pytest.mark.django_db

#: Employed since 2019; the 2025 renewal signed before it started.
RENEWAL = {
    "employment_start": "2019-03-01",
    "start": "2025-03-01",
    "end": "2028-02-29",
    "probation_end": "",
    "signed_on": "2025-02-20",
}


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(importing.COLUMNS)
    for r in rows:
        writer.writerow([r.get(c, "") for c in importing.COLUMNS])
    return out.getvalue().encode()


@pytest.fixture
def run_import(django_capture_on_commit_callbacks, policy):
    def run(user, content: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_import(p(user), SimpleUploadedFile("export.csv", content))
        job.refresh_from_db()
        return job

    return run


def by_ref(ref: str) -> LabourContract:
    return LabourContract.objects.get(reference=ref)


def test_an_imported_renewal_with_the_column_is_not_flagged_late(run_import, ent_a, park_admin):
    job = run_import(
        park_admin,
        csv_bytes(
            [
                row(ent_a, 1, renews_unfiled="yes", **RENEWAL),
                row(ent_a, 2, renews_unfiled="是", **RENEWAL),
                # Without the column: as before, judged against the day work started in 2019.
                row(ent_a, 3, **RENEWAL),
                # The column, but the renewal itself signed 2.5 months into its term: still late.
                row(ent_a, 4, renews_unfiled="yes", **{**RENEWAL, "signed_on": "2025-05-15"}),
            ]
        ),
    )
    assert job.status == job.Status.DONE and job.report == [] and job.created_count == 4
    for ref in ("HT-00001", "HT-00002"):
        contract = by_ref(ref)
        assert contract.renews_unfiled and contract.flags == []
        findings = rules.check(rules.terms_of(contract), [], None)
        assert [(f.code, f.severity, f.field) for f in findings] == [
            ("predecessor_not_filed", rules.INFO, "renews_unfiled")
        ]
    plain = by_ref("HT-00003")
    assert not plain.renews_unfiled and plain.flags == ["written_after_a_year"]
    late = by_ref("HT-00004")
    assert late.renews_unfiled and late.flags == ["double_wage_risk"]


def test_a_first_contract_written_three_months_after_work_started_is_still_flagged(ent_a, park_admin, policy):
    result = services.file_batch(
        p(park_admin), [row(ent_a, 7, probation_end="", employment_start="2025-10-01")]
    )
    assert not result.errors and result.created[0].flags == ["double_wage_risk"]
    assert not result.created[0].renews_unfiled


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_value_in_the_column_is_a_row_error_naming_it(run_import, ent_a, park_admin, value):
    job = run_import(park_admin, csv_bytes([row(ent_a, 1, renews_unfiled=value, **RENEWAL), row(ent_a, 2)]))
    assert job.created_count == 1 and job.error_count == 1
    assert [(e["row"], e["field"]) for e in job.report] == [(2, "renews_unfiled")]
    assert not LabourContract.objects.filter(reference="HT-00001").exists()


def test_a_contract_starting_with_the_work_renews_nothing(ent_a, park_admin, policy):
    result = services.file_batch(p(park_admin), [row(ent_a, 1, renews_unfiled=True)])
    assert [(e.row, e.field) for e in result.errors] == [(1, "renews_unfiled")]
    assert not result.created and not LabourContract.objects.exists()


def test_the_filing_form_and_the_contract_page(client, ent_a, ent_hr_a, policy):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(ent_hr_a)
    html = client.get(reverse("contracts:create")).content.decode()
    assert 'name="renews_unfiled"' in html
    data = row(ent_a, 1, **RENEWAL)
    data.pop("enterprise_uscc")
    data.update({"enterprise": str(ent_a.pk), "hours_system": "standard", "signing": "paper"})
    response = client.post(reverse("contracts:create"), {**data, "renews_unfiled": "on"})
    contract = LabourContract.objects.get()
    assert response.status_code == 302 and contract.renews_unfiled and contract.flags == []
    html = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert 'data-code="predecessor_not_filed"' in html and "Predecessor not filed" in html
    assert 'data-testid="flags"' not in html


def test_the_api_files_a_renewal_of_an_unfiled_contract(client, api_client_factory, ent_a, policy):
    key = api_client_factory(name="乐签平台", scopes=["contracts:read", "contracts:write"])[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT_LANGUAGE": "en"}
    response = client.post(
        "/api/v1/contracts/",
        row(ent_a, 1, renews_unfiled=True, **RENEWAL),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["renews_unfiled"] is True and response.json()["flags"] == []
    response = client.post(
        "/api/v1/contracts/",
        row(ent_a, 2, renews_unfiled="perhaps", **RENEWAL),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and "renews_unfiled" in response.content.decode()
