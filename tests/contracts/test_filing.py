"""Filing through the services: one row, a batch with its report, idempotent re-import, renewal,
termination, the signed file's hash, encryption at rest."""

import datetime as dt

import pytest
from django.db import connection

from apps.contracts import services
from apps.contracts.models import ESignature, LabourContract, Worker
from apps.core.errors import DomainError

from .conftest import PDF, esign, id_number, p, row

pytestmark = pytest.mark.django_db


def test_hr_files_a_contract_for_their_enterprise(ent_a, ent_hr_a, policy):
    contract = services.file_contract(p(ent_hr_a), row(ent_a))
    assert contract.status == LabourContract.Status.IN_FORCE and contract.flags == []
    worker = contract.worker
    assert worker.birth_date == dt.date(1990, 3, 7) and worker.sex in ("male", "female")
    assert contract.history.get().action == "file"


def test_hr_cannot_file_for_another_enterprise(ent_b, ent_hr_a, policy):
    with pytest.raises(DomainError) as exc:
        services.file_contract(p(ent_hr_a), row(ent_b))
    assert "enterprise_uscc" in exc.value.fields
    assert not LabourContract.objects.exists()


def test_a_batch_reports_bad_rows_and_files_the_good_ones(ent_a, park_admin, policy):
    rows = [
        row(ent_a, 1),
        row(ent_a, 2, end="2025-12-31"),  # end before start
        row(ent_a, 3, worker_id_number="450205199003070000"),  # wrong check character
        row(ent_a, 4, probation_end="2026-07-01"),  # flagged, still filed
        row(ent_a, 5, hours_system="flexible"),  # no approval number
    ]
    result = services.file_batch(p(park_admin), rows)
    assert len(result.created) == 2
    assert {(e.row, e.field) for e in result.errors} == {
        (2, "end"),
        (3, "worker_id_number"),
        (5, "hours_approval"),
    }
    assert "劳动合同法第十二条" in next(e.reason for e in result.errors if e.row == 2)
    flagged = LabourContract.objects.get(reference="HT-00004")
    assert flagged.flags == ["probation_too_long"]


def test_re_importing_the_same_platform_records_changes_nothing(ent_a, park_admin, policy):
    rows = [row(ent_a, n, **esign(n)) for n in (1, 2)]
    files = {f"{n}.pdf": PDF for n in (1, 2)}
    first = services.file_batch(p(park_admin), rows, files=files)
    assert len(first.created) == 2 and not first.errors
    again = services.file_batch(p(park_admin), rows, files=files)
    assert again.created == [] and again.unchanged == 2 and not again.errors
    assert LabourContract.objects.count() == 2 and ESignature.objects.count() == 2


def test_a_file_whose_hash_does_not_match_is_reported(ent_a, park_admin, policy):
    result = services.file_batch(p(park_admin), [row(ent_a, 1, **esign(1))], files={"1.pdf": PDF + b"x"})
    assert [(e.row, e.field) for e in result.errors] == [(1, "file_sha256")]
    assert not LabourContract.objects.exists()


def test_a_stored_file_altered_later_is_shown_as_tampering(ent_a, park_admin, policy):
    services.file_batch(p(park_admin), [row(ent_a, 1, **esign(1))], files={"1.pdf": PDF})
    contract = LabourContract.objects.get()
    assert services.verify_signed_file(p(park_admin), contract) is True
    signature = contract.esignature
    with open(signature.file.path, "ab") as fh:
        fh.write(b"changed")
    assert services.verify_signed_file(p(park_admin), contract) is False
    signature.refresh_from_db()
    assert signature.tampered


def test_overlap_with_the_same_workers_contract_is_refused_also_within_a_batch(ent_a, park_admin, policy):
    result = services.file_batch(
        p(park_admin),
        [
            row(ent_a, 1),
            row(ent_a, 1, contract_number="HT-X", start="2027-01-01", end="2029-12-31", probation_end=""),
        ],
    )
    assert [(e.row, e.field) for e in result.errors] == [(2, "start")]


def test_a_following_contract_renews_the_previous_one(ent_a, park_admin, policy):
    services.file_contract(p(park_admin), row(ent_a, 1, end="2026-12-31", probation_end=""))
    services.file_contract(
        p(park_admin),
        row(
            ent_a,
            1,
            contract_number="HT-2",
            start="2027-01-01",
            end="2029-12-31",
            probation_end="",
            signed_on="2026-11-01",
        ),
    )
    assert LabourContract.objects.get(reference="HT-00001").status == LabourContract.Status.RENEWED
    assert Worker.objects.count() == 1


def test_termination_is_filed_with_its_date(ent_a, ent_hr_a, policy):
    contract = services.file_contract(p(ent_hr_a), row(ent_a))
    contract = services.terminate(p(ent_hr_a), contract, terminated_on="2026-06-30", reason="协商一致解除")
    assert contract.status == LabourContract.Status.TERMINATED
    assert contract.termination_filed_on == dt.date.today() or contract.termination_filed_on is not None
    with pytest.raises(DomainError):
        services.terminate(p(ent_hr_a), contract, terminated_on="2026-06-30", reason="again")


def test_the_table_holds_no_readable_id_number(ent_a, park_admin, policy):
    number = id_number(7)
    services.file_contract(p(park_admin), row(ent_a, 7))
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash FROM contracts_worker")
        stored, digest = cur.fetchone()
    assert number not in stored and number not in digest and number[6:14] not in stored
    assert Worker.objects.get().id_number == number


def test_the_book_counts_each_list(ent_a, park_admin, policy):
    from apps.contracts import selectors

    today = dt.date.today()
    services.file_batch(
        p(park_admin),
        [
            row(
                ent_a,
                1,
                end=(today + dt.timedelta(days=20)).isoformat(),
                start="2025-01-01",
                employment_start="2025-01-01",
                probation_end="",
                signed_on="2025-01-01",
            ),
            row(
                ent_a,
                2,
                end=(today + dt.timedelta(days=50)).isoformat(),
                start="2025-01-01",
                employment_start="2025-01-01",
                probation_end="",
                signed_on="2025-01-01",
            ),
            row(ent_a, 3, **esign(3)),
            row(ent_a, 4, signed_on="2026-03-01"),  # two months after work started
        ],
        files={"3.pdf": PDF},
    )
    ent_a.employees = 8
    ent_a.save()
    book = selectors.contract_book(p(park_admin), ent_a)
    assert book["in_force"] == 4 and book["signing_rate"] == 50.0 and book["e_share"] == 25.0
    assert book["counts"]["expiring_30"] == 1 and book["counts"]["expiring_60"] == 2
    assert book["counts"]["without_contract"] == 1 and book["counts"]["flagged"] == 1


def test_consecutive_contracts_in_one_batch_renew_each_other(ent_a, park_admin, policy):
    rows = [
        row(ent_a, 1, end="2026-06-30", probation_end=""),
        row(
            ent_a,
            1,
            contract_number="HT-2",
            start="2026-07-01",
            end="2029-06-30",
            probation_end="",
            signed_on="2026-06-20",
        ),
    ]
    result = services.file_batch(p(park_admin), rows)
    assert not result.errors
    first = LabourContract.objects.get(reference="HT-00001")
    assert first.status == LabourContract.Status.RENEWED
    assert [h.action for h in first.history.order_by("action")] == ["file", "renew"]
    assert LabourContract.objects.get(reference="HT-2").status == LabourContract.Status.IN_FORCE
