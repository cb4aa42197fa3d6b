"""`make test`: PostgreSQL and Redis from the environment (scripts/test-services.sh sets them)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, REST_FRAMEWORK, env

DEBUG = False
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/postgres")}
# A second alias for the replica router's test (tests/core/test_db_router.py), mirroring the test
# database; reads go there only where that test turns DATABASE_REPLICA_ENABLED on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_REPLICA_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True  # the integration test starts a real worker and turns this off
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Throttles stay on but high, so tests that hammer an endpoint can lower them explicitly.
REST_FRAMEWORK = {**REST_FRAMEWORK}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Static files come from the finders (runserver / live_server); no collectstatic needed here.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
DEMO_DATA_ALLOWED = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
# Webhooks (issue 15): the tests' receivers listen on http://127.0.0.1.
WEBHOOK_ALLOW_HTTP = True
WEBHOOK_ALLOW_LOOPBACK = True  # the test receivers listen on 127.0.0.1
