"""Named actions with history and audit: the one writer of every lifecycle table
(`apps.core.workflow.Workflow`) of the domain modules."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.workflow import Workflow

from . import services as audit


@transaction.atomic
def transition(
    obj, workflow: Workflow, action: str, principal, *, reason: str = "", changes: dict | None = None
):
    """Perform `action` on `obj` through `workflow`.

    Locks the row (SELECT ... FOR UPDATE) and checks the table again on the locked row, so two
    people acting at once leave exactly one result: the second sees the new status and is refused.
    Writes the status, any `changes`, a history row (``obj.history`` related manager, a
    ``StatusHistory`` subclass) and an audit event, all in one transaction. Returns the fresh object.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    t = workflow.check(locked, action, principal)
    reason = (reason or "").strip()
    if t.needs_reason and not reason:
        raise DomainError(_("Give a reason for “%(action)s”.") % {"action": t.label}, field="reason")
    before = audit.snapshot(locked)
    from_status = workflow.state_of(locked)
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    setattr(locked, workflow.state_field, t.target)
    locked.save()
    user = principal.user if principal.user is not None and principal.user.is_authenticated else None
    locked.history.create(
        action=t.action,
        from_status=from_status,
        to_status=t.target,
        actor=user,
        actor_label=principal.label,
        reason=reason,
    )
    audit.record(
        f"{locked._meta.app_label}.{t.action}",
        locked,
        before=before,
        after=audit.snapshot(locked),
        note=reason,
    )
    return locked
