"""Machine-readable error codes (issue 15, point 5): every error of the API carries `error.codes`,
parallel to `error.fields` (the n-th code names the n-th message): DRF's and Django's codes for the
request's format, a rule's own code when a rule refused, per row in a contract batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.test import APIRequestFactory

from apps.api.errors import exception_handler
from apps.contracts.models import ContractPolicy
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import SYSTEM
from apps.mediation import services as mediation_services
from apps.mediation.models import MediationOrganisation
from tests.contracts.conftest import row

pytestmark = pytest.mark.django_db

JSON = "application/json"
CONTRACTS = "/api/v1/contracts/"
CASES = "/api/v1/mediation/cases/"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT_LANGUAGE": "en"}


def post(client, path, key, data):
    return client.post(path, data, content_type=JSON, **bearer(key))


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    # The invariant of the format: one code per message, field by field.
    assert set(body["codes"]) == set(body["fields"])
    assert all(len(body["codes"][f]) == len(body["fields"][f]) for f in body["fields"])
    return body


def codes(response, status=400) -> dict:
    return error(response, status)["codes"]


@pytest.fixture
def policy(db):
    return ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )[0]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(
        name="乐签平台", scopes=["contracts:read", "contracts:write", "personal_data:read"]
    )[1]


@pytest.fixture
def court(api_client_factory, ent_a):
    mediation_services.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town]
    )
    return api_client_factory(name="区法院调解平台", scopes=["mediation:read", "mediation:write"])[1]


# The request's format (DRF serializers) ------------------------------------------------------------------


def test_serializer_errors_carry_drf_codes(client, court, ent_a):
    from tests.mediation.test_api import court_payload

    payload = court_payload(ent_a, channel="fax", amount_claimed="lots", types=["wages?"])
    payload["applicants"].append({"id_number": "x"})
    found = codes(post(client, CASES, court, payload))
    assert found["channel"] == ["invalid_choice"]
    assert found["amount_claimed"] == ["invalid"]
    assert found["types.0"] == ["invalid_choice"]
    assert found["applicants.1.name"] == ["required"]


def test_length_and_presence_codes(client, writer):
    assert codes(post(client, f"{CONTRACTS}id-search/", writer, {"id_number": "4" * 31})) == {
        "id_number": ["max_length"]
    }
    assert codes(post(client, f"{CONTRACTS}id-search/", writer, {})) == {"id_number": ["required"]}


# The filing's own codes and the law's -------------------------------------------------------------------


def test_a_refused_filing_names_each_fields_code(client, writer, ent_a, policy):
    body = error(
        post(client, CONTRACTS, writer, row(ent_a, 1, kind="permanent", job="", monthly_pay="-1")), 400
    )
    assert body["code"] == "invalid"
    assert body["codes"] == {"kind": ["invalid_choice"], "job": ["required"], "monthly_pay": ["out_of_range"]}
    law = error(
        post(client, CONTRACTS, writer, row(ent_a, 2, end="2025-12-31", hours_system="flexible")), 400
    )
    assert law["codes"] == {"end": ["end_before_start"], "hours_approval": ["approval_missing"]}
    assert "劳动合同法第十二条" in law["fields"]["end"][0]
    unknown = error(post(client, CONTRACTS, writer, row(ent_a, 3, enterprise_uscc="91450200MA5XXXXXX0")), 400)
    assert unknown["codes"] == {"enterprise_uscc": ["unknown_enterprise"]}


def test_batch_rows_carry_their_codes(client, writer, ent_a, policy):
    response = post(
        client,
        f"{CONTRACTS}batch/",
        writer,
        [row(ent_a, 1, start="2026-02-30"), row(ent_a, 2, signed_on="2099-01-01"), row(ent_a, 3)],
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["errors"] == {"start": [{"code": "invalid", "message": "Enter a date as YYYY-MM-DD."}]}
    assert {f: [e["code"] for e in v] for f, v in results[1]["errors"].items()} == {
        "signed_on": ["too_far_ahead", "in_future"]
    }
    assert results[2]["errors"] == {} and results[2]["status"] == "created"
    assert {e["code"] for e in response.json()["errors"]} == {"invalid", "too_far_ahead", "in_future"}


def test_a_rule_of_a_service_without_its_own_code_reads_invalid(client, writer, ent_a, park_admin, policy):
    from apps.contracts import services
    from apps.core.principal import principal_for_user

    [contract] = services.file_batch(principal_for_user(park_admin), [row(ent_a, 1)]).created
    path = f"{CONTRACTS}{contract.pk}/terminate/"
    body = error(post(client, path, writer, {"terminated_on": "31/12/2026", "reason": "辞职"}), 400)
    assert body["codes"] == {"terminated_on": ["invalid"]}
    assert post(client, path, writer, {"terminated_on": "2026-05-31", "reason": "辞职"}).status_code == 200
    again = error(post(client, path, writer, {"terminated_on": "2026-05-31", "reason": "辞职"}), 409)
    assert again["code"] == "invalid_transition" and again["codes"] == {}


# Errors without fields -------------------------------------------------------------------------------------


def test_errors_without_fields_have_no_codes(client, writer):
    assert codes(client.get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE="en"), 401) == {}
    assert codes(client.get(f"{CONTRACTS}not-a-uuid/", **bearer(writer)), 404) == {}
    assert codes(client.get("/api/v1/no-such-thing/", **bearer(writer)), 404) == {}
    junk = error(client.post(CONTRACTS, "{not json", content_type=JSON, **bearer(writer)), 400)
    assert junk["code"] == "parse_error" and junk["codes"] == {}


# The handler itself -----------------------------------------------------------------------------------------


def handle(exc):
    return exception_handler(exc, {"request": APIRequestFactory().post("/")}).data["error"]


def test_a_domain_error_gives_its_codes_or_its_own_code_per_field():
    assert handle(DomainError("bad", field="start", codes={"start": ["overlap"]}))["codes"] == {
        "start": ["overlap"]
    }
    assert handle(DomainError("bad", field="x"))["codes"] == {"x": ["invalid"]}
    assert handle(DomainError("bad", field="x", code="not_eligible"))["codes"] == {"x": ["not_eligible"]}
    assert handle(NotAllowed("no", field="x"))["codes"] == {"x": ["not_allowed"]}
    assert handle(InvalidTransition())["codes"] == {}
    # Codes that do not match the messages one for one fall back to the error's code.
    mismatched = DomainError("bad", fields={"x": ["a", "b"]}, codes={"x": ["one"]}, code="c")
    assert handle(mismatched)["codes"] == {"x": ["c", "c"]}


def test_a_django_validation_error_keeps_its_codes():
    exc = DjangoValidationError(
        {
            "name": [DjangoValidationError("Too long.", code="max_length")],
            "phone": [DjangoValidationError("Bad.")],
        }
    )
    body = handle(exc)
    assert body["fields"] == {"name": ["Too long."], "phone": ["Bad."]}
    assert body["codes"] == {"name": ["max_length"], "phone": ["invalid"]}
    plain = handle(DjangoValidationError("Nope.", code="no"))
    assert plain["codes"] == {"non_field_errors": ["no"]}
