"""Production: PostgreSQL with Django's connection pool, Redis, whitenoise, HTTPS only.

Refuses to start with DEBUG on or without a real SECRET_KEY."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DATABASE_REPLICA_ENABLED,
    INSECURE_DEFAULT_SECRET_KEY,
    PERSONAL_DATA_HASH_KEY,
    PERSONAL_DATA_KEYS,
    SECRET_KEY,
    SITE_URL,
    env,
)

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG).")
if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
if not PERSONAL_DATA_KEYS or len(PERSONAL_DATA_HASH_KEY) < 32:
    raise ImproperlyConfigured(
        "Set PERSONAL_DATA_KEYS (Fernet keys, comma-separated, newest first) and PERSONAL_DATA_HASH_KEY "
        "(at least 32 random characters): ID numbers are encrypted and hashed with them."
    )
# Site URL (issue 15): absolute links in API answers, certificate QR codes and e-mails are built
# from it; without it they would point at the development default (127.0.0.1).
if not (env("SITE_URL", default="") or env("PUBLIC_BASE_URL", default="")):
    raise ImproperlyConfigured(
        "Set SITE_URL to the address users reach the platform at, e.g. https://hr.park.gov.cn: links in "
        "API answers, certificate QR codes and e-mails are built from it."
    )
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname or _site.path or _site.query:
    raise ImproperlyConfigured(
        f"SITE_URL must be a scheme and a host, e.g. https://hr.park.gov.cn (not {SITE_URL})."
    )
# MLPS 2.0 level 3 (GB/T 22239-2019 §8.1.4.1 d): two factors for administrators. Park
# administrators and superusers must confirm a TOTP device after the password (apps/accounts).
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=True)

DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASE_REPLICA_ENABLED:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # psycopg 3 connection pool (docs/adr/0002-psycopg3.md); persistent connections must stay off.
        _database["CONN_MAX_AGE"] = 0
        _database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN", default=2),
            "max_size": env.int("DB_POOL_MAX", default=10),
            "timeout": 10,
        }
        # Pages run short queries: PostgreSQL's JIT compilation costs more than it saves there
        # (measured: 190 ms added to a 5 ms count, docs/performance.md).
        _database["OPTIONS"]["options"] = "-c jit=off"
        # A database that does not answer fails a new connection after this many seconds instead
        # of the operating system's TCP timeout (minutes). /healthz uses its own, shorter one.
        _database["OPTIONS"]["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's probe reaches the backend over plain HTTP: /healthz answers it, not a 301.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
