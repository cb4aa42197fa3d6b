"""Writing the audit trail. Call `record` inside the transaction of the change it describes, so
the event and the change commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from apps.core import bulk
from apps.core.context import actor_override_var, current_request, current_request_id
from apps.core.models import object_ref
from apps.core.net import client_address
from apps.core.tasks import enqueue_on_commit

from .models import AuditEvent


def _json_safe(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, FieldFile):
        return value.name or None
    return value


#: Never worth recording: secrets, and a timestamp that changes on every save.
ALWAYS_EXCLUDE = frozenset({"password", "updated_at"})

#: Webhooks and the event feed (issue 15): callables `hook(action, objects)` that `record` and
#: `record_many` call for every write, inside its transaction, after the audit event. The outbox
#: of apps.webhooks registers itself here (WebhooksConfig.ready()); audit imports no app above it.
WRITE_HOOKS: list = []


def _run_write_hooks(action: str, objects: list) -> None:
    for hook in WRITE_HOOKS:
        hook(action, objects)


def snapshot(obj, fields=None, exclude=()) -> dict:
    """A JSON-safe dict of a model instance's concrete fields (foreign keys as ids)."""
    data = {}
    skip = ALWAYS_EXCLUDE | set(exclude)
    for f in obj._meta.concrete_fields:
        if (fields and f.name not in fields) or f.name in skip:
            continue
        data[f.attname] = _json_safe(getattr(obj, f.attname))
    return data


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed."""
    if not before or not after:
        return before, after
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _actor():
    override = actor_override_var.get()
    if override is not None:
        user, label = override
        return user, None, label, None
    request = current_request()
    if request is None:
        return None, None, "system", None
    ip = client_address(request) or None
    # Read live rather than through the request's cached principal: a login view changes the user.
    client = getattr(request, "auth", None)
    if getattr(client, "is_api_client", False):
        return None, client, f"api:{client.name}", ip
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, None, user.get_username(), ip
    return None, None, "anonymous", ip


def record(
    action: str,
    obj=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    kind: str = AuditEvent.Kind.WRITE,
    note: str = "",
    on_behalf_of: str = "",
    only_changes: bool = True,
) -> AuditEvent:
    if kind == AuditEvent.Kind.WRITE and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    user, client, label, ip = _actor()
    if only_changes:
        before, after = diff(before, after)
    object_type, object_id = object_ref(obj)
    event = AuditEvent.objects.create(
        kind=kind,
        action=action,
        actor=user,
        api_client=client,
        actor_label=label[:150],
        on_behalf_of=on_behalf_of[:200],
        request_id=current_request_id() if current_request_id() != "-" else "",
        ip_address=ip,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        before=_json_safe(before),
        after=_json_safe(after),
        note=note,
    )
    if kind == AuditEvent.Kind.WRITE and obj is not None:
        _run_write_hooks(action, [obj])  # webhooks' outbox (issue 15)
    return event


def record_many(
    action: str, objects, *, after=None, kind: str = AuditEvent.Kind.WRITE, note: str = "", before=None
) -> int:
    """One audit event per object, written in one INSERT (bulk filings and imports). `after` is
    a function of the object returning its JSON-safe summary; `before` (corrections in bulk,
    issue 15) likewise, for what it was. Same rules as `record`."""
    if kind == AuditEvent.Kind.WRITE and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must run inside the transaction of the change it records")
    user, client, label, ip = _actor()
    request_id = current_request_id() if current_request_id() != "-" else ""
    objects = list(objects)  # read twice: the audit events, then the write hooks
    events = []
    for obj in objects:
        object_type, object_id = object_ref(obj)
        events.append(
            AuditEvent(
                kind=kind,
                action=action,
                actor=user,
                api_client=client,
                actor_label=label[:150],
                request_id=request_id,
                ip_address=ip,
                object_type=object_type,
                object_id=object_id,
                object_repr=str(obj)[:200],
                before=_json_safe(before(obj)) if before else None,
                after=_json_safe(after(obj)) if after else None,
                note=note,
            )
        )
    bulk.insert(AuditEvent, events)  # COPY on PostgreSQL: thousands of events in one statement
    if kind == AuditEvent.Kind.WRITE and objects:
        _run_write_hooks(action, objects)  # webhooks' outbox (issue 15): one bulk insert too
    return len(events)


def record_sensitive_view(obj, field_name: str, *, note: str = "") -> AuditEvent:
    """Log that the current principal saw `field_name` of `obj` in full (PIPL art. 28 data), and
    watch how many such views they make: past the hourly threshold, the park is alerted."""
    with transaction.atomic():
        event = record(
            f"view_full:{field_name}", obj, kind=AuditEvent.Kind.SENSITIVE_VIEW, note=note, only_changes=False
        )
        _watch_sensitive_views(event)
        return event


def record_sensitive_lookup(action: str, *, after: dict | None = None, note: str = "") -> AuditEvent:
    """Log a look-up that tells the principal something about a person without opening a record
    (the search box by ID number, issue 20: which modules hold the worker), and count it with the
    full views toward the hourly alert: a principal walking ID numbers through the box is bulk
    viewing too."""
    with transaction.atomic():
        event = record(
            action, None, kind=AuditEvent.Kind.SENSITIVE_VIEW, after=after, note=note, only_changes=False
        )
        _watch_sensitive_views(event)
        return event


def _watch_sensitive_views(event: AuditEvent) -> None:
    """[POLICY] `SENSITIVE_VIEWS_ALERT_PER_HOUR` full views of personal data by one principal in a
    clock hour are unusual (a client pulling every worker's number, a stolen session): the moment
    a principal reaches it, an audit event records it and the park's administrators are notified
    (once per principal and hour; `notifications.alert_sensitive_views`, queued by name)."""
    threshold = settings.SENSITIVE_VIEWS_ALERT_PER_HOUR
    if not threshold:
        return
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"sensitive-views:{hour}:{event.actor_label}"
    cache.add(key, 0, timeout=2 * 60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=2 * 60 * 60)
        count = 1
    if count != threshold:
        return
    alert = record(
        "audit.sensitive_views_threshold",
        None,
        kind=AuditEvent.Kind.SENSITIVE_VIEW,
        note=f"{event.actor_label}: {count} full views of personal data within the hour {hour}",
        only_changes=False,
    )
    enqueue_on_commit("notifications.alert_sensitive_views", str(alert.pk), event.actor_label, count)
