"""Writes are unambiguous (issue 15, point 5; bug 7): a contract re-sent with the same platform
record and other values is corrected (history, audit) or answered as not applied with a reason
code, never `unchanged`; a paper contract sent twice is answered with the contract filed before
(`duplicate`, 200); a batch answers each row by its position."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.contracts import selectors, services
from apps.contracts.models import ContractHistory, ESignature, LabourContract
from apps.core.principal import principal_for_user

from .conftest import PDF, esign, id_number, row

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts/"
BATCH = f"{API}batch/"
JSON = "application/json"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT_LANGUAGE": "en"}


def post(client, path, key, data):
    return client.post(path, data, content_type=JSON, **bearer(key))


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="乐签平台", scopes=["contracts:read", "contracts:write"])[1]


def record(ent, n=1, **extra):
    """An e-signed row (platform record LQ-n) for worker n."""
    return row(ent, n, **esign(n), **extra)


def contract_of(n=1) -> LabourContract:
    return LabourContract.objects.get(esignature__record_id=f"LQ-{n}")


def batch(client, key, rows):
    response = post(client, BATCH, key, rows)
    assert response.status_code == 200, response.content
    return response.json()


# Corrections by platform record ------------------------------------------------------------------


def test_a_corrected_pay_is_applied_with_history_and_audit(client, writer, ent_a, policy):
    first = post(client, API, writer, record(ent_a))
    assert first.status_code == 201, first.content
    assert first["Filing-Status"] == "created"

    again = post(client, API, writer, record(ent_a, monthly_pay="5200", job="焊工"))
    assert again.status_code == 200, again.content
    assert again["Filing-Status"] == "updated"
    body = again.json()
    assert body["id"] == first.json()["id"]
    contract = contract_of()
    assert contract.monthly_pay == Decimal("5200.00") and contract.job == "焊工"
    assert LabourContract.objects.count() == 1 and ESignature.objects.count() == 1
    # The history says what was corrected, and the detail shows it.
    entry = ContractHistory.objects.get(subject=contract, action="correct")
    assert (entry.from_status, entry.to_status) == ("in_force", "in_force")
    assert entry.reason == "job, monthly_pay"
    assert entry.actor_label == "api:乐签平台"
    assert [h["action"] for h in body["history"]] == ["file", "correct"]
    assert body["history"][-1]["action_label"] == "Corrected"
    event = AuditEvent.objects.get(action="contracts.correct", object_id=str(contract.pk))
    assert event.before == {"job": "装配工", "monthly_pay": "4500.00"}
    assert event.after == {"job": "焊工", "monthly_pay": "5200.00"}
    assert event.api_client is not None


def test_a_correction_recomputes_the_flags(client, writer, ent_a, policy):
    assert post(client, API, writer, record(ent_a)).status_code == 201
    assert contract_of().flags == []
    # Below the minimum wage of the policy (1,990 yuan): the correction is filed with its flag.
    response = post(client, API, writer, record(ent_a, monthly_pay="1500"))
    assert response.status_code == 200 and response["Filing-Status"] == "updated"
    assert contract_of().flags == ["below_minimum_wage"]
    event = AuditEvent.objects.get(action="contracts.correct")
    assert event.before["flags"] == [] and event.after["flags"] == ["below_minimum_wage"]


def test_the_same_values_again_are_unchanged(client, writer, ent_a, policy):
    post(client, API, writer, record(ent_a))
    response = post(client, API, writer, record(ent_a))
    assert response.status_code == 200 and response["Filing-Status"] == "unchanged"
    assert not ContractHistory.objects.filter(action="correct").exists()
    assert not AuditEvent.objects.filter(action="contracts.correct").exists()


def test_a_correction_the_law_refuses_is_an_error_and_writes_nothing(client, writer, ent_a, policy):
    post(client, API, writer, record(ent_a))
    before = contract_of().updated_at
    refused = post(client, API, writer, record(ent_a, end="2025-12-31"))  # ends before it starts
    assert refused.status_code == 400, refused.content
    error = refused.json()["error"]
    assert error["code"] == "invalid" and error["codes"] == {"end": ["end_before_start"]}
    contract = contract_of()
    assert contract.end.isoformat() == "2028-12-31" and contract.updated_at == before


def test_a_correction_that_overlaps_another_contract_is_refused(client, writer, ent_a, policy):
    earlier = row(
        ent_a,
        1,
        contract_number="HT-A",
        employment_start="2024-01-01",
        start="2024-01-01",
        end="2025-06-30",
        probation_end="",
        signed_on="2024-01-01",
    )
    assert not services.file_batch(principal_for_user(_admin()), [earlier]).errors
    assert post(client, API, writer, record(ent_a)).status_code == 201
    corrected = record(ent_a, employment_start="2024-01-01", start="2025-03-01")
    [result] = batch(client, writer, [corrected])["results"]
    assert result["status"] == "error"
    assert [e["code"] for e in result["errors"]["start"]] == ["overlap"]
    assert contract_of().start.isoformat() == "2026-01-01"


def _admin():
    from apps.accounts.roles import Role
    from tests.factories import user_with_role

    return user_with_role(Role.PARK_ADMIN)


# Not applied ------------------------------------------------------------------------------------------


def test_a_terminated_contract_is_not_corrected(client, writer, ent_a, policy):
    post(client, API, writer, record(ent_a))
    contract = contract_of()
    terminated = post(
        client, f"{API}{contract.pk}/terminate/", writer, {"terminated_on": "2026-05-31", "reason": "辞职"}
    )
    assert terminated.status_code == 200, terminated.content

    single = post(client, API, writer, record(ent_a, monthly_pay="5200"))
    assert single.status_code == 409, single.content
    error = single.json()["error"]
    assert error["code"] == "contract_terminated"
    assert "in force" in error["message"]

    report = batch(client, writer, [record(ent_a, monthly_pay="5200")])
    assert report["results"] == [
        {
            "index": 0,
            "id": str(contract.pk),
            "status": "not_applied",
            "code": "contract_terminated",
            "changed": [],
            "errors": {"non_field_errors": [{"code": "contract_terminated", "message": error["message"]}]},
        }
    ]
    assert report["counts"]["not_applied"] == 1 and report["unchanged"] == 0
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(1, "contract_terminated")]
    assert contract_of().monthly_pay == Decimal("4500.00")
    assert not AuditEvent.objects.filter(action="contracts.correct").exists()


def test_an_expired_contract_is_not_corrected(client, writer, ent_a, policy):
    post(client, API, writer, record(ent_a, end="2026-06-30", probation_end=""))
    services.expire_contracts()
    assert contract_of().status == "expired"
    [result] = batch(client, writer, [record(ent_a, end="2026-06-30", probation_end="", job="焊工")])[
        "results"
    ]
    assert (result["status"], result["code"]) == ("not_applied", "contract_expired")
    assert contract_of().job == "装配工"


def test_another_worker_under_the_same_record_is_refused_with_a_code(client, writer, ent_a, policy):
    post(client, API, writer, record(ent_a))
    other = record(ent_a, worker_id_number=id_number(2), worker_name="工人2")
    [result] = batch(client, writer, [other])["results"]
    assert (result["status"], result["code"]) == ("not_applied", "worker_mismatch")
    assert [e["code"] for e in result["errors"]["worker_id_number"]] == ["worker_mismatch"]
    single = post(client, API, writer, other)
    assert single.status_code == 409 and single.json()["error"]["code"] == "worker_mismatch"
    assert LabourContract.objects.count() == 1 and contract_of().worker.name == "工人1"


def test_the_signing_evidence_is_not_corrected(client, writer, ent_a, policy):
    post(client, API, writer, record(ent_a))
    changed = row(
        ent_a, 1, **esign(1, PDF + b"% another file\n", worker_signed_at="2026-01-02T10:00:00+08:00")
    )
    [result] = batch(client, writer, [changed])["results"]
    assert (result["status"], result["code"]) == ("not_applied", "not_correctable")
    assert set(result["errors"]) == {"file_sha256", "worker_signed_at"}
    assert contract_of().esignature.sha256 == esign(1)["file_sha256"]


def test_a_record_of_another_enterprise_stays_an_error(client, writer, ent_a, ent_b, policy):
    post(client, API, writer, record(ent_b))
    [result] = batch(client, writer, [record(ent_a)])["results"]
    assert (result["status"], result["id"]) == ("error", None)
    assert [e["code"] for e in result["errors"]["record_id"]] == ["record_other_enterprise"]


def test_a_correction_of_a_contract_changed_meanwhile_is_not_applied(
    client, writer, ent_a, policy, monkeypatch
):
    post(client, API, writer, record(ent_a))
    real = selectors.filed_records

    def read_then_changed_elsewhere(keys):
        found = real(keys)
        # Another request changes the contract after this batch read it.
        LabourContract.objects.filter(esignature__record_id="LQ-1").update(
            workplace="别处", updated_at=timezone.now()
        )
        return found

    monkeypatch.setattr(selectors, "filed_records", read_then_changed_elsewhere)
    [result] = batch(client, writer, [record(ent_a, monthly_pay="5200")])["results"]
    assert (result["status"], result["code"]) == ("not_applied", "changed_meanwhile")
    assert contract_of().monthly_pay == Decimal("4500.00")


# Paper contracts ------------------------------------------------------------------------------------------


def test_a_paper_contract_posted_twice_is_one_contract(client, writer, ent_a, policy):
    first = post(client, API, writer, row(ent_a, 1))
    assert first.status_code == 201 and first["Filing-Status"] == "created"
    again = post(client, API, writer, row(ent_a, 1))
    assert again.status_code == 200, again.content
    assert again["Filing-Status"] == "duplicate"
    assert again.json()["id"] == first.json()["id"]
    assert LabourContract.objects.count() == 1
    [result] = batch(client, writer, [row(ent_a, 1)])["results"]
    assert (result["status"], result["id"]) == ("duplicate", first.json()["id"])


def test_a_paper_contract_sent_again_with_other_terms_is_corrected(client, writer, ent_a, policy):
    first = post(client, API, writer, row(ent_a, 1)).json()
    [result] = batch(client, writer, [row(ent_a, 1, monthly_pay="4800", workplace="")])["results"]
    assert result["status"] == "updated" and result["id"] == first["id"]
    assert result["changed"] == ["workplace", "monthly_pay"]
    contract = LabourContract.objects.get()
    assert contract.monthly_pay == Decimal("4800.00") and contract.workplace == ""
    assert ContractHistory.objects.filter(subject=contract, action="correct").count() == 1
    # What identifies a paper contract (type, start, end, number) is not corrected: another end is
    # another contract, refused as an overlap.
    [result] = batch(client, writer, [row(ent_a, 1, end="2029-12-31")])["results"]
    assert result["status"] == "error" and [e["code"] for e in result["errors"]["start"]] == ["overlap"]


# A batch answers row by row ---------------------------------------------------------------------------


def test_each_row_is_answered_by_its_position(client, writer, ent_a, policy):
    seeded = batch(client, writer, [record(ent_a, 1), record(ent_a, 2), row(ent_a, 3)])
    assert [r["status"] for r in seeded["results"]] == ["created"] * 3
    ids = [r["id"] for r in seeded["results"]]
    assert sorted(ids) == sorted(seeded["ids"])
    services.terminate(
        principal_for_user(_admin()), contract_of(2), terminated_on="2026-05-31", reason="辞职"
    )

    report = batch(
        client,
        writer,
        [
            row(ent_a, 4),  # 0 new
            record(ent_a, 1, monthly_pay="5000"),  # 1 corrected
            record(ent_a, 2, monthly_pay="5000"),  # 2 terminated: not applied
            row(ent_a, 3),  # 3 paper, the same: duplicate
            record(ent_a, 1, monthly_pay="5000"),  # 4 the same record again, the same row
            row(ent_a, 5, kind="permanent", job=""),  # 5 format errors
            row(ent_a, 6, end="2025-12-31"),  # 6 refused by the law
            record(ent_a, 1, monthly_pay="5100"),  # 7 the same record, other values
        ],
    )
    statuses = [(r["index"], r["status"], r["code"]) for r in report["results"]]
    assert statuses == [
        (0, "created", None),
        (1, "updated", None),
        (2, "not_applied", "contract_terminated"),
        (3, "duplicate", None),
        (4, "unchanged", None),
        (5, "error", None),
        (6, "error", None),
        (7, "not_applied", "repeated_in_batch"),
    ]
    results = report["results"]
    new = LabourContract.objects.get(reference="HT-00004")
    assert results[0]["id"] == str(new.pk) and report["ids"] == [str(new.pk)]
    assert results[1]["id"] == results[4]["id"] == results[7]["id"] == str(contract_of(1).pk)
    assert results[1]["changed"] == ["monthly_pay"]
    assert results[3]["id"] == ids[2]
    assert {field: [e["code"] for e in errors] for field, errors in results[5]["errors"].items()} == {
        "kind": ["invalid_choice"],
        "job": ["required"],
    }
    assert [e["code"] for e in results[6]["errors"]["end"]] == ["end_before_start"]
    assert "劳动合同法第十二条" in results[6]["errors"]["end"][0]["message"]
    assert report["counts"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "duplicate": 1,
        "not_applied": 2,
        "error": 2,
    }
    # The fields kept for older clients.
    assert report["created"] == 1 and report["unchanged"] == 2
    assert {e["row"] for e in report["errors"]} == {3, 6, 7, 8}
    assert contract_of(1).monthly_pay == Decimal("5000.00")


def test_corrections_in_bulk_do_not_cost_a_query_per_row(client, writer, ent_a, policy):
    rows = [record(ent_a, n) for n in range(1, 21)]
    batch(client, writer, rows)

    def queries(count, pay):
        changed = [record(ent_a, n, monthly_pay=pay) for n in range(1, count + 1)]
        with CaptureQueriesContext(connection) as ctx:
            report = batch(client, writer, changed)
        assert report["counts"]["updated"] == count
        return len(ctx.captured_queries)

    assert queries(2, "4600") == queries(20, "4700")
    assert ContractHistory.objects.filter(action="correct").count() == 22
    assert AuditEvent.objects.filter(action="contracts.correct").count() == 22
