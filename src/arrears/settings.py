"""Django settings for Arrears.

Everything that differs between a laptop and a bank's servers comes from the environment:
``DATABASE_URL`` (SQLite file by default, PostgreSQL in production), ``ARREARS_SECRET_KEY``,
``ARREARS_DEBUG``, ``ARREARS_ALLOWED_HOSTS`` and ``ARREARS_HOME`` (where the SQLite file lives);
HTTPS behind a proxy (``ARREARS_HTTPS``, ``ARREARS_PROXY_SSL_HEADER``, ``ARREARS_HSTS_SECONDS``,
``ARREARS_SSL_REDIRECT``) and ``ARREARS_ENV=production`` (docs/operations.md, "HTTPS and
production"). Values are checked here (``arrears.environment``): a wrong one stops the start
with a sentence, not a traceback.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from arrears.environment import (
    env_choice,
    env_flag,
    env_header,
    env_int,
    env_proxy_ssl_header,
)

PACKAGE_DIR = Path(__file__).resolve().parent
ARREARS_HOME = Path(os.environ.get("ARREARS_HOME", Path.cwd() / "var")).resolve()
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Tests spread over several processes: each works in its own folder (demo files, SQLite).
    ARREARS_HOME = ARREARS_HOME / os.environ["PYTEST_XDIST_WORKER"]
(ARREARS_HOME / "static").mkdir(parents=True, exist_ok=True)



def _secret_key(home: Path) -> str:
    """``ARREARS_SECRET_KEY``, else a random key made once for this ``ARREARS_HOME`` and kept
    in its ``secret_key`` file (readable by the owner only). A key written in the source would
    be known to everyone who can read the repository, in every installation that forgot to
    set one."""
    if os.environ.get("ARREARS_SECRET_KEY"):
        return os.environ["ARREARS_SECRET_KEY"]
    path = home / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    import secrets

    key = secrets.token_urlsafe(50)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key)
    return key


SECRET_KEY = _secret_key(ARREARS_HOME)
DEBUG = env_flag("ARREARS_DEBUG")
ALLOWED_HOSTS = os.environ.get("ARREARS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    # Django's admin with the product's own site: login, branding, audit, masking.
    "arrears.web.admin_apps.ArrearsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "arrears.audit",
    "arrears.portfolio",
    "arrears.access",
    "arrears.ledger",
    "arrears.imports",
    "arrears.scoring",
    "arrears.strategy",
    "arrears.batch",
    "arrears.workbench",
    "arrears.compliance",
    "arrears.channels",
    "arrears.letters",
    "arrears.dialer",
    "arrears.recovery",
    "arrears.arrangements",
    "arrears.night",
    "arrears.reporting",
    "arrears.demo",
    "arrears.api",
    "arrears.selfservice",
    "arrears.web",
    # Last: its post_migrate handler gives the role groups permissions of every app above.
    "arrears.users",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Scripts and styles from our own files only, no framing (arrears.web.csp).
    "arrears.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews an active session's 30 idle minutes, with one write a minute at most.
    "arrears.web.sessions.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body: 413 for one too large, 503 when the database is busy.
    "arrears.http_limits.RequestLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language a user chose (saved per user) wins over the browser's at every request.
    "arrears.users.language.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "arrears.urls"

# The largest request body the server reads (JSON of the API, forms of the pages); larger ones
# are refused with 413 before they are read (arrears.http_limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ARREARS_MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "arrears.access.web.menu",
            ],
        },
    },
]

WSGI_APPLICATION = "arrears.wsgi.application"

DEFAULT_SQLITE_URL = f"sqlite:///{ARREARS_HOME / 'arrears.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for each other instead of failing: WAL lets readers go on while
    # one writes; BEGIN IMMEDIATE takes the write lock when a transaction starts (a deferred
    # transaction that reads and then writes cannot wait for it and fails at once with
    # "database is locked"); the busy timeout is how long a writer waits. Beyond it the answer
    # is 503 with Retry-After (arrears.http_limits), never a 500.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": float(os.environ.get("ARREARS_SQLITE_TIMEOUT", "20")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ARREARS_HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Login and session security (issue 6; docs/privacy.md, docs/security.md) ---
# Five wrong passwords for one user name from one address lock that pair out for 15 minutes;
# more than ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever user names
# were tried, lock the address (password spraying; 0 turns this off). arrears.web.backends.
AUTHENTICATION_BACKENDS = [
    "arrears.web.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_HANDLER = "arrears.web.backends.AddressThrottleHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure with its address: the address's count
ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("ARREARS_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
# Behind a proxy every request comes from the proxy's address: name the header in which the
# proxy passes the client's (ARREARS_CLIENT_ADDRESS_HEADER=X-Forwarded-For; its last entry,
# the one the proxy added, is used), or the address limit would lock everyone out together.
ARREARS_CLIENT_ADDRESS_HEADER = env_header("ARREARS_CLIENT_ADDRESS_HEADER")
AXES_CLIENT_IP_CALLABLE = "arrears.web.backends.client_address"
# Sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False  # arrears.web.sessions renews active sessions instead
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form that fails the CSRF check gets a page in the product's look and the reader's language.
CSRF_FAILURE_VIEW = "arrears.web.errors.csrf_failure"

# --- HTTPS and production (docs/operations.md, "HTTPS and production") ---
# The proxy in front of Arrears ends TLS and says so in a header: ARREARS_PROXY_SSL_HEADER=
# HTTP_X_FORWARDED_PROTO=https. Only set it when the proxy always sets (or strips) that header,
# otherwise a client could claim HTTPS itself.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("ARREARS_PROXY_SSL_HEADER")
# Browsers remember for this many seconds to use HTTPS only (0: no Strict-Transport-Security).
SECURE_HSTS_SECONDS = env_int("ARREARS_HSTS_SECONDS", 0)
# Off unless asked: every subdomain of the bank's domain would have to serve HTTPS too.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("ARREARS_HSTS_INCLUDE_SUBDOMAINS")
SECURE_SSL_REDIRECT = env_flag("ARREARS_SSL_REDIRECT")
# HTTPS is declared by ARREARS_HTTPS=1, or implied by a redirect to it or HSTS: cookies then
# travel over HTTPS only (ARREARS_SECURE_COOKIES=1, the older name, still works).
HTTPS = (env_flag("ARREARS_HTTPS") or SECURE_SSL_REDIRECT or SECURE_HSTS_SECONDS > 0
         or env_flag("ARREARS_SECURE_COOKIES"))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
# Production: `arrears serve` runs Django's deployment checks and refuses to start on a
# finding. ARREARS_ENV=production says so, and so does HTTPS without debug.
ARREARS_ENV = env_choice("ARREARS_ENV", "development", ("development", "production"))
ARREARS_PRODUCTION = ARREARS_ENV == "production" or (HTTPS and not DEBUG)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:portfolio"
LOGOUT_REDIRECT_URL = "login"

ARREARS_DEFAULT_CURRENCY = os.environ.get("ARREARS_DEFAULT_CURRENCY", "CNY")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ARREARS_LOG_LEVEL", "WARNING")},
}

# Contact channels (docs/channels.md): the SMTP server for e-mail to debtors, the SMS gateway.
EMAIL_HOST = os.environ.get("ARREARS_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("ARREARS_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("ARREARS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ARREARS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_flag("ARREARS_SMTP_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("ARREARS_FROM_EMAIL", "collections@arrears.local")
ARREARS_SMS_GATEWAY = os.environ.get("ARREARS_SMS_GATEWAY", "simulator")
ARREARS_SMS_TOKEN = os.environ.get("ARREARS_SMS_TOKEN", "")
