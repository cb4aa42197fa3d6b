"""`make run`: SQLite, eager Celery, console e-mail. No services needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Static files come from the finders (runserver / live_server); no collectstatic needed here.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
DEMO_DATA_ALLOWED = True
# Webhooks (issue 15): a receiver on this machine may be plain http.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=True)
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=True)
# Covering indexes (INCLUDE columns: the certificate look-up, the cockpit's signing rate) are a
# PostgreSQL optimisation; on `make run`'s SQLite they are plain indexes, which is all it needs.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "models.W040"]  # noqa: F405
