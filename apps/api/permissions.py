"""Who may call an endpoint.

Each view declares `required_scopes`: a dict from DRF action (or HTTP method) to the scope an
API client needs, e.g. {"list": "enterprises:read", "create": "enterprises:write"}, or a tuple of
scopes any one of which will do. Users logged in
through the session are checked against `required_perms` the same way (None = any signed-in user;
what they then see is decided by scoping). A missing key is 401 (authentication), a missing scope
or permission 403.
"""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from apps.core.principal import principal_for_request


def _lookup(mapping, view, request):
    if not mapping:
        return None
    action = getattr(view, "action", None)
    if action and action in mapping:
        return mapping[action]
    if request.method in mapping:
        return mapping[request.method]
    return mapping.get("*")


class HasScopeOrRole(BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        principal = principal_for_request(request)
        if principal.is_api_client:
            scope = _lookup(getattr(view, "required_scopes", None), view, request)
            if scope is None:
                # An endpoint without a declared scope is open to every client only if it says so.
                if getattr(view, "any_client", False):
                    return True
                self.message = _("This endpoint is not available to API clients.")
                return False
            # District intake (issue 15): a tuple of scopes means "any one of them" (e.g. a case is
            # read with `mediation:read`, or by the client that sent it with `mediation:intake`).
            if isinstance(scope, tuple):
                if not any(principal.has_scope(one) for one in scope):
                    self.message = _("The API client lacks one of the scopes “%(scopes)s”.") % {
                        "scopes": "”, “".join(scope)
                    }
                    return False
                return True
            if not principal.has_scope(scope):
                self.message = _("The API client lacks the scope “%(scope)s”.") % {"scope": scope}
                return False
            return True
        perm = _lookup(getattr(view, "required_perms", None), view, request)
        if perm and not request.user.has_perm(perm):
            self.message = _("Your role does not allow this.")
            return False
        return True
