"""Settings shared by every environment. Everything that differs per deployment comes from the
environment (12-factor); see README.md for the variables."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# The default secret key is only good for local development and tests; production refuses it.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.documents",
    "apps.notifications",
    "apps.webhooks",  # webhooks and the event feed (issue 15)
    "apps.enterprises",
    "apps.unions",
    "apps.certification",
    "apps.mediation",
    "apps.contracts",
    "apps.inspection",
    "apps.risk",  # the risk watch list (issue 17)
    "apps.assistance",  # the hardship file and aid (issue 19)
    "apps.legalaid",  # legal aid (issue 19)
    "apps.appeals",  # enterprise appeals (issue 19)
    "apps.cockpit",  # the park's cockpit and the statistics API (issue 20)
    "apps.reports",  # periodic park reports (issue 20)
    "apps.api",
    "apps.dashboard",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the headers too.
    "apps.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    # Rate-limit headers: X-RateLimit-* from the principal's throttle on API responses (issue 15).
    "apps.api.middleware.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.SessionLifetimeMiddleware",
    "apps.accounts.middleware.SecondFactorMiddleware",
    # Idempotency-Key on API POSTs (issue 15): after authentication (a session user is known) and
    # the locale (its own errors in the caller's language); apps/api/idempotency.py.
    "apps.api.idempotency.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.dashboard.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A streaming replica for reports, exports and API bulk pulls (apps/core/db.py).
DATABASE_REPLICA_ENABLED = bool(env("DATABASE_REPLICA_URL", default=""))
if DATABASE_REPLICA_ENABLED:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
DATABASE_ROUTERS = ["apps.core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out user is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # OWASP ASVS 4 §2.1.1: at least 12 characters.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions (apps/accounts/middleware.py; OWASP ASVS 4 §3.3.2): they end after 30 minutes idle,
# 12 hours after the login however active the user is, and when the browser closes. The session
# is written at most once a minute to keep the idle clock, not on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_TOUCH_INTERVAL = 60
SESSION_SAVE_EVERY_REQUEST = False
# Read from the cache (Redis in production), written through to the database: no query per page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# The client's address (apps/core/net.py, ADR 0018): X-Forwarded-For is believed only when the
# connection comes from one of these networks (CIDRs of the reverse proxies in front of gunicorn).
# Empty: no proxy is trusted and the socket's address is the client's.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Lockout after repeated failed logins (django-axes): 5 failures for one username from one address
# lock that pair for 30 minutes. Per pair, not per username: nobody can lock another person's
# account from elsewhere; not per address alone: park offices share one NAT address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "apps.core.net.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Password spraying (many usernames from one address): LOGIN_SPRAY_LIMIT failed logins from one
# address, whatever the usernames, within LOGIN_SPRAY_WINDOW_SECONDS refuse that address's logins
# for the rest of the window (apps.accounts.services.login_refused_for).
LOGIN_SPRAY_LIMIT = env.int("LOGIN_SPRAY_LIMIT", default=20)
LOGIN_SPRAY_WINDOW_SECONDS = env.int("LOGIN_SPRAY_WINDOW_SECONDS", default=15 * 60)
# TOTP second factor (django-otp): required for park administrators and superusers when True
# (production settings), optional for everybody else.
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Park labour relations")
SILENCED_SYSTEM_CHECKS: list[str] = []  # axes.W006 no longer needed: the lockout includes the address

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Cache, Celery ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "apps.core.redis_cache.ReusingRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits (docs/security.md, "Operations"): every task has a hard limit, these defaults or its
# own (documents.render 3 min, notifications.send_email 2 min, enterprises.confirm_import 30 min,
# contracts.run_import 3 h: CELERY_LONGEST_TASK_SECONDS).
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_LONGEST_TASK_SECONDS = 3 * 60 * 60
# A message taken by a worker that dies (acks_late: not yet acknowledged) goes back to the queue
# after the visibility timeout. It must exceed the longest task, or Redis would hand a long import
# to a second worker while the first still runs it (kombu's default is one hour). Short tasks left
# by a dead worker are re-queued sooner by the `*-requeue-stuck*` beat jobs (STUCK_JOB_SECONDS).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONGEST_TASK_SECONDS + 15 * 60}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONGEST_TASK_SECONDS + 15 * 60}
# A job whose row has not moved for this long is taken for lost (its worker died, its message was
# lost) and queued again by the beat job; every re-queue is audited ("<app>.requeued"). Documents
# and enterprise imports: longer than the task's hard limit, so the first run is certainly over
# (a second message for a document still queued is harmless: rendering is idempotent under a row
# lock). Contract imports commit their progress with every chunk (seconds): a running one that has
# not moved for 30 minutes lost its worker; a pending one is re-queued only after the visibility
# timeout, when the broker would have delivered it again had it kept the message.
STUCK_JOB_SECONDS = {
    "documents": env.int("STUCK_DOCUMENT_SECONDS", default=10 * 60),
    "contract_imports": env.int("STUCK_CONTRACT_IMPORT_SECONDS", default=30 * 60),
    "enterprise_imports": env.int("STUCK_ENTERPRISE_IMPORT_SECONDS", default=40 * 60),
}

# /healthz (apps/core/views.py): connect and read timeout of its own database and broker checks,
# run side by side, so the load balancer has its answer within about 2 s (psycopg waits >= 2 s).
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=1.5)

# --- Backups (apps/core/backups.py; `manage.py backup` / `restore`; docs/security.md) ------------
# BACKUP_ENCRYPTION_KEY: a Fernet key (base64 of 32 bytes). Kept apart from the backups and from
# PERSONAL_DATA_KEYS / PERSONAL_DATA_HASH_KEY / SECRET_KEY; without it backups are written plain.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY", default="")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Queues, so workers can be scaled per kind of work on other machines (docs/performance.md):
# `imports` (large files, long), `documents` (PDF rendering, CPU), `notifications` (e-mail, many
# and small); everything else (scheduled jobs) on the default `celery` queue. A single worker
# consumes them all: `celery -A config worker -Q celery,imports,documents,notifications`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES_ALL = ["celery", "imports", "documents", "notifications"]
CELERY_TASK_ROUTES = {
    "contracts.run_import": {"queue": "imports"},
    "enterprises.confirm_import": {"queue": "imports"},
    "documents.*": {"queue": "documents"},
    "reports.generate": {"queue": "documents"},  # PDF rendering (issue 20)
    "notifications.*": {"queue": "notifications"},
}
CELERY_TASK_EAGER_PROPAGATES = True
# The beat schedule lives in code (config/celery.py: BEAT_SCHEDULE); modules add their jobs there.

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@park.example.cn")
EMAIL_TIMEOUT = 20

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.permissions.HasScopeOrRole"],
    # Generated clients: the API reads JSON bodies only (one content type per request body in the
    # schema); an upload view (contract import jobs) sets its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttling.PrincipalRateThrottle",
        "apps.api.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "principal": env("API_THROTTLE_RATE", default="1200/min"),
        "anon": env("API_ANON_THROTTLE_RATE", default="60/min"),
        # One budget per public form and client address (apps.core.net.client_address).
        "public_form": env("PUBLIC_FORM_THROTTLE_RATE", default="10/hour"),
        "mediation_application": env(
            "MEDIATION_APPLICATION_THROTTLE_RATE", default=env("PUBLIC_FORM_THROTTLE_RATE", default="10/hour")
        ),
        "certification_objection": env(
            "CERTIFICATION_OBJECTION_THROTTLE_RATE",
            default=env("PUBLIC_FORM_THROTTLE_RATE", default="10/hour"),
        ),
        # The public labour-inspection complaint form (apps/inspection/views_public.py).
        "inspection_complaint": env(
            "INSPECTION_COMPLAINT_THROTTLE_RATE",
            default=env("PUBLIC_FORM_THROTTLE_RATE", default="10/hour"),
        ),
        # The public legal-aid request form of the union (apps/legalaid/views_public.py).
        "legalaid_application": env(
            "LEGALAID_APPLICATION_THROTTLE_RATE",
            default=env("PUBLIC_FORM_THROTTLE_RATE", default="10/hour"),
        ),
        # Look-ups by serial number and access code on the public mediation tracking page.
        "public_lookup": env("PUBLIC_LOOKUP_THROTTLE_RATE", default="30/hour"),
        # The public check of a certificate by its number (/verify/<number>, the printed QR code).
        "certificate_verify": env("CERTIFICATE_VERIFY_THROTTLE_RATE", default="120/hour"),
        # The search box (issue 20), per user: every search, and those by ID number.
        "search": env("SEARCH_THROTTLE_RATE", default="60/min"),
        "search_id_number": env("ID_SEARCH_THROTTLE_RATE", default="60/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Park labour-relations platform API",
    "DESCRIPTION": (
        "REST API for district systems. Authenticate with `Authorization: Bearer <key>`; "
        "each endpoint needs the scope named in its description. Errors share one format: "
        '`{"error": {"code", "message", "fields"}, "request_id"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Generated clients: one security scheme, `BearerKey`, declared by the authentication class's
    # extension (apps/accounts/authentication.py) and listed once per operation. The session login
    # serves the browser (Swagger UI), not integrations, so it is left out of the schema.
    "AUTHENTICATION_WHITELIST": ["apps.accounts.authentication.ApiKeyAuthentication"],
    # Choice sets that share a field name across modules get a name of their own, so that adding a
    # module never renames another's enum (drf-spectacular would prefix both by their component).
    "ENUM_NAME_OVERRIDES": {
        # The park's statistics (issue 20).
        "FigureBetterEnum": "apps.cockpit.choices.BETTER_CHOICES",
        "FigureUnitEnum": "apps.cockpit.choices.UNIT_CHOICES",
        "FigureKindEnum": "apps.cockpit.choices.KIND_CHOICES",
        "FigureCodeEnum": "apps.cockpit.choices.FIGURE_ORDER",
        # Generated clients: every choice set is named by its module and field, never by a bare
        # field name (`TypeEnum`, `SourceEnum`), which would change when another module adds a
        # field of the same name (tests/api/test_generated_client.py checks).
        # Worker assistance (issue 19).
        "AppealKindEnum": "apps.appeals.models.Kind",
        "AppealSatisfactionEnum": "apps.appeals.models.Satisfaction",
        "AssistanceAidKindEnum": "apps.assistance.models.AidKind",
        "AssistanceDifficultyEnum": "apps.assistance.models.Difficulty",
        "AssistanceHardshipFileStatusEnum": "apps.assistance.models.HardshipFile.Status",
        "MediationChannelEnum": "apps.mediation.models.Case.Channel",
        "MediationApplicationFormEnum": "apps.mediation.models.Case.Form",
        "MediationOutcomeEnum": "apps.mediation.models.Case.Outcome",
        "MediationDisputeTypeEnum": "apps.mediation.models.DisputeType",
        "MediationSessionModeEnum": "apps.mediation.models.Session.Mode",
        "MediationAgreementPerformanceEnum": "apps.mediation.models.Agreement.Performance",
        "MediationPaymentMethodEnum": "apps.mediation.models.AgreementItem.Method",
        "MediationReferralResultEnum": "apps.mediation.models.Referral.Result",
        "ContractSourceEnum": "apps.contracts.models.LabourContract.Source",
        # A contract batch's row outcome (issue 15: corrections, row mapping).
        "ContractBatchRowStatusEnum": "apps.contracts.services.filing.ROW_STATUSES",
        "ContractSigningEnum": "apps.contracts.models.LabourContract.Signing",
        "ContractHoursSystemEnum": "apps.contracts.models.HoursSystem",
        "ContractWorkerSexEnum": "apps.contracts.models.Worker.Sex",
        "EnterpriseIndustryEnum": "apps.enterprises.choices.Industry",
        "EnterpriseOwnershipEnum": "apps.enterprises.choices.Ownership",
        "EnterpriseSizeEnum": "apps.enterprises.choices.SizeBand",
        "CertificationVetoOriginEnum": "apps.certification.models.VetoEvent.Origin",
        "OrganisationKindEnum": "apps.accounts.models.Organisation.Kind",
        "PrincipalTypeEnum": ["user", "api_client"],
        "DeadlineUnitEnum": "apps.certification.models.DeadlineUnitChoice",
        "InspectionSourceEnum": "apps.inspection.models.Source",
        "InspectionChannelEnum": "apps.inspection.models.InspectionCase.Channel",
        "InspectionMatterEnum": "apps.inspection.models.Matter",
        "InspectionDecisionEnum": "apps.inspection.models.InspectionCase.Decision",
        "InspectionRefusalBasisEnum": "apps.inspection.models.InspectionCase.RefusalBasis",
        "InspectionOrderResultEnum": "apps.inspection.models.RectificationOrder.Result",
        "InspectionEscalationEnum": "apps.inspection.models.RectificationOrder.Escalation",
        "InspectionCreditGradeEnum": "apps.inspection.models.CreditGrade.Grade",
        "InspectionListingRemovalEnum": "apps.inspection.models.WageArrearsListing.Removal",
        "InspectionInterviewTriggerEnum": "apps.inspection.models.Interview.Trigger",
        "InspectionClockEnum": "apps.inspection.api.serializers.CLOCKS",
        # Legal aid (issue 19).
        "LegalAidKindEnum": "apps.legalaid.models.AidKind",
        "LegalAidStatusEnum": "apps.legalaid.models.LegalAidRequest.Status",
        "LegalAidChannelEnum": "apps.legalaid.models.LegalAidRequest.Channel",
        "LegalAidOutcomeEnum": "apps.legalaid.models.LegalAidRequest.Outcome",
        # The risk watch list (issue 17).
        "RiskLevelEnum": "apps.risk.models.Level",
        "RiskActorEnum": "apps.core.facts.ACTORS",
        "RiskTrendEnum": "apps.risk.rules.TRENDS",
        # New forms of employment (issue 19).
        "PlatformKindEnum": "apps.unions.models.Platform.Kind",
        "PlatformWorkerOccupationEnum": "apps.unions.models.PlatformWorker.Occupation",
        "PlatformWorkerRelationshipEnum": "apps.unions.models.PlatformWorker.Relationship",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.add_error_responses",
        # Generated clients: query enums as the response enums, 412/415/429 documented.
        "apps.api.schema_client.postprocess_for_clients",
    ],
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# --- Domain settings ----------------------------------------------------------------------------
# Name shown in the header and on documents; a park sets its own.
PARK_NAME = env("PARK_NAME", default="柳东新区")
# Site URL (issue 15): the address users and district systems reach the platform at, scheme and
# host only (e.g. https://hr.park.gov.cn). Every absolute link (API answers, pagination links,
# certificate QR codes, e-mails) is built from it (apps.core.urls_helpers.absolute_url), never
# from the request's Host. PUBLIC_BASE_URL is its former name, still read; production requires one.
SITE_URL = (
    env("SITE_URL", default="") or env("PUBLIC_BASE_URL", default="") or "http://127.0.0.1:8000"
).rstrip("/")
PUBLIC_BASE_URL = SITE_URL
# Sensitive personal data (apps/core/personal_data.py): Fernet keys, newest first, and the key of
# the look-up hash. Local and test derive them from SECRET_KEY when unset; production requires them.
PERSONAL_DATA_KEYS = env.list("PERSONAL_DATA_KEYS", default=[])
PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY", default="")
# [POLICY] Full views of personal data by one user or API client within a clock hour past which the
# park's administrators are alerted (apps/audit/services.py); 0 turns the alert off.
SENSITIVE_VIEWS_ALERT_PER_HOUR = env.int("SENSITIVE_VIEWS_ALERT_PER_HOUR", default=200)
# [POLICY] Uploaded import files (contract exports hold full ID numbers) are deleted when their job ends;
# what is left (a failed delete, an orphan upload) goes after this many hours, and registry
# imports keep their good rows this long after they are finished (docs/security.md).
IMPORT_FILE_RETENTION_HOURS = env.int("IMPORT_FILE_RETENTION_HOURS", default=24)
# Prefix of mediation case serial numbers (TJ2026-00042).
MEDIATION_SERIAL_PREFIX = env("MEDIATION_SERIAL_PREFIX", default="TJ")
#: Serial numbers of labour-inspection cases: JC2026-00001 (监察).
INSPECTION_SERIAL_PREFIX = env("INSPECTION_SERIAL_PREFIX", default="JC")
# seed_demo creates known passwords: only local and test settings allow it.
DEMO_DATA_ALLOWED = False

# --- Webhooks and the event feed (issue 15; apps/webhooks) -------------------------------------
# Receivers' addresses must be https; plain http only where this is on (test and local settings).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
# Receivers on this machine (localhost, 127.0.0.1, ::1) or link-local/multicast addresses are refused
# unless this is on (tests and local runs receive on 127.0.0.1).
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
# An Idempotency-Key whose request runs longer than this is taken for lost (apps/api/idempotency.py).
IDEMPOTENCY_IN_FLIGHT_SECONDS = env.int("IDEMPOTENCY_IN_FLIGHT_SECONDS", default=300)
# Seconds to connect and to wait for each read of the receiver's answer; redirects are not followed.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# [POLICY] Retries: 1 minute after the first failure, doubling, at most RETRY_MAX_SECONDS apart,
# until RETRY_HOURS after the event was published (then the delivery fails; a replay sends it again).
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=60 * 60)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
# [POLICY] A subscription is disabled (and the park notified) after this many failed attempts in a
# row spanning at least this many hours; any success starts the count again.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
# A claimed delivery not answered within this many seconds (its worker died) is claimed again.
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=5 * 60)
# How long one sweep sends before leaving the rest to the next (the beat runs it every minute).
WEBHOOK_SWEEP_SECONDS = env.int("WEBHOOK_SWEEP_SECONDS", default=50)
# [POLICY] Events (and their delivery log) are kept this many days; the feed's cursor reaches back as far.
WEBHOOK_EVENT_RETENTION_DAYS = env.int("WEBHOOK_EVENT_RETENTION_DAYS", default=90)
