"""One settings module, read from the environment (healthchecks' habit).

Every value that differs between a laptop, CI and production comes from an
environment variable; the defaults are the embedded SQLite setup used by
`make demo` and the tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/esurety
REPO_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Demo mode only ever comes from `make demo`; it unlocks the demo data command.
DEMO_MODE = env_bool("ESURETY_DEMO", False)

_secret = os.environ.get("SECRET_KEY")
if not _secret:
    if not (DEBUG or DEMO_MODE or env_bool("ESURETY_TESTING")):
        raise RuntimeError("SECRET_KEY must be set outside demo, debug and test runs.")
    _secret = "insecure-local-only-key-never-used-in-production-0123456789"  # noqa: S105
SECRET_KEY = _secret

# A separate secret protects access keys (HMAC for lookup, AES-GCM for the
# contractor's own display) so that SECRET_KEY can be rotated without
# invalidating every issued key.
ACCESS_KEY_SECRET = os.environ.get("ACCESS_KEY_SECRET", SECRET_KEY)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # ninja's own static files serve the API documentation (no CDN).
    "ninja",
    # The job queue (django-tasks, the backport of Django 6's django.tasks) and its database
    # backend: delivery, imports and periodic work run as tasks in `manage.py run_worker`.
    "django_tasks",
    "django_tasks_db",
    "esurety.core",
    "esurety.parties",
    "esurety.guarantees",
    "esurety.advances",
    "esurety.claims",
    "esurety.notifications",
    "esurety.webhooks",
    "esurety.audit",
    "esurety.documents",
    "esurety.signing",
    "esurety.accounts",
    "esurety.contractor",
    "esurety.verification",
    "esurety.dashboards",
    "esurety.verify",
    "esurety.integrations",
    "esurety.api",
    "esurety.check",
    "esurety.office",
    "esurety.bank",
    "esurety.web",
    "esurety.demo",
]

# Tasks are rows in the main database (SQLite for the demo, PostgreSQL in production): a task
# enqueued on commit exists iff the change committed, and several workers share the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Work the worker schedules itself ({task: seconds between runs}; see core/tasks.py): the
# sweepers give a task to any due row left without one, so nothing is ever stranded.
ESURETY_PERIODIC_TASKS = {
    "esurety.notifications.tasks.outbox_sweep": 60,
    "esurety.webhooks.tasks.webhook_sweep": 60,
    "esurety.guarantees.tasks.imports_sweep": 60,
    "esurety.guarantees.tasks.guarantees_expire": 3600,
    "esurety.dashboards.tasks.dashboard_figures": 3600,
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "esurety.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "esurety.web.middleware.FormEncodingMiddleware",  # before CSRF, which reads the form
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "esurety.accounts.middleware.IdleTimeoutMiddleware",
    "esurety.accounts.totp_middleware.StaffTotpMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "esurety.web.middleware.SigningUnavailableMiddleware",
    "esurety.web.middleware.NotFoundMiddleware",
    "esurety.web.errors.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "esurety.config.urls"
WSGI_APPLICATION = "esurety.config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{REPO_DIR / 'var' / 'esurety.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent demo web + worker processes need WAL and a busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("DB_PREPARED_STATEMENTS", True):
    # Every request asks the same few queries (the signed-in user, number + key, the receipt):
    # PostgreSQL parsed and planned them anew each time, which cost it more than answering them
    # (0.27 ms planning against 0.02 ms execution for the user's row). Parameters bound by the
    # server let psycopg prepare a query on a connection after its 5th use and reuse the plan.
    # Behind PgBouncer in transaction mode without max_prepared_statements, set
    # DB_PREPARED_STATEMENTS=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite, the embedded default, ignores them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "parties.User"
AUTHENTICATION_BACKENDS = ["esurety.accounts.backends.OrganisationModelBackend"]

# A cache shared by every app server and worker: Redis when configured,
# otherwise the database, never a per-process cache (rate limits must hold
# across workers).
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_url_of_test_worker(url: str, worker: str) -> str:
    """The Redis database of one parallel test process (pytest-xdist's gw0, gw1, …).

    Every test empties the cache (FLUSHDB), so two processes sharing a database would wipe each
    other's rate-limit counters mid-test. gw0 keeps the configured database; gwN takes N+4 below
    it (15 → 10, 9, …), clear of the benchmarks' 14.
    """
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or "0")
    index = int(worker.removeprefix("gw") or "0")
    db = base if index == 0 else (base - index - 4) % 16
    return urlunsplit(parts._replace(path=f"/{db}"))


if REDIS_URL and env_bool("ESURETY_TESTING") and os.environ.get("PYTEST_XDIST_WORKER"):
    REDIS_URL = redis_url_of_test_worker(REDIS_URL, os.environ["PYTEST_XDIST_WORKER"])
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "esurety.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "esurety"),
        }
    }
    # Sessions read from Redis on every request, written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "esurety_cache",
            # The default (300 entries) would cull login-failure counters
            # under a spray of many IDs; culling must not reset a lockout.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if env_bool("ESURETY_TESTING"):
    # Hashing speed is not under test; keep the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Japanese only: Django translates its own texts (form errors, admin) into LANGUAGE_CODE whatever
# the browser asks for. No LocaleMiddleware: with one language it only cost every request a
# negotiation (0.12 ms of a 1.7 ms page) and a "Vary: Accept-Language" that split shared caches.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(REPO_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded files (proofs kept with 前払金使途内訳明細書) go to the default storage above. Every app
# server must see the same files: point MEDIA_ROOT at a shared volume, or configure STORAGES
# "default" for an object store. They are never served as static files: portals stream them
# after a selector has checked who may see them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(REPO_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# Files served at the site's root: /favicon.ico, which browsers ask for on every
# page and every PDF or JSON answer (the pages also link esurety/favicon.svg).
WHITENOISE_ROOT = BASE_DIR / "web" / "root"

LOGIN_URL = "/login/"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 8)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Log out after this many seconds without a request (accounts.middleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
# Surety staff must set up two-factor login (TOTP) before using the back office;
# off by default only in the demo and the tests (staff who set it up still need a code).
STAFF_TOTP_REQUIRED = env_bool("STAFF_TOTP_REQUIRED", not (DEMO_MODE or env_bool("ESURETY_TESTING")))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or DEMO_MODE))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Django's form rendering, with its <input> widgets written without templates (web/renderers.py).
FORM_RENDERER = "esurety.web.renderers.SiteFormRenderer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Every HTML page (web/middleware.py): scripts and styles only from the site's own static
# files, never inline; no plug-ins, no foreign forms, no framing. Templates therefore carry
# no <script> blocks, no on*= handlers and no style="" attributes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# HTTPS in production (README "Running in production"); all off by default, as the demo
# and the tests run on plain http. /healthz stays reachable over http for load balancers.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy: the header it sets to "https" on secure requests,
# e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto. Set it only when the proxy always
# overwrites that header, or a client could claim https.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

# A form posted from a stale page: a Japanese page in the site layout (JSON under /api/).
CSRF_FAILURE_VIEW = "esurety.web.errors.csrf_failure"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Where a file-writing backend puts its mail: the demo's (esurety.demo.mail) writes one
# .eml per message here, and its mailbox page reads them back.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(REPO_DIR / "var" / "demo-mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "esurety <no-reply@esurety.example>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# PAdES signatures on every issued PDF (esurety.signing; file layout in signing/keys.py
# and README.md). No unsigned PDF is issued: a surety without a key makes issuing fail.
SIGNING_DIR = Path(os.environ.get("ESURETY_SIGNING_DIR", str(REPO_DIR / "var" / "signing")))
# RFC 3161 time-stamping service: set it to sign PAdES B-T instead of B-B.
SIGNING_TSA_URL = os.environ.get("SIGNING_TSA_URL", "")
SIGNING_TSA_TIMEOUT = int(os.environ.get("SIGNING_TSA_TIMEOUT", "10"))
# Demo and test runs only: a throwaway demo CA mints certificates for sureties that lack one.
SIGNING_DEMO = env_bool("ESURETY_SIGNING_DEMO", DEMO_MODE or env_bool("ESURETY_TESTING"))
