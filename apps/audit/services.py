"""Writing the audit trail. Call `record` inside the transaction of the change it describes, so
the event and the change commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from apps.core.context import actor_override_var, current_request, current_request_id
from apps.core.models import object_ref

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
    ip = request.META.get("REMOTE_ADDR")
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
    return AuditEvent.objects.create(
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


def record_many(
    action: str, objects, *, after=None, kind: str = AuditEvent.Kind.WRITE, note: str = ""
) -> int:
    """One audit event per object, written in one INSERT (bulk filings and imports). `after` is
    a function of the object returning its JSON-safe summary. Same rules as `record`."""
    if kind == AuditEvent.Kind.WRITE and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must run inside the transaction of the change it records")
    user, client, label, ip = _actor()
    request_id = current_request_id() if current_request_id() != "-" else ""
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
                after=_json_safe(after(obj)) if after else None,
                note=note,
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def record_sensitive_view(obj, field_name: str, *, note: str = "") -> AuditEvent:
    """Log that the current principal saw `field_name` of `obj` in full (PIPL art. 28 data)."""
    with transaction.atomic():
        return record(
            f"view_full:{field_name}", obj, kind=AuditEvent.Kind.SENSITIVE_VIEW, note=note, only_changes=False
        )
