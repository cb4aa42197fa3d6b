"""`Idempotency-Key` on every POST under /api/ (issue 15, point 5; apps/api/idempotency.py): the
same key and request within 24 hours give the first answer back and do nothing twice; another
request under the key is a 422, one still running a 409; 5xx answers are not kept; keys expire
after 24 hours (the hourly purge) and belong to their caller."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.services import revoke_api_client
from apps.api import idempotency
from apps.api.models import IdempotencyRecord
from apps.api.tasks import purge_idempotency_records
from apps.audit.models import AuditEvent
from apps.contracts import importing
from apps.contracts import services as contract_services
from apps.contracts.models import ContractPolicy, ImportJob, LabourContract
from apps.core import personal_data
from apps.core.principal import SYSTEM, principal_for_user
from apps.mediation import services as mediation_services
from apps.mediation.models import Case, MediationOrganisation
from config.celery import BEAT_SCHEDULE
from tests.contracts.conftest import esign, row

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/contracts/batch/"
CONTRACTS = "/api/v1/contracts/"
CASES = "/api/v1/mediation/cases/"
IMPORTS = "/api/v1/contracts/imports/"
JSON = "application/json"


def headers(key=None, idempotency_key=None):
    out = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if key:
        out["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    if idempotency_key is not None:
        out["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    return out


def send(client, path, body, key=None, idem=None):
    """POST `body` (already JSON text, so a retry sends the same bytes) with the keys given."""
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data, content_type=JSON, **headers(key, idem))


def error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def policy(db):
    """The default contract policy of migration 0002 (rebuilt after a transactional test)."""
    return ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )[0]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="乐签平台", scopes=["contracts:read", "contracts:write"])


@pytest.fixture
def other_writer(api_client_factory):
    return api_client_factory(name="区人社局", scopes=["contracts:read", "contracts:write"])[1]


@pytest.fixture
def key(writer):
    return writer[1]


# The same request twice ---------------------------------------------------------------------------------


def test_a_contract_batch_sent_twice_with_one_key_files_once(client, key, ent_a, policy):
    body = json.dumps([row(ent_a, 1, **esign(1)), row(ent_a, 2)])
    first = send(client, BATCH, body, key, "batch-2026-12-06-001")
    assert first.status_code == 200, first.content
    assert "Idempotent-Replayed" not in first
    events = AuditEvent.objects.count()

    again = send(client, BATCH, body, key, "batch-2026-12-06-001")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"] == JSON
    assert again.content == first.content  # the first answer: both rows `created`, not `unchanged`
    assert [r["status"] for r in again.json()["results"]] == ["created", "created"]
    assert LabourContract.objects.count() == 2
    assert AuditEvent.objects.count() == events  # nothing ran again
    # Without the key the batch runs again (and says the rows are already filed).
    plain = send(client, BATCH, body, key)
    assert [r["status"] for r in plain.json()["results"]] == ["unchanged", "duplicate"]


@pytest.fixture
def med_org(ent_a):
    return mediation_services.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town]
    )


def test_a_mediation_case_sent_twice_with_one_key_is_one_case(client, api_client_factory, ent_a, med_org):
    from tests.mediation.test_api import court_payload

    _, court = api_client_factory(name="区法院调解平台", scopes=["mediation:read", "mediation:write"])
    body = json.dumps(court_payload(ent_a))
    first = send(client, CASES, body, court, "court-referral-1234")
    assert first.status_code == 201, first.content
    again = send(client, CASES, body, court, "court-referral-1234")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # the same case, its access code given once more to its sender
    assert Case.objects.count() == 1
    # Stored encrypted: the answer carries the applicant's number and the access code.
    record = IdempotencyRecord.objects.get(key="court-referral-1234")
    assert first.json()["access_code"] not in record.body and "王五" not in record.body
    assert json.loads(personal_data.fernet().decrypt(record.body.encode())) == first.json()


def test_a_workflow_action_sent_twice_with_one_key_answers_the_same(client, key, ent_a, park_admin, policy):
    [contract] = contract_services.file_batch(principal_for_user(park_admin), [row(ent_a, 1)]).created
    path = f"{CONTRACTS}{contract.pk}/terminate/"
    body = {"terminated_on": "2026-05-31", "reason": "辞职"}
    first = send(client, path, body, key, "terminate-HT-00001")
    assert first.status_code == 200, first.content
    again = send(client, path, body, key, "terminate-HT-00001")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert contract.history.filter(action="terminate").count() == 1
    # Without the key, the second termination is refused: the contract is no longer in force.
    assert error(send(client, path, body, key), 409)["code"] == "invalid_transition"


def test_a_4xx_answer_is_kept_and_replayed(client, key, ent_a, policy):
    first = send(client, BATCH, {"not": "a list"}, key, "bad-batch")
    assert first.status_code == 400
    again = send(client, BATCH, {"not": "a list"}, key, "bad-batch")
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # the same request id: the first answer


def _upload(boundary: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body as a client builds it: each retry may draw another boundary."""
    upload = SimpleUploadedFile("乐签导出.csv", content, content_type="text/csv")
    return encode_multipart(boundary, {"file": upload}), f"multipart/form-data; boundary={boundary}"


def test_an_upload_sent_again_with_another_boundary_is_the_same_request(client, key, ent_a, policy):
    lines = [
        ",".join(importing.COLUMNS),
        ",".join(str(row(ent_a, 1).get(c) or "") for c in importing.COLUMNS),
    ]
    content = ("\n".join(lines) + "\n").encode()
    body, content_type = _upload("first-boundary-123", content)
    first = client.post(IMPORTS, body, content_type=content_type, **headers(key, "import-1"))
    assert first.status_code == 202, first.content
    body, content_type = _upload("a-new-boundary-456", content)
    again = client.post(IMPORTS, body, content_type=content_type, **headers(key, "import-1"))
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and ImportJob.objects.count() == 1
    # Another file under the key is another request.
    body, content_type = _upload("first-boundary-123", content + content.splitlines(keepends=True)[1])
    other = client.post(IMPORTS, body, content_type=content_type, **headers(key, "import-1"))
    assert error(other, 422)["code"] == "idempotency_key_reused"


# Another request under the key, a request still running ----------------------------------------------------


def test_the_key_with_another_body_is_a_422(client, key, ent_a, policy):
    assert send(client, BATCH, [row(ent_a, 1)], key, "k-1").status_code == 200
    reused = error(send(client, BATCH, [row(ent_a, 1, monthly_pay="5000")], key, "k-1"), 422)
    assert reused["code"] == "idempotency_key_reused"
    assert reused["fields"] == {"Idempotency-Key": [reused["message"]]}
    assert reused["codes"] == {"Idempotency-Key": ["idempotency_key_reused"]}
    # Another address or method is another request too.
    assert error(send(client, CONTRACTS, row(ent_a, 1), key, "k-1"), 422)["code"] == "idempotency_key_reused"
    assert LabourContract.objects.get().monthly_pay == 4500


def _fingerprint(path, body) -> str:
    return idempotency.fingerprint_of(RequestFactory().post(path, body, content_type=JSON))


def test_a_key_held_by_a_request_in_flight_is_a_409(client, key, ent_a, policy):
    body = json.dumps([row(ent_a, 1)])
    caller = "key:" + hashlib.sha256(key.encode()).hexdigest()
    now = timezone.now()
    IdempotencyRecord.objects.create(
        caller=caller, key="k-2", fingerprint=_fingerprint(BATCH, body), created_at=now, locked_at=now
    )
    busy = send(client, BATCH, body, key, "k-2")
    assert error(busy, 409)["code"] == "idempotency_key_in_progress"
    assert busy["Retry-After"] == "1"
    assert not LabourContract.objects.exists()
    # Another body under the key is still a 422, not a 409.
    assert error(send(client, BATCH, [row(ent_a, 2)], key, "k-2"), 422)["code"] == "idempotency_key_reused"

    # A request holding its key past IDEMPOTENCY_IN_FLIGHT_SECONDS was lost: a retry runs.
    IdempotencyRecord.objects.filter(key="k-2").update(
        locked_at=now - dt.timedelta(seconds=idempotency.IN_FLIGHT_SECONDS + 1)
    )
    retried = send(client, BATCH, body, key, "k-2")
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    assert LabourContract.objects.count() == 1
    kept = IdempotencyRecord.objects.get(key="k-2")
    assert kept.status_code == 200 and kept.locked_at is None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent requests: SQLite serialises writers (and its test flush)",
)
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_one_key_run_once(ent_a, policy, writer, monkeypatch):
    """A real request holds the key while it runs: the same request meanwhile is a 409, and once
    the first is answered, its answer is replayed."""
    key = writer[1]
    running, finish = threading.Event(), threading.Event()
    real = contract_services.file_batch

    def slow_file_batch(*args, **kwargs):
        running.set()
        assert finish.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(contract_services, "file_batch", slow_file_batch)
    body = json.dumps([row(ent_a, 1)])
    answers = {}

    def first_request():
        try:
            answers["first"] = send(Client(), BATCH, body, key, "k-concurrent")
        finally:
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    try:
        assert running.wait(10)
        meanwhile = send(Client(), BATCH, body, key, "k-concurrent")
        assert error(meanwhile, 409)["code"] == "idempotency_key_in_progress"
    finally:
        finish.set()
        thread.join(20)
    first = answers["first"]
    assert first.status_code == 200, first.content
    after = send(Client(), BATCH, body, key, "k-concurrent")
    assert after["Idempotent-Replayed"] == "true" and after.content == first.content
    assert LabourContract.objects.count() == 1


# What is not kept -------------------------------------------------------------------------------------------


def test_a_5xx_answer_is_not_kept_and_the_key_may_be_retried(key, ent_a, policy, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(contract_services, "file_batch", broken)
    client = Client(raise_request_exception=False)
    body = json.dumps([row(ent_a, 1)])
    failed = send(client, BATCH, body, key, "k-3")
    assert error(failed, 500)["code"] == "server_error"
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()

    monkeypatch.undo()
    retried = send(client, BATCH, body, key, "k-3")
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    assert [r["status"] for r in retried.json()["results"]] == ["created"]


def test_refusals_of_the_caller_are_not_kept(client, api_client_factory, ent_a, policy):
    _, reader = api_client_factory(name="只读", scopes=["contracts:read"])
    assert send(client, BATCH, [row(ent_a, 1)], reader, "k-4").status_code == 403
    assert send(client, BATCH, [row(ent_a, 1)], "pk_wrong_key", "k-4").status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_a_revoked_key_gets_no_replay(client, writer, ent_a, park_admin, policy):
    api_client, key = writer
    body = [row(ent_a, 1)]
    assert send(client, BATCH, body, key, "k-5").status_code == 200
    revoke_api_client(principal_for_user(park_admin), api_client, reason="rotated out")
    refused = send(client, BATCH, body, key, "k-5")
    assert refused.status_code == 401 and "Idempotent-Replayed" not in refused


# Expiry, callers, the key itself ----------------------------------------------------------------------------


def test_keys_expire_after_24_hours_and_the_hourly_job_purges_them(client, key, ent_a, policy):
    assert BEAT_SCHEDULE["api-purge-idempotency-records"]["task"] == "api.purge_idempotency_records"
    assert send(client, BATCH, [row(ent_a, 1)], key, "k-6").status_code == 200
    assert send(client, BATCH, [row(ent_a, 2)], key, "k-7").status_code == 200
    old = timezone.now() - dt.timedelta(hours=24, minutes=1)
    IdempotencyRecord.objects.filter(key="k-6").update(created_at=old)

    assert purge_idempotency_records.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-7"]
    # The key is free again: another request under it runs.
    again = send(client, BATCH, [row(ent_a, 3)], key, "k-6")
    assert again.status_code == 200 and "Idempotent-Replayed" not in again

    # Expired but not purged yet: free as well.
    IdempotencyRecord.objects.filter(key="k-7").update(created_at=old)
    assert send(client, BATCH, [row(ent_a, 4)], key, "k-7").status_code == 200
    assert LabourContract.objects.count() == 4


def test_keys_belong_to_their_caller(client, key, other_writer, ent_a, park_admin, policy):
    assert send(client, BATCH, [row(ent_a, 1)], key, "shared-key").status_code == 200
    other = send(client, BATCH, [row(ent_a, 2)], other_writer, "shared-key")
    assert other.status_code == 200 and "Idempotent-Replayed" not in other
    # A signed-in user is a caller of their own too, and gets their replays.
    client.force_login(park_admin)
    mine = send(client, BATCH, [row(ent_a, 3)], None, "shared-key")
    assert mine.status_code == 200 and "Idempotent-Replayed" not in mine
    again = send(client, BATCH, [row(ent_a, 3)], None, "shared-key")
    assert again["Idempotent-Replayed"] == "true" and again.content == mine.content
    assert LabourContract.objects.count() == 3
    assert IdempotencyRecord.objects.filter(caller=f"user:{park_admin.pk}").count() == 1


@pytest.mark.parametrize("bad", ["", "x" * 256, "clé-1", "tab\there"])
def test_a_malformed_key_is_a_400(client, key, ent_a, policy, bad):
    refused = error(send(client, BATCH, [row(ent_a, 1)], key, bad), 400)
    assert refused["code"] == "idempotency_key_invalid"
    assert refused["codes"] == {"Idempotency-Key": ["idempotency_key_invalid"]}
    assert not LabourContract.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_long_printable_key_is_taken(client, key, ent_a, policy):
    longest = "a b~" * 63 + "xyz"
    assert len(longest) == 255
    assert send(client, BATCH, [row(ent_a, 1)], key, longest).status_code == 200
    assert IdempotencyRecord.objects.get().key == longest


def test_other_methods_and_pages_are_left_alone(client, key, park_admin):
    assert client.get("/api/v1/contracts/", **headers(key, "k-get")).status_code == 200
    client.force_login(park_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_IDEMPOTENCY_KEY="k-page")
    assert not IdempotencyRecord.objects.exists()


# The schema ---------------------------------------------------------------------------------------------------


def test_every_post_documents_the_header_and_its_answers():
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    posts = [(path, item["post"]) for path, item in schema["paths"].items() if "post" in item]
    assert len(posts) > 20
    for path, operation in posts:
        [parameter] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert parameter["in"] == "header" and parameter["required"] is False, path
        assert parameter["schema"]["maxLength"] == 255
        assert "idempotency_key_reused" in operation["responses"]["422"]["description"], path
        assert "idempotency_key_in_progress" in operation["responses"]["409"]["description"], path
        assert "idempotency_key_invalid" in operation["responses"]["400"]["description"], path
        success = [r for code, r in operation["responses"].items() if str(code).startswith("2")]
        assert all("Idempotent-Replayed" in r.get("headers", {}) for r in success), path
    gets = [item["get"] for item in schema["paths"].values() if "get" in item]
    assert not any(p["name"] == "Idempotency-Key" for op in gets for p in op.get("parameters", []))
    error = schema["components"]["schemas"]["Error"]["properties"]["error"]
    assert "codes" in error["properties"] and "codes" in error["required"]
