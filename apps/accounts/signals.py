"""Cache invalidation only (no rule lives here): when a membership, a group or a permission
changes, the cached memberships and permission sets of every user are computed again
(`apps.core.principal.AUTH_TOPIC`), so a role taken away ends with the next request."""

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.core.cache import figures_changed
from apps.core.principal import AUTH_TOPIC

from .models import Membership, User


def _auth_changed(sender, **kwargs):
    figures_changed(AUTH_TOPIC)


def connect() -> None:
    # Not organisations: their saves are frequent (the registry keeps them in step) and their kind,
    # the only part of them a principal holds, does not change in practice (10 minutes at most).
    for model in (Membership, User):
        post_save.connect(_auth_changed, sender=model, dispatch_uid=f"auth-changed-save-{model.__name__}")
        post_delete.connect(_auth_changed, sender=model, dispatch_uid=f"auth-changed-delete-{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_auth_changed, sender=through, dispatch_uid=f"auth-changed-{through.__name__}")
