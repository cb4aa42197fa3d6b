"""Rules of the union module, applied by services.py: the workers' congress vote, the term, filing
and review by the HR bureau, expiry reminders, congress meetings and who may write."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import principal_for_user
from apps.notifications.models import Notification
from apps.unions import rules, services, workflow
from apps.unions.models import CollectiveContract, Union, UnionCoverage, WorkersCongress
from tests.factories import UnionFactory, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def contract_data(**overrides) -> dict:
    """A valid contract signed 30 days ago, running 3 years, adopted by 20 of 30 present and 16 approving."""
    signed = TODAY - dt.timedelta(days=30)
    data = {
        "kind": CollectiveContract.Kind.COMPREHENSIVE,
        "title": "2025年度综合集体合同",
        "employer_representative": "王强",
        "worker_representative": "李慕江",
        "signed_on": signed,
        "starts_on": signed,
        "ends_on": rules.add_years(signed, 3),
        "representatives_total": 30,
        "representatives_present": 20,
        "representatives_approving": 16,
    }
    data.update(overrides)
    return data


def make_contract(enterprise, **overrides) -> CollectiveContract:
    """A contract written straight to the database (setup for pages and reminders)."""
    return CollectiveContract.objects.create(enterprise=enterprise, **contract_data(**overrides))


def errors_of(data, **kwargs) -> dict:
    with pytest.raises(DomainError) as exc:
        services.validate_collective_contract(data, **kwargs)
    return exc.value.fields


@pytest.fixture(autouse=True)
def _english():
    """The assertions below read the English messages and sources."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin(park_admin):
    return principal_for_user(park_admin)


# The workers' congress vote (集体合同规定 art. 36) ------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "present", "approving", "adopted", "quorum", "majority"),
    [
        (30, 20, 16, True, True, True),  # 20*3 = 60 = 2*30; 16*2 = 32 > 30
        (30, 19, 16, False, False, True),  # 57 < 60
        (30, 20, 15, False, True, False),  # 15*2 = 30, not more than half
        (31, 21, 16, True, True, True),  # 63 ≥ 62; 32 > 31
        (31, 20, 16, False, False, True),  # 60 < 62
        (31, 21, 15, False, True, False),  # 30 < 31
        (0, 0, 0, False, False, False),
    ],
)
def test_vote_result_at_the_exact_boundaries(total, present, approving, adopted, quorum, majority):
    assert rules.vote_result(total, present, approving) == rules.VoteResult(adopted, quorum, majority)


def test_validation_accepts_a_vote_exactly_at_both_thresholds():
    cleaned = services.validate_collective_contract(contract_data())
    assert cleaned["representatives_present"] == 20
    cleaned = services.validate_collective_contract(
        contract_data(representatives_total=31, representatives_present=21, representatives_approving=16)
    )
    assert cleaned["representatives_total"] == 31


def test_one_representative_short_of_two_thirds_is_refused_with_the_source():
    errors = errors_of(contract_data(representatives_present=19))
    assert list(errors) == ["representatives_present"]
    assert "Provisions on Collective Contracts art. 36" in errors["representatives_present"][0]
    errors = errors_of(
        contract_data(representatives_total=31, representatives_present=20, representatives_approving=16)
    )
    assert list(errors) == ["representatives_present"]


def test_half_of_all_representatives_approving_is_not_enough():
    errors = errors_of(contract_data(representatives_approving=15))
    assert list(errors) == ["representatives_approving"]
    assert "15 of 30" in errors["representatives_approving"][0]


def test_inconsistent_counts_are_refused():
    assert "representatives_present" in errors_of(
        contract_data(representatives_present=31, representatives_approving=20)
    )
    assert "representatives_approving" in errors_of(
        contract_data(representatives_present=20, representatives_approving=21)
    )
    assert "representatives_total" in errors_of(
        contract_data(representatives_total=0, representatives_present=0, representatives_approving=0)
    )
    assert "representatives_total" in errors_of(contract_data(representatives_total=-1))
    assert "representatives_present" in errors_of(contract_data(representatives_present="20"))


# Dates and term (arts. 38, 42) -------------------------------------------------------------------------


def test_term_of_exactly_three_years_is_allowed_one_day_more_is_not():
    starts = TODAY - dt.timedelta(days=30)
    services.validate_collective_contract(contract_data(starts_on=starts, ends_on=rules.add_years(starts, 3)))
    errors = errors_of(contract_data(starts_on=starts, ends_on=rules.add_years(starts, 3) + dt.timedelta(1)))
    assert list(errors) == ["ends_on"]
    assert "art. 38" in errors["ends_on"][0]


def test_term_must_end_after_it_starts():
    starts = TODAY - dt.timedelta(days=30)
    assert list(errors_of(contract_data(starts_on=starts, ends_on=starts))) == ["ends_on"]
    assert list(errors_of(contract_data(starts_on=starts, ends_on=starts - dt.timedelta(1)))) == ["ends_on"]


def test_signing_date_cannot_be_in_the_future():
    tomorrow = TODAY + dt.timedelta(days=1)
    errors = errors_of(
        contract_data(signed_on=tomorrow, starts_on=tomorrow, ends_on=rules.add_years(tomorrow, 1))
    )
    assert list(errors) == ["signed_on"]


def test_required_fields_are_reported_together():
    errors = errors_of(contract_data(title="  ", employer_representative="", kind="bogus"))
    assert set(errors) == {"title", "employer_representative", "kind"}


def test_add_years_on_29_february():
    assert rules.add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)


# Recording, filing and review --------------------------------------------------------------------------


def test_create_takes_the_covering_union_and_is_audited(admin, ent_a):
    union = UnionFactory(enterprises=[ent_a])
    contract = services.create_collective_contract(admin, ent_a, **contract_data())
    assert contract.union == union and contract.filed_on is None
    assert AuditEvent.objects.filter(action="unions.create_collective_contract").count() == 1


def test_a_refused_vote_saves_nothing(admin, ent_a):
    with pytest.raises(DomainError):
        services.create_collective_contract(admin, ent_a, **contract_data(representatives_approving=15))
    assert not CollectiveContract.objects.exists()


def test_effective_date_is_15_days_after_filing_and_parties_are_notified(admin, ent_a, ent_hr_a):
    contract = make_contract(ent_a)
    filed_on = contract.signed_on + dt.timedelta(days=5)
    contract = services.file_collective_contract(admin, contract, filed_on=filed_on)
    assert contract.effective_on == filed_on + dt.timedelta(days=15) == rules.effective_date(filed_on)
    assert Notification.objects.filter(recipient=ent_hr_a).count() == 1


def test_filing_before_signing_or_in_the_future_is_refused(admin, ent_a):
    contract = make_contract(ent_a)
    with pytest.raises(DomainError) as exc:
        services.file_collective_contract(admin, contract, filed_on=contract.signed_on - dt.timedelta(1))
    assert exc.value.field == "filed_on"
    with pytest.raises(DomainError):
        services.file_collective_contract(admin, contract, filed_on=TODAY + dt.timedelta(1))
    contract.refresh_from_db()
    assert contract.filed_on is None and contract.effective_on is None


def test_filing_twice_is_refused(admin, ent_a):
    contract = services.file_collective_contract(admin, make_contract(ent_a), filed_on=TODAY)
    with pytest.raises(DomainError) as exc:
        services.file_collective_contract(admin, contract, filed_on=TODAY)
    assert exc.value.code == "invalid_transition"


def test_only_the_hr_bureau_files_and_objects(ent_a, ent_hr_a):
    hr = principal_for_user(ent_hr_a)
    contract = make_contract(ent_a)
    assert not workflow.can_review_contract(hr)
    with pytest.raises(NotAllowed):
        services.file_collective_contract(hr, contract, filed_on=TODAY)
    with pytest.raises(NotAllowed):
        services.record_objection(hr, contract, objection_on=TODAY, note="x")


def test_objection_within_the_window_stops_the_contract_and_refiling_restarts_review(admin, ent_a):
    contract = make_contract(ent_a)
    filed = contract.signed_on + dt.timedelta(days=2)
    contract = services.file_collective_contract(admin, contract, filed_on=filed)
    contract = services.record_objection(
        admin, contract, objection_on=contract.effective_on, note="工资条款低于最低工资标准"
    )
    assert contract.objection_on == filed + dt.timedelta(days=15)
    assert contract.effective_on is None
    with pytest.raises(DomainError):  # only one objection
        services.record_objection(admin, contract, objection_on=TODAY, note="again")
    contract = services.file_collective_contract(admin, contract, filed_on=TODAY)
    assert contract.objection_on is None and contract.objection_note == ""
    assert contract.effective_on == TODAY + dt.timedelta(days=15)


def test_objection_after_the_effective_date_or_before_filing_is_refused(admin, ent_a):
    contract = make_contract(ent_a)
    contract = services.file_collective_contract(admin, contract, filed_on=TODAY - dt.timedelta(days=20))
    for day in (contract.effective_on + dt.timedelta(1), contract.filed_on - dt.timedelta(1)):
        with pytest.raises(DomainError) as exc:
            services.record_objection(admin, contract, objection_on=day, note="迟到的异议")
        assert list(exc.value.fields) == ["objection_on"]
        assert "art. 47" in exc.value.fields["objection_on"][0]
    contract.refresh_from_db()
    assert contract.objection_on is None and contract.effective_on is not None


def test_objection_needs_a_filed_contract_and_reasons(admin, ent_a):
    contract = make_contract(ent_a)
    with pytest.raises(DomainError) as exc:
        services.record_objection(admin, contract, objection_on=TODAY, note="x")
    assert exc.value.code == "invalid_transition"
    contract = services.file_collective_contract(admin, contract, filed_on=TODAY)
    with pytest.raises(DomainError) as exc:
        services.record_objection(admin, contract, objection_on=TODAY, note="   ")
    assert list(exc.value.fields) == ["objection_note"]


def test_update_is_refused_after_filing_and_allowed_after_an_objection(admin, ent_a):
    contract = make_contract(ent_a)
    contract = services.update_collective_contract(admin, contract, title="修订后的集体合同")
    assert contract.title == "修订后的集体合同"
    contract = services.file_collective_contract(admin, contract, filed_on=TODAY)
    with pytest.raises(DomainError):
        services.update_collective_contract(admin, contract, title="再改")
    services.record_objection(admin, contract, objection_on=TODAY, note="条款违法")
    contract = services.update_collective_contract(admin, contract, title="按异议修改")
    assert contract.title == "按异议修改"


def test_update_checks_the_vote_against_the_stored_counts(admin, ent_a):
    contract = make_contract(ent_a)
    with pytest.raises(DomainError) as exc:
        services.update_collective_contract(admin, contract, representatives_present=19)
    assert "representatives_present" in exc.value.fields


# Expiry reminders (art. 40) -------------------------------------------------------------------------


def test_expiry_reminder_is_sent_once_to_the_parties(ent_a, ent_b, ent_hr_a, ent_hr_b):
    starts = TODAY - dt.timedelta(days=700)
    ending = make_contract(
        ent_a,
        signed_on=starts,
        starts_on=starts,
        ends_on=TODAY + dt.timedelta(days=60),
        filed_on=starts + dt.timedelta(days=3),
        effective_on=starts + dt.timedelta(days=18),
    )
    make_contract(  # in force, ends later than 3 months: no reminder
        ent_b,
        signed_on=starts,
        starts_on=starts,
        ends_on=TODAY + dt.timedelta(days=200),
        filed_on=starts,
        effective_on=starts + dt.timedelta(days=15),
    )
    make_contract(ent_b, ends_on=TODAY + dt.timedelta(days=30))  # not filed, not in force: no reminder
    assert services.send_expiry_reminders() == 1
    assert services.send_expiry_reminders() == 0
    assert Notification.objects.filter(recipient=ent_hr_a).count() == 1
    assert not Notification.objects.filter(recipient=ent_hr_b).exists()
    ending.refresh_from_db()
    assert ending.expiry_reminded_on == TODAY


# Workers' congress -----------------------------------------------------------------------------------


def test_record_congress_refuses_future_dates_and_too_many_present(admin, ent_a):
    with pytest.raises(DomainError) as exc:
        services.record_congress(
            admin,
            ent_a,
            held_on=TODAY + dt.timedelta(1),
            representatives_total=30,
            representatives_present=20,
        )
    assert list(exc.value.fields) == ["held_on"]
    with pytest.raises(DomainError) as exc:
        services.record_congress(
            admin, ent_a, held_on=TODAY, representatives_total=30, representatives_present=31
        )
    assert list(exc.value.fields) == ["representatives_present"]
    with pytest.raises(DomainError) as exc:
        services.record_congress(
            admin, ent_a, held_on=TODAY, representatives_total=0, representatives_present=0
        )
    assert "representatives_total" in exc.value.fields
    assert not WorkersCongress.objects.exists()


def test_a_meeting_without_quorum_is_recorded(admin, ent_a):
    meeting = services.record_congress(
        admin,
        ent_a,
        held_on=TODAY,
        session=" 第三届第二次 ",
        representatives_total=30,
        representatives_present=19,
    )
    assert meeting.session == "第三届第二次"
    assert not rules.congress_quorate(30, 19) and rules.congress_quorate(30, 20)


# Who may write -------------------------------------------------------------------------------------------


def test_hr_of_another_enterprise_may_not_write(ent_a, ent_hr_a, ent_hr_b):
    other = principal_for_user(ent_hr_b)
    assert not workflow.can_write_contract(other, ent_a)
    with pytest.raises(NotAllowed):
        services.create_collective_contract(other, ent_a, **contract_data())
    with pytest.raises(NotAllowed):
        services.record_congress(
            other, ent_a, held_on=TODAY, representatives_total=30, representatives_present=20
        )
    own = principal_for_user(ent_hr_a)
    assert services.create_collective_contract(own, ent_a, **contract_data()).enterprise == ent_a
    assert services.record_congress(
        own, ent_a, held_on=TODAY, representatives_total=5, representatives_present=5
    )


def test_union_official_writes_for_the_enterprises_of_their_federation(ent_a, ent_b):
    federation = UnionFactory(kind=Union.Kind.FEDERATION, name="园区总工会")
    UnionFactory(parent=federation, enterprises=[ent_a])
    official = principal_for_user(user_with_role(Role.UNION_OFFICIAL, federation.organisation))
    assert workflow.can_write_contract(official, ent_a)
    assert not workflow.can_write_contract(official, ent_b)
    assert workflow.can_manage_union(official, None, federation)
    assert not workflow.can_manage_union(official, None, None)


# Unions ------------------------------------------------------------------------------------------


def test_union_kinds_and_enterprise_counts(admin, ent_a, ent_b):
    with pytest.raises(DomainError) as exc:
        services.create_union(admin, name="联合工会", kind=Union.Kind.JOINT, members=10, enterprises=[ent_a])
    assert "art. 11" in exc.value.fields["enterprises"][0]
    with pytest.raises(DomainError):
        services.create_union(admin, name="企业工会", kind=Union.Kind.ENTERPRISE, enterprises=[ent_a, ent_b])
    with pytest.raises(DomainError):
        services.create_union(admin, name="总工会", kind=Union.Kind.FEDERATION, enterprises=[ent_a])
    joint = services.create_union(
        admin, name="联合工会", kind=Union.Kind.JOINT, members=40, enterprises=[ent_a, ent_b]
    )
    assert set(UnionCoverage.objects.filter(union=joint).values_list("enterprise", flat=True)) == {
        ent_a.pk,
        ent_b.pk,
    }
    with pytest.raises(DomainError) as exc:  # an enterprise belongs to one grassroots union at most
        services.create_union(admin, name="甲企业工会", kind=Union.Kind.ENTERPRISE, enterprises=[ent_a])
    assert "联合工会" in exc.value.fields["enterprises"][0]


def test_union_official_may_not_register_a_union_outside_their_federation(ent_a):
    federation = UnionFactory(kind=Union.Kind.FEDERATION)
    other = UnionFactory(kind=Union.Kind.FEDERATION)
    official = principal_for_user(user_with_role(Role.UNION_OFFICIAL, federation.organisation))
    with pytest.raises(NotAllowed):
        services.create_union(
            official, name="x", kind=Union.Kind.ENTERPRISE, parent=other, enterprises=[ent_a]
        )
    union = services.create_union(
        official, name="甲企业工会", kind=Union.Kind.ENTERPRISE, parent=federation, enterprises=[ent_a]
    )
    assert union.organisation.parent == federation.organisation
    assert union.organisation.area == ent_a.town


def test_future_founding_date_is_refused(admin):
    with pytest.raises(DomainError) as exc:
        services.create_union(
            admin, name="总工会", kind=Union.Kind.FEDERATION, founded_on=TODAY + dt.timedelta(1)
        )
    assert list(exc.value.fields) == ["founded_on"]


def test_objection_cannot_be_dated_in_the_future(admin, ent_a):
    contract = services.file_collective_contract(admin, make_contract(ent_a), filed_on=TODAY)
    with pytest.raises(DomainError) as exc:
        services.record_objection(admin, contract, objection_on=TODAY + dt.timedelta(days=1), note="理由")
    assert list(exc.value.fields) == ["objection_on"]


def test_the_workers_side_must_be_the_enterprises_union_or_a_federation(admin, ent_a, ent_b):
    other = UnionFactory(enterprises=[ent_b])
    with pytest.raises(DomainError) as exc:
        services.create_collective_contract(admin, ent_a, **contract_data(union=other))
    assert "union" in exc.value.fields
    federation = UnionFactory(kind=Union.Kind.FEDERATION)
    contract = services.create_collective_contract(admin, ent_a, **contract_data(union=federation))
    assert contract.union == federation


def test_contract_actions_follow_the_filing(admin, ent_a, ent_hr_a):
    contract = make_contract(ent_a)
    hr = principal_for_user(ent_hr_a)
    assert workflow.contract_actions(admin, contract) == {"edit": True, "file": True, "object": False}
    assert workflow.contract_actions(hr, contract) == {"edit": True, "file": False, "object": False}
    contract = services.file_collective_contract(admin, contract, filed_on=TODAY)
    assert workflow.contract_actions(admin, contract) == {"edit": False, "file": False, "object": True}
    contract = services.record_objection(admin, contract, objection_on=TODAY, note="理由")
    assert workflow.contract_actions(admin, contract) == {"edit": True, "file": True, "object": False}
