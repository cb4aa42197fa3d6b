"""The import's confirmation in bulk (`services.register_in_bulk`): it writes what the single-row
services wrote row after row, refuses a row the same way (nothing written, the row named), and its
queries do not grow with the rows. Also the benchmark command at a small size."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.accounts.models import Organisation, User
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError
from apps.core.principal import principal_for_user
from apps.enterprises import importing, services
from apps.enterprises.models import Enterprise, EnterpriseSurvey, ImportBatch
from tests.enterprises.test_import import H, enterprise_row, xlsx_upload
from tests.factories import EnterpriseFactory, OrganisationFactory, SurveyFactory, TownFactory, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
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


def confirm_row_by_row(principal, batch) -> dict:
    """The confirmation as it was before the bulk write: every row through the single-row services."""
    towns = {str(t.pk): t for t in importing.Area.objects.filter(kind=importing.Area.Kind.TOWN)}
    result = {"created": 0, "updated": 0, "surveys": 0}
    with transaction.atomic():
        for row in batch.rows:
            enterprise = Enterprise.objects.filter(uscc=row["uscc"]).first()
            data = importing._enterprise_kwargs(row["enterprise"], towns)
            if enterprise is None:
                enterprise = services.create_enterprise(principal, **data)
                result["created"] += 1
            else:
                data.pop("uscc", None)
                enterprise = services.update_enterprise(principal, enterprise, **data)
                result["updated"] += 1
            if row.get("survey"):
                services.record_survey(principal, enterprise, **importing._survey_kwargs(row["survey"]))
                result["surveys"] += 1
    return result


# --- The same writes as row by row ----------------------------------------------------------------------

ID_KEYS = {"id", "created_at", "organisation_id"}


def _state(since) -> dict:
    """Everything the confirmation wrote, by natural keys (codes and years, not ids)."""
    ents = {str(e.pk): e for e in Enterprise.objects.all()}
    surveys = {str(s.pk): s for s in EnterpriseSurvey.objects.all()}
    year_of = {pk: s.year for pk, s in surveys.items()}
    code_of = {pk: e.uscc for pk, e in ents.items()}

    def natural(key, value):
        if key == "latest_survey_id":
            return year_of.get(str(value)) if value else None
        if key == "enterprise_id":
            return code_of.get(str(value))
        return value

    def plain(obj, fields):
        return {f: natural(f, getattr(obj, f)) for f in fields}

    ent_fields = [
        f.attname
        for f in Enterprise._meta.concrete_fields
        if f.attname not in ID_KEYS | {"updated_at", "latest_survey_id"}
    ]
    survey_fields = [f.attname for f in EnterpriseSurvey._meta.concrete_fields if f.attname not in ID_KEYS]
    survey_fields.remove("updated_at")
    enterprises = {}
    for e in ents.values():
        enterprises[e.uscc] = {
            **plain(e, ent_fields),
            "latest": year_of.get(str(e.latest_survey_id)),
            "organisation": e.organisation_id if e.organisation.created_at < since else "new",
        }
    organisations = {
        o.code: (o.name, o.area_id, o.is_active)
        for o in Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    }
    survey_rows = {(code_of[str(s.enterprise_id)], s.year): plain(s, survey_fields) for s in surveys.values()}

    # Audit: per object, the actions and the fields written (merged in order), before and after.
    events = {}
    for ev in AuditEvent.objects.filter(occurred_at__gte=since, action__in=AUDITED).order_by("occurred_at"):
        if ev.object_type == "enterprises.enterprise":
            key = code_of[ev.object_id]
        else:
            s = surveys[ev.object_id]
            key = (code_of[str(s.enterprise_id)], s.year)
        entry = events.setdefault(key, {"actions": [], "before": {}, "after": {}})
        entry["actions"].append(ev.action)
        before, after = ev.before or {}, ev.after or {}
        if set(after) == {"before", "after"}:  # a bulk update: both in `after`
            before, after = after["before"] or {}, after["after"] or {}
        entry["after"].update({k: natural(k, v) for k, v in after.items() if k not in ID_KEYS})
        for k, v in before.items():
            if k not in ID_KEYS:
                entry["before"].setdefault(k, natural(k, v))
    return {
        "enterprises": enterprises,
        "organisations": organisations,
        "surveys": survey_rows,
        "events": events,
    }


AUDITED = ["enterprises.create", "enterprises.update", "enterprises.record_survey"]


@pytest.fixture
def mixed(admin, town, town2):
    """A registry and a file that creates, updates, replaces and adds surveys, keeps and moves."""
    e1 = EnterpriseFactory(name="甲公司", town=town, address="旧地址")
    SurveyFactory(enterprise=e1, year=2023, employees=90, union_members=20, women=10, migrant_workers=5)
    e2 = EnterpriseFactory(name="乙公司", town=town)
    SurveyFactory(enterprise=e2, year=2023, employees=80, union_members=20, women=10, migrant_workers=5)
    SurveyFactory(enterprise=e2, year=2024, employees=85, union_members=20, women=10, migrant_workers=5)
    e3 = EnterpriseFactory(name="丙公司", town=town)
    SurveyFactory(enterprise=e3, year=2024, employees=100, union_members=30, women=40, migrant_workers=20)
    e4 = EnterpriseFactory(name="丁公司", town=town)
    e5 = EnterpriseFactory(name="戊公司", town=town)
    e6 = EnterpriseFactory(name="己公司", town=town, employees=7)  # its latest survey was never set
    EnterpriseSurvey.objects.create(
        enterprise=e6, year=2024, employees=70, union_members=1, women=2, migrant_workers=3
    )
    taken_over = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, code=valid_uscc(), name="旧组织")
    keys = ["uscc", "name", "address", "town", "industry", "ownership", "status", "employees"]
    survey_keys = [
        "survey_year",
        "survey_employees",
        "union_members",
        "women",
        "migrant_workers",
        "has_union",
    ]
    rows = [
        # e1: renamed and moved to a new address; a 2024 survey becomes its latest.
        {"uscc": e1.uscc, "name": "甲公司（更名）", "address": "新地址", "survey_year": 2024,
         "survey_employees": 120, "union_members": 60, "women": 30, "migrant_workers": 40, "has_union": "是"},
        # e2: its latest survey (2024) replaced.
        {"uscc": e2.uscc, "name": e2.name, "survey_year": 2024, "survey_employees": 95,
         "union_members": 50, "women": 20, "migrant_workers": 10},
        # e3: an older survey only; the latest stays.
        {"uscc": e3.uscc, "name": e3.name, "survey_year": 2022, "survey_employees": 60,
         "union_members": 10, "women": 10, "migrant_workers": 10},
        # e4: moved out to another town (its organisation follows and becomes inactive).
        {"uscc": e4.uscc, "name": e4.name, "town": "洛埠镇", "status": "迁出", "employees": 12},
        # e5: nothing changes.
        {"uscc": e5.uscc, "name": e5.name},
        # e6: an older survey, but its latest survey pointer was never set: set now.
        {"uscc": e6.uscc, "name": e6.name, "survey_year": 2023, "survey_employees": 50,
         "union_members": 5, "women": 5, "migrant_workers": 5},
        # New, with a survey; new without one; new taking over an organisation with its code.
        enterprise_row(valid_uscc(), "庚公司"),
        {**enterprise_row(valid_uscc(), "辛公司", town="洛埠镇"), **dict.fromkeys(survey_keys)},
        {**enterprise_row(taken_over.code, "壬公司"), "survey_year": 2023},
    ]  # fmt: skip
    batch = importing.validate_file(xlsx_upload(rows, keys=keys + survey_keys), admin)
    assert batch.errors == [] and len(batch.rows) == len(rows)
    return batch


def test_bulk_confirm_writes_what_the_row_by_row_path_wrote(admin, mixed):
    since = AuditEvent.objects.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    with transaction.atomic():
        expected_result = confirm_row_by_row(admin, mixed)
        expected = _state(since)
        transaction.set_rollback(True)

    result = importing.confirm_import(admin, mixed)
    got = _state(since)

    assert result == expected_result == {"created": 3, "updated": 6, "surveys": 6}
    assert got["enterprises"] == expected["enterprises"]
    assert got["organisations"] == expected["organisations"]
    assert got["surveys"] == expected["surveys"]
    latest = {code: e["latest"] for code, e in got["enterprises"].items()}
    assert sorted(latest.values(), key=str) == sorted(
        [2024, 2024, 2024, None, None, 2024, 2024, None, 2023], key=str
    )
    # The same objects have events, with the same values written (and the same "before" of what
    # existed); the row-by-row path wrote a second event when a new enterprise got its latest survey.
    assert got["events"].keys() == expected["events"].keys()
    for key, entry in got["events"].items():
        want = expected["events"][key]
        assert entry["after"] == want["after"], key
        assert len(entry["actions"]) == 1, key  # one event per written enterprise and survey
        assert entry["actions"][0] == want["actions"][0], key
        if want["actions"][0] != "enterprises.create":
            assert entry["before"] == want["before"], key
    e5 = next(e for e in Enterprise.objects.all() if e.name == "戊公司")
    assert e5.uscc not in got["events"]  # unchanged: no event


def test_bulk_events_say_where_they_come_from(admin, mixed):
    importing.confirm_import(admin, mixed)
    events = AuditEvent.objects.filter(action__in=AUDITED)
    assert {e.note.split(";")[0] for e in events} == {f"import {mixed.pk}"}
    renamed = events.get(action="enterprises.update", object_repr="甲公司（更名）")
    assert renamed.after["before"]["name"] == "甲公司" and renamed.after["after"]["name"] == "甲公司（更名）"
    assert renamed.note.endswith("latest survey")


# --- Refusals: the row named, nothing written ------------------------------------------------------------


def _nothing_written(batch, before):
    assert (
        Enterprise.objects.count(),
        EnterpriseSurvey.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.result == {}


def _counts():
    return Enterprise.objects.count(), EnterpriseSurvey.objects.count(), AuditEvent.objects.count()


def test_a_row_refused_by_the_registry_rules_names_its_row_and_column(admin, town):
    rows = [enterprise_row(valid_uscc(), f"企业{i}") for i in range(3)]
    batch = importing.validate_file(xlsx_upload(rows), admin)
    batch.rows[1]["enterprise"]["employees"] = -5  # changed since validation (as by another writer)
    batch.save()
    before = _counts()

    with pytest.raises(DomainError) as exc:
        importing.confirm_import(admin, batch)

    assert "Row 3 (" in str(exc.value) and "nothing was imported" in str(exc.value)
    assert f"{H['employees']}: Enter a whole number, 0 or more." in str(exc.value)
    _nothing_written(batch, before)


def test_a_survey_refused_names_its_row_and_column(admin, town):
    rows = [enterprise_row(valid_uscc(), f"企业{i}") for i in range(3)]
    batch = importing.validate_file(xlsx_upload(rows), admin)
    batch.rows[2]["survey"]["union_members"] = 10_000
    batch.save()
    before = _counts()

    with pytest.raises(DomainError) as exc:
        importing.confirm_import(admin, batch)

    assert "Row 4 (" in str(exc.value)
    assert f"{H['union_members']}: Union members cannot outnumber employees." in str(exc.value)
    _nothing_written(batch, before)


def test_register_in_bulk_names_the_index_and_part_refused(admin, town):
    good = {"uscc": valid_uscc(), "name": "甲", "town": town, "industry": "C", "ownership": "private"}
    bad = {**good, "uscc": valid_uscc(), "industry": "Z"}
    with pytest.raises(services.RowRefused) as exc:
        services.register_in_bulk(admin, [{"enterprise": good}, {"enterprise": bad}])
    assert (exc.value.index, exc.value.part) == (1, "enterprise")
    assert "industry" in exc.value.error.fields
    assert not Enterprise.objects.exists()


def test_permissions_are_checked_per_row(hr_a, town):
    """Enterprise HR may not register enterprises: the single-row rule, in bulk."""
    row = {"uscc": valid_uscc(), "name": "甲", "town": town, "industry": "C", "ownership": "private"}
    with pytest.raises(services.RowRefused) as exc:
        services.register_in_bulk(principal_for_user(hr_a), [{"enterprise": row}])
    assert exc.value.index == 0 and exc.value.error.code == "not_allowed"
    assert not Enterprise.objects.exists()


def test_a_code_registered_while_writing_names_its_row(admin, town, monkeypatch):
    """The database refuses the row (its code was registered after the codes were read)."""
    rows = [enterprise_row(valid_uscc(), f"企业{i}") for i in range(3)]
    batch = importing.validate_file(xlsx_upload(rows), admin)
    write = services._Bulk.write

    def racing_write(self):
        EnterpriseFactory(uscc=batch.rows[1]["uscc"], town=town)
        write(self)

    monkeypatch.setattr(services._Bulk, "write", racing_write)
    with pytest.raises(DomainError) as exc:
        importing.confirm_import(admin, batch)
    assert "Row 3 (" in str(exc.value) and "The database refused the row." in str(exc.value)
    assert not Enterprise.objects.exists()


def test_a_value_the_database_refuses_is_found_row_by_row(admin, town):
    """No code in the database's complaint: the rows are written one by one, which names the row."""
    rows = [
        {
            "enterprise": {
                "uscc": valid_uscc(),
                "name": name,
                "town": town,
                "industry": "C",
                "ownership": "private",
            }
        }
        for name in ("甲", "乙" * 201, "丙")
    ]
    with pytest.raises(services.RowRefused) as exc:
        services.register_in_bulk(admin, rows)
    assert (exc.value.index, str(exc.value.error.message)) == (1, "The database refused the row.")
    assert not Enterprise.objects.exists()


def test_a_passing_database_failure_falls_back_to_row_by_row(admin, mixed, monkeypatch):
    write = services._Bulk.write

    def failing_write(self):
        write(self)
        raise DatabaseError("deadlock detected")

    monkeypatch.setattr(services._Bulk, "write", failing_write)
    assert importing.confirm_import(admin, mixed) == {"created": 3, "updated": 6, "surveys": 6}
    assert Enterprise.objects.get(name="甲公司（更名）").latest_survey.year == 2024
    # Written once: by the single-row services, with their events.
    assert AuditEvent.objects.filter(action="enterprises.create").count() == 3
    assert not AuditEvent.objects.filter(note__startswith="import").exists()


# --- Queries do not grow with the rows ---------------------------------------------------------------------


def _confirm_queries(park_admin, town, n) -> int:
    """A batch of n rows: a fifth updates registered enterprises (half of them replacing the
    latest survey), the rest are new; every other row has a survey."""
    registered = []
    for _ in range(n // 5):
        e = EnterpriseFactory(town=town)
        SurveyFactory(enterprise=e, year=2024)
        registered.append(e)
    rows = []
    for i in range(n):
        if i < len(registered):
            e = registered[i]
            row = {"uscc": e.uscc, "name": f"{e.name}（{n}）", "address": "新地址"}
            if i % 2 == 0:
                row.update(
                    survey_year=2024, survey_employees=110, union_members=40, women=30, migrant_workers=20
                )
        else:
            row = enterprise_row(valid_uscc(), f"新企业{n}-{i}")
            if i % 2:
                row.update(dict.fromkeys(["survey_year", "survey_employees", "union_members", "women",
                                          "migrant_workers", "has_union", "contract_signing_rate",
                                          "collective_contract", "wage_bargaining", "workers_congress",
                                          "mediation_committee"]))  # fmt: skip
        rows.append(row)
    admin = principal_for_user(User.objects.get(pk=park_admin.pk))  # a fresh user: no permission cache
    batch = importing.validate_file(xlsx_upload(rows), admin)
    assert batch.errors == []
    admin = principal_for_user(User.objects.get(pk=park_admin.pk))
    with CaptureQueriesContext(connection) as queries:
        result = importing.confirm_import(admin, batch)
    assert result["created"] == n - n // 5 and result["updated"] == n // 5
    return len(queries)


def test_confirm_queries_do_not_grow_with_the_rows(park_admin, town):
    small = _confirm_queries(park_admin, town, 20)
    large = _confirm_queries(park_admin, town, 200)
    assert small == large <= 30


def test_queries_grow_by_chunks_only(park_admin, town, monkeypatch):
    monkeypatch.setattr(services, "BULK_CHUNK", 50)
    one_chunk = _confirm_queries(park_admin, town, 50)
    four_chunks = _confirm_queries(park_admin, town, 200)
    # Per further chunk, at most one of each chunked statement: the look-ups of enterprises,
    # organisations and surveys (two), the inserts of organisations, enterprises and surveys, the
    # updates of the same three.
    assert one_chunk < four_chunks <= one_chunk + 3 * 10


# --- The benchmark command ----------------------------------------------------------------------------------


def test_benchmark_command_runs_and_leaves_nothing(town):
    before = (
        Enterprise.objects.count(),
        Organisation.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
    )
    out = io.StringIO()
    call_command("benchmark_registry_import", rows=50, stdout=out)
    text = out.getvalue()
    assert "validate" in text and "confirm" in text and "rows/s" in text
    assert "export .xlsx" in text and "export CSV" in text and "peak RSS" in text
    assert "50 rows" in text
    after = (
        Enterprise.objects.count(),
        Organisation.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
    )
    assert after == before  # rolled back


def test_decimal_rates_survive_the_bulk_write(admin, town):
    batch = importing.validate_file(
        xlsx_upload([enterprise_row(valid_uscc(), "甲", contract_signing_rate="97.5")]), admin
    )
    importing.confirm_import(admin, batch)
    assert EnterpriseSurvey.objects.get().contract_signing_rate == Decimal("97.50")
