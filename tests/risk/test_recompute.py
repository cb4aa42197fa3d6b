"""Recomputing the watch list: the signal registry, upserts, idempotence, policy versions, level
changes with their audit events and notifications, and the debounced recompute after a write."""

import datetime as dt

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import transaction

from apps.audit import services as audit
from apps.audit.models import AuditEvent
from apps.core.facts import signal_kinds
from apps.notifications.models import Notification
from apps.risk import rules, selectors, services
from apps.risk.models import EnterpriseRisk, Level, RiskMonth, RiskPolicy
from tests.factories import EnterpriseFactory

from .conftest import TODAY, give

pytestmark = pytest.mark.django_db


def test_the_registry_holds_the_modules_kinds_and_the_test_provider():
    kinds = signal_kinds()
    assert {"test.complaint", "test.collective", "test.no_contract"} <= set(kinds)
    assert kinds["test.collective"].actor == "union"
    # Every installed module's kinds come through the same hook; codes are "<app>.<name>".
    assert all("." in code for code in kinds)


def test_recompute_scores_explains_and_keeps_the_month(e1, e2):
    give(e1, ("test.complaint", 2, dt.date(2026, 1, 10), "/inspection/1/", "inspection.view_inspectioncase"))
    give(e2, ("test.collective", 2), ("test.complaint", 3))
    result = services.recompute(TODAY)
    assert result["enterprises"] >= 2 and result["policy_version"] == 1
    r1, r2 = EnterpriseRisk.objects.get(pk=e1.pk), EnterpriseRisk.objects.get(pk=e2.pk)
    assert (r1.score, r1.level, r1.actors) == (16, Level.WATCH, ["inspection"])
    assert (r2.score, r2.level, r2.actors) == (54, Level.SERIOUS, ["union", "inspection"])
    assert r1.explanation[0]["url"] == "/inspection/1/" and r1.explanation[0]["last_on"] == "2026-01-10"
    assert r1.town_id == e1.town_id and r2.industry == "E" and r1.level_since == TODAY
    assert r2.signal_codes == " test.collective test.complaint "
    month = RiskMonth.objects.get(enterprise=e2)
    assert (month.month, month.score, month.level) == (rules.month_of(TODAY), 54, Level.SERIOUS)


def test_a_second_run_writes_nothing(e1):
    give(e1, ("test.complaint", 2))
    services.recompute(TODAY)
    before = EnterpriseRisk.objects.get(pk=e1.pk).updated_at
    events = AuditEvent.objects.count()
    again = services.recompute(TODAY)
    assert again["written"] == 0 and again["changed"] == 0
    assert EnterpriseRisk.objects.get(pk=e1.pk).updated_at == before
    assert AuditEvent.objects.count() == events
    assert RiskMonth.objects.filter(enterprise=e1).count() == 1


def test_only_the_given_enterprises_are_recomputed(e1, e2):
    give(e1, ("test.complaint", 2))
    give(e2, ("test.complaint", 2))
    services.recompute(TODAY, [e1.pk])
    assert EnterpriseRisk.objects.filter(pk=e1.pk).exists()
    assert not EnterpriseRisk.objects.filter(pk=e2.pk).exists()


def test_a_new_policy_version_rescores_and_is_named_on_the_score(e1, park_admin):
    give(e1, ("test.complaint", 2))
    services.recompute(TODAY)
    policy = services.new_policy_version(
        park_admin,
        valid_from=TODAY,
        watch_from=5,
        warning_from=15,
        serious_from=30,
        note="stricter",
        weights=[("test.complaint", 10, 5)],
    )
    assert policy.version == 2 and RiskPolicy.objects.count() == 2
    assert selectors.policy_in_effect(TODAY) == policy
    services.recompute(TODAY)
    risk = EnterpriseRisk.objects.get(pk=e1.pk)
    assert (risk.score, risk.level, risk.policy_version) == (20, Level.WARNING, 2)
    assert risk.previous_level == Level.WATCH
    # Version 1 is kept as it was.
    old = RiskPolicy.objects.get(version=1)
    assert (old.watch_from, old.weights.count()) == (10, 0)


def test_a_version_in_effect_later_does_not_apply_today(e1, park_admin):
    services.new_policy_version(
        park_admin, valid_from=TODAY + dt.timedelta(days=30), watch_from=1, warning_from=2, serious_from=3
    )
    assert selectors.policy_in_effect(TODAY).version == 1


def test_a_level_change_is_audited_and_told_to_the_responsible_users(
    e1, park_admin, inspector_a, inspector_b, mediator_a, federation_a
):
    give(e1, ("test.complaint", 2))
    result = services.recompute(TODAY)
    assert result["changed"] >= 1
    event = AuditEvent.objects.get(action="risk.level_changed", object_id=str(e1.pk))
    assert event.before == {"level": "none"} and event.after["level"] == "watch"
    assert event.actor_label == "system"
    told = set(Notification.objects.filter(link=f"/risk/{e1.pk}/").values_list("recipient", flat=True))
    # The park, and the inspectors of the town (the signal's actor is inspection); not the
    # inspectors of another town, nor the town's mediators or union (not their signals).
    assert park_admin.pk in told and inspector_a.pk in told
    assert inspector_b.pk not in told and mediator_a.pk not in told and federation_a.pk not in told

    # Up to warning with a collective dispute: the union is told too.
    Notification.objects.all().delete()
    give(e1, ("test.complaint", 2), ("test.collective", 1))
    services.recompute(TODAY)
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert {park_admin.pk, inspector_a.pk, federation_a.pk} <= told and mediator_a.pk not in told
    risk = EnterpriseRisk.objects.get(pk=e1.pk)
    assert (risk.level, risk.previous_level) == (Level.WARNING, Level.WATCH)

    # A change of score within the level: no event, nobody told.
    Notification.objects.all().delete()
    give(e1, ("test.complaint", 3), ("test.collective", 1))
    services.recompute(TODAY)
    assert not Notification.objects.exists()
    assert AuditEvent.objects.filter(action="risk.level_changed", object_id=str(e1.pk)).count() == 2


def test_many_changes_make_one_summary_per_user(town_a, park_admin):
    for n in range(5):
        e = EnterpriseFactory(town=town_a, name=f"批量{n}")
        give(e, ("test.complaint", 2))
    services.recompute(TODAY)
    mine = Notification.objects.filter(recipient=park_admin)
    assert mine.count() == 1 and mine.get().link == "/risk/"


def test_no_notification_when_asked_not_to(e1, park_admin):
    give(e1, ("test.complaint", 2))
    services.recompute(TODAY, notify_changes=False)
    assert not Notification.objects.exists()
    assert AuditEvent.objects.filter(action="risk.level_changed").exists()


# Soon after a write: one task per enterprise per window --------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    calls = []
    task = current_app.tasks["risk.recompute_enterprises"]
    monkeypatch.setattr(
        task, "apply_async", lambda args=None, countdown=None, **kw: calls.append((args, countdown))
    )
    return calls


def _write(obj):
    with transaction.atomic():
        audit.record("test.changed", obj, after={"x": 1})


def test_a_write_queues_one_recompute_per_enterprise_per_window(
    e1, e2, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _write(e1)
    with django_capture_on_commit_callbacks(execute=True):
        _write(e1)
        _write(e2)
    assert queued == [
        ([[str(e1.pk)]], services.DEBOUNCE_SECONDS),
        ([[str(e2.pk)]], services.DEBOUNCE_SECONDS),
    ]
    cache.delete(services.debounce_key(e1.pk))  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        _write(e1)
    assert len(queued) == 3 and queued[-1] == ([[str(e1.pk)]], services.DEBOUNCE_SECONDS)


def test_a_rolled_back_write_queues_nothing(e1, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                audit.record("test.changed", e1, after={"x": 1})
                raise RuntimeError
        except RuntimeError:
            pass
    assert queued == []


def test_the_enterprise_of_written_objects(e1, e2):
    from apps.mediation.models import Case

    case = Case(respondent_enterprise_id=e2.pk)
    risk = EnterpriseRisk(enterprise_id=e1.pk)
    assert services.enterprise_ids_of([e1, case, risk]) == {str(e1.pk), str(e2.pk)}
    assert services.enterprise_ids_of([risk]) == set()


def test_the_task_recomputes_the_enterprise_eagerly(e1, django_capture_on_commit_callbacks):
    give(e1, ("test.collective", 2))
    with django_capture_on_commit_callbacks(execute=True):
        _write(e1)
    risk = EnterpriseRisk.objects.get(pk=e1.pk)
    assert (risk.score, risk.level) == (30, Level.WARNING)


def test_the_daily_task(e1):
    give(e1, ("test.complaint", 2))
    current_app.tasks["risk.recompute_all"].delay()
    assert EnterpriseRisk.objects.get(pk=e1.pk).level == Level.WATCH


def test_the_hook_is_registered():
    assert services.on_audited_write in audit.WRITE_HOOKS
