from django.contrib.auth.backends import ModelBackend

from apps.core.cache import cached_figures
from apps.core.principal import AUTH_TOPIC, principal_for_user

from .roles import ROLE_PERMISSIONS, ROLES_VERSION


class RoleBackend(ModelBackend):
    """Username/password authentication plus permissions from the user's membership roles
    (roles.ROLE_PERMISSIONS) on top of any granted through Django groups. The set is computed
    once and kept in the cache until a membership, group or permission changes (AUTH_TOPIC)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = cached_figures(
                f"permissions:{user_obj.pk}:{ROLES_VERSION}",
                [AUTH_TOPIC],
                lambda: self._compute(user_obj),
            )
        return user_obj._role_perm_cache

    def _compute(self, user_obj) -> frozenset:
        perms = set()
        for role in principal_for_user(user_obj).roles:
            perms |= ROLE_PERMISSIONS.get(role, frozenset())
        return frozenset(perms | super().get_all_permissions(user_obj))
