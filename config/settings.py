"""Sigap settings.

Everything comes from environment variables with embedded defaults, so a fresh clone runs on
SQLite, an in-memory channel layer, eager Celery tasks and the console message sender. A bad value
fails loudly at start-up (ImproperlyConfigured) instead of surfacing later as odd behaviour.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SIGAP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number")
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def _kept_secret(name: str, variable: str) -> str:
    """A secret from the environment, else from var/<name>, which an explicit step wrote
    (`make install` runs `python -m config.keys`). A server never makes one up by itself: only
    with DEBUG on is a missing file written here, as a developer's convenience."""
    value = env_str(variable)
    if value:
        return value
    path = VAR_DIR / name
    if not path.exists():
        if not DEBUG:
            raise ImproperlyConfigured(
                f"{variable} is not set: set it in the environment, or write {path} with "
                "`python -m config.keys` (`make install` does; README: Keys). With DEBUG off Sigap "
                "never makes up a secret by itself."
            )
        from config import keys

        keys.write(VAR_DIR, name)
    value = path.read_text().strip()
    if not value:
        raise ImproperlyConfigured(f"{path} is empty: remove it and run `python -m config.keys`")
    return value


def _secret_key() -> str:
    """SECRET_KEY from the environment, or var/secret_key (never in the repo)."""
    key = _kept_secret("secret_key", "SECRET_KEY")
    if len(key) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The public address Twilio calls; signatures are computed over it, so behind a proxy it must be
# the outside URL, not the one the app sees.
SIGAP_PUBLIC_URL = env_str("SIGAP_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_fsm",
    "axes",
    "workflow",
    "notifications",
    "complaints",
]

# Daphne lets `manage.py runserver` (the demo) serve the live queue's websockets too. Nothing else
# needs it: servers run gunicorn and uvicorn (docs/deploy/), and importing it (Twisted) cost every
# worker 43 MiB.
if sys.argv[1:2] == ["runserver"]:
    INSTALLED_APPS.insert(0, "daphne")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.security.SessionLimitMiddleware",  # after the session, auth and messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a sign-in refused by the lock-out into its page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sigap.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…)")
# A pool of warm connections per process (psycopg_pool), for the ASGI app servers: there each
# request runs in a thread of its own, so a persistent connection per thread piles up until
# PostgreSQL refuses more, and a fresh connection per request costs its set-up every time.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASE_POOL_SIZE:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOL_SIZE needs PostgreSQL in DATABASE_URL")
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured("Set DATABASE_POOL_SIZE or DATABASE_CONN_MAX_AGE, not both")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        # Seconds a request waits for a connection before it answers 503 (config/errors.py).
        "timeout": 5,
    }
    # Each connection is checked as it leaves the pool (Django passes psycopg_pool's check):
    # after PostgreSQL restarts, the dead ones are replaced instead of failing requests one by one.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Reads that may lag a moment behind the primary (the dashboard and the CSV export, which count
# and list whole units) can go to a PostgreSQL streaming replica, off the primary that takes the
# writes. Unset: everything reads the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at PostgreSQL (postgres://…)")
    if "pool" in DATABASES["default"].get("OPTIONS", {}):
        replica.setdefault("OPTIONS", {})["pool"] = dict(DATABASES["default"]["OPTIONS"]["pool"])
    replica["TEST"] = {"MIRROR": "default"}  # the tests' replica is their own database
    DATABASES["replica"] = replica
SIGAP_REPORTING_DATABASE = "replica" if DATABASE_REPLICA_URL else "default"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Wait for a writer instead of failing at once: the dev server, a worker and a sweep share one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "complaints.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The test suite creates hundreds of accounts; PBKDF2's deliberate slowness would dominate its
# run time. tests/conftest.py sets this (servers the tests start inherit it). Never in production.
if env_bool("SIGAP_TEST_FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
# Lock-out after repeated failed sign-ins (django-axes, AXES_* below), on every login form:
# officers' and the admin's. Axes' backend only refuses while locked; Django's checks the password.
AUTHENTICATION_BACKENDS = [
    "complaints.workspace.auth.LockoutBackend",  # axes.backends.AxesStandaloneBackend, see there
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/petugas/masuk/"
LOGIN_REDIRECT_URL = "/petugas/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start without it
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence is personal data: it lives outside any public URL and is served by a
    # permission-checked view only.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(env_str("SIGAP_MEDIA_ROOT", str(VAR_DIR / "evidence")))),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: 5 files of 10 MB each; anything larger is refused before it is read into memory.
SIGAP_EVIDENCE_MAX_FILES = env_int("SIGAP_EVIDENCE_MAX_FILES", 5, minimum=1)
SIGAP_EVIDENCE_MAX_BYTES = env_int("SIGAP_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Personal data (UU 27/2022 PDP) is removed when its retention period ends: a complainant's
# identity, evidence and messages, this many days after their case ended (closed, rejected,
# withdrawn or merged). The reply to a texted report holds its PIN in plain text so that a
# webhook Twilio retries gets the same answer; Twilio retries within minutes, so it is blanked
# after SIGAP_INBOUND_REPLY_HOURS. Both run every hour (Celery beat) or by hand with
# `manage.py erase_expired_personal_data`.
SIGAP_RETENTION_DAYS = env_int("SIGAP_RETENTION_DAYS", 5 * 365 + 1, minimum=1)
SIGAP_INBOUND_REPLY_HOURS = env_int("SIGAP_INBOUND_REPLY_HOURS", 24, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Security headers (the Content-Security-Policy: config/security.py). Served over https (the
# public URL is https, or SIGAP_HTTPS=true): HSTS for a year, plain http redirected (the proxy's
# health check excepted) and cookies only over https. The embedded defaults stay on plain http.
SIGAP_HTTPS = env_bool("SIGAP_HTTPS", SIGAP_PUBLIC_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SIGAP_HTTPS
CSRF_COOKIE_SECURE = SIGAP_HTTPS
if SIGAP_HTTPS:
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A signed-in session (officers, the admin) ends after this long without a request, and this long
# after signing in whatever the activity (config/security.py: its session store reads an expired
# session as empty, for the pages, the API and /ws/queue/ alike). A complainant's tracking session
# keeps its own 30 minutes (complaints/public/views.py).
SIGAP_SESSION_IDLE_MINUTES = env_int("SIGAP_SESSION_IDLE_MINUTES", 30, minimum=1)
SIGAP_SESSION_MAX_HOURS = env_int("SIGAP_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_ENGINE = "config.security"  # Django's database sessions, with those two limits
SESSION_COOKIE_AGE = SIGAP_SESSION_MAX_HOURS * 3600
if env_bool("SIGAP_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

REDIS_URL = env_str("REDIS_URL")

# Redis going away must not stop intake (docs/architecture.md#when-a-part-fails): the default cache
# (the form and API throttles) answers as if empty while Redis is unreachable; the "guard" cache
# (the PIN-guess and sign-in lock-out counts) fails closed: those pages answer 503, try later.
_REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _REDIS_OPTIONS,
        },
        "guard": {
            "BACKEND": "config.cache.FastRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _REDIS_OPTIONS,
        },
    }
    # Pub/sub: a group is a Redis channel, an event one PUBLISH, published straight from the
    # request (complaints.realtime.publish; docs/decisions/0006-realtime-publish.md).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "guard": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "guard"},
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: at-least-once delivery (acks late, re-queue when a worker dies); the outbox row claim
# makes a redelivered task a no-op. Without a broker every task runs eagerly in the caller.
CELERY_BROKER_URL = REDIS_URL or "memory://"
if CELERY_BROKER_URL.startswith("redis://"):
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"  # one Redis client per channel, not per publish
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, **_REDIS_OPTIONS}
# A publish with the broker down fails fast (the outbox row waits for the re-queue) instead of
# holding the complainant's request through Celery's default retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "workflow-sweep": {"task": "complaints.tasks.sweep_deadlines", "schedule": 300.0},
    "outbox-requeue": {
        "task": "notifications.tasks.requeue_stuck",
        "schedule": float(env_int("SIGAP_OUTBOX_REQUEUE_SECONDS", 60, minimum=1)),
    },
    "personal-data-retention": {"task": "complaints.tasks.erase_expired_personal_data", "schedule": 3600.0},
    "sms-media-requeue": {"task": "complaints.tasks.requeue_media", "schedule": 60.0},
    # The public scorecard's snapshot (/kinerja/), read from the cache (complaints/scorecard/cache.py).
    "scorecard-refresh": {"task": "complaints.tasks.refresh_scorecard", "schedule": 900.0},
}

# Messages. "console" writes them to the log and the outbox table; "twilio" sends them.
SIGAP_MESSAGE_SENDER = env_str(
    "SIGAP_MESSAGE_SENDER", "twilio" if env_str("TWILIO_ACCOUNT_SID") else "console"
)
if SIGAP_MESSAGE_SENDER not in {"console", "twilio"}:
    raise ImproperlyConfigured("SIGAP_MESSAGE_SENDER must be 'console' or 'twilio'")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_SMS_FROM = env_str("TWILIO_SMS_FROM")


def _textable(value: str) -> bool:
    """A number or short code a phone can text: digits, spaces, dashes, a leading +."""
    return set(value) <= set("+0123456789 -") and 3 <= sum(c.isdigit() for c in value) <= 15


# The number people text (LAPOR, CEK <kode> <PIN>), shown on the home page, the tracking page and
# the receipt: SIGAP_SMS_NUMBER when set (a short code, or a number other than the one messages go
# out from), else TWILIO_SMS_FROM when it is a number (not an alphanumeric sender); empty hides it.
SIGAP_SMS_NUMBER = env_str("SIGAP_SMS_NUMBER")
if SIGAP_SMS_NUMBER and not _textable(SIGAP_SMS_NUMBER):
    raise ImproperlyConfigured(f"SIGAP_SMS_NUMBER={SIGAP_SMS_NUMBER!r} is not a phone number or short code")
if not SIGAP_SMS_NUMBER and _textable(TWILIO_SMS_FROM):
    SIGAP_SMS_NUMBER = TWILIO_SMS_FROM
TWILIO_WHATSAPP_FROM = env_str("TWILIO_WHATSAPP_FROM")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# An approved WhatsApp Content template (utility) "Sigap {{1}}: {{2}}" (tracking code, status),
# used outside the 24-hour window where free text is not allowed.
TWILIO_WHATSAPP_STATUS_TEMPLATE_SID = env_str("TWILIO_WHATSAPP_STATUS_TEMPLATE_SID")
# Base URL of the Twilio API; tests point it at a local fake server speaking the same API.
TWILIO_API_BASE = env_str("TWILIO_API_BASE")
if SIGAP_MESSAGE_SENDER == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured("SIGAP_MESSAGE_SENDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
TWILIO_HTTP_TIMEOUT = env_int("TWILIO_HTTP_TIMEOUT", 10, minimum=1)
SIGAP_MESSAGE_MAX_ATTEMPTS = env_int("SIGAP_MESSAGE_MAX_ATTEMPTS", 6, minimum=1)
# A message the provider could not take (down, 5xx, 429, timeouts) is retried after 30 s, then
# 1, 2, 4 … minutes, at most an hour apart, and given up only after the attempts above *and*
# this long since it was queued: an outage delays messages, it does not lose them.
SIGAP_MESSAGE_GIVE_UP_AFTER = env_int("SIGAP_MESSAGE_GIVE_UP_AFTER", 24 * 3600, minimum=1)
SIGAP_MESSAGE_RETRY_BASE = float(env_str("SIGAP_MESSAGE_RETRY_BASE", "30"))  # seconds; tests shrink time
# A task handed to the broker and not taken by a worker after this long is presumed lost (the
# re-queue also knows when Redis restarted and re-hands what it held at once).
SIGAP_OUTBOX_LOST_TASK_AFTER = env_int("SIGAP_OUTBOX_LOST_TASK_AFTER", 900, minimum=1)

# The PIN is a 6-digit secret protected by throttling, not hash cost: a keyed HMAC (docs/domain.md#tracking-codes-and-pins).
SIGAP_PIN_KEY = env_str("SIGAP_PIN_KEY") or SECRET_KEY


def _data_keys() -> list[str]:
    """Fernet keys for personal data at rest, newest first (notifications/personal.py)."""
    from cryptography.fernet import Fernet

    raw = _kept_secret("data_keys", "SIGAP_DATA_KEYS")
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                "SIGAP_DATA_KEYS holds a key that is not a Fernet key (32 url-safe base64 bytes; "
                "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            ) from None
    return keys


# Encrypts identities and message recipients at rest; the index key hashes phone numbers for
# look-ups. Keep both apart from the database's backups (README: Keys).
SIGAP_DATA_KEYS = _data_keys()
SIGAP_INDEX_KEY = _kept_secret("index_key", "SIGAP_INDEX_KEY")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Knox first: a refused or missing token is answered 401 with WWW-Authenticate: Token.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # drf-spectacular's, with the refusals every operation can answer (401, 404, 429, …) listed.
    "DEFAULT_SCHEMA_CLASS": "complaints.api.schema.ApiSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # "intake" counts complaints filed, not requests (complaints.api.views.FiledComplaintThrottle);
    # an officer's token files for people at a desk at "intake_desk", counted per account;
    # "intake_invalid" bounds the refused posts of one client apart.
    "DEFAULT_THROTTLE_RATES": {
        "intake": env_str("SIGAP_THROTTLE_INTAKE", "30/hour"),
        "intake_desk": env_str("SIGAP_THROTTLE_INTAKE_DESK", "600/hour"),
        "intake_invalid": env_str("SIGAP_THROTTLE_INTAKE_INVALID", "120/hour"),
        "track": env_str("SIGAP_THROTTLE_TRACK", "20/hour"),
    },
    "NUM_PROXIES": env_int("SIGAP_NUM_PROXIES", 0),
}
# Officers' API tokens (django-rest-knox): stored as a SHA-512 digest, shown once at
# /petugas/token-api/, valid SIGAP_API_TOKEN_DAYS days, never extended by use, a few per officer.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("SIGAP_API_TOKEN_DAYS", 90, minimum=1)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 5,
    "AUTH_HEADER_PREFIX": "Token",  # clients keep sending "Authorization: Token <key>"
}
# The web form's own limit per client address and hour (the API's is SIGAP_THROTTLE_INTAKE),
# kept by django-ratelimit in the default cache (complaints/public/views.py): complaints filed, not
# posts. A signed-in officer filing at a desk is counted per account, at its own rate; refused
# posts (an invalid form) are bounded apart.
SIGAP_WEB_INTAKE_PER_HOUR = env_int("SIGAP_WEB_INTAKE_PER_HOUR", 30, minimum=1)
SIGAP_WEB_INTAKE_OFFICER_PER_HOUR = env_int("SIGAP_WEB_INTAKE_OFFICER_PER_HOUR", 600, minimum=1)
SIGAP_WEB_INTAKE_INVALID_PER_HOUR = env_int("SIGAP_WEB_INTAKE_INVALID_PER_HOUR", 120, minimum=1)

# Every per-client limit counts the same address as DRF's throttles (NUM_PROXIES above):
# complaints/limits.py. django_ratelimit is not in INSTALLED_APPS: it has no models, and its
# system check knows neither Django's own Redis cache nor the local one used without Redis.
RATELIMIT_IP_META_KEY = "complaints.limits.client_address"
RATELIMIT_IPV6_MASK = 128  # one address, as DRF, axes and the PIN limit count (its default is a /64)
RATELIMIT_FAIL_OPEN = True  # a count lost in the cache never refuses a complaint

# Sign-in lock-out (django-axes). Failures are counted per username + address (5 lock it), per
# address and per username across addresses (20 lock those: complaints/workspace/auth.py
# LockoutHandler, axes' cache handler in the default cache, Redis, shared by every app server).
# 15 minutes from the failure that locked: tries while locked are refused without a password check
# and do not extend it.
AXES_HANDLER = "complaints.workspace.auth.LockoutHandler"
AXES_CACHE = "guard"
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "complaints.limits.client_address"
AXES_LOCKOUT_CALLABLE = "complaints.workspace.auth.locked_out"
# Masked in axes' log lines: an officer may type their password into the username field.
# Passwords are always masked; the cache holds only hashes of username + address.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
AXES_ENABLE_ADMIN = False  # its admin pages list the database handler's rows; the cache handler keeps none
AXES_VERBOSE = False  # no start-up banner on every manage.py command; failures are still logged, masked
if not REDIS_URL:
    # axes.W001 warns that a process-local cache is not shared. Without Redis, Sigap runs as one
    # process (eager tasks, in-memory channel layer) and every limit is local to it; in
    # production REDIS_URL is set and the check stays on.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

SPECTACULAR_SETTINGS = {
    "TITLE": "Sigap API",
    "DESCRIPTION": "Pengaduan pelayanan publik / public-service complaints",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "celery.app.trace": {"level": "WARNING"},
        # axes says at INFO each time a sign-in clears its (masked) counts; failures and lock-outs are WARNING.
        "axes": {"level": "WARNING"},
    },
}
