"""Writes for users, organisations, memberships and API clients."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.errors import DomainError

from .models import ApiClient, Membership, Organisation, User
from .roles import ROLE_ORGANISATION_KINDS, Role
from .scopes import SCOPES

KEY_PREFIX = "hp_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_membership(organisation: Organisation, role: str) -> None:
    """The role must exist and fit the organisation's kind (a mediator belongs to a mediation
    organisation, enterprise HR to an enterprise...). Used by the service and the admin form."""
    if role not in Role.values:
        raise DomainError(_("Unknown role “%(role)s”.") % {"role": role}, field="role")
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise DomainError(
            _("The role “%(role)s” cannot be given in an organisation of kind “%(kind)s”.")
            % {"role": Role(role).label, "kind": organisation.get_kind_display()},
            field="role",
        )


@transaction.atomic
def add_membership(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give `user` a role in `organisation`."""
    check_membership(organisation, role)
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit.record("accounts.add_membership", membership, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def create_api_client(*, name: str, scopes: list[str], area=None, created_by=None) -> tuple[ApiClient, str]:
    """Create a district-system client. Returns the client and its key, which is not stored and
    cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise DomainError(
            _("Unknown scopes: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(sorted(SCOPES))},
            field="scopes",
        )
    if not scopes:
        raise DomainError(_("Give at least one scope."), field="scopes")
    if ApiClient.objects.filter(name=name).exists():
        raise DomainError(_("An API client named “%(name)s” already exists.") % {"name": name}, field="name")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        name=name,
        key_prefix=prefix,
        key_hash=_digest(key),
        scopes=sorted(set(scopes)),
        area=area,
        created_by=created_by,
    )
    audit.record("accounts.create_api_client", client, after=audit.snapshot(client, exclude=("key_hash",)))
    return client, key


def authenticate_api_key(key: str) -> ApiClient | None:
    """The active client owning `key`, or None. Constant-time comparison of the digest."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    prefix = key[len(KEY_PREFIX) :].split("_", 1)[0]
    client = ApiClient.objects.filter(key_prefix=prefix, is_active=True).select_related("area").first()
    if client is None or not hmac.compare_digest(client.key_hash, _digest(key)):
        return None
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)  # bookkeeping, not audited
    return client


@transaction.atomic
def revoke_api_client(client: ApiClient) -> ApiClient:
    before = audit.snapshot(client, exclude=("key_hash",))
    client.is_active = False
    client.save(update_fields=["is_active", "updated_at"])
    audit.record(
        "accounts.revoke_api_client",
        client,
        before=before,
        after=audit.snapshot(client, exclude=("key_hash",)),
    )
    return client


@transaction.atomic
def set_language_preference(user: User, language: str) -> User:
    if user.language == language:
        return user
    before = {"language": user.language}
    user.language = language
    user.save(update_fields=["language"])
    audit.record("accounts.set_language", user, before=before, after={"language": language})
    return user
