"""Roles and what each may do.

`Membership(user, organisation, role)` says *where* a user acts; this table says *what* a role
may do. It is code, reviewed with the modules that use it (docs/adr/0003-roles-in-code.md), and
`RoleBackend` turns it into ordinary Django permissions (`user.has_perm(...)`, `{{ perms }}`).
Modules add their permissions to ROLE_PERMISSIONS when they land.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARK_ADMIN = "park_admin", _("Park administrator")
    ENTERPRISE_HR = "enterprise_hr", _("Enterprise HR")
    UNION_OFFICIAL = "union_official", _("Union official")
    MEDIATOR = "mediator", _("Mediator")
    INSPECTOR = "inspector", _("Inspector")


_ADMIN_MODEL_PERMS = {
    f"{app}.{verb}_{model}"
    for app, model in [
        ("accounts", "organisation"),
        ("accounts", "membership"),
        ("accounts", "user"),
        ("core", "area"),
        ("core", "calendaroverride"),
    ]
    for verb in ("view", "add", "change", "delete")
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PARK_ADMIN: frozenset(
        _ADMIN_MODEL_PERMS
        | {
            "audit.view_auditevent",
            "accounts.view_apiclient",
            "documents.view_generateddocument",
            "core.view_park_dashboard",
            "api.view_docs",
            # Unlock accounts locked after failed logins (django-axes).
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
        }
    ),
    Role.ENTERPRISE_HR: frozenset({"accounts.view_organisation"}),
    Role.UNION_OFFICIAL: frozenset({"accounts.view_organisation"}),
    Role.MEDIATOR: frozenset({"accounts.view_organisation"}),
    Role.INSPECTOR: frozenset({"accounts.view_organisation"}),
}

#: Organisation kinds a role may be given in (a mediator belongs to a mediation organisation...).
ROLE_ORGANISATION_KINDS = {
    Role.PARK_ADMIN: {"park", "district"},
    Role.ENTERPRISE_HR: {"enterprise"},
    Role.UNION_OFFICIAL: {"union"},
    Role.MEDIATOR: {"mediation"},
    Role.INSPECTOR: {"inspection"},
}
