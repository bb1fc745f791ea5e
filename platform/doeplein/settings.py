"""Doeplein's one settings module, configured by environment variables.

With no environment set everything runs on one machine: SQLite, an in-memory channel layer, a Celery
worker on a file-system broker and console e-mail. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis. README.md lists every variable.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from doeplein.env import (
    database_from_env,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url_from_env,
)

CORE_DIR = Path(__file__).resolve().parent  # platform/doeplein
BASE_DIR = CORE_DIR.parent.parent  # the checkout
VAR_DIR = Path(env_str("DOEPLEIN_VAR_DIR") or BASE_DIR / "var")

TESTING = env_bool("DOEPLEIN_TESTING", default="pytest" in sys.modules)
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. SECRET_KEY=$(openssl rand -hex 32))."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The core
    "doeplein.core",
    "doeplein.accounts",
    "doeplein.access",
    "doeplein.spaces",
    "doeplein.activity",
    "doeplein.notifications",
    "doeplein.discussion",
    "doeplein.moderation",
    "doeplein.search",
    "doeplein.home",
    "doeplein.api",
    "doeplein.teams",
    "ninja",  # Swagger UI from its own static files, not a CDN
    # Plugins: each is a Django app that registers through doeplein.plugins hooks.
    *env_list("DOEPLEIN_PLUGINS", "workspaces,groups,blogs,files"),
    *env_list("DOEPLEIN_EXTRA_APPS"),
    # Wagtail
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Accounts, permissions, live
    "allauth",
    "allauth.account",
    "guardian",
    "channels",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "doeplein.core.security.SecurityHeadersMiddleware",
    "doeplein.core.security.HealthzMiddleware",  # before sessions: /healthz needs none
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "doeplein.accounts.language.ProfileLanguageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "doeplein.core.security.RequestBodyLimitMiddleware",
    "doeplein.core.errors.ServiceUnavailableMiddleware",  # database or Redis down: 503, not 500
]

ROOT_URLCONF = "doeplein.urls"
ASGI_APPLICATION = "doeplein.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CORE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "doeplein.core.context_processors.platform",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------------
DATABASES = {"default": database_from_env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'doeplein.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The test database is a file (one per test process) so that a real worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-databases" / f"{os.getpid()}.sqlite3")}
    if TESTING:
        (VAR_DIR / "test-databases").mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker ----------------------------------------------------
REDIS_URL = redis_url_from_env("REDIS_URL")
if REDIS_URL:
    # CACHE_KEY_PREFIX keeps apart what shares one Redis (test servers, a benchmark, several sites).
    CACHES = {
        "default": {
            # Django's backend with one connection pool per process (see doeplein.core.cache).
            "BACKEND": "doeplein.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", ""),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A socket read timeout above channels-redis's 5 s blocking pop: redis-py 8 defaults to 5 s
                # too, and the race ("Timeout reading") kills idle websocket consumers.
                # redis-py 8's asyncio pool allows 100 connections and then raises at once (MaxConnectionsError):
                # hundreds of websockets closing together (a restart, a network blip) exceeded it.
                "hosts": [
                    {
                        "address": url,
                        "socket_timeout": 30,
                        "max_connections": env_int("CHANNEL_REDIS_MAX_CONNECTIONS", 1000),
                    }
                    for url in env_list("CHANNEL_REDIS_HOSTS") or [REDIS_URL]
                ],  # fmt: skip
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "doeplein"),
                # channels-redis silently drops events beyond ``capacity`` pending ones, and its default (100)
                # counts a web process's whole inbox (every event for any of its connections): a busy process
                # lost live messages under load (bench/bench_discussion.py).
                "capacity": env_int("CHANNEL_LAYER_CAPACITY", 10_000),
            },
        }
    }
else:
    # One machine: the cache lives in the database so that the web process and the worker share it.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "doeplein_cache"}
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ----------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    # The embedded default: a real worker process, with the broker's queue in files under var/.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "control"):
        (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
else:
    # How long a task taken by a worker that died stays invisible before another worker gets it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "doeplein")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    # Hourly: each person gets their daily or weekly summary once it is due (see notifications.tasks).
    "notification-digests": {
        "task": "doeplein.notifications.tasks.send_digests",
        "schedule": timedelta(hours=1),
    },
    "purge-unconfirmed-accounts": {
        "task": "doeplein.accounts.tasks.purge_unconfirmed_accounts",
        "schedule": timedelta(hours=24),
    },
    "rebuild-activity-profiles": {
        "task": "doeplein.teams.tasks.rebuild_profiles_task",
        "schedule": timedelta(hours=24),
    },
}
# Live events raised inside a worker reach browsers through the channel layer. Without Redis the
# in-memory layer lives in the web process only, so the worker hands its events to the web process
# through the broker (see doeplein.live).
LIVE_RELAY_VIA_BROKER = not REDIS_URL and not env_str("CELERY_BROKER_URL")

# --- Auth and accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "doeplein.accounts.forms.SignupExtraForm"
ACCOUNT_FORMS = {"login": "doeplein.accounts.login_form.LoginForm"}
ACCOUNT_ADAPTER = "doeplein.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Rate limits (allauth): failed log-ins per IP and per account, sign-ups and resets per IP.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Confirmed users whose e-mail address is in one of these domains become civil servants.
CIVIL_SERVANT_EMAIL_DOMAINS = [
    d.lower().lstrip("@") for d in env_list("CIVIL_SERVANT_EMAIL_DOMAINS", "rijksoverheid.nl,minbzk.nl")
]
# django-guardian reads ANONYMOUS_USER_NAME (no GUARDIAN_ prefix); None: no "AnonymousUser" row in the users table.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- E-mail ----------------------------------------------------------------------------------------
# Pages queue mail; the worker delivers it through EMAIL_DELIVERY_BACKEND (SMTP when EMAIL_HOST is set).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "doeplein.core.mail.QueuedEmailBackend")
EMAIL_DELIVERY_BACKEND = env_str("EMAIL_DELIVERY_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Doeplein <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "nl")
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [CORE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------------
STATIC_URL = "/static/"
# The core's own static files live beside its templates (platform/doeplein/static), not in an app folder.
STATICFILES_DIRS = [CORE_DIR / "static"]
STATIC_ROOT = env_str("STATIC_ROOT") or str(VAR_DIR / "static")
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(VAR_DIR / "media")
SERVE_STATIC = env_bool("SERVE_STATIC", default=DEBUG)
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    # Any S3-compatible store (MinIO, Ceph, a cloud bucket); credentials come from AWS_* variables.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Request body limits (README, "Limits"). REQUEST_MAX_BODY_BYTES caps a whole request by its Content-Length
# before anything reads it (413); a view that takes large uploads raises its own limit with
# doeplein.core.security.body_limit. DATA_UPLOAD_MAX_MEMORY_SIZE caps the non-file part of a form and any
# JSON body (Django: 400 on a page, 413 from the API). A reverse proxy should set the same limit (nginx:
# client_max_body_size), which also covers chunked bodies without a Content-Length.
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024)

# --- Wagtail ---------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "Doeplein")
WAGTAILADMIN_BASE_URL = SITE_URL
# --- Search (docs/search.md) ---------------------------------------------------------------------------
# One machine: PostgreSQL full-text search (Doeplein's backend stems each item in its own language);
# SQLite for the demo: Wagtail's database backend. Beyond one machine: OPENSEARCH_URL (or SEARCH_URL) names
# an OpenSearch or Elasticsearch cluster and SEARCH_BACKEND the Wagtail backend module for it (the
# "opensearch" extra installs the client).
SEARCH_URL = env_str("SEARCH_URL") or env_str("OPENSEARCH_URL")
if SEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": env_str("SEARCH_BACKEND", "wagtail.search.backends.opensearch2"),
            "URLS": [SEARCH_URL],
            "INDEX": env_str("SEARCH_INDEX", "doeplein"),
            "TIMEOUT": 10,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "doeplein.search.backends", "SEARCH_CONFIG": "simple"}}
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
SEARCH_DEBOUNCE_SECONDS = env_int("SEARCH_DEBOUNCE_SECONDS", 2)
# Counts and facets of a search stop at this many results (the results a person can page through: 500 pages of 20).
SEARCH_COUNT_LIMIT = env_int("SEARCH_COUNT_LIMIT", 10_000)
# A full rebuild's maintenance_work_mem and work_mem on PostgreSQL (docs/search.md, "Rebuilding the index").
SEARCH_REBUILD_MEMORY = env_str("SEARCH_REBUILD_MEMORY", "256MB")
# The work_mem of a search's ranking query on PostgreSQL: its bitmap of matches stays exact (no recheck of
# every row on a lossy page) and its sort stays in memory (docs/search.md, "Ranking").
SEARCH_RANK_MEMORY = env_str("SEARCH_RANK_MEMORY", "64MB")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False

# --- Security --------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", default=not DEBUG) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if (DEBUG or TESTING) else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (doeplein.core.security): every script is a static file of this site, so no
# 'unsafe-inline' for scripts. Inline styles stay allowed (htmx adds its indicator style). Websockets go
# to the same host ('self' covers ws:/wss: of the page's own origin). The Wagtail admin renders inline
# scripts of its own, so /admin/ gets CSP_ADMIN.
CSP = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
CSP_ADMIN = env_str(
    "CONTENT_SECURITY_POLICY_ADMIN",
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'",
)
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()",
)
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # preload is an opt-in choice of the operator

# --- Logging: everything to stdout -----------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": sys.stdout, "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}

# --- Live discussion ---------------------------------------------------------------------------------
DISCUSSION_MAX_MESSAGE_LENGTH = env_int("DISCUSSION_MAX_MESSAGE_LENGTH", 4000)
DISCUSSION_MAX_FRAME_BYTES = env_int("DISCUSSION_MAX_FRAME_BYTES", 64 * 1024)
DISCUSSION_RATE_COUNT = env_int("DISCUSSION_RATE_COUNT", 10)  # messages per person per room …
DISCUSSION_RATE_SECONDS = env_int("DISCUSSION_RATE_SECONDS", 10)  # … in this many seconds
# Frames a room socket may have waiting before it counts as too slow (closed with 4408, catches up by seq).
DISCUSSION_SOCKET_QUEUE = env_int("DISCUSSION_SOCKET_QUEUE", 2000)
# A socket's cached verdict is read again after access events, ended sanctions, and at the latest this often.
DISCUSSION_VERDICT_SECONDS = env_int("DISCUSSION_VERDICT_SECONDS", 60)

# --- API -------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
# Rate limits on the API's writes (POST, PUT, PATCH, DELETE), counted in the cache with django-ratelimit:
# per caller (bearer token, else session user, else IP address) and per IP address; "" switches one off.
# Over the limit the API answers 429 with a message. Off in the test run unless a test turns it on.
RATELIMIT_ENABLE = env_bool("API_RATE_LIMITS", default=not TESTING)
API_WRITE_RATE_PER_CALLER = env_str("API_WRITE_RATE_PER_CALLER", "120/m")
API_WRITE_RATE_PER_IP = env_str("API_WRITE_RATE_PER_IP", "600/m")
