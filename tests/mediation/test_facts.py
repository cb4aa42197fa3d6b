"""Mediation's facts, risk signals, mass incidents and veto candidates (issue 17)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import SYSTEM
from apps.mediation import facts, services
from apps.mediation.models import Case
from apps.mediation.workflow import can_mark_mass_incident
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def received(case, days_ago):
    Case.objects.filter(pk=case.pk).update(received_on=today() - dt.timedelta(days=days_ago))
    case.refresh_from_db()
    return case


@pytest.fixture
def collective(make_case):
    case, _code = make_case(workers_count=12, common_claim=True)
    assert case.is_collective
    return case


@pytest.fixture
def single(make_case):
    return make_case()[0]


# Facts ---------------------------------------------------------------------------------------------


def test_facts_count_the_look_back(ent_a, make_case, english, django_assert_max_num_queries):
    for days in (0, 30, 400, 700):
        received(make_case()[0], days)
    received(make_case()[0], 800)  # outside 24 months
    old_collective = received(make_case(workers_count=15)[0], 500)
    services.mark_mass_incident(
        SYSTEM, old_collective, occurred_on=today() - dt.timedelta(days=490), note="堵路"
    )
    with django_assert_max_num_queries(1):
        found = {f.code: f for f in facts.enterprise_facts(ent_a, today())}
    assert found["mediation.disputes"].value == 5
    assert found["mediation.collective_disputes"].value == 1
    assert found["mediation.mass_incidents"].value == 1
    disputes = found["mediation.disputes"]
    assert disputes.display.startswith("5 dispute cases against the enterprise since")
    assert disputes.url == f"/enterprises/{ent_a.pk}/#disputes"
    assert disputes.permission == "mediation.view_case"
    assert "劳动争议调解仲裁法" in disputes.source
    other = EnterpriseFactory()
    assert {f.code: f.value for f in facts.enterprise_facts(other, today())} == {
        "mediation.disputes": 0,
        "mediation.collective_disputes": 0,
        "mediation.mass_incidents": 0,
    }


# Signals -------------------------------------------------------------------------------------------


def test_signals(ent_a, make_case, collective, english):
    received(make_case()[0], 10)
    received(make_case()[0], 400)  # outside 12 months
    services.mark_mass_incident(SYSTEM, collective, occurred_on=today(), note="50 名职工聚集")
    found = {s.code: s for s in facts.risk_signals(today()) if s.enterprise_id == ent_a.pk}
    dispute = found["mediation.dispute"]
    assert dispute.count == 2 and dispute.last_on == today()
    assert dispute.ref_type == "mediation.case" and dispute.ref_id == str(collective.pk)
    assert dispute.url == f"/mediation/{collective.pk}/"
    assert dispute.detail == "2 labour disputes in the last 12 months"
    coll = found["mediation.collective_dispute"]
    assert coll.count == 1 and coll.ref_id == str(collective.pk)
    mass = found["mediation.mass_incident"]
    assert mass.count == 1 and mass.last_on == today() and mass.extra["serial"] == collective.serial
    kinds = {k.code: k for k in facts.SIGNAL_KINDS}
    assert kinds["mediation.collective_dispute"].actor == "union"
    assert kinds["mediation.mass_incident"].actor == "town"


def test_signals_for_given_enterprises(ent_a, ent_b, make_case):
    make_case()
    make_case(respondent_enterprise=ent_b)
    assert {s.enterprise_id for s in facts.risk_signals(today(), [ent_b.pk])} == {ent_b.pk}
    assert {s.enterprise_id for s in facts.risk_signals(today())} == {ent_a.pk, ent_b.pk}
    assert list(facts.risk_signals(today(), [])) == []


def _queries():
    with CaptureQueriesContext(connection) as ctx:
        list(facts.risk_signals(today()))
    return len(ctx.captured_queries)


def test_signal_queries_do_not_grow_with_enterprises(make_case):
    def add():
        enterprise = EnterpriseFactory()
        case = make_case(respondent_enterprise=enterprise, workers_count=10)[0]
        services.mark_mass_incident(SYSTEM, case, occurred_on=today(), note="聚集")

    add()
    one = _queries()
    for _i in range(4):
        add()
    assert _queries() == one
    assert len([s for s in facts.risk_signals(today()) if s.code == "mediation.mass_incident"]) == 5


# Mass incidents ------------------------------------------------------------------------------------


def test_park_admin_marks_corrects_and_removes(collective, park_admin):
    admin = p(park_admin)
    assert can_mark_mass_incident(collective, admin)
    case = services.mark_mass_incident(admin, collective, occurred_on=today(), note="百余名职工聚集")
    assert case.mass_incident_on == today() and case.mass_incident_note == "百余名职工聚集"
    case = services.mark_mass_incident(
        admin, case, occurred_on=today() - dt.timedelta(days=1), note="更正日期"
    )
    assert case.mass_incident_on == today() - dt.timedelta(days=1)
    marks = AuditEvent.objects.filter(action="mediation.mark_mass_incident", object_id=str(case.pk))
    assert marks.count() == 2
    with pytest.raises(DomainError) as refused:
        services.unmark_mass_incident(admin, case, reason="")
    assert "reason" in refused.value.fields
    case = services.unmark_mass_incident(admin, case, reason="误标")
    assert case.mass_incident_on is None and case.mass_incident_note == ""
    removed = AuditEvent.objects.get(action="mediation.unmark_mass_incident", object_id=str(case.pk))
    assert removed.note == "误标"
    with pytest.raises(DomainError):
        services.unmark_mass_incident(admin, case, reason="again")


def test_case_mediator_marks_others_may_not(collective, mediator_user, mediator_b_user, ent_a):
    from .conftest import accepted

    accepted(collective, mediator_user)
    services.mark_mass_incident(p(mediator_user), collective, occurred_on=today(), note="聚集")
    with pytest.raises(NotAllowed):
        services.mark_mass_incident(p(mediator_b_user), collective, occurred_on=today(), note="x")
    hr = user_with_role(Role.ENTERPRISE_HR, ent_a.organisation)
    with pytest.raises(NotAllowed):
        services.unmark_mass_incident(p(hr), collective, reason="x")


def test_refusals(single, collective, park_admin, english):
    admin = p(park_admin)
    with pytest.raises(DomainError) as refused:
        services.mark_mass_incident(admin, single, occurred_on=today(), note="聚集")
    assert "Only a collective dispute" in str(refused.value)
    assert "劳动争议调解仲裁法第七条" in refused.value.source
    assert not can_mark_mass_incident(single, admin)
    with pytest.raises(DomainError) as refused:
        services.mark_mass_incident(admin, collective, occurred_on=today() + dt.timedelta(days=1), note="")
    assert set(refused.value.fields) == {"occurred_on", "note"}
    collective.refresh_from_db()
    assert collective.mass_incident_on is None


def test_case_page_marks_a_mass_incident(client, collective, single, park_admin, english):
    client.force_login(park_admin)
    page = client.get(f"/mediation/{collective.pk}/")
    assert b'data-testid="mass-incident-mark"' in page.content
    assert b'data-testid="mass-incident-mark"' not in client.get(f"/mediation/{single.pk}/").content
    form = client.get(f"/mediation/{collective.pk}/mass-incident/")
    assert form.status_code == 200
    bad = client.post(f"/mediation/{collective.pk}/mass-incident/", {"occurred_on": "", "note": ""})
    assert bad.status_code == 200 and b'data-testid="work-form-mass_incident"' in bad.content
    assert set(bad.context["form"].errors) == {"occurred_on", "note"}
    done = client.post(
        f"/mediation/{collective.pk}/mass-incident/", {"occurred_on": today().isoformat(), "note": "职工聚集"}
    )
    assert done.status_code == 302
    collective.refresh_from_db()
    assert collective.mass_incident_on == today()
    shown = client.get(f"/mediation/{collective.pk}/")
    assert b'data-testid="mass-incident-badge"' in shown.content
    # A case that is not collective: back to the case page with the reason.
    refused = client.get(f"/mediation/{single.pk}/mass-incident/")
    assert refused.status_code == 302 and refused["Location"] == f"/mediation/{single.pk}/"
    single.refresh_from_db()
    assert single.mass_incident_on is None
    removed = client.post(f"/mediation/{collective.pk}/mass-incident/remove/", {"reason": "误标"})
    assert removed.status_code == 302
    collective.refresh_from_db()
    assert collective.mass_incident_on is None


def test_mediator_of_another_organisation_gets_403(client, collective, mediator_b_user):
    client.force_login(mediator_b_user)
    assert client.get(f"/mediation/{collective.pk}/mass-incident/").status_code in (403, 404)


# Veto candidates ------------------------------------------------------------------------------------


def test_veto_candidates(ent_a, collective, make_case):
    assert list(facts.veto_candidates()) == []
    day = today() - dt.timedelta(days=3)
    services.mark_mass_incident(SYSTEM, collective, occurred_on=day, note="聚集")
    outside = make_case(workers_count=11, respondent_enterprise=None, respondent_name="未登记企业")[0]
    services.mark_mass_incident(SYSTEM, outside, occurred_on=day, note="聚集")  # no enterprise: left out
    (candidate,) = facts.veto_candidates()
    assert candidate == {
        "enterprise_id": ent_a.pk,
        "kind": "mass_incident",
        "occurred_on": day,
        "source": candidate["source"],
        "origin": "mediation",
        "object_type": "mediation.case",
        "object_id": str(collective.pk),
    }
    assert collective.serial in candidate["source"]
    assert list(facts.veto_candidates(since=today())) == []
    assert len(list(facts.veto_candidates(enterprise_ids=[ent_a.pk], since=day))) == 1
    assert list(facts.veto_candidates(enterprise_ids=[EnterpriseFactory().pk])) == []
