"""Veto events proposed automatically from platform records (issue 17, item 2): the candidates of
every module (`apps.core.facts.collect_veto_candidates`) become proposed events, idempotent per
record; only confirmed events count; the park confirms (titles revoked) or dismisses with a
reason, on the veto list and through the API; a manual record stays immediate."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.certification import selectors, services, tasks
from apps.certification.models import Application, Certificate, Round, VetoEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.facts import collect_veto_candidates
from apps.core.principal import SYSTEM
from apps.notifications.models import Notification
from config.celery import BEAT_SCHEDULE

from .conftest import build, complete, level, p

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
S = VetoEvent.Status

CANDIDATES: list[dict] = []


def provide_candidates(enterprise_ids=None, since=None):
    for c in CANDIDATES:
        if enterprise_ids is not None and str(c["enterprise_id"]) not in {str(i) for i in enterprise_ids}:
            continue
        if since is not None and c["occurred_on"] < since:
            continue
        yield c


@pytest.fixture
def candidates(monkeypatch):
    for config in django_apps.get_app_configs():
        if getattr(config, "veto_candidates", None):
            monkeypatch.setattr(config, "veto_candidates", None, raising=False)
    monkeypatch.setattr(
        django_apps.get_app_config("certification"),
        "veto_candidates",
        "tests.certification.test_veto_proposals.provide_candidates",
        raising=False,
    )
    CANDIDATES.clear()
    yield CANDIDATES
    CANDIDATES.clear()


def incident(enterprise, *, days_ago=10, object_id="case-1", kind="mass_incident"):
    return {
        "enterprise_id": enterprise.pk,
        "kind": kind,
        "occurred_on": TODAY - dt.timedelta(days=days_ago),
        "source": "劳动争议案件 LD-2026-0007（群体性事件）",
        "origin": "mediation",
        "object_type": "mediation.case",
        "object_id": object_id,
    }


def held(enterprise, rule_set, issued_on) -> Certificate:
    rnd = Round.objects.create(
        rule_set=rule_set,
        name=f"{issued_on.year}年度（{enterprise.name}）",
        year=issued_on.year,
        opens_on=issued_on - dt.timedelta(days=90),
        closes_on=issued_on - dt.timedelta(days=30),
    )
    lv = level(rule_set, "A")
    app = Application.objects.create(
        round=rnd,
        rule_set=rule_set,
        enterprise=enterprise,
        target_level=lv,
        proposed_level=lv,
        status=Application.Status.CERTIFIED,
    )
    return services.issue_certificate(app, SYSTEM, issued_on=issued_on)


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Proposing --------------------------------------------------------------------------------------------


def test_candidates_become_proposed_events_once(candidates, ent_a_old, ent_b, cert_admin, rule_set):
    candidates += [incident(ent_a_old), incident(ent_b, object_id="case-2")]
    result = services.propose_veto_events(SYSTEM)
    assert result == {"proposed": 2, "existing": 0, "skipped": 0}
    event = VetoEvent.objects.get(enterprise=ent_a_old)
    assert event.status == S.PROPOSED and event.origin == "mediation"
    assert (event.object_type, event.object_id) == ("mediation.case", "case-1")
    assert event.kind_name == "因劳动争议引发群体性事件" and event.recorded_by is None
    assert [(h.action, h.to_status) for h in event.history.all()] == [("propose", "proposed")]
    # The park administrators are told.
    note = Notification.objects.get(recipient=cert_admin, title__contains=ent_a_old.name)
    assert note.link == reverse("certification:veto_list") + "?status=proposed"
    # Idempotent: again, and again through the service for one record.
    assert services.propose_veto_events(SYSTEM) == {"proposed": 0, "existing": 2, "skipped": 0}
    again = services.propose_veto_event(
        SYSTEM,
        enterprise=ent_a_old,
        kind="mass_incident",
        occurred_on=TODAY,
        source="x",
        origin="mediation",
        object_type="mediation.case",
        object_id="case-1",
    )
    assert again == event and VetoEvent.objects.count() == 2
    assert Notification.objects.filter(recipient=cert_admin).count() == 2


def test_only_the_given_enterprises_and_the_look_back(candidates, ent_a_old, ent_b, rule_set):
    candidates += [
        incident(ent_a_old),
        incident(ent_b, object_id="case-2"),
        incident(ent_a_old, object_id="old", days_ago=365 * 3),
    ]
    assert services.propose_veto_events(SYSTEM, [ent_a_old.pk])["proposed"] == 1
    assert list(VetoEvent.objects.values_list("object_id", flat=True)) == ["case-1"]
    assert list(collect_veto_candidates(None, None))  # the reader passes None through


def test_a_candidate_outside_the_catalogue_is_skipped(candidates, ent_a_old, rule_set):
    candidates += [
        incident(ent_a_old, kind="littering"),
        incident(ent_a_old, object_id="future", days_ago=-3),
    ]
    assert services.propose_veto_events(SYSTEM) == {"proposed": 0, "existing": 0, "skipped": 2}
    assert not VetoEvent.objects.exists()


def test_the_daily_job(candidates, ent_a_old, rule_set):
    candidates.append(incident(ent_a_old))
    assert BEAT_SCHEDULE["certification-propose-veto-events"]["task"] == "certification.propose_veto_events"
    assert tasks.propose_veto_events() == {"proposed": 1, "existing": 0, "skipped": 0}
    assert tasks.propose_veto_events([str(ent_a_old.pk)])["existing"] == 1


# Only confirmed events count ----------------------------------------------------------------------------


def proposed_event(enterprise, object_id="case-1"):
    return services.propose_veto_event(
        SYSTEM,
        enterprise=enterprise,
        kind="mass_incident",
        occurred_on=TODAY - dt.timedelta(days=20),
        source="劳动争议案件 LD-2026-0007",
        origin="mediation",
        object_type="mediation.case",
        object_id=object_id,
    )


def test_a_proposed_event_does_not_block_and_revokes_nothing(ent_a_old, ent_hr_a, cert_round, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=14))
    event = proposed_event(ent_a_old)
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID
    assert selectors.vetoes_in_window(ent_a_old, rule_set, TODAY) == []
    app = complete(build(ent_hr_a, ent_a_old, cert_round, "AA"), ent_hr_a)
    assert "veto" not in selectors.submission_problems(app)
    # A dismissed one never counts either.
    services.dismiss_veto_event(p_admin(), event, "并非劳动争议引发")
    assert selectors.vetoes_in_window(ent_a_old, rule_set, TODAY) == []


def p_admin():
    from apps.accounts.roles import Role
    from tests.factories import user_with_role

    return p(user_with_role(Role.PARK_ADMIN))


def test_confirming_revokes_the_titles_and_then_counts(ent_a_old, ent_hr_a, cert_admin, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=14))
    event = proposed_event(ent_a_old)
    event = services.confirm_veto_event(p(cert_admin), event)
    assert event.status == S.CONFIRMED and event.recorded_by == cert_admin
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED and "LD-2026-0007" in cert.end_reason
    [(rule, found)] = selectors.vetoes_in_window(ent_a_old, rule_set, TODAY)
    assert found == event and rule.code == "mass_incident"
    assert [h.action for h in event.history.order_by("at")] == ["propose", "confirm"]
    with pytest.raises(InvalidTransition):
        services.confirm_veto_event(p(cert_admin), event)


def test_dismissing_requires_a_reason(ent_a_old, cert_admin, ent_hr_a, rule_set):
    event = proposed_event(ent_a_old)
    with pytest.raises(DomainError) as exc:
        services.dismiss_veto_event(p(cert_admin), event, "  ")
    assert "reason" in exc.value.fields
    with pytest.raises(NotAllowed):
        services.dismiss_veto_event(p(ent_hr_a), event, "不是")
    event = services.dismiss_veto_event(p(cert_admin), event, "经核实为个人争议，非群体性事件")
    assert event.status == S.DISMISSED
    assert event.history.get(action="dismiss").reason == "经核实为个人争议，非群体性事件"
    # Proposing from the same record again leaves it dismissed.
    assert proposed_event(ent_a_old).status == S.DISMISSED


def test_a_manual_record_is_confirmed_at_once(ent_a_old, cert_admin, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=14))
    event = services.record_veto_event(
        p(cert_admin),
        enterprise=ent_a_old,
        kind="child_labour",
        occurred_on=TODAY,
        source="柳人社监〔2026〕9号",
    )
    assert event.status == S.CONFIRMED and event.history.get().action == "record"
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED


# The veto list page ----------------------------------------------------------------------------------------


def test_the_list_confirms_and_dismisses_with_a_reason(en, ent_a_old, cert_admin, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=14))
    first = proposed_event(ent_a_old, "case-1")
    second = proposed_event(ent_a_old, "case-2")
    en.force_login(cert_admin)
    url = reverse("certification:veto_list")
    html = en.get(url + "?status=proposed").content.decode()
    assert 'data-testid="veto-proposed-count"' in html and html.count('data-testid="veto-confirm"') == 2
    assert html.count('data-testid="veto-dismiss-form"') == 2
    # A blank reason: refused on the field, the form open again.
    response = en.post(reverse("certification:veto_decide", args=[second.pk, "dismiss"]), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason for “Dismiss”." in html and "collapse show" in html
    second.refresh_from_db()
    assert second.status == S.PROPOSED
    # With a reason.
    reason_field = f"dismiss-{second.pk}-reason"
    response = en.post(
        reverse("certification:veto_decide", args=[second.pk, "dismiss"]),
        {reason_field: "重复登记", "next": url + "?status=proposed"},
    )
    assert response.status_code == 302 and response["Location"] == url + "?status=proposed"
    second.refresh_from_db()
    assert second.status == S.DISMISSED
    # Confirm: the title is revoked, the message names it.
    response = en.post(reverse("certification:veto_decide", args=[first.pk, "confirm"]), follow=True)
    html = response.content.decode()
    assert "The veto event is confirmed." in html and cert.number in html
    first.refresh_from_db()
    assert first.status == S.CONFIRMED
    html = en.get(url).content.decode()
    assert 'data-testid="veto-confirm"' not in html and "Dismissed" in html and "Confirmed" in html


def test_others_may_not_decide(en, ent_a_old, ent_hr_a, rule_set):
    event = proposed_event(ent_a_old)
    en.force_login(ent_hr_a)
    response = en.post(reverse("certification:veto_decide", args=[event.pk, "confirm"]))
    assert response.status_code in (403, 404)
    event.refresh_from_db()
    assert event.status == S.PROPOSED


def test_the_review_page_mentions_proposed_events_without_counting_them(
    en, ent_a_old, ent_hr_a, cert_round, cert_admin
):
    app = services.submit(p(ent_hr_a), complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a))
    app = services.start_review(p(cert_admin), app)
    proposed_event(ent_a_old)
    en.force_login(cert_admin)
    html = en.get(reverse("certification:review", args=[app.pk])).content.decode()
    assert 'data-testid="proposed-veto-warning"' in html and 'data-testid="veto-warning"' not in html


# The API --------------------------------------------------------------------------------------------------

VETOES = "/api/v1/certification/veto-events/"


def test_api_status_filter_and_actions(client, ent_a_old, rule_set, api_client_factory):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=14))
    first = proposed_event(ent_a_old, "case-1")
    second = proposed_event(ent_a_old, "case-2")
    _c, reader = api_client_factory(name="reader", scopes=["certification:read"])
    _c, writer = api_client_factory(name="writer", scopes=["certification:read", "certification:write"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {writer}", "HTTP_ACCEPT_LANGUAGE": "en"}
    response = client.get(VETOES + "?status=proposed", **auth)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {r["id"] for r in rows} == {str(first.pk), str(second.pk)}
    assert rows[0]["status"] == "proposed" and rows[0]["status_label"] == "Proposed"
    assert set(rows[0]["available_actions"]) == {"confirm", "dismiss"}
    # A reader may not decide.
    denied = client.post(
        f"{VETOES}{first.pk}/confirm/", HTTP_AUTHORIZATION=f"Bearer {reader}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert denied.status_code == 403
    # Dismiss needs a reason.
    blank = client.post(
        f"{VETOES}{second.pk}/dismiss/", {"reason": ""}, content_type="application/json", **auth
    )
    assert blank.status_code == 400 and "reason" in blank.json()["error"]["fields"]
    done = client.post(
        f"{VETOES}{second.pk}/dismiss/", {"reason": "重复"}, content_type="application/json", **auth
    )
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert done.json()["available_actions"] == []
    confirmed = client.post(f"{VETOES}{first.pk}/confirm/", **auth)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED
    again = client.post(f"{VETOES}{first.pk}/confirm/", **auth)
    assert again.status_code == 409


# Inspection now proposes ------------------------------------------------------------------------------------


def test_an_arrears_listing_proposes_and_the_daily_job_finds_it_known(ent_a_old, cert_admin, rule_set):
    from apps.inspection import services as inspection_services

    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=14))
    listing = inspection_services.list_wage_arrears(
        p(cert_admin), enterprise=ent_a_old, listed_on=TODAY, decision_reference="柳人社失信〔2026〕5号"
    )
    event = listing.veto_event
    assert event.status == S.PROPOSED and event.kind == "wage_arrears_blacklist"
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID  # not until the park confirms
    # The modules' own candidates (inspection's hook) name the same record: nothing new.
    result = services.propose_veto_events(SYSTEM, [ent_a_old.pk])
    assert result["proposed"] == 0 and VetoEvent.objects.filter(enterprise=ent_a_old).count() == 1
    services.confirm_veto_event(p(cert_admin), event)
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED
