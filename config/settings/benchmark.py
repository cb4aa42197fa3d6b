"""The benchmark's server (`manage.py benchmark` runs gunicorn with these): production's
database pool, Redis cache and broker and DEBUG off, but plain HTTP on loopback, the personal-data
keys the district-scale data set was made with (the development defaults unless the environment
sets them), and the `X-Query-Count` header. Never for a real deployment."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # As in production (config/settings/production.py): psycopg 3 pool, no persistent connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": 10,
    }
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"  # as in production
MIDDLEWARE = ["apps.core.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
