"""Issue 18 items 3 and 4: the officials of the union that runs a mediation organisation see and
work its cases (another union's officials get 404; the park federation reads the figures and the
overdue cases, and acts on nothing); re-employment referrals are structured (kind of service,
provider, dates, follow-up, outcome), validated per field, counted in the figures, and the
migration maps the old free-text rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.roles import Role
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import SYSTEM
from apps.mediation import selectors, services
from apps.mediation.models import Case, Referral
from apps.mediation.workflow import WORKFLOW
from apps.unions import services as union_services
from apps.unions.models import Union
from tests.factories import user_with_role

from .conftest import accepted, applicant, p

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(park_admin):
    return union_services.create_union(p(park_admin), name="园区工会联合会", kind=Union.Kind.FEDERATION)


@pytest.fixture
def union_b(ent_b, federation, park_admin):
    """ent_b's union, which runs ent_b's mediation committee (med_org_b)."""
    return union_services.create_union(
        p(park_admin),
        name="乙公司工会委员会",
        kind=Union.Kind.ENTERPRISE,
        enterprises=[ent_b],
        parent=federation,
        members=80,
    )


@pytest.fixture
def union_a(ent_a, federation, park_admin):
    return union_services.create_union(
        p(park_admin),
        name="甲公司工会委员会",
        kind=Union.Kind.ENTERPRISE,
        enterprises=[ent_a],
        parent=federation,
        members=60,
    )


@pytest.fixture
def runs(med_org_b, union_b):
    services.update_organisation(SYSTEM, med_org_b, union=union_b)
    return med_org_b


def _case_at(org, ent, make_case, **data):
    case, _code = make_case(respondent_enterprise=ent, organisation=org, **data)
    return case


def test_the_running_unions_official_sees_and_works_its_cases(
    client, runs, union_b, union_a, ent_b, make_case, mediator_b_user, english
):
    case = _case_at(runs, ent_b, make_case, applicants=[applicant(7)])
    official = user_with_role(Role.UNION_OFFICIAL, union_b.organisation)
    other = user_with_role(Role.UNION_OFFICIAL, union_a.organisation)

    # Sees it in the list and on its page, with the ID numbers masked like the mediators.
    assert list(Case.objects.visible_to(p(official))) == [case]
    assert not Case.objects.visible_to(p(other)).exists()
    client.force_login(official)
    page = client.get(reverse("mediation:detail", args=[case.pk]))
    assert page.status_code == 200
    rows = selectors.applicant_rows(p(official), case)
    assert rows[0]["id_number"] and "*" in rows[0]["id_number"]
    assert selectors.sees_case_file(p(official), case)
    assert {t.action for t in selectors.available_actions(case, p(official))} >= {"accept", "refuse"}

    # Acts on it: accepts with one of the organisation's mediators, records a session.
    from .conftest import mediator_of

    services.accept(p(official), case, mediator=mediator_of(mediator_b_user))
    case.refresh_from_db()
    assert case.status == Case.Status.IN_MEDIATION
    services.record_session(
        p(official), case, held_at=timezone.now() - dt.timedelta(hours=1), mode="in_person", attendees="双方"
    )

    # Another union's official: 404 on the page, refused by the services and the table.
    client.force_login(other)
    assert client.get(reverse("mediation:detail", args=[case.pk])).status_code == 404
    with pytest.raises(NotAllowed):
        services.perform(p(other), case, "close_no_agreement", reason="x")
    with pytest.raises(NotAllowed):
        WORKFLOW.check(case, "close_no_agreement", p(other))


def test_the_federation_reads_figures_and_overdue_cases_and_cannot_act(
    client, monkeypatch, runs, federation, ent_b, ent_a, med_org, make_case, english
):
    late = _case_at(runs, ent_b, make_case)
    on_time = _case_at(med_org, ent_a, make_case)
    Case.objects.filter(pk=late.pk).update(decision_due_on=timezone.localdate() - dt.timedelta(days=2))
    late.refresh_from_db()
    official = user_with_role(Role.UNION_OFFICIAL, federation.organisation)
    pr = p(official)

    # The overdue case of the park, read-only; not the one on time.
    assert list(Case.objects.visible_to(pr)) == [late]
    client.force_login(official)
    listing = client.get(reverse("mediation:list") + "?overdue=true")
    assert listing.status_code == 200 and late.serial in listing.content.decode()
    assert on_time.serial not in listing.content.decode()
    assert client.get(reverse("mediation:detail", args=[on_time.pk])).status_code == 404
    page = client.get(reverse("mediation:detail", args=[late.pk]))
    assert page.status_code == 200
    # No ID numbers, no case file, no action.
    assert selectors.applicant_rows(pr, late)[0]["id_number"] is None
    assert not selectors.sees_case_file(pr, late)
    assert selectors.available_actions(late, pr) == []
    with pytest.raises(NotAllowed):
        services.refuse(pr, late, "不属于劳动争议")
    assert client.get(reverse("mediation:action", args=[late.pk, "refuse"])).status_code == 403

    # The figures count every case of the park.
    cache.clear()
    figures = selectors.figures(pr)
    assert figures["cases"] == 2 and figures["overdue"] == 1
    assert client.get(reverse("mediation:figures")).status_code == 200


def test_an_official_whose_union_runs_nothing_sees_nothing(client, union_a, runs, ent_b, make_case):
    case = _case_at(runs, ent_b, make_case)
    official = user_with_role(Role.UNION_OFFICIAL, union_a.organisation)
    client.force_login(official)
    assert client.get(reverse("mediation:list")).status_code == 200
    assert client.get(reverse("mediation:detail", args=[case.pk])).status_code == 404


# Referrals ---------------------------------------------------------------------------------------


@pytest.fixture
def open_case(make_case, mediator_user):
    case, _code = make_case(applicants=[applicant(3)])
    return accepted(case, mediator_user)


def test_a_referral_names_its_service_and_bad_input_writes_nothing(open_case, mediator_user, english):
    pr = p(mediator_user)
    person = open_case.applicants.get()
    today = timezone.localdate()
    with pytest.raises(DomainError) as err:
        services.add_referral(
            pr,
            open_case,
            applicant=person,
            kind="lottery",
            provider="  ",
            referred_on=today + dt.timedelta(days=1),
            follow_up_on=today - dt.timedelta(days=400),
        )
    fields = err.value.fields
    assert {"kind", "provider", "referred_on", "follow_up_on"} <= set(fields)
    assert not Referral.objects.exists()
    person.refresh_from_db()
    assert not person.lost_job

    referral = services.add_referral(
        pr,
        open_case,
        applicant=person,
        kind=Referral.Kind.TRAINING,
        provider="柳东新区职业技能培训中心",
        referred_on=today,
        follow_up_on=today + dt.timedelta(days=14),
        follow_up_note="两周后回访",
    )
    assert (referral.kind, referral.provider, referral.follow_up_on) == (
        "training",
        "柳东新区职业技能培训中心",
        today + dt.timedelta(days=14),
    )
    with pytest.raises(DomainError) as err:
        services.record_referral_result(pr, referral, result=Referral.Result.TRAINING, result_on=None)
    assert "result_on" in err.value.fields
    referral.refresh_from_db()
    assert referral.result == Referral.Result.PENDING
    services.record_referral_result(pr, referral, result=Referral.Result.TRAINING, result_on=today)
    referral.refresh_from_db()
    assert referral.result == "training" and referral.follow_up_on == today + dt.timedelta(days=14)


def test_the_referral_pages(client, open_case, mediator_user, english):
    client.force_login(mediator_user)
    url = reverse("mediation:referral_create", args=[open_case.pk])
    person = open_case.applicants.get()
    bad = client.post(url, {"applicant": person.pk, "kind": "", "provider": "", "referred_on": ""})
    assert bad.status_code == 200 and not Referral.objects.exists()
    # The page answers in the default language (Chinese), whatever the test's own language.
    with translation.override("zh-hans"):
        expected = translation.gettext("Choose the kind of employment service.")
    assert expected in bad.content.decode()
    done = client.post(
        url,
        {
            "applicant": person.pk,
            "kind": "job_matching",
            "provider": "柳东新区公共就业服务中心",
            "referred_on": timezone.localdate().isoformat(),
            "follow_up_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert done.status_code == 302
    page = client.get(reverse("mediation:detail", args=[open_case.pk])).content.decode()
    with translation.override("zh-hans"):
        kind = str(Referral.Kind.JOB_MATCHING.label)
    assert kind in page and "柳东新区公共就业服务中心" in page


def test_the_figures_count_referrals_by_kind_and_outcome(open_case, mediator_user, make_case, park_admin):
    pr = p(mediator_user)
    person = open_case.applicants.get()
    today = timezone.localdate()
    a = services.add_referral(
        pr, open_case, applicant=person, kind="job_matching", provider="就业中心", referred_on=today
    )
    services.add_referral(
        pr, open_case, applicant=person, kind="training", provider="技校", referred_on=today
    )
    services.add_referral(
        pr, open_case, applicant=person, kind="unemployment_insurance", provider="社保中心", referred_on=today
    )
    services.record_referral_result(pr, a, result=Referral.Result.EMPLOYED, result_on=today)
    b = Referral.objects.get(kind="training")
    services.record_referral_result(pr, b, result=Referral.Result.TRAINING, result_on=today)

    figures = selectors.figures(p(park_admin))["referrals"]
    assert (figures["referred"], figures["employed"], figures["training"]) == (3, 1, 1)
    by_kind = {row["kind"]: row for row in figures["by_kind"]}
    assert by_kind["job_matching"]["employed"] == 1 and by_kind["training"]["training"] == 1
    assert by_kind["unemployment_insurance"]["referred"] == 1 and by_kind["start_up"]["referred"] == 0
    outcomes = {value: n for _label, n, value in figures["by_outcome"]}
    assert outcomes == {"pending": 1, "employed": 1, "training": 1, "declined": 0, "no_result": 0}


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_free_text_referrals_to_other():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("mediation", "0002_district_scale")]
    after = [("mediation", "0003_union_run_and_referrals")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Org = old.get_model("accounts", "Organisation")
    MO = old.get_model("mediation", "MediationOrganisation")
    OldCase = old.get_model("mediation", "Case")
    OldApplicant = old.get_model("mediation", "Applicant")
    OldReferral = old.get_model("mediation", "Referral")
    org = Org.objects.create(name="调委会", kind="mediation")
    mo = MO.objects.create(organisation=org, name="调委会", kind="town")
    today = dt.date(2026, 5, 4)
    case = OldCase.objects.create(
        serial="TJ2026-00001",
        access_code_hash="0" * 64,
        respondent_name="某公司",
        claims="工资",
        organisation=mo,
        received_on=today,
        clock_starts_on=today,
        decision_due_on=today,
        due_on=today,
    )
    person = OldApplicant.objects.create(case=case, name="王某")
    OldReferral.objects.create(
        case=case, applicant=person, service="雒容镇人社服务中心招聘会", referred_on=today
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    row = new.get_model("mediation", "Referral").objects.get()
    assert (row.kind, row.provider, row.result) == ("other", "雒容镇人社服务中心招聘会", "pending")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
