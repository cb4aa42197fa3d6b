"""Deliveries to a real receiver on 127.0.0.1: signed, retried with backoff for 24 hours, logged,
replayed, disabled after a day of failures (the park is told), scoped like the feed, and never
sent twice: not after a worker died holding a claim, not by two sweeps at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.notifications.models import Notification
from apps.webhooks import services, signing
from apps.webhooks.models import Delivery, Event, Subscription
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import change_enterprise, park_admin_principal

pytestmark = pytest.mark.django_db


def publish_and_send():
    services.publish_events()
    return services.deliver_due(budget_seconds=30)


def make_due(delivery_or_queryset):
    """Time passes: the delivery's next attempt is now."""
    qs = (
        delivery_or_queryset
        if hasattr(delivery_or_queryset, "update")
        else Delivery.objects.filter(pk=delivery_or_queryset.pk)
    )
    qs.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_change_is_delivered_signed_to_the_receiver(receiver, make_client, subscribe, ent_a):
    subscription = subscribe(make_client(), receiver)
    change_enterprise(ent_a, employees=55)
    assert publish_and_send()["delivered"] == 1
    [request] = receiver.requests
    assert request["verified"], "the receiver's check of the signature (the integration guide's code)"
    assert request["path"] == "/hooks/harmony"
    headers = request["headers"]
    event = Event.objects.get()
    assert headers["X-Webhook-Id"] == str(event.pk)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Webhook-Signature"] == signing.signature(
        subscription.secret, headers["X-Webhook-Timestamp"], request["body"]
    )
    body = receiver.events()[0]
    assert set(body) >= {"id", "type", "occurred_at", "object", "data"}
    assert body["id"] == str(event.pk)
    assert body["type"] == "enterprises.enterprise.update"
    assert body["object"] == {
        "type": "enterprises.enterprise",
        "id": str(ent_a.pk),
        "url": f"http://127.0.0.1:8000/api/v1/enterprises/{ent_a.pk}/",
    }
    assert body["data"] == {"status": "operating", "path": f"/api/v1/enterprises/{ent_a.pk}/"}
    assert ent_a.name not in request["body"].decode()  # no names, no personal data
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None and subscription.failure_count == 0


def test_a_tampered_body_or_another_secret_fails_the_receivers_check(receiver, make_client, subscribe, ent_a):
    subscribe(make_client(), receiver)
    receiver.secret = "whsec_not-the-subscriptions-secret"
    change_enterprise(ent_a, employees=56)
    outcome = publish_and_send()
    assert outcome["retry"] == 1
    assert receiver.requests[0]["verified"] is False
    assert Delivery.objects.get().last_status_code == 401


def test_the_signature_check_refuses_old_timestamps():
    body = b'{"id":"x"}'
    stamp = "1700000000"
    header = signing.signature("s", stamp, body)
    assert signing.verify("s", stamp, body, header, now=1700000000 + 60)
    assert not signing.verify("s", stamp, body, header, now=1700000000 + 3600)
    assert not signing.verify("s", stamp, body + b" ", header, now=1700000000)


def test_retries_with_backoff_on_500_then_success(receiver, make_client, subscribe, ent_a, settings):
    subscription = subscribe(make_client(), receiver)
    receiver.answers = [500, 503]
    change_enterprise(ent_a, employees=57)
    before = timezone.now()
    assert publish_and_send()["retry"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500
    # 1 minute after the first failure...
    assert dt.timedelta(seconds=59) < delivery.next_attempt_at - before < dt.timedelta(seconds=65)
    assert services.deliver_due(budget_seconds=5)["delivered"] == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    make_due(delivery)
    before = timezone.now()
    assert services.deliver_due(budget_seconds=5)["retry"] == 1
    delivery.refresh_from_db()
    # ...then 2 minutes (doubling).
    assert dt.timedelta(seconds=119) < delivery.next_attempt_at - before < dt.timedelta(seconds=125)
    make_due(delivery)
    assert services.deliver_due(budget_seconds=5)["delivered"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 3
    assert len(receiver.requests) == 3
    assert len(set(receiver.ids())) == 1  # the same event id each time: the receiver deduplicates
    subscription.refresh_from_db()
    assert subscription.failure_count == 0 and subscription.failing_since is None


def test_the_backoff_doubles_up_to_its_ceiling(settings):
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 7, 30)] == [
        60,
        120,
        240,
        480,
        3600,
        3600,
    ]


def test_a_delivery_failing_for_24_hours_fails(receiver, make_client, subscribe, ent_a):
    subscribe(make_client(), receiver)
    receiver.answers = [500]
    change_enterprise(ent_a, employees=58)
    services.publish_events()
    # The 24 hours are nearly over: the next retry would come after them.
    Delivery.objects.update(expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert services.deliver_due(budget_seconds=5)["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    assert services.deliver_due(budget_seconds=5) == {
        "delivered": 0,
        "retry": 0,
        "failed": 0,
        "paused": 0,
        "lost": 0,
    }
    assert len(receiver.requests) == 1


def test_a_delivery_never_sent_within_its_time_fails(make_client, subscribe, ent_a):
    subscribe(make_client(), url="http://127.0.0.1:9/never")
    change_enterprise(ent_a, employees=59)
    services.publish_events()
    Delivery.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    services.deliver_due(budget_seconds=5)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error, delivery.attempts) == (Delivery.Status.FAILED, "expired", 0)


def test_a_failing_receiver_is_not_hammered(receiver, make_client, subscribe):
    subscribe(make_client(), receiver)
    receiver.answers = [500] * 10
    for employees in range(5):
        change_enterprise(EnterpriseFactory(), employees=employees + 1)
    outcome = publish_and_send()
    assert outcome["retry"] == 1 and len(receiver.requests) == 1  # the others wait for the same retry
    first = Delivery.objects.order_by("id").first().next_attempt_at
    assert set(Delivery.objects.values_list("next_attempt_at", flat=True)) == {first}


def test_after_a_day_of_failures_the_subscription_is_disabled_and_the_park_told(
    receiver, make_client, subscribe, ent_a, settings
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 24
    admin = user_with_role(Role.PARK_ADMIN)
    subscription = subscribe(make_client(name="人社局系统"), receiver)
    receiver.answers = [500] * 10
    change_enterprise(ent_a, employees=60)
    change_enterprise(ent_a, employees=61)
    services.publish_events()
    for _ in range(3):
        make_due(Delivery.objects.all())
        services.deliver_due(budget_seconds=5)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failure_count == 3  # 3 failures, but within minutes
    # The streak began a day ago: the next failure disables it.
    Subscription.objects.filter(pk=subscription.pk).update(
        failing_since=timezone.now() - dt.timedelta(hours=24)
    )
    make_due(Delivery.objects.all())
    services.deliver_due(budget_seconds=5)
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_reason and subscription.disabled_at
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PAUSED}
    notice = Notification.objects.get(recipient=admin)
    assert notice.link == f"/webhooks/clients/{subscription.client_id}/"
    assert AuditEvent.objects.filter(action="webhooks.disable_subscription").exists()
    sent = len(receiver.requests)
    make_due(Delivery.objects.all())
    services.deliver_due(budget_seconds=5)
    assert len(receiver.requests) == sent  # nothing goes to a disabled subscription
    # Enabled again: the count starts over and what waited is sent.
    receiver.answers = []
    services.enable_subscription(park_admin_principal(), subscription)
    assert services.deliver_due(budget_seconds=5)["delivered"] == 2
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failure_count == 0


def test_replay_of_one_delivery_and_of_a_time_range(receiver, make_client, subscribe, ent_a, ent_b):
    client = make_client()
    change_enterprise(ent_a, employees=62)  # before the subscription existed
    services.publish_events()
    subscription = subscribe(client, receiver)
    change_enterprise(ent_b, employees=63)
    publish_and_send()
    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get()
    admin = park_admin_principal()
    services.replay_delivery(admin, delivery)
    services.deliver_due(budget_seconds=5)
    delivery.refresh_from_db()
    assert delivery.replays == 1 and delivery.attempts == 2 and delivery.status == Delivery.Status.DELIVERED
    assert receiver.ids() == [str(delivery.event_id)] * 2
    # A range: the delivered event again, and the one from before the subscription.
    now = timezone.now()
    queued = services.replay_range(admin, subscription, since=now - dt.timedelta(hours=1), until=now)
    assert queued == 2
    services.deliver_due(budget_seconds=5)
    assert sorted(receiver.ids()[2:]) == sorted(str(e) for e in Event.objects.values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="webhooks.replay_range").exists()


def test_only_events_the_client_may_see_are_delivered(receiver, make_client, subscribe):
    town_a, town_b = EnterpriseFactory().town, EnterpriseFactory().town
    in_a = EnterpriseFactory(town=town_a)
    in_b = EnterpriseFactory(town=town_b)
    restricted = make_client(name="town-a", area=town_a)
    no_registry = make_client(name="mediation-only", scopes=["mediation:read"])
    subscribe(restricted, receiver)
    other = subscribe(no_registry, url=receiver.url)
    change_enterprise(in_a, employees=70)
    change_enterprise(in_b, employees=71)
    publish_and_send()
    assert [e["object"]["id"] for e in receiver.events()] == [str(in_a.pk)]
    assert not other.deliveries.exists()  # mediation:read receives no enterprise event
    # A scope taken away after publication: not sent.
    change_enterprise(in_a, employees=72)
    services.publish_events()
    type(restricted).objects.filter(pk=restricted.pk).update(scopes=["mediation:read"])
    assert services.deliver_due(budget_seconds=5)["failed"] == 1
    assert Delivery.objects.filter(last_error="not_visible").count() == 1
    assert len(receiver.requests) == 1


def test_a_subscription_to_some_families_receives_only_those(receiver, make_client, subscribe, ent_a):
    subscribe(make_client(), receiver, event_types=["mediation.case"])
    change_enterprise(ent_a, employees=73)
    services.publish_events()
    assert not Delivery.objects.exists()


def test_redirects_are_not_followed(receiver, make_client, subscribe, ent_a):
    subscribe(make_client(), receiver)
    receiver.answers = [302]
    change_enterprise(ent_a, employees=74)
    assert publish_and_send()["retry"] == 1
    assert [r["path"] for r in receiver.requests] == ["/hooks/harmony"]  # never /elsewhere
    delivery = Delivery.objects.get()
    assert (delivery.last_status_code, delivery.last_error) == (302, "redirect")


def test_plain_http_is_refused_where_the_setting_says_so(make_client, subscribe, ent_a, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    subscribe(make_client(), url="http://127.0.0.1:9/hook")
    change_enterprise(ent_a, employees=75)
    assert publish_and_send()["retry"] == 1
    assert Delivery.objects.get().last_error == "http_not_allowed"


def test_a_revoked_client_receives_nothing(receiver, make_client, subscribe, ent_a):
    client = make_client()
    subscribe(client, receiver)
    change_enterprise(ent_a, employees=76)
    services.publish_events()
    type(client).objects.filter(pk=client.pk).update(is_active=False)
    assert services.deliver_due(budget_seconds=5)["failed"] == 1
    assert not receiver.requests


def test_a_worker_killed_after_its_claim_leaves_the_delivery_to_be_sent_exactly_once(
    receiver, make_client, subscribe, ent_a
):
    subscribe(make_client(), receiver)
    change_enterprise(ent_a, employees=77)
    services.publish_events()
    claimed = services.claim_next()  # a worker claims the delivery... and dies before sending
    assert claimed is not None
    assert services.deliver_due(budget_seconds=5)["delivered"] == 0  # the claim holds: nobody sends
    assert not receiver.requests
    # The lease passes: the next sweep takes the delivery over and sends it, once.
    Delivery.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert services.deliver_due(budget_seconds=5)["delivered"] == 1
    assert services.deliver_due(budget_seconds=5)["delivered"] == 0
    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    # The dead worker's late answer (if it ever came back) is not recorded over the new one.
    assert services.send_claimed(claimed) == "lost"
    assert len(receiver.requests) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_send_the_same_delivery_twice(receiver, make_client, subscribe, monkeypatch):
    # No transaction around the test: eager Celery would publish and send at each commit.
    monkeypatch.setattr(services, "_queue_publication", lambda: None)
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args: None)
    subscribe(make_client(), receiver)
    receiver.delay = 0.02  # the sweeps overlap
    for n in range(30):
        change_enterprise(EnterpriseFactory(), employees=n + 1)
    services.publish_events()
    assert Delivery.objects.count() == 30
    outcomes, errors = [], []
    start = threading.Barrier(2)

    def sweep():
        try:
            start.wait(5)
            outcomes.append(services.deliver_due(budget_seconds=30))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(receiver.ids()) == 30 and len(set(receiver.ids())) == 30  # each event once
    assert all(outcome["delivered"] for outcome in outcomes), outcomes  # both sweeps took part
    assert sum(outcome["delivered"] for outcome in outcomes) == 30
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Delivery.Status.DELIVERED, 1)}


def test_the_tasks_chain_publication_and_delivery_after_commit(
    receiver, make_client, subscribe, ent_a, django_capture_on_commit_callbacks
):
    """Eager Celery (tests): the commit queues the publication, which queues the delivery."""
    subscribe(make_client(), receiver)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        change_enterprise(ent_a, employees=78)
    assert len(receiver.requests) == 1 and receiver.requests[0]["verified"]
