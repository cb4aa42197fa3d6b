"""Who sees which contract and worker, who files for which enterprise, and who sees an ID number in
full: enterprise HR their own enterprise's, API clients their area, park administrators all, the
anonymous nothing; ID numbers masked unless asked for by an allowed principal (and then audited),
and never readable in the database."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.contracts import selectors, services, workflow
from apps.contracts.models import LabourContract, Worker
from apps.core.errors import NotAllowed
from apps.core.personal_data import lookup_hash, mask_id_number
from apps.core.principal import ANONYMOUS, SYSTEM, principal_for_api_client
from tests.factories import TownFactory, user_with_role

from .conftest import id_number, p, row

pytestmark = pytest.mark.django_db

SENSITIVE = AuditEvent.Kind.SENSITIVE_VIEW
SHARED = 9  # a worker who has worked at both enterprises


@pytest.fixture
def contracts(ent_a, ent_b, policy):
    """A: workers 1 and 2 (and the shared worker's earlier contract); B: worker 3 and the shared
    worker's current contract."""
    result = services.file_batch(
        SYSTEM,
        [
            row(ent_a, 1),
            row(ent_a, 2),
            row(
                ent_a,
                SHARED,
                start="2024-01-01",
                employment_start="2024-01-01",
                end="2025-06-30",
                signed_on="2024-01-01",
                probation_end="",
            ),
            row(ent_b, 3),
            row(
                ent_b,
                SHARED,
                start="2025-07-01",
                employment_start="2025-07-01",
                signed_on="2025-07-01",
                probation_end="",
            ),
        ],
    )
    assert not result.errors, result.errors
    by = {(c.enterprise_id, c.reference): c for c in result.created}
    return {
        "a1": by[(ent_a.pk, "HT-00001")],
        "a2": by[(ent_a.pk, "HT-00002")],
        "a_shared": by[(ent_a.pk, f"HT-{SHARED:05d}")],
        "b3": by[(ent_b.pk, "HT-00003")],
        "b_shared": by[(ent_b.pk, f"HT-{SHARED:05d}")],
    }


def seen(principal) -> set:
    return set(selectors.contracts_visible_to(principal).values_list("reference", "enterprise__name"))


def fetches(principal, contract) -> bool:
    try:
        return selectors.get_contract(principal, contract.pk) == contract
    except Http404:
        return False


def workers(principal) -> set:
    return set(Worker.objects.visible_to(principal).values_list("name", flat=True))


# Contracts and workers -------------------------------------------------------------------------------


def test_hr_sees_only_their_enterprises_contracts_and_workers(contracts, ent_a, ent_b, ent_hr_a, ent_hr_b):
    a, b = p(ent_hr_a), p(ent_hr_b)
    assert set(selectors.contracts_visible_to(a)) == {contracts["a1"], contracts["a2"], contracts["a_shared"]}
    assert set(selectors.contracts_visible_to(b)) == {contracts["b3"], contracts["b_shared"]}
    assert fetches(a, contracts["a1"]) and fetches(a, contracts["a_shared"])
    for key in ("b3", "b_shared"):
        with pytest.raises(Http404):
            selectors.get_contract(a, contracts[key].pk)
    assert not fetches(b, contracts["a1"]) and not fetches(b, contracts["a_shared"])
    # A malformed or unknown key is a 404 too, never a 500.
    for pk in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", None):
        with pytest.raises(Http404):
            selectors.get_contract(a, pk)

    # Workers: those with a contract at the enterprise; the shared one appears once for each.
    assert workers(a) == {"工人1", "工人2", f"工人{SHARED}"}
    assert workers(b) == {"工人3", f"工人{SHARED}"}
    assert Worker.objects.visible_to(a).filter(name=f"工人{SHARED}").count() == 1
    # ...but HR of B sees only B's contract of the shared worker.
    shared = Worker.objects.get(name=f"工人{SHARED}")
    assert set(selectors.contracts_visible_to(b).filter(worker=shared)) == {contracts["b_shared"]}
    assert set(selectors.find_by_id_number(selectors.contracts_visible_to(b), id_number(SHARED))) == {
        contracts["b_shared"]
    }


def test_the_book_of_another_enterprise_is_empty_for_hr(contracts, ent_b, ent_hr_a):
    book = selectors.contract_book(p(ent_hr_a), ent_b)
    assert book["total"] == 0 and book["in_force"] == 0
    assert not any(book["counts"].values())


def test_other_roles_and_the_anonymous_see_nothing(contracts, ent_a):
    for role in (Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR):
        principal = p(user_with_role(role))
        assert seen(principal) == set() and workers(principal) == set(), role
        assert not fetches(principal, contracts["a1"])
    assert seen(ANONYMOUS) == set() and workers(ANONYMOUS) == set()
    assert not fetches(ANONYMOUS, contracts["a1"])
    assert not LabourContract.objects.visible_to(ANONYMOUS).exists()
    assert selectors.import_jobs(ANONYMOUS).count() == 0


def test_park_administrators_and_the_system_see_everything(contracts, park_admin):
    everything = set(contracts.values())
    assert set(selectors.contracts_visible_to(p(park_admin))) == everything
    assert set(LabourContract.objects.visible_to(SYSTEM)) == everything
    assert Worker.objects.visible_to(p(park_admin)).count() == 4


def test_api_clients_see_their_area(contracts, ent_a, ent_b, api_client_factory):
    everywhere, _ = api_client_factory(name="district", scopes=["contracts:read"])
    assert set(selectors.contracts_visible_to(principal_for_api_client(everywhere))) == set(
        contracts.values()
    )

    town_b, _ = api_client_factory(name="town-b", scopes=["contracts:read"], area=ent_b.town)
    principal = principal_for_api_client(town_b)
    assert set(selectors.contracts_visible_to(principal)) == {contracts["b3"], contracts["b_shared"]}
    assert workers(principal) == {"工人3", f"工人{SHARED}"}
    assert fetches(principal, contracts["b3"]) and not fetches(principal, contracts["a1"])

    elsewhere, _ = api_client_factory(name="elsewhere", scopes=["contracts:read"], area=TownFactory())
    principal = principal_for_api_client(elsewhere)
    assert seen(principal) == set() and workers(principal) == set()
    assert not fetches(principal, contracts["b3"])


# Who files for which enterprise ---------------------------------------------------------------------


def test_filing_enterprises_by_role(ent_a, ent_b, ent_hr_a, park_admin, api_client_factory):
    assert set(selectors.filing_enterprises(p(ent_hr_a))) == {ent_a}
    assert set(selectors.filing_enterprises(p(park_admin))) == {ent_a, ent_b}
    assert set(selectors.filing_enterprises(SYSTEM)) == {ent_a, ent_b}

    writer, _ = api_client_factory(name="writer", scopes=["contracts:write"], area=ent_b.town)
    assert set(selectors.filing_enterprises(principal_for_api_client(writer))) == {ent_b}
    platform, _ = api_client_factory(name="platform", scopes=["contracts:write"])
    assert set(selectors.filing_enterprises(principal_for_api_client(platform))) == {ent_a, ent_b}
    reader, _ = api_client_factory(name="reader", scopes=["contracts:read"])
    with pytest.raises(NotAllowed):
        selectors.filing_enterprises(principal_for_api_client(reader))

    for role in (Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR):
        with pytest.raises(NotAllowed):
            selectors.filing_enterprises(p(user_with_role(role)))
    with pytest.raises(NotAllowed):
        selectors.filing_enterprises(ANONYMOUS)


def test_a_union_official_or_an_api_client_of_another_area_cannot_file(
    ent_a, ent_b, policy, api_client_factory
):
    official = p(user_with_role(Role.UNION_OFFICIAL))
    with pytest.raises(NotAllowed):
        services.file_contract(official, row(ent_a))
    with pytest.raises(NotAllowed):
        services.file_batch(p(user_with_role(Role.MEDIATOR)), [row(ent_a)])
    writer, _ = api_client_factory(name="writer", scopes=["contracts:write"], area=ent_b.town)
    result = services.file_batch(principal_for_api_client(writer), [row(ent_a, 1), row(ent_b, 2)])
    assert [(e.row, e.field) for e in result.errors] == [(1, "enterprise_uscc")]
    assert [c.enterprise for c in result.created] == [ent_b]
    assert not LabourContract.objects.filter(enterprise=ent_a).exists()


# ID numbers ------------------------------------------------------------------------------------------


def sensitive_views():
    return AuditEvent.objects.filter(kind=SENSITIVE)


def test_id_numbers_are_masked_by_default(contracts, ent_hr_a, park_admin, api_client_factory):
    contract = contracts["a1"]
    masked = mask_id_number(id_number(1))
    assert masked == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    full_reader, _ = api_client_factory(name="full", scopes=["contracts:read", "personal_data:read"])
    for principal in (p(ent_hr_a), p(park_admin), principal_for_api_client(full_reader)):
        assert selectors.id_number_for(principal, contract) == masked
    assert not sensitive_views().exists()


def test_a_full_view_by_an_allowed_principal_is_audited(contracts, ent_hr_a, park_admin, api_client_factory):
    contract = contracts["a1"]
    assert selectors.id_number_for(p(ent_hr_a), contract, full=True) == id_number(1)
    event = sensitive_views().get()
    assert event.action == "view_full:id_number" and event.object_id == str(contract.worker_id)
    assert event.note == str(contract.pk)

    assert selectors.id_number_for(p(park_admin), contract, full=True) == id_number(1)
    full_reader, _ = api_client_factory(name="full", scopes=["contracts:read", "personal_data:read"])
    assert selectors.id_number_for(principal_for_api_client(full_reader), contract, full=True) == id_number(1)
    assert sensitive_views().count() == 3


def test_never_in_full_without_the_permission_even_when_asked(contracts, api_client_factory):
    contract = contracts["a1"]
    masked = mask_id_number(id_number(1))
    reader, _ = api_client_factory(name="reader", scopes=["contracts:read"])
    principals = [
        p(user_with_role(Role.UNION_OFFICIAL)),
        p(user_with_role(Role.MEDIATOR)),
        p(user_with_role(Role.INSPECTOR)),
        principal_for_api_client(reader),
        ANONYMOUS,
    ]
    for principal in principals:
        assert not workflow.can_see_full_id(principal)
        assert selectors.id_number_for(principal, contract, full=True) == masked
    assert not sensitive_views().exists()


def test_hr_never_sees_another_enterprises_worker_in_full(contracts, ent_hr_a):
    """The permission covers HR's own workers only: a contract of another enterprise, even one
    handed to the selector directly, stays masked and nothing is logged."""
    contract = contracts["b3"]
    assert selectors.id_number_for(p(ent_hr_a), contract, full=True) == mask_id_number(id_number(3))
    assert not sensitive_views().exists()


def test_the_worker_table_holds_no_readable_id_number(contracts):
    numbers = {id_number(n) for n in (1, 2, 3, SHARED)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM contracts_worker")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 4
    for raw in rows:
        record = dict(zip(columns, raw, strict=True))
        text = " ".join(str(v) for v in raw)
        for number in numbers:
            assert number not in text and number.lower() not in text
            assert number[6:14] not in text  # the birth-date digits of the number
            assert number[-8:] not in text
        assert record["id_number"] and not record["id_number"].startswith("45")
        assert record["id_number_hash"] in {lookup_hash(n) for n in numbers}
    # The hash is keyed: not the plain SHA-256 of the number.
    import hashlib

    plain = {hashlib.sha256(n.encode()).hexdigest() for n in numbers}
    assert not plain & {dict(zip(columns, r, strict=True))["id_number_hash"] for r in rows}
    # Through the ORM the number reads back (decrypted) for the services.
    assert {w.id_number for w in Worker.objects.all()} == numbers


def test_no_table_of_the_database_holds_a_readable_id_number(contracts, ent_hr_a):
    """After filing, a full view and a termination, no table (audit and history included) holds
    the number in clear."""
    selectors.id_number_for(p(ent_hr_a), contracts["a1"], full=True)
    services.terminate(p(ent_hr_a), contracts["a2"], terminated_on=dt.date(2026, 1, 31), reason="辞职")
    numbers = {id_number(n) for n in (1, 2, 3, SHARED)}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text = " ".join(" ".join(str(v) for v in r) for r in cursor.fetchall())
            assert not any(n in text for n in numbers), table
