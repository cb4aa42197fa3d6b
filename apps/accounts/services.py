"""Writes for users, organisations, memberships and API clients."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit import services as audit
from apps.core.errors import DomainError, InvalidTransition, NotAllowed, raise_fields

from .models import ApiClient, Membership, Organisation, User
from .roles import ROLE_ORGANISATION_KINDS, Role
from .scopes import AUDIT_SCOPE, SCOPES
from .selectors import USAGE_TTL_SECONDS, usage_key

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


# --- API clients (issue 15: created, rotated and revoked on the park's pages) -------------------

#: [POLICY] How long a rotated key keeps working by default, and at most: long enough for a district
#: system's operator to deploy the new key, short enough that a leaked old key dies soon.
ROTATION_GRACE_HOURS = 24
ROTATION_GRACE_MAX_HOURS = 7 * 24
#: Last use is written at most this often per client (a bookkeeping write, not one per request).
LAST_USE_EVERY_SECONDS = 60
#: Never in an audit snapshot: the digests of the current and the previous key.
_SECRET_FIELDS = ("key_hash", "previous_key_hash")


def _client_snapshot(client: ApiClient) -> dict:
    return audit.snapshot(client, exclude=_SECRET_FIELDS)


def _require_park_admin(principal) -> None:
    """API clients are managed by park administrators (and by `manage.py`, acting as SYSTEM)."""
    if principal is None or not principal.is_park_admin:
        raise NotAllowed(_("Only a park administrator can manage API clients."))


def _new_key() -> tuple[str, str]:
    """A fresh (prefix, key): 8 hex characters for the look-up, 256 random bits for the secret.
    The prefix is unique among the current and previous keys of every client."""
    while True:
        prefix = secrets.token_hex(4)
        taken = ApiClient.objects.filter(Q(key_prefix=prefix) | Q(previous_key_prefix=prefix)).exists()
        if not taken:
            return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def expiry_from_date(day: dt.date | None) -> dt.datetime | None:
    """A key "valid until" `day` (inclusive) expires at the next local midnight."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _clean_client_fields(scopes, area, expires_at, *, now) -> list[str]:
    """The scopes sorted and de-duplicated; a DomainError naming every invalid field otherwise."""
    scopes = list(scopes or [])
    errors = {}
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        errors["scopes"] = [
            _("Unknown scopes: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(sorted(SCOPES))}
        ]
    elif not scopes:
        errors["scopes"] = [_("Give at least one scope.")]
    elif area is not None and AUDIT_SCOPE in scopes:
        # The audit trail is not divided by area: a district-restricted client would read the
        # events of objects outside its area (apps.audit.models.AuditEventQuerySet.visible_to).
        errors["scopes"] = [
            _("The scope “%(scope)s” cannot be given to a client restricted to an area.")
            % {"scope": AUDIT_SCOPE}
        ]
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    raise_fields(errors)
    return sorted(set(scopes))


@transaction.atomic
def create_api_client(
    *, name: str, scopes: list[str], area=None, created_by=None, expires_at=None, principal=None
) -> tuple[ApiClient, str]:
    """Create a district-system client. Returns the client and its key, which is not stored and
    cannot be shown again. `principal` (the park's pages) must be a park administrator; the
    management command and the tests call it without one."""
    if principal is not None:
        _require_park_admin(principal)
    now = timezone.now()
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > ApiClient._meta.get_field("name").max_length:
        raise DomainError(_("The name is too long (100 characters at most)."), field="name")
    scopes = _clean_client_fields(scopes, area, expires_at, now=now)
    if ApiClient.objects.filter(name=name).exists():
        raise DomainError(_("An API client named “%(name)s” already exists.") % {"name": name}, field="name")
    prefix, key = _new_key()
    client = ApiClient.objects.create(
        name=name,
        key_prefix=prefix,
        key_hash=_digest(key),
        key_issued_at=now,
        scopes=scopes,
        area=area,
        expires_at=expires_at,
        created_by=created_by,
    )
    audit.record("accounts.create_api_client", client, after=_client_snapshot(client))
    return client, key


def _locked(client: ApiClient) -> ApiClient:
    return ApiClient.objects.select_for_update().get(pk=client.pk)


@transaction.atomic
def update_api_client(principal, client: ApiClient, *, scopes, area, expires_at) -> ApiClient:
    """Change what a client may do (scopes), where (area) and until when (expiry)."""
    _require_park_admin(principal)
    locked = _locked(client)
    if not locked.is_active:
        raise InvalidTransition(_("A revoked API client cannot be changed."))
    before = _client_snapshot(locked)
    now = timezone.now()
    # An expiry already passed may stay as it is (the page shows it); a new one must lie ahead.
    new_expiry = expires_at if expires_at != locked.expires_at else None
    locked.scopes = _clean_client_fields(scopes, area, new_expiry, now=now)
    locked.area = area
    locked.expires_at = expires_at
    locked.save(update_fields=["scopes", "area", "expires_at", "updated_at"])
    audit.record("accounts.update_api_client", locked, before=before, after=_client_snapshot(locked))
    return locked


@transaction.atomic
def rotate_api_client_key(
    principal, client: ApiClient, *, grace_hours: int = ROTATION_GRACE_HOURS, expected_prefix: str = ""
) -> tuple[ApiClient, str]:
    """Issue a new key, shown once. The previous key keeps working for `grace_hours` (0: it stops
    at once); a key replaced earlier and still in its grace period stops now. `expected_prefix`
    (the page sends the prefix it showed) refuses a second rotation from a re-sent form."""
    _require_park_admin(principal)
    locked = _locked(client)
    if not locked.is_active:
        raise InvalidTransition(_("A revoked API client cannot get a new key."))
    if expected_prefix and expected_prefix != locked.key_prefix:
        raise InvalidTransition(_("The key has been replaced in the meantime; look at the client again."))
    if not isinstance(grace_hours, int) or not 0 <= grace_hours <= ROTATION_GRACE_MAX_HOURS:
        raise DomainError(
            _("The grace period is from 0 to %(max)s hours.") % {"max": ROTATION_GRACE_MAX_HOURS},
            field="grace_hours",
        )
    before = _client_snapshot(locked)
    now = timezone.now()
    prefix, key = _new_key()
    locked.previous_key_prefix = locked.key_prefix
    locked.previous_key_hash = locked.key_hash
    locked.previous_key_valid_until = now + dt.timedelta(hours=grace_hours)
    locked.key_prefix = prefix
    locked.key_hash = _digest(key)
    locked.key_issued_at = now
    locked.save(
        update_fields=[
            "previous_key_prefix",
            "previous_key_hash",
            "previous_key_valid_until",
            "key_prefix",
            "key_hash",
            "key_issued_at",
            "updated_at",
        ]
    )
    audit.record(
        "accounts.rotate_api_client_key",
        locked,
        before=before,
        after=_client_snapshot(locked),
        note=f"grace period: {grace_hours} h",
    )
    return locked, key


@transaction.atomic
def revoke_api_client(principal, client: ApiClient, *, reason: str) -> ApiClient:
    """Revoke a client for good: its keys (current and previous) answer 401 `key_revoked`. Who,
    when and why are kept on the client and in the audit trail."""
    _require_park_admin(principal)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the client is revoked."), field="reason")
    locked = _locked(client)
    if not locked.is_active:
        raise InvalidTransition(_("This API client is already revoked."))
    before = _client_snapshot(locked)
    locked.is_active = False
    locked.revoked_at = timezone.now()
    locked.revoked_by = principal.user if principal.user is not None and principal.user.pk else None
    locked.revoked_reason = reason[:2000]
    locked.save(update_fields=["is_active", "revoked_at", "revoked_by", "revoked_reason", "updated_at"])
    audit.record("accounts.revoke_api_client", locked, before=before, after=_client_snapshot(locked))
    return locked


class ApiKeyRefused(Exception):
    """A key that is not accepted, with the machine-readable reason the API answers (401)."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


def check_api_key(key: str, now: dt.datetime | None = None) -> ApiClient:
    """The client owning `key` (its current key, or the previous one during the grace period of a
    rotation), or ApiKeyRefused: `invalid_key` (unknown, malformed or wrong), `key_revoked`,
    `key_expired` or `key_replaced` (the previous key after its grace period). The digest is
    compared in constant time, and the client's state is told only to a caller holding a key that
    matches. One query; counting the request costs a cache increment, not a database write."""
    now = now or timezone.now()
    invalid = ApiKeyRefused("invalid_key", _("Invalid API key."))
    if not key or not key.startswith(KEY_PREFIX):
        raise invalid
    prefix = key[len(KEY_PREFIX) :].split("_", 1)[0]
    if not prefix:
        raise invalid
    digest = _digest(key)
    candidates = ApiClient.objects.filter(
        Q(key_prefix=prefix) | Q(previous_key_prefix=prefix)
    ).select_related("area")
    for client in candidates:
        current = client.key_prefix == prefix and hmac.compare_digest(client.key_hash, digest)
        previous = (
            not current
            and client.previous_key_prefix == prefix
            and bool(client.previous_key_hash)
            and hmac.compare_digest(client.previous_key_hash, digest)
        )
        if not (current or previous):
            continue
        status = client.status_at(now)
        if status == ApiClient.Status.REVOKED:
            raise ApiKeyRefused("key_revoked", _("This API key has been revoked."))
        if status == ApiClient.Status.EXPIRED:
            raise ApiKeyRefused("key_expired", _("This API key has expired."))
        if previous and not client.previous_key_works_at(now):
            raise ApiKeyRefused(
                "key_replaced",
                _("This API key has been replaced by a new one and its grace period has ended."),
            )
        _note_use(client, now)
        return client
    raise invalid


def authenticate_api_key(key: str) -> ApiClient | None:
    """The client owning `key` if it is accepted now, else None (see `check_api_key`)."""
    try:
        return check_api_key(key)
    except ApiKeyRefused:
        return None


def _note_use(client: ApiClient, now: dt.datetime) -> None:
    """Count the request (cache INCR) and stamp the last use at most once a minute per client
    (the cache's `add` lets one process of many write it)."""
    key = usage_key(client.pk, timezone.localdate(now))
    if not cache.add(key, 1, USAGE_TTL_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired or evicted between add and incr
            cache.set(key, 1, USAGE_TTL_SECONDS)
    stale = (
        client.last_used_at is None or (now - client.last_used_at).total_seconds() >= LAST_USE_EVERY_SECONDS
    )
    if stale and cache.add(f"api-client-last-use:{client.pk}", 1, LAST_USE_EVERY_SECONDS):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)  # bookkeeping, not audited
        client.last_used_at = now


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
