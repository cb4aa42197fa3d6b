from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Username/password authentication plus permissions from the user's membership roles
    (roles.ROLE_PERMISSIONS) on top of any granted through Django groups."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            roles = set(user_obj.memberships.values_list("role", flat=True))
            perms = set()
            for role in roles:
                perms |= ROLE_PERMISSIONS.get(role, frozenset())
            user_obj._role_perm_cache = perms | super().get_all_permissions(user_obj)
        return user_obj._role_perm_cache
