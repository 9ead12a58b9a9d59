"""Django settings. Everything a deployment changes comes from CITYLOOP_* environment variables.

The embedded default is SQLite in WAL mode under CITYLOOP_DATA_DIR; production sets
CITYLOOP_DATABASE_URL=postgresql://user@host:5432/name.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CITYLOOP_DATA_DIR", Path.cwd() / ".cityloop")).resolve()

DEBUG = os.environ.get("CITYLOOP_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("CITYLOOP_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = [
    h
    for h in os.environ.get("CITYLOOP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CITYLOOP_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
# Behind a TLS proxy (deploy/nginx): requests arrive over http from 127.0.0.1, so the proxy's
# X-Forwarded-Proto says whether the client used https (nginx always sets it, overwriting
# the client's), and cookies are sent over https only.
CITYLOOP_HTTPS = os.environ.get("CITYLOOP_HTTPS", "0") == "1"
if CITYLOOP_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "cityloop.web.vendor_apps.JobQueueConfig",  # django_q, named in Chinese
    "ninja",
    "cityloop.web.vendor_apps.LoginLockConfig",  # axes, named in Chinese
    "django_ratelimit",
    "cityloop.kernel",
    "cityloop.geo",
    "cityloop.org",
    "cityloop.taxonomy",
    "cityloop.classify",
    "cityloop.sla",
    "cityloop.dispatch",
    "cityloop.appeals",
    "cityloop.intake.sensors",
    "cityloop.handling",
    "cityloop.intake.patrol",
    "cityloop.oversight",
    "cityloop.evaluate",
    "cityloop.intake.bulk.apps.BulkImportConfig",
    "cityloop.notify",
    "cityloop.warning",
    "cityloop.proactive",
    "cityloop.integrations.webhooks",
    "cityloop.integrations",
    "cityloop.web",
    "cityloop.demo",
]

MIDDLEWARE = [
    # Outermost: times the whole answer, static files included, and tags it with its
    # request id (ops/middleware.py: the log line and the metrics).
    "cityloop.ops.middleware.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cityloop.kernel.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cityloop.web.errors.RefuseUnreadableFormMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lock page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cityloop.urls"
WSGI_APPLICATION = "cityloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cityloop.web.access.navigation",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"CITYLOOP_DATABASE_URL must be postgresql://…, got {parsed.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Kept open between requests (a new PostgreSQL connection forks a backend: ~3 ms of
        # database CPU), and tried before a request reuses it: after PostgreSQL restarts (a
        # crash, a failover) a server thread that was idle meanwhile holds a dead one, and
        # its next request would fail with a 500 (tests/faults/test_kill9.py).
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": os.environ.get("CITYLOOP_TEST_DATABASE_NAME")},
    }


def _sqlite(path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "cityloop.kernel.fair_sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE makes every transaction take the write lock up front, so two writers
            # queue behind each other instead of failing half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
            ),
        },
        # Opening the file and running the PRAGMAs on every request costs more than most
        # requests: each server thread keeps its connection.
        "CONN_MAX_AGE": None,
        # A file, not memory: tests then see the same WAL locking as production.
        "TEST": {"NAME": str(path.with_name("test_" + path.name))},
    }


_database_url = os.environ.get("CITYLOOP_DATABASE_URL", "")
DATABASES = {
    "default": _database_from_url(_database_url)
    if _database_url
    else _sqlite(DATA_DIR / "cityloop.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
# Each language named in itself, never translated: the switch reads "English" to someone
# who cannot read Chinese and "中文" to someone who cannot read English.
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: attachments go through a view that checks access
STATIC_URL = "/static/"
# Pages serve static files straight from the package (WhiteNoise finders); a deployment
# that wants collectstatic sets CITYLOOP_STATIC_ROOT.
STATIC_ROOT = os.environ.get("CITYLOOP_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

Q_CLUSTER = {
    "name": "cityloop",
    "orm": "default",
    "workers": int(os.environ.get("CITYLOOP_WORKERS", "2")),
    "timeout": 300,
    # retry must exceed timeout: a job whose worker died is handed out again, so jobs are
    # written to be safe when they run twice.
    "retry": 360,
    "max_attempts": 5,
    "catch_up": False,
    "ack_failures": True,
}

# ── Telling citizens (notify) ────────────────────────────────────────────────────────────
# Where messages go: by default files under DATA_DIR/outbox (nothing leaves the machine).
# cityloop.notify.backends.SmtpEmail sends e-mail through the EMAIL_* settings below;
# cityloop.notify.backends.HttpSmsGateway sends SMS to CITYLOOP_SMS_GATEWAY_URL.
CITYLOOP_NOTIFY_SMS_BACKEND = os.environ.get(
    "CITYLOOP_NOTIFY_SMS_BACKEND", "cityloop.notify.backends.FileSms"
)
CITYLOOP_NOTIFY_EMAIL_BACKEND = os.environ.get(
    "CITYLOOP_NOTIFY_EMAIL_BACKEND", "cityloop.notify.backends.FileEmail"
)
# The address citizens open the links in messages at (tracking page, opt-out).
# ── Webhooks to outside systems (integrations.webhooks) ───────────────────────────────────
# Private and loopback receivers are refused (server-side request forgery) unless allowed:
# a closed government network sets CITYLOOP_WEBHOOKS_ALLOW_PRIVATE=1.
CITYLOOP_WEBHOOKS_ALLOW_PRIVATE = os.environ.get("CITYLOOP_WEBHOOKS_ALLOW_PRIVATE", "0") == "1"
CITYLOOP_WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("CITYLOOP_WEBHOOKS_MAX_ATTEMPTS", "8"))
CITYLOOP_WEBHOOKS_RETRY_SECONDS = int(os.environ.get("CITYLOOP_WEBHOOKS_RETRY_SECONDS", "30"))
CITYLOOP_WEBHOOKS_CLAIM_SECONDS = int(os.environ.get("CITYLOOP_WEBHOOKS_CLAIM_SECONDS", "300"))
CITYLOOP_WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("CITYLOOP_WEBHOOKS_TIMEOUT_SECONDS", "10"))

CITYLOOP_PUBLIC_URL = os.environ.get("CITYLOOP_PUBLIC_URL", "http://127.0.0.1:8000")
# A message is tried at most this often, waiting RETRY_SECONDS, then twice that, … between
# tries; a worker holds a message it took for CLAIM_SECONDS (then another may take it).
CITYLOOP_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("CITYLOOP_NOTIFY_MAX_ATTEMPTS", "6"))
CITYLOOP_NOTIFY_RETRY_SECONDS = int(os.environ.get("CITYLOOP_NOTIFY_RETRY_SECONDS", "60"))
CITYLOOP_NOTIFY_CLAIM_SECONDS = int(os.environ.get("CITYLOOP_NOTIFY_CLAIM_SECONDS", "300"))
CITYLOOP_NOTIFY_MAIL_DOMAIN = os.environ.get("CITYLOOP_NOTIFY_MAIL_DOMAIN", "cityloop.local")
CITYLOOP_SMS_GATEWAY_URL = os.environ.get("CITYLOOP_SMS_GATEWAY_URL", "")
CITYLOOP_SMS_GATEWAY_TOKEN = os.environ.get("CITYLOOP_SMS_GATEWAY_TOKEN", "")
CITYLOOP_SMS_GATEWAY_SIGN = os.environ.get("CITYLOOP_SMS_GATEWAY_SIGN", "12345")
EMAIL_HOST = os.environ.get("CITYLOOP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CITYLOOP_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CITYLOOP_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CITYLOOP_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CITYLOOP_EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("CITYLOOP_DEFAULT_FROM_EMAIL", "12345@cityloop.local")

# ── Logs and metrics (ops, docs/decisions/0012-operations.md) ─────────────────────────────
# "json": one JSON object per line (`cityloop serve` defaults to it when its output is not a
# terminal); "plain": for people reading a terminal or a test run.
CITYLOOP_LOG_FORMAT = os.environ.get("CITYLOOP_LOG_FORMAT", "plain").strip() or "plain"
if CITYLOOP_LOG_FORMAT not in {"json", "plain"}:
    raise ValueError(f"CITYLOOP_LOG_FORMAT must be json or plain, got {CITYLOOP_LOG_FORMAT!r}")
# One line per request (method, route pattern, status, duration, user id, request id): on by
# default with JSON logs (a server's journal), off with plain ones (a newcomer's terminal
# would scroll with every static file); CITYLOOP_REQUEST_LOG=on|off decides otherwise.
CITYLOOP_REQUEST_LOG = (
    os.environ.get("CITYLOOP_REQUEST_LOG", "on" if CITYLOOP_LOG_FORMAT == "json" else "off")
    != "off"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cityloop.ops.log_format.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"route_not_path": {"()": "cityloop.ops.log_format.RouteNotPath"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": CITYLOOP_LOG_FORMAT,
            "filters": ["route_not_path"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CITYLOOP_LOG_LEVEL", "WARNING")},
    "loggers": {
        "cityloop.request": {"level": "INFO" if CITYLOOP_REQUEST_LOG else "WARNING"},
    },
}
# /metrics answers loopback callers, and others that send "Authorization: Bearer <token>".
CITYLOOP_METRICS_TOKEN = os.environ.get("CITYLOOP_METRICS_TOKEN", "")

# The one name the 12345 centre goes by on every page and message (staff steps are shown
# to citizens under it, the thank-you after a rating names it).
CITYLOOP_BRAND = _("12345 市民服务热线")
# The reply check as a gate (cityloop.appeals.enums.ReplyGate): "warn" lets a weak reply
# through flagged, "confirm" asks the handler for a reason to send it anyway, "block" holds
# it for a supervisor's review before it counts as replied.
CITYLOOP_REPLY_GATE = os.environ.get("CITYLOOP_REPLY_GATE", "confirm")
# Maps draw the city's own GeoJSON; a deployment with a tile server sets its URL template.
CITYLOOP_TILE_URL = os.environ.get("CITYLOOP_TILE_URL", "")
# The Chinese font embedded in PDF exports (fonts-noto-cjk's; a .ttc, .otf or .ttf). Without
# it the PDF names Adobe's STSong-Light and the reader supplies the glyphs (assessment/pdf_font).
CITYLOOP_PDF_FONT = os.environ.get(
    "CITYLOOP_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)
# The analytics store (Parquet files, analytics/store.py); by default DATA_DIR/analytics.
CITYLOOP_ANALYTICS_DIR = os.environ.get("CITYLOOP_ANALYTICS_DIR", "") or str(DATA_DIR / "analytics")

# ── Throttling: guessing and flooding ────────────────────────────────────────────────────
# Every limit lives here (docs/decisions/0004-throttling.md says why these numbers).
# name → rates "count/period" (s, m, h, d; "10/5m" = 10 per 5 minutes); all rates of a name
# apply. Counters are kept in the database cache below, so they hold across gunicorn
# workers and servers, on SQLite as on PostgreSQL, without Redis.
CITYLOOP_THROTTLES: dict[str, tuple[str, ...]] = {
    # citizen evaluation: the last four phone digits must not be guessable, from one address
    # or from many (the per-appeal count is what stops distributed guessing)
    "evaluation_per_appeal": ("5/h", "10/d"),
    "evaluation_per_ip": ("20/h",),
    # reports without login, page and API together
    "report_per_ip": ("5/m", "30/h"),
    # tracking codes that do not exist (enumeration), page and API together
    "track_miss_per_ip": ("30/h",),
    # failed logins from one address over all user names (password spraying); one user
    # name from one address is locked by django-axes (AXES_* below)
    "login_failure_per_ip": ("30/h",),
    # API bearer tokens that match no active token
    "token_failure_per_ip": ("20/h",),
    # the console's caller-history lookup (one request per keystroke pause)
    "caller_lookup_per_user": ("60/m", "600/h"),
}
# Behind a reverse proxy REMOTE_ADDR is the proxy: name the request.META key the proxy sets
# to the client's address (e.g. HTTP_X_REAL_IP). Never a header clients can set themselves.
CITYLOOP_CLIENT_IP_META = os.environ.get("CITYLOOP_CLIENT_IP_META", "REMOTE_ADDR")

CACHES = {
    "default": {
        # Django's database cache with an atomic incr(): a counter cannot lose an attempt
        # when two workers count at once. The table is created by migration core 0001.
        "BACKEND": "cityloop.kernel.counting_cache.CountingDatabaseCache",
        "LOCATION": "cityloop_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}
# CITYLOOP_THROTTLE=off switches every limit off, for load tests and API fuzzing only.
CITYLOOP_THROTTLE_ON = os.environ.get("CITYLOOP_THROTTLE", "on") != "off"
RATELIMIT_ENABLE = CITYLOOP_THROTTLE_ON
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "cityloop.kernel.throttle.client_ip"
# A cache failure refuses rather than lets guessing through.
RATELIMIT_FAIL_OPEN = False
# django-ratelimit warns about any backend it has not tested; ours is atomic (see above).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

AXES_ENABLED = CITYLOOP_THROTTLE_ON
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cityloop.web.login.axes_locked_out"
AXES_CLIENT_IP_CALLABLE = "cityloop.kernel.throttle.client_ip"
# The lock's log line names the user name and the address (the password is always masked).
AXES_SENSITIVE_PARAMETERS: list[str] = []
