"""Django settings, read from the environment.

Development (the default) runs on an embedded SQLite database under ``var/``.
Production (``KC_ENV=production``) requires ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
normally ``DATABASE_URL``; every value is checked by a typed helper that names
the variable when it is missing or malformed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.env import (
    ImproperEnvironment,
    env_bool,
    env_choice,
    env_database_url,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KC_VAR_DIR", str(BASE_DIR / "var")))

VAR_DIR.mkdir(parents=True, exist_ok=True)

KC_ENV = env_choice("KC_ENV", ("development", "production", "test"), "development")
PRODUCTION = KC_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperEnvironment("Environment variable DEBUG must be false when KC_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperEnvironment("Environment variable SECRET_KEY must be a random string of at least 50 characters.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperEnvironment("Environment variable ALLOWED_HOSTS must list at least one host name.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-" + "k" * 40)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "axes",
    "huey.contrib.djhuey",
    "khuyencong.kernel",
    "khuyencong.audit",
    "khuyencong.accounts",
    "khuyencong.territory",
    "khuyencong.organisation",
    "khuyencong.jobs",
    "khuyencong.notifications",
    "khuyencong.web",
    "khuyencong.rulebook",
    "khuyencong.registry",
    "khuyencong.planning",
    "khuyencong.projects",
    "khuyencong.adjustments",
    "khuyencong.contracts",
    "khuyencong.finance",
    "khuyencong.appraisal",
    "khuyencong.attachments",
    "khuyencong.inspections",
    "khuyencong.dashboards",
    "khuyencong.reporting",
    "khuyencong.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "khuyencong.kernel.middleware.RequestIdMiddleware",
    "khuyencong.web.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khuyencong.web.middleware.LanguageMiddleware",  # Vietnamese unless switched; not Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "khuyencong.kernel.middleware.CurrentUserMiddleware",
    "axes.middleware.AxesMiddleware",
    "khuyencong.api.middleware.JsonMethodNotAllowedMiddleware",  # API 405s in the one error shape
    "khuyencong.kernel.caching.NoStoreMiddleware",
]

ROOT_URLCONF = "khuyencong.urls"
WSGI_APPLICATION = "khuyencong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "khuyencong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "khuyencong.web.context_processors.navigation",
                "khuyencong.notifications.context_processors.notification_badge",
            ],
            "builtins": ["khuyencong.web.templatetags.vn"],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
_sqlite_path = VAR_DIR / "db.sqlite3"
if PRODUCTION:
    DATABASES = {"default": env_database_url("DATABASE_URL")}
else:
    DATABASES = {"default": env_database_url("DATABASE_URL", f"sqlite:///{_sqlite_path}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while one writer commits; IMMEDIATE avoids "database is locked"
        # upgrades from read to write transactions; the busy timeout waits instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("KC_TEST_SQLITE_NAME", "") or None}
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("KC_TEST_DB_NAME", "test_khuyencong")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if KC_ENV == "test":
    # Hashing cost is not what the tests are about; production keeps Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes): per user name and address.
AXES_FAILURE_LIMIT = env_int("KC_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("KC_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "khuyencong" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kc_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the switch is remembered for a year, not a session
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "khuyencong" / "static"]
MEDIA_ROOT = Path(env_str("KC_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Compressed, fingerprinted static files (after collectstatic) in production and under `make run`.
STATIC_COMPRESSED = env_bool("KC_STATIC_COMPRESSED", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": env_str("KC_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COMPRESSED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COMPRESSED
# Attached documents (dossiers, decisions, contracts): kept under MEDIA_ROOT by default, so a
# backup carries them; never served by the web server, only through the scoped download view.
# The tests keep them in a temporary directory (each attachment test also gets its own).
_files_default = (
    Path(tempfile.gettempdir()) / "khuyencong-test-files" if KC_ENV == "test" else MEDIA_ROOT / "attachments"
)
KC_FILES_DIR = Path(env_str("KC_FILES_DIR", str(_files_default)))
KC_ATTACHMENT_MAX_BYTES = env_int("KC_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# File extensions accepted for attachments (a subset of attachments.validation.TYPES).
KC_ATTACHMENT_TYPES = env_list("KC_ATTACHMENT_TYPES", "pdf,doc,docx,xls,xlsx,jpg,jpeg,png")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------
_mail_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
_mail_options = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "khuyencong@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as people reach it ("https://khuyencong.example.vn"): links in e-mails are
# made absolute with it; without it they stay site-relative.
KC_SITE_URL = env_str("KC_SITE_URL", "").rstrip("/")

# --- Jobs (huey through Django's tasks API) -----------------------------------------------------
KC_TASK_BACKEND = env_choice("KC_TASK_BACKEND", ("sqlite", "postgres", "redis", "immediate"), "sqlite")
_huey_common = {"name": "khuyencong", "immediate": KC_TASK_BACKEND == "immediate", "results": True}
if KC_TASK_BACKEND in {"sqlite", "immediate"}:
    HUEY = {
        **_huey_common,
        "huey_class": "huey.SqliteHuey",
        "filename": env_str("KC_HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
    }
elif KC_TASK_BACKEND == "redis":
    HUEY = {**_huey_common, "huey_class": "huey.RedisHuey", "url": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}
else:
    # PostgresHuey keeps the queue in the application's PostgreSQL server: no extra service.
    HUEY = {
        **_huey_common,
        "huey_class": "huey.PostgresHuey",
        "dsn": env_str("KC_HUEY_DATABASE_URL", env_str("DATABASE_URL", "")),
    }
HUEY["consumer"] = {"workers": env_int("KC_WORKERS", 2, minimum=1), "worker_type": "thread"}
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend", "ENQUEUE_ON_COMMIT": True}}
# A running job proves it is alive at least every fifth of the lease; past the lease it is interrupted.
KC_JOB_LEASE_SECONDS = env_int("KC_JOB_LEASE_SECONDS", 300, minimum=30)
# PostgreSQL cancels a list page's own queries (page and count) after this many milliseconds and
# the page says so, rather than hang; 0 turns the limit off (SQLite has no statement timeout).
KC_LIST_STATEMENT_TIMEOUT_MS = env_int("KC_LIST_STATEMENT_TIMEOUT_MS", 5000, minimum=0)
# Generated files (exports, error workbooks) are served and kept this many days after the job ends.
KC_FILE_RETENTION_DAYS = env_int("KC_FILE_RETENTION_DAYS", 7, minimum=1)

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from a meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Application --------------------------------------------------------------------------------
KC_API_TOKEN_DAYS = env_int("KC_API_TOKEN_DAYS", 90, minimum=1)
KC_PAGE_SIZE = env_int("KC_PAGE_SIZE", 50, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "khuyencong.kernel.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
