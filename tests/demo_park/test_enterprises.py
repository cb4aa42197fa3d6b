"""The demo park's registry, unions, collective contracts and congresses (seed_demo)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import Membership, Organisation
from apps.accounts.roles import Role
from apps.demo.enterprises import industry_of
from apps.enterprises.choices import Status
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.enterprises.selectors import HAS_UNION, NEEDS_UNION, UNION_COMMITTEE_THRESHOLD
from apps.unions import rules, selectors
from apps.unions.models import CollectiveContract, Union, UnionCoverage, WorkersCongress


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Enterprise,
            EnterpriseSurvey,
            Union,
            UnionCoverage,
            CollectiveContract,
            WorkersCongress,
            Membership,
        )
    }


def test_industry_comes_from_the_trade_word_in_the_name():
    assert industry_of("柳州华达汽车零部件制造有限公司") == "C"
    assert industry_of("柳东汇通供应链管理有限公司") == "G"
    assert industry_of("广西宝骏物业服务有限责任公司") == "O"
    assert industry_of("柳州鑫源人力资源服务有限公司") == "L"


@pytest.mark.django_db
def test_demo_park_registry_unions_and_contracts(demo_park):
    assert "Enterprises:" in demo_park and "Unions:" in demo_park
    today = timezone.localdate()

    # Every enterprise organisation is registered, with the surveys of 2024 and 2025.
    orgs = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    assert Enterprise.objects.count() == orgs.count() == 200
    assert not orgs.filter(enterprise__isnull=True).exists()
    for e in Enterprise.objects.select_related("latest_survey", "organisation").prefetch_related("surveys"):
        assert sorted(s.year for s in e.surveys.all()) == [2024, 2025]
        assert e.latest_survey.year == 2025 and e.employees == e.latest_survey.employees
        assert (e.uscc, e.name, e.town_id) == (
            e.organisation.code,
            e.organisation.name,
            e.organisation.area_id,
        )
        assert e.organisation.is_active == (e.status == Status.OPERATING)
        assert e.established_on.year in range(1995, 2025)

    # Coverage and the enterprises that must set up a union (Trade Union Law art. 11).
    operating = Enterprise.objects.filter(status=Status.OPERATING)
    coverage = operating.filter(HAS_UNION).count() / operating.count()
    assert 0.45 <= coverage <= 0.75
    needing = operating.filter(NEEDS_UNION)
    assert 3 <= needing.count() <= 8
    assert not needing.filter(latest_survey__has_union=True).exists()
    # The surveys agree with the union registry.
    assert not EnterpriseSurvey.objects.filter(
        year=2025, has_union=True, enterprise__union_coverage__isnull=True
    ).exists()
    assert not EnterpriseSurvey.objects.filter(
        year=2025, has_union=False, enterprise__union_coverage__isnull=False
    ).exists()

    # Unions: each with its organisation; federations, joint unions of small enterprises.
    assert not Union.objects.filter(organisation__isnull=True).exists()
    assert not Union.objects.exclude(organisation__kind=Organisation.Kind.UNION).exists()
    federation = Union.objects.get(name="柳东新区工会联合会")
    assert federation.kind == Union.Kind.FEDERATION and federation.chair_name
    joints = Union.objects.filter(kind=Union.Kind.JOINT)
    assert 2 <= joints.count() <= 4
    for joint in joints:
        assert joint.name.startswith("柳东新区") and joint.name.endswith("联合工会委员会")
        covered = joint.coverage.select_related("enterprise__latest_survey")
        assert 3 <= covered.count() <= 6
        assert all(c.enterprise.latest_survey.union_members < UNION_COMMITTEE_THRESHOLD for c in covered)
    for union in Union.objects.exclude(kind=Union.Kind.FEDERATION):
        assert union.parent and union.parent.kind == Union.Kind.FEDERATION
        assert union.organisation.parent_id == union.parent.organisation_id
        assert union.founded_on <= today
    assert (
        Union.objects.filter(kind=Union.Kind.ENTERPRISE, organisation__parent=federation.organisation).count()
        >= 12
    )

    # Collective contracts in every state, every vote passing, no date in the future.
    contracts = list(CollectiveContract.objects.all())
    states = {selectors.contract_state(c, today) for c in contracts}
    assert states == set(selectors.ContractState.LABELS)
    for c in contracts:
        assert rules.vote_result(
            c.representatives_total, c.representatives_present, c.representatives_approving
        ).adopted
        assert c.signed_on <= today and (c.filed_on is None or c.signed_on <= c.filed_on <= today)
        assert c.ends_on <= rules.add_years(c.starts_on, rules.MAX_TERM_YEARS)
        if c.filed_on and not c.objection_on:
            assert c.effective_on == rules.effective_date(c.filed_on)
        assert c.union_id and UnionCoverage.objects.filter(union=c.union, enterprise=c.enterprise).exists()
    assert {c.kind for c in contracts} >= {"comprehensive", "wage", "women"}
    assert any(selectors.contract_facts(c, today)["ends_soon"] for c in contracts)
    with_contract = {c.enterprise_id for c in contracts}
    assert 0.25 <= len(with_contract) / operating.filter(HAS_UNION).count() <= 0.6

    # Workers' congresses: mostly quorate, one or two not, never in the future.
    meetings = list(WorkersCongress.objects.all())
    assert meetings and all(m.held_on <= today and m.resolutions for m in meetings)
    not_quorate = [
        m for m in meetings if not rules.congress_quorate(m.representatives_total, m.representatives_present)
    ]
    assert 1 <= len(not_quorate) <= 2

    # The demo HR user's enterprise has a rich dossier; the union official keeps a membership.
    hr_enterprise = Enterprise.objects.get(organisation__memberships__user__username="hr")
    assert hr_enterprise == Enterprise.objects.order_by("name").first()
    assert Enterprise.objects.filter(pk=hr_enterprise.pk).filter(HAS_UNION).exists()
    assert any(
        selectors.contract_state(c, today) == selectors.ContractState.IN_FORCE
        for c in hr_enterprise.collective_contracts.filter(kind="comprehensive")
    )
    assert hr_enterprise.congresses.exists()
    union_membership = Membership.objects.get(user__username="union", role=Role.UNION_OFFICIAL)
    assert union_membership.organisation.trade_union.coverage.filter(enterprise=hr_enterprise).exists()

    # Running it again creates nothing.
    before = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before
