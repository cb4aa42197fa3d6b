"""A typed client generated from the schema works (issue 15, deliverable 2).

openapi-python-client (requirements/dev.txt) generates a client from the schema into a temporary
folder; every module of it must import, and a short sync against a live server (list the
enterprises page by page, file a contract batch, send a mediation case and follow it) must parse
every answer into the generated models, with valid enum values. The schema is generated from the
current code exactly as `make openapi` writes docs/api/openapi.yaml (`spectacular --lang en
--validate --fail-on-warn`): `make test` checks that file for drift before pytest, so the two are the
same document, and this test also covers a change whose committed file has not been regenerated yet.

The schema itself is checked for what a generator needs: one content type per request body (JSON,
multipart only for an upload), enum names by module and field (no `TypeEnum`, no hash suffix), no
`""` among an enum's values, 409/412/415/429 documented, one security scheme listed once per
operation, and the served schema in English whatever the request's language.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from enum import Enum
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from inflection import camelize
from rest_framework import serializers

from apps.accounts.scopes import SCOPES
from apps.api.serializers import OptionalChoiceField
from apps.contracts.models import ContractPolicy
from apps.core.principal import SYSTEM
from apps.inspection.api.serializers import FollowUpInSerializer
from apps.mediation import services as mediation_services
from apps.mediation.models import Case, MediationOrganisation
from tests.contracts.conftest import row
from tests.factories import EnterpriseFactory
from tests.mediation.conftest import valid_id_number

PACKAGE = "park_api_client"
#: No post-hooks (they would run ruff on the generated code and need nothing else); the PDF
#: downloads are binary files for the client.
GENERATOR_CONFIG = "post_hooks: []\ncontent_type_overrides:\n  application/pdf: application/octet-stream\n"
METHODS = {"get", "post", "put", "patch", "delete"}


def _generator() -> str:
    found = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert found, "openapi-python-client is missing: pip install -r requirements/dev.txt"
    return found


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(path))
    return path


@pytest.fixture(scope="module")
def schema(schema_path):
    return yaml.safe_load(schema_path.read_text())


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


# The schema, as a generator reads it ----------------------------------------------------------------


def test_request_bodies_are_json_only_except_uploads(schema):
    bodies = uploads = 0
    for path, method, operation in _operations(schema):
        if "requestBody" not in operation:
            continue
        bodies += 1
        content = operation["requestBody"]["content"]
        assert len(content) == 1, f"{method.upper()} {path}: {sorted(content)}"
        if "multipart/form-data" in content:
            uploads += 1
            ref = content["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
            properties = schema["components"]["schemas"][ref]["properties"].values()
            assert any(p.get("format") == "binary" for p in properties), f"{path} uploads no file"
        else:
            assert list(content) == ["application/json"], f"{method.upper()} {path}: {sorted(content)}"
    assert bodies > 30 and uploads == 1  # the contract import job


def _enum_uses(schema) -> dict[str, set[tuple[str, str]]]:
    """Enum component -> the (component, property) pairs that refer to it."""
    schemas = schema["components"]["schemas"]
    uses = defaultdict(set)

    def walk(node, where):
        if isinstance(node, dict):
            ref = node.get("$ref", "").split("/")[-1]
            if ref in schemas and "enum" in schemas[ref]:
                uses[ref].add(where)
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for component, body in schemas.items():
        for name, prop in (body.get("properties") or {}).items():
            walk(prop, (component, name))
    return uses


def test_enums_have_meaningful_unique_names(schema):
    """Each choice set is named in ENUM_NAME_OVERRIDES (by module and field) or, where
    drf-spectacular resolved a shared field name, by its component and field. A bare field name
    (`TypeEnum`, `SourceEnum`) would change when another module adds a field of that name; a hash
    suffix (`Status0a1Enum`) means an unresolved collision."""
    schemas = schema["components"]["schemas"]
    chosen = set(settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])
    enums = {name for name, body in schemas.items() if "enum" in body}
    assert "BlankEnum" not in enums
    bad = []
    for name, users in _enum_uses(schema).items():
        if name == "NullEnum" or name in chosen:
            continue
        own = {
            camelize(re.sub(r"^Patched|Request$", "", component)) + camelize(prop) + "Enum"
            for component, prop in users
        }
        if name not in own:
            bad.append(f"{name} (used by {sorted(users)})")
    assert not bad, "enum names not chosen: add them to ENUM_NAME_OVERRIDES: " + ", ".join(bad)
    generic = {"TypeEnum", "TypesEnum", "SourceEnum", "StatusEnum", "KindEnum", "ResultEnum"}
    assert not enums & generic
    values = [tuple(sorted(map(str, schemas[name]["enum"]))) for name in enums]
    assert len(values) == len(set(values)), "two enum components have the same values"


def test_query_enums_reuse_the_response_enums(schema):
    parameters = {}
    for path, _method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            parameters[(path, parameter["name"])] = parameter["schema"]

    def ref(key):
        value = parameters[key]
        return value.get("items", value)["$ref"].split("/")[-1]  # one value, or several

    assert ref(("/api/v1/mediation/cases/", "status")) == "MediationCaseStatusEnum"
    assert ref(("/api/v1/mediation/cases/", "type")) == "MediationDisputeTypeEnum"
    assert ref(("/api/v1/enterprises/", "industry")) == "EnterpriseIndustryEnum"
    inline = [key for key, value in parameters.items() if "enum" in value or "enum" in value.get("items", {})]
    components = {
        frozenset(body["enum"]) for body in schema["components"]["schemas"].values() if "enum" in body
    }
    for key in inline:  # what stays inline is a set no response has (an ordering, a book's list)
        value = parameters[key]
        assert frozenset(value.get("enum") or value["items"]["enum"]) not in components, key


def test_no_blank_string_among_enum_values(schema):
    """An absent choice is `null` (the property is nullable), never `""`."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if "" in (node.get("enum") or []):
                found.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema, "")
    assert not found, found
    outcome = schema["components"]["schemas"]["MediationCase"]["properties"]["outcome"]
    assert {"$ref": "#/components/schemas/NullEnum"} in outcome["oneOf"]


def test_409_412_415_and_429_are_documented(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert "Retry-After" in responses["429"]["headers"], where
        if method != "get":
            assert "409" in responses, where
        if method in {"put", "patch"} or (method == "post" and "{" in path):
            assert "412" in responses, where
        if "requestBody" in operation:
            assert "415" in responses, where
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (where, code)


def test_one_security_scheme_listed_once_per_operation(schema):
    assert list(schema["components"]["securitySchemes"]) == ["BearerKey"]
    assert "security" not in schema  # no global requirement besides the operations' own
    for path, method, operation in _operations(schema):
        assert operation["security"] == [{"BearerKey": []}], f"{method.upper()} {path}"


@pytest.mark.django_db
def test_served_schema_is_the_english_document_whatever_the_language(client, api_client_factory, schema):
    _, key = api_client_factory(name="schema reader", scopes=["organisations:read"])
    with translation.override("en"):
        english = str(Case.Status.RECEIVED.label)
    with translation.override("zh-hans"):
        chinese = str(Case.Status.RECEIVED.label)
    assert english != chinese  # the catalogue translates it: the check below means something
    response = client.get(
        "/api/schema/?format=json", HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200 and response["Content-Language"] == "en"
    served = response.json()
    assert served == schema  # the document `make openapi` writes
    status = served["components"]["schemas"]["MediationCaseStatusEnum"]["description"]
    assert f"`received` - {english}" in status and chinese not in status


# Inputs: JSON only; an optional choice accepts null ----------------------------------------------------


@pytest.mark.django_db
def test_a_form_encoded_body_is_a_415_in_the_error_format(client, api_client_factory):
    _, key = api_client_factory(name="form sender", scopes=["mediation:read", "mediation:write"])
    response = client.post(
        "/api/v1/mediation/cases/", {"channel": "court"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 415
    body = response.json()
    assert body["error"]["code"] == "unsupported_media_type" and body["request_id"]


def test_an_optional_choice_takes_null_or_blank_as_absent():
    class Body(serializers.Serializer):
        escalation = OptionalChoiceField(choices=[("a", "A"), ("b", "B")])
        form = OptionalChoiceField(choices=[("written", "W"), ("oral", "O")], default="written")

    for value in (None, ""):
        body = Body(data={"escalation": value, "form": value})
        assert body.is_valid(), body.errors
        assert body.validated_data == {"form": "written"}
    assert Body(data={}).is_valid()
    bad = Body(data={"escalation": "c"})
    assert not bad.is_valid() and list(bad.errors) == ["escalation"]
    for value in (None, ""):  # an inspection order's follow-up without escalation
        follow_up = FollowUpInSerializer(data={"result": "done", "escalation": value})
        assert follow_up.is_valid(), follow_up.errors
        assert "escalation" not in follow_up.validated_data


# The generated client --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(schema_path, tmp_path_factory):
    """The generated package, importable as `park_api_client` while this module's tests run."""
    root = tmp_path_factory.mktemp("client")
    config = root / "config.yaml"
    config.write_text(GENERATOR_CONFIG)
    out = root / PACKAGE
    command = [_generator(), "generate", "--path", str(schema_path), "--output-path", str(out)]
    command += ["--meta", "none", "--config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=root, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, output
    sys.path.insert(0, str(root))
    yield out
    sys.path.remove(str(root))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _import_all(package_dir: Path) -> list:
    package = importlib.import_module(PACKAGE)
    modules, failures = [package], []
    for info in pkgutil.walk_packages([str(package_dir)], prefix=PACKAGE + "."):
        try:
            modules.append(importlib.import_module(info.name))
        except Exception as exc:  # noqa: BLE001 - every failure is reported at once
            failures.append(f"{info.name}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)
    return modules


def _enum_classes(models) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(models).items()
        if inspect.isclass(value) and issubclass(value, Enum)
    }


def _check_parsed(value, enums, where="") -> list[str]:
    """Problems in a parsed answer: an enum-typed attribute left as a plain string (the generated
    parser's fallback when the value is not one of the enum's), or a key the schema does not
    declare (kept in `additional_properties`)."""
    problems = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            problems += _check_parsed(item, enums, f"{where}[{index}]")
        return problems
    if not attrs.has(type(value)):
        return problems
    declared = [f for f in attrs.fields(type(value)) if f.name != "additional_properties"]
    if declared and value.additional_properties:
        problems.append(f"{where}: undeclared keys {sorted(value.additional_properties)}")
    for field in declared:
        item = getattr(value, field.name)
        named = [enums[n] for n in re.findall(r"\w+Enum\b", str(field.type)) if n in enums]
        items = item if isinstance(item, list) else [item]
        if named:
            for element in items:
                if isinstance(element, str) and not isinstance(element, Enum):
                    problems.append(f"{where}.{field.name}: {element!r} is not a {named[0].__name__}")
        problems += _check_parsed(item, enums, f"{where}.{field.name}")
    return problems


def _query(next_url: str | None) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(next_url or "").query).items()}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_generated_client_imports_and_syncs_against_a_live_server(generated, live_server, api_client_factory):
    modules = _import_all(generated)
    api_modules = [m for m in modules if ".api." in m.__name__ and hasattr(m, "sync_detailed")]
    assert len(api_modules) > 60
    pkg = importlib.import_module(PACKAGE)
    models = importlib.import_module(f"{PACKAGE}.models")
    enums = _enum_classes(models)
    api = {m.__name__.rsplit(".", 1)[1]: m for m in api_modules}

    # The park: three enterprises, a township mediation organisation, the contract policy (a
    # transactional test starts without the data migrations' rows).
    ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": "1990", "hourly_minimum_wage": "20.1"},
    )
    ent_a, *_others = EnterpriseFactory.create_batch(3)
    mediation_services.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town]
    )
    scopes = ["enterprises:read", "contracts:read", "contracts:write", "mediation:read", "mediation:write"]
    assert set(scopes) <= set(SCOPES)
    _, key = api_client_factory(name="区级系统同步", scopes=scopes)
    client = pkg.AuthenticatedClient(
        base_url=live_server.url,
        token=key,
        raise_on_unexpected_status=True,
        headers={"Accept-Language": "en"},
        httpx_args={"trust_env": False},
    )
    problems = []

    def ok(response, status, model):
        assert response.status_code == status, response.content[:500]
        assert isinstance(response.parsed, model), type(response.parsed)
        problems.extend(_check_parsed(response.parsed, enums, model.__name__))
        return response.parsed

    with client:
        # 1. Enterprises, page by page (the cursor where the list documents one), following `next`.
        listing = api["enterprises_list"]
        walk = {"page_size": 2}
        if "cursor" in inspect.signature(listing.sync_detailed).parameters:
            walk["cursor"] = ""
        seen, pages = [], 0
        while True:
            page = ok(listing.sync_detailed(client=client, **walk), 200, models.PaginatedEnterpriseList)
            pages += 1
            seen += [enterprise.uscc for enterprise in page.results]
            following = _query(page.next_ if isinstance(page.next_, str) else None)
            if not following:
                break
            walk = {k: (int(v) if k in {"page", "page_size"} else v) for k, v in following.items()}
            assert pages < 10
        assert pages == 2 and sorted(seen) == sorted(e.uscc for e in type(ent_a).objects.all())

        # 2. A contract batch: two rows of the import format, one filed and one refused.
        good = models.ContractRequest.from_dict(row(ent_a, 1))
        refused = models.ContractRequest.from_dict(row(ent_a, 2, end="2025-12-31"))
        batch = ok(
            api["contracts_batch_create"].sync_detailed(client=client, body=[good, refused]),
            200,
            models.ContractBatchResult,
        )
        assert batch.created == 1 and len(batch.errors) >= 1
        contracts = ok(api["contracts_list"].sync_detailed(client=client), 200, models.PaginatedContractList)
        assert [c.id for c in contracts.results] == list(batch.ids)

        # 3. A case entrusted by a court, then followed: the detail, the list, the timeline, an action.
        today = timezone.localdate()
        payload = {
            "channel": "court",
            "court_name": "柳州市柳江区人民法院",
            "source_reference": "(2026)桂0206民诉前调1234号",
            "applicants": [{"name": "王五", "id_number": valid_id_number(77), "phone": "13807770077"}],
            "types": ["remuneration"],
            "claims": "支付拖欠工资 8000 元",
            "amount_claimed": "8000.00",
            "respondent_enterprise": str(ent_a.pk),
            "received_on": (today - dt.timedelta(days=1)).isoformat(),
        }
        body = models.MediationCaseRequest.from_dict(payload)
        created = api["mediation_cases_create"].sync_detailed(client=client, body=body)
        assert created.status_code == 201, created.content[:500]
        problems.extend(_check_parsed(created.parsed, enums, "created"))
        case_id = created.parsed.id
        case = ok(
            api["mediation_cases_retrieve"].sync_detailed(case_id, client=client),
            200,
            models.MediationCaseDetail,
        )
        assert case.outcome is None and case.status == models.MediationCaseStatusEnum.RECEIVED
        cases = ok(
            api["mediation_cases_list"].sync_detailed(client=client),
            200,
            models.PaginatedMediationCaseList,
        )
        assert [c.id for c in cases.results] == [case_id] and cases.results[0].outcome is None
        timeline = api["mediation_cases_timeline_list"].sync_detailed(case_id, client=client)
        assert timeline.status_code == 200 and timeline.parsed
        problems.extend(_check_parsed(timeline.parsed, enums, "timeline"))
        action = next((a for a in ("respondent_refused", "refuse") if a in case.available_actions), None)
        if action is not None:  # what a district system may do to a case is the workflow's to say
            reason = models.ReasonRequest(reason="The respondent declined mediation by phone.")
            after = ok(
                api[f"mediation_cases_{action}_create"].sync_detailed(case_id, client=client, body=reason),
                200,
                models.MediationCaseDetail,
            )
            assert after.status != models.MediationCaseStatusEnum.RECEIVED
            if action == "respondent_refused":
                assert after.outcome == models.MediationOutcomeEnum.RESPONDENT_REFUSED
    print(
        f"\ngenerated client: {len(modules)} modules imported ({len(api_modules)} operations); enterprises "
        f"walked in {pages} pages {'by cursor' if 'cursor' in walk else 'by page number'}; case action: {action}"
    )
    assert not problems, "\n".join(problems)
