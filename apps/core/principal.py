"""Who is acting: a logged-in user or a district system's API client.

Every selector takes a Principal, and every scoped queryset's `visible_to(principal)` reads only
the attributes here, so pages, API, exports and PDFs answer the same question the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .cache import cached_figures
from .models import Area

#: The cache topic of who belongs where and may do what (memberships, groups, permissions): every
#: change of them moves it on (apps/accounts/signals.py), so a revoked role ends at once.
AUTH_TOPIC = "auth"


class Role(models.TextChoices):
    """The roles of a membership. What each may do is `apps.accounts.roles.ROLE_PERMISSIONS`."""

    PARK_ADMIN = "park_admin", _("Park administrator")
    ENTERPRISE_HR = "enterprise_hr", _("Enterprise HR")
    UNION_OFFICIAL = "union_official", _("Union official")
    MEDIATOR = "mediator", _("Mediator")
    INSPECTOR = "inspector", _("Inspector")
    #: A leader of the park or the district (issue 20): reads the cockpit and the reports, the
    #: park's figures without any record behind them.
    LEADER = "leader", _("Leader (figures only)")


@dataclass(frozen=True)
class Principal:
    user: object | None = None
    api_client: object | None = None
    #: (organisation id, organisation kind, role) for each membership of the user.
    memberships: tuple[tuple, ...] = ()
    scopes: frozenset[str] = field(default_factory=frozenset)
    #: For API clients with a district restriction: the area and the areas below it.
    area_ids: frozenset = field(default_factory=frozenset)
    #: The platform itself (scheduled jobs): sees everything and passes role checks; guards and
    #: the state table still apply. Never built from a request.
    is_system: bool = False
    #: Facts derived from the memberships that cost a query (e.g. the unions below an official's
    #: union), worked out once per principal, i.e. once per request: see `remembered`.
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def remembered(self, key: str, compute):
        """`compute()` the first time `key` is asked for on this principal, the same value after:
        a page that asks a "may X?" per row runs its query once. A principal lives for one request
        or task (`principal_for_request`); the shared ANONYMOUS and SYSTEM principals remember
        nothing."""
        if self is ANONYMOUS or self is SYSTEM:
            return compute()
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def is_api_client(self) -> bool:
        return self.api_client is not None

    @property
    def is_authenticated(self) -> bool:
        return (
            self.is_system
            or self.api_client is not None
            or (self.user is not None and self.user.is_authenticated)
        )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _, _, role in self.memberships)

    def has_role(self, *roles) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_park_admin(self) -> bool:
        return self.is_system or bool(self.user and self.user.is_superuser) or self.has_role(Role.PARK_ADMIN)

    @property
    def sees_everything(self) -> bool:
        """Park administrators see the whole park; an API client with no area restriction sees
        what its scopes allow across the park."""
        return self.is_park_admin

    def organisation_ids(self, *roles) -> frozenset:
        return frozenset(org for org, _, role in self.memberships if not roles or role in roles)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def label(self) -> str:
        if self.is_system:
            return "system"
        if self.api_client is not None:
            return f"api:{self.api_client.name}"
        if self.user is not None and self.user.is_authenticated:
            return self.user.get_username()
        return "anonymous"


ANONYMOUS = Principal()
#: The principal of scheduled jobs (e.g. certifying when a public notice ends).
SYSTEM = Principal(is_system=True)


def principal_for_user(user) -> Principal:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_principal_cache", None)
    if cached is not None:
        return cached
    rows = cached_figures(
        f"memberships:{user.pk}",
        [AUTH_TOPIC],
        lambda: tuple(user.memberships.values_list("organisation_id", "organisation__kind", "role")),
    )
    principal = Principal(user=user, memberships=rows)
    user._principal_cache = principal
    return principal


def principal_for_api_client(client) -> Principal:
    area_ids = frozenset()
    if client.area_id:
        # One filter, not a UNION of two ordered querysets: `Area` is ordered by code, and SQLite
        # refuses ORDER BY inside a compound statement (every call of such a client was a 500).
        area_ids = frozenset(
            Area.objects.filter(models.Q(pk=client.area_id) | models.Q(parent_id=client.area_id))
            .order_by()
            .values_list("pk", flat=True)
        )
    return Principal(api_client=client, scopes=frozenset(client.scopes), area_ids=area_ids)


def principal_for_request(request) -> Principal:
    """The principal of a Django or DRF request (DRF copies user and auth onto the HttpRequest)."""
    cached = getattr(request, "_principal", None)
    if cached is not None:
        return cached
    client = getattr(request, "auth", None)
    # `accounts.ApiClient` marks itself; session requests have no `auth`.
    if getattr(client, "is_api_client", False):
        principal = principal_for_api_client(client)
    else:
        principal = principal_for_user(getattr(request, "user", None))
    request._principal = principal
    return principal
