"""One settings module, configured by ONESTOP_* environment variables (docs/configuration.md).

Defaults are safe for production: DEBUG off, SQLite in WAL mode in ./var, a secret key
generated into the data directory on first start and never committed.
"""

import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from onestop import environment
from onestop.environment import flag as env_flag
from onestop.environment import number, whole
from onestop.environment import text as env

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(env("DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := env("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_flag("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

DEMO_PASSWORD = env("DEMO_PASSWORD", "demo12345")
WAIT_ALERT_MINUTES = number("WAIT_ALERT_MINUTES", 15)
MAX_APPOINTMENTS = whole("MAX_APPOINTMENTS", 3)
# How long a mobile centre may have worked offline: older captures are refused.
OFFLINE_WINDOW_DAYS = whole("OFFLINE_WINDOW_DAYS", 14, minimum=1)
QUEUE_MAX_RECALLS = whole("QUEUE_MAX_RECALLS", 2)
# How long each process keeps a centre's layout, services and device tokens
# (queueing/layout.py); changes made in another process show after at most this long.
LAYOUT_CACHE_SECONDS = number("LAYOUT_CACHE_SECONDS", 30)
QUEUE_TRANSFER_KEEPS_PLACE = env_flag("QUEUE_TRANSFER_KEEPS_PLACE", True)
RATE_LIMITS = env_flag("RATE_LIMITS", True)
# Request-rate limits and lock-outs (onestop/ratelimit.py), each as "count/period", counted
# in the database; ONESTOP_REQUEST_RATES changes any of them. A busy centre's staff and a
# call centre's agents share one address.
REQUEST_RATES = environment.rates(
    "REQUEST_RATES",
    {
        "login-address": "60/m",  # logins from one address
        "login-failures": "10/5m",  # failed logins to one account: then it is locked
        "login-address-failures": "30/5m",  # failed logins from one address: then it is locked
        "booking-account": "20/h",  # booking attempts by one account
        "booking-person": "6/d",  # bookings accepted for one person
        "booking-address": "60/h",  # bookings accepted from one address
        "filing-person": "20/h",  # applications filed for one applicant
    },
)
# Reverse proxies in front of the server, each adding the address it saw to
# X-Forwarded-For: the client is the entry the outermost one wrote (docs/operations.md).
TRUSTED_PROXIES = whole("TRUSTED_PROXIES", 0)
TOKEN_LIFETIME_HOURS = number("TOKEN_LIFETIME_HOURS", 12, minimum=0.01)
# API lists (onestop/pagination.py): 50 items a page unless asked, at most 200.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
MAX_UPLOAD_MB = whole("MAX_UPLOAD_MB", 10, minimum=1)
# Django refuses larger request bodies (413): room for a few base64 documents in JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs page from its own static files, not a CDN
    "onestop.audit",
    "onestop.people",
    "onestop.catalog",
    "onestop.offices",
    "onestop.workdays",
    "onestop.registries",
    "onestop.signatures",
    "onestop.notify",
    "onestop.cases",
    "onestop.queueing",
    "onestop.appointments",
    "onestop.portal",
    "onestop.demo",
    "onestop.operations",
    "onestop.mobile",
    "onestop.limits",
]
# bench/load.py's bare endpoint (POST /bench/bare, writing one row) and its table: the
# yardstick of the benchmark, never in a production schema.
BENCHMARK = env_flag("BENCHMARK", False)
if BENCHMARK:
    INSTALLED_APPS.append("onestop.benchmarking")

MIDDLEWARE = [
    "onestop.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "onestop.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onestop.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onestop.observability.SessionActorMiddleware",
    "onestop.headers.PersonalDataNotStoredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onestop.outages.DatabaseOutageMiddleware",
    "onestop.problems.ApiProblemMiddleware",
]

ROOT_URLCONF = "onestop.urls"
WSGI_APPLICATION = "onestop.wsgi.application"
AUTH_USER_MODEL = "people.User"
# Django's own password check, behind the login lock-out (people/backends.py).
AUTHENTICATION_BACKENDS = ["onestop.people.backends.LockOutBackend"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "cases:list"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onestop.i18n.languages",
            ],
        },
    },
]

SQLITE_OPTIONS = {
    # Writers queue up instead of failing on upgrade from read to write.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
    ),
}

# SQLite: how often a thread of each server process moves the write-ahead log into the
# database file (onestop/sqlite/base.py); 0 leaves it to the commit that fills the log.
SQLITE_CHECKPOINT_SECONDS = number("SQLITE_CHECKPOINT_SECONDS", 1)

# Each server process puts the objects it keeps for life out of the garbage collector's
# walk when it starts and again before this request (onestop/wsgi.py); 0: never.
GC_FREEZE_AFTER_REQUESTS = whole("GC_FREEZE_AFTER", 1000)

if database := environment.database_url("DATABASE_URL", conn_max_age=60):
    DATABASES = {"default": database}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["ENGINE"] = "onestop.sqlite"
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
    elif "postgresql" in DATABASES["default"]["ENGINE"]:
        DATABASES["default"]["OPTIONS"] = {
            # Parameters travel apart from the statement, and psycopg prepares a statement
            # a connection has run five times: PostgreSQL then skips planning it again
            # (0.6-1 ms for the queue count). A pooler in transaction mode that does not
            # keep prepared statements (PgBouncer before 1.21) needs
            # ONESTOP_DATABASE_PREPARED=off.
            "server_side_binding": True,
            "prepare_threshold": 5 if env_flag("DATABASE_PREPARED", True) else None,
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATABASES = {
        "default": {
            # Django's SQLite with writers queued on a lock file (onestop/sqlite/base.py).
            "ENGINE": "onestop.sqlite",
            "NAME": str(DATA_DIR / "onestop.sqlite3"),
            # Tests use a file too, in WAL mode like production, so that concurrency tests
            # see real locking between connections.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
            "OPTIONS": SQLITE_OPTIONS,
            # Each server thread keeps its connection: opening one and running the
            # PRAGMAs above costs about 0.9 ms a request (docs/benchmarks.md).
            "CONN_MAX_AGE": 60,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task left running by a worker not seen for this long runs again (operations/leases.py);
# one running longer than TASK_TIMEOUT_SECONDS does too, whatever its worker says.
TASK_LEASE_SECONDS = number("TASK_LEASE_SECONDS", 30)
TASK_TIMEOUT_SECONDS = number("TASK_TIMEOUT_SECONDS", 3600)
# How long the first answer to a request with an Idempotency-Key is kept (idempotency.py).
IDEMPOTENCY_KEY_HOURS = number("IDEMPOTENCY_KEY_HOURS", 24)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
LANGUAGE_CODE = environment.choice("LANGUAGE", "kk", [code for code, _name in LANGUAGES])
LANGUAGE_COOKIE_NAME = "onestop_lang"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = environment.time_zone("TIME_ZONE", "Asia/Almaty")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
NODE_MODULES = Path(env("NODE_MODULES", str(BASE_DIR.parent.parent / "node_modules")))
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
# Signed checkpoints of the audit trail, appended one JSON line each to checkpoints.jsonl
# here: copy this directory off the machine (docs/operations.md, "The audit trail").
AUDIT_CHECKPOINT_DIR = Path(env("AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit"))).resolve()

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := env("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind HTTPS (ONESTOP_HTTPS=on): secure cookies, HSTS, redirect plain HTTP, and trust the
# proxy's X-Forwarded-Proto. `onestop check --deploy` passes with it.
HTTPS = env_flag("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and everything else only from this
# site, no inline script or style, no eval, no framing; htmx runs with its own indicator
# styles off (the `htmx-config` meta tag) and ours in the stylesheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    }
}
# Browser features no page uses are off for this site and anything it embeds
# (onestop/headers.py); `self` keeps the kiosk's and the board's full screen.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "onestop.observability.RequestContextFilter"}},
    "formatters": {"json": {"()": "onestop.observability.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": environment.choice("LOG_LEVEL", "INFO", environment.LOG_LEVELS, upper=True),
    },
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

ONESTOP_NAME = _("onestop")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = whole("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "onestop <noreply@onestop.example>")

# State registries: which plugin answers for each ("real_estate=gbd,pensions=enpf"); the
# sandbox plugins, backed by the demo population, answer for the rest. The sandbox can be
# told to fail like the real systems do.
REGISTRY_PLUGINS = dict(
    item.split("=", 1) for item in env("REGISTRY_PLUGINS").split(",") if "=" in item
)
SANDBOX_REGISTRY_DOWN = {
    code.strip() for code in env("SANDBOX_REGISTRY_DOWN").split(",") if code.strip()
}
SANDBOX_REGISTRY_FAILURE_RATE = number("SANDBOX_REGISTRY_FAILURE_RATE", 0, maximum=1)
SANDBOX_REGISTRY_LATENCY_MS = whole("SANDBOX_REGISTRY_LATENCY_MS", 0)
# Notification channels: which plugin sends ("sms=provider"); else the sandbox SMS gateway
# and e-mail through EMAIL_BACKEND.
NOTIFY_PLUGINS = dict(
    item.split("=", 1) for item in env("NOTIFY_PLUGINS").split(",") if "=" in item
)
SANDBOX_SMS_DOWN = env_flag("SANDBOX_SMS_DOWN", False)
SANDBOX_SMS_FAILURE_RATE = number("SANDBOX_SMS_FAILURE_RATE", 0, maximum=1)
SANDBOX_SMS_LATENCY_MS = whole("SANDBOX_SMS_LATENCY_MS", 0)
