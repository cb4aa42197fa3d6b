"""Schemathesis over the whole committed schema (issue 14, deliverable 10).

Every operation of `docs/api/openapi.yaml` is called in-process through Django's WSGI application
by an API client holding every scope, with data generated from the schema (valid data, then data
the schema forbids), a bounded and reproducible number of examples per operation. Each answer must
be: no server error; a status code the schema documents for the operation; a body that validates
against the documented schema and content type; and data the schema forbids must not be accepted.
Each example runs in a savepoint that is rolled back, so the examples do not feed one another and a
run is reproducible (`derandomize=True`).

The figures (operations, examples) are printed with `-s` and recorded in docs/security.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.scopes import SCOPES

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
#: Examples per operation and generation mode (valid data, then invalid data).
MAX_EXAMPLES = 5
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]


#: Operations whose documented behaviour differs from "data the schema forbids is a 4xx", with why.
#: The other checks still apply to them.
ACCEPTS_INVALID_ROWS = {
    # A batch files the rows that pass and reports the others in `errors` with a 200 (documented in
    # its description); a row with a wrong `signing` is one such row, not a bad request.
    "POST /api/v1/contracts/batch/",
}


class _Rollback(Exception):
    pass


def _operations():
    schema = schemathesis.openapi.from_path(SCHEMA_PATH)
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return operations


#: The collection under /api/v1/ that a path parameter names, and which of its rows to use: the
#: first in an order the seeded park keeps from run to run (its ids are random), the fullest kind of
#: row where it matters (a case with an agreement).
REAL_IDS = {
    "certification/applications": ("certification.Application", "pk", ("enterprise__uscc", "created_at"), {}),
    "certification/certificates": ("certification.Certificate", "number", ("number",), {}),
    "certification/rule-sets": ("certification.RuleSet", "pk", ("year", "version"), {}),
    "collective-contracts": ("unions.CollectiveContract", "pk", ("union__name", "created_at"), {}),
    "contracts/imports": ("contracts.ImportJob", "pk", ("created_at",), {}),
    "contracts": ("contracts.LabourContract", "pk", ("enterprise__uscc", "start", "created_at"), {}),
    "enterprises": ("enterprises.Enterprise", "pk", ("uscc",), {}),
    "inspection/cases": ("inspection.InspectionCase", "pk", ("serial",), {}),
    "inspection/orders": (
        "inspection.RectificationOrder",
        "pk",
        ("case__serial", "issued_on", "created_at"),
        {},
    ),
    "inspection/interviews": (
        "inspection.Interview",
        "pk",
        ("enterprise__uscc", "proposed_on", "created_at"),
        {},
    ),
    "inspection/written-reviews": ("inspection.WrittenReview", "pk", ("enterprise__uscc", "year"), {}),
    "inspection/credit-grades": ("inspection.CreditGrade", "pk", ("enterprise__uscc", "year"), {}),
    "inspection/wage-arrears-listings": ("inspection.WageArrearsListing", "pk", ("decision_reference",), {}),
    "inspection/serious-violations": ("inspection.SeriousViolation", "pk", ("decision_reference",), {}),
    "mediation/cases": ("mediation.Case", "pk", ("serial",), {"agreement__isnull": False}),
    "mediation/organisations": ("mediation.MediationOrganisation", "pk", ("name",), {}),
    "organisations": ("accounts.Organisation", "pk", ("kind", "name"), {}),
    "unions": ("unions.Union", "pk", ("name",), {}),
}


def _real_ids(operation) -> dict | None:
    """Path parameters naming a real row of the demo park, for an operation with one."""
    from django.apps import apps

    match = re.match(r"^/api/v1/(.+?)/\{(\w+)\}/", operation.path)
    if not match or match.group(1) not in REAL_IDS:
        return None
    label, field, order, where = REAL_IDS[match.group(1)]
    rows = apps.get_model(label).objects.filter(**where).order_by(*order)
    value = rows.values_list(field, flat=True).first()
    return None if value is None else {match.group(2): str(value)}


def _run(operation, mode, key, app, failures, counter):
    checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
    if operation.label in ACCEPTS_INVALID_ROWS:
        checks = POSITIVE_CHECKS
    # Half the valid examples address a real row (a 200 body to validate, a lifecycle action to
    # try); the others, and every invalid example, an id that names none.
    ids = _real_ids(operation)

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    def check(case, real):
        counter[0] += 1
        if real and ids and mode is GenerationMode.POSITIVE:
            case.path_parameters = {**(case.path_parameters or {}), **ids}
        try:
            with transaction.atomic():
                response = case.call(app=app, headers={"Authorization": f"Bearer {key}"})
                case.validate_response(response, checks=checks)
                raise _Rollback
        except _Rollback:
            pass

    try:
        check()
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation runs; failures are reported together
        failures.append(f"{operation.label} [{mode.value}]: {exc}".splitlines()[:14])


@pytest.fixture
def park(demo_park):
    """The demo park: real rows of every kind, whose answers must validate against the schema."""
    return demo_park


def test_every_operation_answers_as_its_schema_says(park, api_client_factory, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    _, key = api_client_factory(name="schema-fuzz", scopes=list(SCOPES))
    app = get_wsgi_application()
    # As Django's test client does: the request must not close the test's connection (its
    # transaction holds the data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        operations = _operations()
        failures: list = []
        counter = [0]
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation, mode, key, app, failures, counter)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    print(f"\nschemathesis: {len(operations)} operations, {counter[0]} requests, {len(failures)} failures")
    assert len(operations) >= 60
    report = "\n\n".join("\n".join(lines) for lines in failures[:40])
    assert not failures, f"{len(failures)} schema violations or server errors:\n{report}"
