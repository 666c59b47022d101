"""Django settings for Arrears.

Everything that differs between a laptop and a bank's servers comes from the environment:
``DATABASE_URL`` (SQLite file by default, PostgreSQL in production), ``ARREARS_SECRET_KEY``,
``ARREARS_DEBUG``, ``ARREARS_ALLOWED_HOSTS`` and ``ARREARS_HOME`` (where the SQLite file lives).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

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
DEBUG = os.environ.get("ARREARS_DEBUG", "0") == "1"
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
    "arrears.demo",
    "arrears.api",
    "arrears.web",
    # Last: its post_migrate handler gives the role groups permissions of every app above.
    "arrears.users",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ARREARS_MAX_REQUEST_BYTES", 1024 * 1024))

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

# --- Login and session security (issue 6; docs/privacy.md) ---
# Five wrong passwords for one user name from one address lock that pair out for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "arrears.web.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
# Sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False  # arrears.web.sessions renews active sessions instead
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form that fails the CSRF check gets a page in the product's look and the reader's language.
CSRF_FAILURE_VIEW = "arrears.web.errors.csrf_failure"
# Behind HTTPS, set ARREARS_SECURE_COOKIES=1: cookies then travel over HTTPS only.
SECURE_COOKIES = os.environ.get("ARREARS_SECURE_COOKIES", "0") == "1"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

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
EMAIL_PORT = int(os.environ.get("ARREARS_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ARREARS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ARREARS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("ARREARS_SMTP_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("ARREARS_FROM_EMAIL", "collections@arrears.local")
ARREARS_SMS_GATEWAY = os.environ.get("ARREARS_SMS_GATEWAY", "simulator")
ARREARS_SMS_TOKEN = os.environ.get("ARREARS_SMS_TOKEN", "")
