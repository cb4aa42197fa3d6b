"""Writes of the outbox, the subscriptions and the deliveries.

The path of an event:

1. `record_events` (an `apps.audit.services.WRITE_HOOKS` hook): every audited write of an object
   of a registered source (`registry`) adds `Event` rows in the transaction of the change: a
   rolled-back change leaves no event, a committed one always has its event (the outbox). A bulk
   filing writes its thousands of events in one COPY, the towns read in one query.
2. `publish_events` (queued after commit, and by the beat sweep every minute): numbers the
   committed events in the order they became visible (`sequence`, the feed's cursor) under a
   lock, and adds a `Delivery` per matching active subscription (one INSERT ... SELECT each).
3. `deliver_due` (after publication, and by the sweep): claims one due delivery at a time with
   SELECT ... FOR UPDATE SKIP LOCKED and a lease, POSTs it signed outside any transaction, and
   records the answer. Two sweeps never send the same claimed delivery; a worker that dies with a
   claim leaves it to the next sweep once the lease has passed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import time
import uuid
from urllib.parse import urlsplit

import requests
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.audit import services as audit
from apps.core import bulk
from apps.core.errors import DomainError, NotAllowed
from apps.core.principal import Role, principal_for_api_client
from apps.core.tasks import enqueue_on_commit
from apps.notifications.services import notify

from . import registry, selectors, signing
from .models import ALL_EVENTS, Delivery, Event, Subscription

logger = logging.getLogger(__name__)

#: Where the objects' API addresses start (config/urls.py: "api/v1/").
API_ROOT = "/api/v1/"
#: Events numbered per transaction of `publish_events`.
PUBLISH_BATCH = 5000
#: PostgreSQL advisory lock serialising the numbering (one publisher at a time).
PUBLISH_LOCK = 0x77656268  # "webh"
USER_AGENT = "harmony-park-webhooks/1"

# --- 1. The outbox ---------------------------------------------------------------------------------

_MISSING = object()


def record_events(action: str, objects: list) -> int:
    """The audit hook: an `Event` per object of a registered source, in the caller's transaction.
    Returns the number of events written."""
    groups: dict[str, tuple] = {}
    sources = registry.sources()
    for obj in objects:
        source = sources.get(obj._meta.label_lower)
        if source is not None:
            groups.setdefault(source.family, (source, []))[1].append(obj)
    written = 0
    for source, objs in groups.values():
        verb = source.verb(action)
        if verb is None:
            continue
        towns = _towns(source, objs)
        now = timezone.now()
        event_type = f"{source.family}.{verb}"
        rows = [
            {
                "id": uuid.uuid4(),
                "sequence": None,
                "type": event_type,
                "family": source.family,
                "object_id": str(obj.pk),
                "occurred_at": now,
                "area_id": towns.get(obj.pk),
                "data": _data(source, obj),
            }
            for obj in objs
        ]
        bulk.insert(Event, rows)  # COPY on PostgreSQL: one statement for the whole batch
        written += len(rows)
    if written:
        _queue_publication()
    return written


def _data(source, obj) -> dict:
    status = getattr(obj, source.status, None) if source.status else None
    return {"status": None if status in (None, "") else str(status), "path": API_ROOT + source.api_path(obj)}


def _towns(source, objs) -> dict:
    """Each object's town id: from the instances where the path is loaded (no query), the others
    in one query on the first related table (e.g. the contracts' enterprises)."""
    towns, missing = {}, []
    for obj in objs:
        town = _loaded_town(obj, source.town)
        if town is _MISSING:
            missing.append(obj)
        else:
            towns[obj.pk] = town
    if missing:
        first = source.model._meta.get_field(source.town[0])
        ids = {getattr(obj, first.attname) for obj in missing} - {None}
        rest = "__".join(source.town[1:])
        found = (
            dict(first.related_model._base_manager.filter(pk__in=ids).values_list("pk", rest)) if ids else {}
        )
        for obj in missing:
            towns[obj.pk] = found.get(getattr(obj, first.attname))
    return towns


def _loaded_town(obj, path):
    value = obj
    for part in path[:-1]:
        model_field = value._meta.get_field(part)
        if not model_field.is_cached(value):
            return _MISSING
        value = getattr(value, part)
        if value is None:
            return None
    return getattr(value, value._meta.get_field(path[-1]).attname)


def _publish_after_commit():
    current_app.tasks["webhooks.publish"].delay()


def _queue_publication() -> None:
    """Queue one publication after the transaction commits, however many writes it holds. Robust:
    a broker that is down does not fail the committed change; the beat sweep publishes anyway."""
    conn = transaction.get_connection()
    if any(entry[1] is _publish_after_commit for entry in conn.run_on_commit):
        return
    transaction.on_commit(_publish_after_commit, robust=True)


# --- 2. Publication ----------------------------------------------------------------------------------


def publish_events(*, batch: int = PUBLISH_BATCH) -> int:
    """Number the committed events not yet numbered (oldest first) and add their deliveries.
    Idempotent; returns how many events it numbered."""
    published = deliveries = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
            last = Event.objects.aggregate(last=Max("sequence"))["last"] or 0
            count = _number_events(last, batch)
            if count:
                deliveries += _add_deliveries(last, last + count)
        published += count
        if count < batch:
            break
    if deliveries:
        enqueue_on_commit("webhooks.deliver")
    return published


def _number_events(last: int, limit: int) -> int:
    quote = connection.ops.quote_name
    table = quote(Event._meta.db_table)
    # Names from the model's meta, values as parameters.
    sql = (
        f"UPDATE {table} SET {quote('sequence')} = numbered.n FROM ("  # noqa: S608
        "SELECT batch.id, %s + ROW_NUMBER() OVER (ORDER BY batch.occurred_at, batch.id) AS n FROM ("
        f"SELECT id, occurred_at FROM {table} WHERE {quote('sequence')} IS NULL "
        "ORDER BY occurred_at, id LIMIT %s) AS batch"
        f") AS numbered WHERE {table}.id = numbered.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [last, limit])
        return cursor.rowcount


def _add_deliveries(first_excluded: int, last: int) -> int:
    now = timezone.now()
    expires = now + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    added = 0
    subscriptions = Subscription.objects.filter(is_active=True, client__is_active=True).select_related(
        "client"
    )
    for subscription in subscriptions:  # a few per client: each one INSERT ... SELECT
        events = selectors.events_for_subscription(
            subscription, Event.objects.filter(sequence__gt=first_excluded, sequence__lte=last)
        )
        if events is not None:
            added += _insert_deliveries(subscription, events, now=now, expires=expires)
    return added


def _insert_deliveries(subscription, events, *, now, expires, on_conflict: bool = False) -> int:
    """One delivery (pending, due now) per event of `events` for `subscription`, in one INSERT ...
    SELECT; with `on_conflict`, events that already have one are left alone."""
    select_sql, params = events.order_by().values("id").query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(c)
        for c in (
            "event_id",
            "subscription_id",
            "status",
            "attempts",
            "next_attempt_at",
            "expires_at",
            "replays",
            "last_error",
            "created_at",
            "updated_at",
        )
    )
    # Names from the model's meta, the SELECT from the ORM, values as parameters.
    sql = (
        f"INSERT INTO {quote(Delivery._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT chosen.id, %s, %s, 0, %s, %s, 0, '', %s, %s FROM ({select_sql}) AS chosen WHERE 1 = 1"
    )
    if on_conflict:
        sql += " ON CONFLICT (event_id, subscription_id) DO NOTHING"
    at = connection.ops.adapt_datetimefield_value
    values = [
        Subscription._meta.pk.get_db_prep_value(subscription.pk, connection),
        Delivery.Status.PENDING,
        at(now),
        at(expires),
        at(now),
        at(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])
        return cursor.rowcount


# --- 3. Delivery -------------------------------------------------------------------------------------

#: Why a delivery was not sent, as stored in `last_error` (shown translated: selectors.ERROR_LABELS).
EXPIRED = "expired"
REVOKED = "client_revoked"
NOT_VISIBLE = "not_visible"
REDIRECT = "redirect"
HTTP_REFUSED = "http_not_allowed"


def retry_delay(failures: int) -> dt.timedelta:
    """[POLICY] Exponential backoff: 1 minute after the first failure, doubling, at most
    WEBHOOK_RETRY_MAX_SECONDS between attempts, until WEBHOOK_RETRY_HOURS after publication."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    return dt.timedelta(
        seconds=min(settings.WEBHOOK_RETRY_MAX_SECONDS, base * 2 ** min(max(failures, 1) - 1, 30))
    )


def fail_expired() -> int:
    """Deliveries still waiting when their time is up (a subscription disabled for a day, workers
    down) fail; a replay sends them again."""
    now = timezone.now()
    return Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.PAUSED], expires_at__lt=now
    ).update(status=Delivery.Status.FAILED, last_error=EXPIRED, next_attempt_at=None, updated_at=now)


def claim_next():
    """Claim the next due delivery for this worker, or None: a lease that passed first (its worker
    died), else the pending delivery due longest. SKIP LOCKED: a row another sweep is claiming is
    passed over, and once claimed it is no longer due, so two sweeps never claim the same row."""
    now = timezone.now()
    with transaction.atomic():
        rows = Delivery.objects.select_for_update(skip_locked=True)
        delivery = rows.filter(status=Delivery.Status.SENDING, lease_until__lt=now).order_by(
            "lease_until", "id"
        ).first() or (
            rows.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return None
        delivery.status = Delivery.Status.SENDING
        delivery.claim = uuid.uuid4()
        delivery.lease_until = now + dt.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
        delivery.updated_at = now
        delivery.save(update_fields=["status", "claim", "lease_until", "updated_at"])
    return delivery


def deliver_due(*, budget_seconds: float | None = None) -> dict:
    """Send the due deliveries one by one for at most `budget_seconds` (WEBHOOK_SWEEP_SECONDS);
    the beat sweep comes back for the rest. Returns the outcomes counted."""
    budget = settings.WEBHOOK_SWEEP_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    outcomes = {"delivered": 0, "retry": 0, "failed": 0, "paused": 0, "lost": 0}
    fail_expired()
    principals: dict = {}
    while time.monotonic() - started < budget:
        claimed = claim_next()
        if claimed is None:
            break
        outcomes[send_claimed(claimed, principals)] += 1
    return outcomes


def send_claimed(claimed: Delivery, principals: dict | None = None) -> str:
    """POST a claimed delivery and record the answer. The client's scopes and area are checked
    again now (they may have changed since publication)."""
    principals = {} if principals is None else principals
    delivery = Delivery.objects.select_related("event", "subscription__client").get(pk=claimed.pk)
    if delivery.claim != claimed.claim:
        return "lost"  # another sweep took it over (our lease passed)
    subscription = delivery.subscription
    client = subscription.client
    if not subscription.is_active:
        return _finish(delivery, claimed.claim, status=Delivery.Status.PAUSED)
    expires_at = getattr(client, "expires_at", None)
    if not client.is_active or (expires_at is not None and expires_at <= timezone.now()):
        return _finish(delivery, claimed.claim, status=Delivery.Status.FAILED, error=REVOKED)
    if client.pk not in principals:
        principals[client.pk] = principal_for_api_client(client)
    if not selectors.may_receive(principals[client.pk], subscription, delivery.event):
        return _finish(delivery, claimed.claim, status=Delivery.Status.FAILED, error=NOT_VISIBLE)
    body = selectors.payload_bytes(delivery.event)
    code, error = post(subscription, delivery.event_id, body)
    return _record_attempt(delivery, claimed.claim, code, error)


def post(subscription, event_id, body: bytes) -> tuple[int | None, str]:
    """POST `body` signed; (response code, error). No redirect is followed; timeout
    WEBHOOK_TIMEOUT_SECONDS."""
    refusal = url_refusal(subscription.url)
    if refusal is not None:
        return None, HTTP_REFUSED
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": str(event_id),
        "X-Webhook-Timestamp": timestamp,
        "X-Webhook-Signature": signing.signature(subscription.secret, timestamp, body),
    }
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,  # the answer's body is not read
        )
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300]
    response.close()
    if 300 <= response.status_code < 400:
        return response.status_code, REDIRECT
    return response.status_code, ""


def _finish(delivery, claim, *, status, error: str = "") -> str:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, claim=claim, status=Delivery.Status.SENDING).update(
        status=status,
        last_error=error,
        lease_until=None,
        claim=None,
        next_attempt_at=None if status != Delivery.Status.PAUSED else now,
        updated_at=now,
    )
    return "paused" if status == Delivery.Status.PAUSED else "failed"


def _record_attempt(delivery, claim, code, error) -> str:
    now = timezone.now()
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
        mine = Delivery.objects.filter(pk=delivery.pk, claim=claim, status=Delivery.Status.SENDING)
        common = {
            "attempts": F("attempts") + 1,
            "last_attempt_at": now,
            "last_status_code": code,
            "lease_until": None,
            "claim": None,
            "updated_at": now,
        }
        if ok:
            if not mine.update(
                status=Delivery.Status.DELIVERED,
                delivered_at=now,
                last_error="",
                next_attempt_at=None,
                **common,
            ):
                return "lost"
            subscription.failure_count = 0
            subscription.failing_since = None
            subscription.last_success_at = now
            subscription.save(
                update_fields=["failure_count", "failing_since", "last_success_at", "updated_at"]
            )
            return "delivered"
        subscription.failure_count += 1
        subscription.failing_since = subscription.failing_since or now
        next_at = now + retry_delay(max(delivery.attempts + 1, subscription.failure_count))
        final = next_at > delivery.expires_at
        if not mine.update(
            status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
            last_error=error or f"HTTP {code}",
            next_attempt_at=None if final else next_at,
            **common,
        ):
            return "lost"
        if not final:
            # A failing receiver is not hammered: its other deliveries wait for the same retry.
            Delivery.objects.filter(
                subscription_id=subscription.pk, status=Delivery.Status.PENDING, next_attempt_at__lt=next_at
            ).update(next_attempt_at=next_at, updated_at=now)
        subscription.save(update_fields=["failure_count", "failing_since", "updated_at"])
        if _should_disable(subscription, now):
            _disable(
                subscription,
                reason=gettext("Disabled after %(count)s failed deliveries in a row since %(since)s.")
                % {
                    "count": subscription.failure_count,
                    "since": f"{timezone.localtime(subscription.failing_since):%Y-%m-%d %H:%M}",
                },
                automatic=True,
            )
        return "failed" if final else "retry"


def _should_disable(subscription, now) -> bool:
    """[POLICY] A subscription is disabled after WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in
    a row spanning at least WEBHOOK_DISABLE_AFTER_HOURS (a day of failures): a short outage never
    disables it, a receiver gone for a day does, and the park is told."""
    return (
        subscription.is_active
        and subscription.failure_count >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
        and now - subscription.failing_since >= dt.timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    )


def _disable(subscription, *, reason: str, automatic: bool) -> None:
    now = timezone.now()
    before = _snapshot(subscription)
    subscription.is_active = False
    subscription.disabled_at = now
    subscription.disabled_reason = str(reason)[:300]
    subscription.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    Delivery.objects.filter(subscription=subscription, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.PAUSED, updated_at=now
    )
    audit.record(
        "webhooks.disable_subscription",
        subscription,
        before=before,
        after=_snapshot(subscription),
        note=reason,
    )
    if automatic:
        _notify_park(subscription)


def _notify_park(subscription) -> None:
    client = subscription.client
    admins = User.objects.filter(is_active=True, memberships__role=Role.PARK_ADMIN).distinct()
    notify(
        admins,
        title=lambda: gettext("Webhook disabled: %(client)s") % {"client": client.name},
        body=lambda: (
            gettext(
                "The deliveries to %(url)s failed %(count)s times in a row, so the subscription is disabled. "
                "Check the receiver with the district system, then enable it and replay what it missed."
            )
            % {"url": subscription.url, "count": subscription.failure_count}
        ),
        link=reverse("webhooks:client_subscriptions", kwargs={"client_id": client.pk}),
    )


# --- Subscriptions (park administrators) -----------------------------------------------------------


def _require_admin(principal) -> None:
    if not principal.is_park_admin:
        raise NotAllowed(_("Only park administrators manage webhooks."))


def _snapshot(subscription) -> dict:
    return audit.snapshot(subscription, exclude=("secret",))


def url_refusal(url: str):
    """Why `url` cannot receive webhooks, or None: https (http only where WEBHOOK_ALLOW_HTTP is
    on: tests, local runs), a host, no user name or password in it."""
    try:
        parts = urlsplit(url or "")
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        return _("Enter a valid URL.")
    del port
    allowed = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed:
        if parts.scheme == "http":
            return _("Use an https:// address: plain http is not allowed for webhooks.")
        return _("Enter an https:// address.")
    if not parts.hostname:
        return _("Enter a valid URL.")
    if parts.username or parts.password:
        return _("Leave user names and passwords out of the address: deliveries are signed.")
    if not settings.WEBHOOK_ALLOW_LOOPBACK and _own_or_reserved(parts.hostname):
        return _(
            "This address is the platform's own machine or a reserved network (loopback, link-local, "
            "multicast): give the district system's address."
        )
    return None


def _own_or_reserved(host: str) -> bool:
    """Whether `host` names this machine or a network no district system is on: the platform must
    not be made to POST to its own services or to a cloud metadata address (169.254.169.254).
    Private networks (10/8, 172.16/12, 192.168/16) stay allowed: parks run on intranets."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_link_local or address.is_multicast or address.is_unspecified


def _clean(client, *, url: str, event_types, description: str) -> dict:
    url = (url or "").strip()
    errors = {}
    refusal = url_refusal(url)
    if refusal is not None:
        errors["url"] = [refusal]
    types = [t for t in dict.fromkeys(event_types or []) if t]
    if not types:
        errors["event_types"] = [_("Choose at least one kind of event.")]
    elif ALL_EVENTS in types:
        types = [ALL_EVENTS]
    else:
        known = registry.sources()
        unknown = [t for t in types if t not in known]
        allowed = set(registry.families_for_scopes(client.scopes))
        refused = [t for t in types if t in known and t not in allowed]
        if unknown:
            errors["event_types"] = [_("Unknown kinds of event: %(types)s.") % {"types": ", ".join(unknown)}]
        elif refused:
            errors["event_types"] = [
                _("The client's scopes do not allow these events: %(types)s.") % {"types": ", ".join(refused)}
            ]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, fields=errors)
    return {"url": url, "event_types": types, "description": (description or "").strip()[:200]}


@transaction.atomic
def create_subscription(principal, client, *, url: str, event_types, description: str = ""):
    """A subscription of `client`; returns it and its signing secret (shown once)."""
    _require_admin(principal)
    if not client.is_active:
        raise DomainError(_("This API client is revoked: it receives nothing."), code="revoked")
    cleaned = _clean(client, url=url, event_types=event_types, description=description)
    secret = signing.new_secret()
    subscription = Subscription.objects.create(
        client=client,
        secret=secret,
        created_by=principal.user if principal.user is not None and principal.user.is_authenticated else None,
        **cleaned,
    )
    audit.record("webhooks.create_subscription", subscription, after=_snapshot(subscription))
    return subscription, secret


@transaction.atomic
def update_subscription(principal, subscription, *, url: str, event_types, description: str = ""):
    _require_admin(principal)
    locked = Subscription.objects.select_for_update().select_related("client").get(pk=subscription.pk)
    cleaned = _clean(locked.client, url=url, event_types=event_types, description=description)
    before = _snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.save()
    audit.record("webhooks.update_subscription", locked, before=before, after=_snapshot(locked))
    return locked


@transaction.atomic
def disable_subscription(principal, subscription, *, reason: str = ""):
    _require_admin(principal)
    locked = Subscription.objects.select_for_update().select_related("client").get(pk=subscription.pk)
    if not locked.is_active:
        return locked
    _disable(
        locked,
        reason=(reason or "").strip() or gettext("Disabled by %(who)s.") % {"who": principal.label},
        automatic=False,
    )
    return locked


@transaction.atomic
def enable_subscription(principal, subscription):
    """Enable again: the failure count starts over and the paused deliveries still within their
    time are sent."""
    _require_admin(principal)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.is_active:
        return locked
    now = timezone.now()
    before = _snapshot(locked)
    locked.is_active = True
    locked.disabled_at = None
    locked.disabled_reason = ""
    locked.failure_count = 0
    locked.failing_since = None
    locked.save()
    Delivery.objects.filter(subscription=locked, status=Delivery.Status.PAUSED).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, updated_at=now
    )
    audit.record("webhooks.enable_subscription", locked, before=before, after=_snapshot(locked))
    enqueue_on_commit("webhooks.deliver")
    return locked


@transaction.atomic
def rotate_secret(principal, subscription) -> str:
    """A new signing secret (shown once); the old one stops signing at once."""
    _require_admin(principal)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    secret = signing.new_secret()
    locked.secret = secret
    locked.save(update_fields=["secret", "updated_at"])
    audit.record("webhooks.rotate_secret", locked, after={"rotated": True}, only_changes=False)
    return secret


def _require_active(subscription) -> None:
    if not subscription.is_active:
        raise DomainError(_("Enable the subscription before replaying its events."), code="disabled")


@transaction.atomic
def replay_delivery(principal, delivery):
    """Send one delivery again (delivered or failed): pending now, with a new 24 hours."""
    _require_admin(principal)
    locked = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    _require_active(locked.subscription)
    if locked.status in (Delivery.Status.PENDING, Delivery.Status.SENDING):
        raise DomainError(_("This delivery is already waiting to be sent."), code="pending")
    now = timezone.now()
    locked.status = Delivery.Status.PENDING
    locked.next_attempt_at = now
    locked.expires_at = now + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    locked.replays += 1
    locked.updated_at = now
    locked.save(update_fields=["status", "next_attempt_at", "expires_at", "replays", "updated_at"])
    audit.record(
        "webhooks.replay_delivery",
        locked.subscription,
        after={"delivery": locked.pk, "event": str(locked.event_id)},
    )
    enqueue_on_commit("webhooks.deliver")
    return locked


#: [POLICY] The longest time range replayed at once.
REPLAY_MAX_DAYS = 31


@transaction.atomic
def replay_range(principal, subscription, *, since: dt.datetime, until: dt.datetime) -> int:
    """Send again every event of [since, until] the subscription receives: those already
    delivered or failed, and those from before it existed. Returns the deliveries queued."""
    _require_admin(principal)
    locked = Subscription.objects.select_for_update().select_related("client").get(pk=subscription.pk)
    _require_active(locked)
    if since is None or until is None or since > until:
        raise DomainError(_("The start must be before the end."), field="since")
    if until - since > dt.timedelta(days=REPLAY_MAX_DAYS):
        raise DomainError(
            _("Replay at most %(days)s days at a time.") % {"days": REPLAY_MAX_DAYS}, field="until"
        )
    events = selectors.events_for_subscription(
        locked,
        Event.objects.filter(sequence__isnull=False, occurred_at__gte=since, occurred_at__lte=until),
        principal_for_api_client(locked.client),
    )
    if events is None:
        return 0
    now = timezone.now()
    expires = now + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    again = Delivery.objects.filter(
        subscription=locked,
        status__in=[Delivery.Status.DELIVERED, Delivery.Status.FAILED],
        event__in=events.values("pk"),
    ).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        expires_at=expires,
        replays=F("replays") + 1,
        updated_at=now,
    )
    added = _insert_deliveries(locked, events, now=now, expires=expires, on_conflict=True)
    audit.record(
        "webhooks.replay_range",
        locked,
        after={"since": since, "until": until, "queued": again + added},
        only_changes=False,
    )
    if again + added:
        enqueue_on_commit("webhooks.deliver")
    return again + added


# --- Retention ---------------------------------------------------------------------------------------


def purge_events(*, chunk: int = 5000) -> int:
    """[POLICY] Events (and their deliveries) older than WEBHOOK_EVENT_RETENTION_DAYS are deleted,
    a chunk per transaction. A feed cursor older than that misses them: a client that paused for
    longer re-reads the lists with `updated_since`."""
    cutoff = timezone.now() - dt.timedelta(days=settings.WEBHOOK_EVENT_RETENTION_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(Event.objects.filter(occurred_at__lt=cutoff).values_list("pk", flat=True)[:chunk])
            if not ids:
                return deleted
            Delivery.objects.filter(event_id__in=ids).delete()
            Event.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
