"""Writes for users, organisations, memberships and API clients."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# --- Login: password spraying and lockouts -------------------------------------------------------
# OWASP ASVS 4 §2.2.1: anti-automation against credential stuffing and password spraying. django-axes
# locks a (username, address) pair after AXES_FAILURE_LIMIT failures; this counter refuses an
# address that failed LOGIN_SPRAY_LIMIT times across any usernames within the window.

_SPRAY_COUNT = "login-spray:count:%s"
_SPRAY_BLOCK = "login-spray:block:%s"


def login_refused_for(address: str) -> bool:
    """True while `address` is refused logins for password spraying."""
    return bool(address) and cache.get(_SPRAY_BLOCK % address) is not None


def record_login_failure(address: str) -> int:
    """Count one failed login from `address`; at the limit, refuse the address for a window.
    Returns the count in the current window."""
    if not address:
        return 0
    window = settings.LOGIN_SPRAY_WINDOW_SECONDS
    key = _SPRAY_COUNT % address
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    if count >= settings.LOGIN_SPRAY_LIMIT:
        cache.set(_SPRAY_BLOCK % address, count, window)
    return count


@transaction.atomic
def lift_lock(principal, attempt_id) -> AccessAttempt:
    """Lift a login lock (a django-axes access attempt). Park administrators only; audited."""
    if not principal.is_park_admin:
        raise DomainError(_("Only a park administrator can lift a login lock."))
    attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise DomainError(_("This lock no longer exists."))
    before = {
        "username": attempt.username,
        "ip_address": attempt.ip_address,
        "failures_since_start": attempt.failures_since_start,
        "attempt_time": attempt.attempt_time.isoformat(),
    }
    user = User.objects.filter(username=attempt.username).first()
    attempt.delete()
    audit.record("accounts.lift_lock", user, before=before, after={"lifted": True}, only_changes=False)
    return attempt


# --- Second factor (TOTP, django-otp) -----------------------------------------------------------
# MLPS 2.0 level 3 (GB/T 22239-2019 §8.1.4.1 d) asks for two factors for administrators; OWASP ASVS
# 4 §2.8 (time-based one-time passwords) and §2.6 (recovery codes, each usable once).

RECOVERY_CODES = 10
# The session key that says a logged-in session still owes its second factor, and what it must do.
OTP_PENDING = "_otp_pending"
OTP_VERIFY, OTP_SETUP = "verify", "setup"


def second_factor_required(user) -> bool:
    """Park administrators and superusers must have a confirmed TOTP device when
    OTP_REQUIRED_FOR_ADMINS is on (production); everybody else may add one."""
    if not settings.OTP_REQUIRED_FOR_ADMINS or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Role.PARK_ADMIN).exists()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def start_totp_setup(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device the user is setting up (a new secret, or the pending one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def confirm_totp(user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending TOTP device with a code from the app; replace any earlier device and
    issue fresh recovery codes (returned once, never shown again)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise DomainError(_("Start the set-up again: no pending authenticator was found."), field="token")
    if not (token or "").strip().isdigit() or not device.verify_token(token.strip()):
        raise DomainError(
            _("The code is wrong or has expired. Enter the current 6-digit code."), field="token"
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(
        "accounts.confirm_totp", user, after={"totp_device": device.pk, "recovery_codes": len(codes)}
    )
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    if not has_second_factor(user):
        raise DomainError(_("Set up an authenticator app first."))
    codes = _new_recovery_codes(user)
    audit.record("accounts.regenerate_recovery_codes", user, after={"recovery_codes": len(codes)})
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_second_factor(user: User, token: str):
    """The device (TOTP or recovery code) that accepts `token`, or None. A recovery code is used up."""
    token = (token or "").strip().replace(" ", "").replace("-", "")
    if not token:
        return None
    with transaction.atomic():
        for device in list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
            StaticDevice.objects.filter(user=user, confirmed=True)
        ):
            if device.verify_token(token):
                if isinstance(device, StaticDevice):
                    audit.record("accounts.use_recovery_code", user, after={"left": device.token_set.count()})
                return device
    return None
