"""Alliance Catalog settings, read from the environment.

Development is the default: `make run` needs no variable at all. Production is
`CATALOG_ENV=production`; it refuses to start with DEBUG on or without a real
SECRET_KEY, and turns on every protection `manage.py check --deploy` asks for.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ------------------------------------------------------------------------------
# Mode
# ------------------------------------------------------------------------------
CATALOG_ENV = os.environ.get("CATALOG_ENV", "development")
if CATALOG_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"CATALOG_ENV must be 'development' or 'production', not {CATALOG_ENV!r}."
    )
PRODUCTION = CATALOG_ENV == "production"

DEVELOPMENT_SECRET_KEY = "django-insecure-alliance-catalog-development-only"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Refusing to start: DEBUG is on in production.")
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            "Refusing to start: production needs SECRET_KEY set to a random value of "
            "at least 50 characters (not the development key)."
        )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django.contrib.sitemaps",
    "catalog",
]

MIDDLEWARE = [
    # Outermost: every response, even an error or a redirect, carries the request id and
    # is counted in the metrics.
    "catalog.logs.RequestIdMiddleware",
    "catalog.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Where the request reads: a read replica, or the primary (catalog/replicas.py).
    "catalog.replicas.ReadReplicasMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

if PRODUCTION:
    # Serves the collected static files (`manage.py collectstatic`) in production; the
    # development server serves them itself.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "alliance_site.urls"
WSGI_APPLICATION = "alliance_site.wsgi.application"

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

# ------------------------------------------------------------------------------
# Database: a SQLite file beside the code by default, anything dj-database-url
# understands otherwise (postgres://user@host:5432/name).
# ------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open like PostgreSQL's: a fresh SQLite connection reads the schema and starts
    # with a cold page cache, 1-3 ms of a 5 ms search at 100k entries under gunicorn.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the one writer work at the same time; IMMEDIATE makes a
        # write transaction take its lock at BEGIN instead of failing halfway.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name) or str(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number of seconds, 0 or more; not {value!r}.")
    return seconds


# Read replicas (catalog/replicas.py): streaming replicas of the PostgreSQL primary, one
# URL each, comma-separated. Web requests read from a fit one (search, facets, pages);
# writes, transactions, commands and migrations use the primary. Each becomes the alias
# replica1, replica2, ...; in tests a replica mirrors the primary's test database.
def replica_database(url: str) -> dict:
    replica = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    engines = {replica["ENGINE"], DATABASES["default"]["ENGINE"]}
    if engines != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS names streaming replicas of a PostgreSQL primary: "
            "DATABASE_URL and each replica must be postgres:// URLs."
        )
    # A replica that does not answer is given up on quickly (unless its URL says otherwise).
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    replica["TEST"] = {"MIRROR": "default"}
    return replica


DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
CATALOG_READ_REPLICAS = [f"replica{n}" for n in range(1, len(DATABASE_REPLICA_URLS) + 1)]
DATABASES.update(
    (alias, replica_database(url))
    for alias, url in zip(CATALOG_READ_REPLICAS, DATABASE_REPLICA_URLS, strict=True)
)
DATABASE_ROUTERS = ["catalog.replicas.ReadReplicaRouter"]
# A client that wrote reads from the primary this long after (a signed cookie).
CATALOG_READ_PRIMARY_SECONDS = env_seconds("CATALOG_READ_PRIMARY_SECONDS", 5)
# A replica further behind than this is not read from.
CATALOG_REPLICA_MAX_LAG_SECONDS = env_seconds("CATALOG_REPLICA_MAX_LAG_SECONDS", 2)
# Each process measures each replica's lag at most this often...
CATALOG_REPLICA_CHECK_SECONDS = env_seconds("CATALOG_REPLICA_CHECK_SECONDS", 2)
# ... and tries a replica it found down again after this long.
CATALOG_REPLICA_DOWN_SECONDS = env_seconds("CATALOG_REPLICA_DOWN_SECONDS", 30)
if CATALOG_READ_PRIMARY_SECONDS < CATALOG_REPLICA_MAX_LAG_SECONDS + CATALOG_REPLICA_CHECK_SECONDS:
    # A replica read from is at most MAX_LAG behind when measured, and is read from until
    # the next check: a client pinned for less could miss its own change after the pin.
    raise ImproperlyConfigured(
        "CATALOG_READ_PRIMARY_SECONDS must be at least CATALOG_REPLICA_MAX_LAG_SECONDS + "
        "CATALOG_REPLICA_CHECK_SECONDS, so a client that wrote never reads a replica that "
        f"lacks its change; now {CATALOG_READ_PRIMARY_SECONDS:g} < "
        f"{CATALOG_REPLICA_MAX_LAG_SECONDS:g} + {CATALOG_REPLICA_CHECK_SECONDS:g}."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Cache: local memory by default; Redis when CACHE_URL says so (shared across
# processes, as production needs for throttling and facet counts).
# ------------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
if PRODUCTION and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "Refusing to start: production needs CACHE_URL=redis://… so that every process "
        "shares one cache (rate limits, facet counts)."
    )
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # Django's Redis cache, going on without it while Redis is down (catalog/cache.py).
            "BACKEND": "catalog.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that stops answering is given up on (and /readyz fails) in seconds
            # instead of holding a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------
# Internationalization: times are stored and served in UTC.
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Static files, served by WhiteNoise in production.
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# ------------------------------------------------------------------------------
# REST API
# ------------------------------------------------------------------------------


def env_rate(name: str, default: str) -> str:
    """A request rate such as `120/minute` (DRF's form: a count per second, minute, hour
    or day). A mistyped rate stops the start instead of failing every request later."""
    value = os.environ.get(name) or default
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, minute, hour or day, "
            f"like 120/minute; not {value!r}."
        )
    return value


# Four buckets, counted apart (catalog/api/throttling.py), so a script using the API
# never locks its owner's browser out of search:
# - anonymous API clients, by address;
CATALOG_ANON_RATE = env_rate("CATALOG_ANON_RATE", "120/minute")
# - signed-in members' API requests, by account;
CATALOG_USER_RATE = env_rate("CATALOG_USER_RATE", "1200/minute")
# - requests with an API token, by token (an integration's pipeline never uses up its
#   owner's own allowance);
CATALOG_TOKEN_RATE = env_rate("CATALOG_TOKEN_RATE", "2400/minute")
# - the search page, by address (by account when signed in): far above what a person
#   browsing does, there only to stop a flood.
CATALOG_PAGE_RATE = env_rate("CATALOG_PAGE_RATE", "600/minute")
# How many proxies (load balancers) stand in front of the app and append to
# X-Forwarded-For. 0 (the default) identifies clients by the connection's address, so a
# client cannot pick its own identity with a forged header.
CATALOG_NUM_PROXIES = int(os.environ.get("CATALOG_NUM_PROXIES", "0"))
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "catalog.api.schema.CatalogAutoSchema",
    # The token first: its 401 answers carry its WWW-Authenticate challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The rates are read from the CATALOG_*_RATE settings at request time.
    "DEFAULT_THROTTLE_CLASSES": [
        "catalog.api.throttling.CatalogAnonThrottle",
        "catalog.api.throttling.CatalogUserThrottle",
        "catalog.api.throttling.CatalogTokenThrottle",
    ],
    "NUM_PROXIES": CATALOG_NUM_PROXIES,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "catalog.api.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Catalog API",
    "DESCRIPTION": (
        "Read the open catalog of AI models, datasets and tools shared by the "
        "AI Alliance's members."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ArtifactKindEnum": "catalog.models.ArtifactKind",
        "ArtifactStatusEnum": "catalog.models.ArtifactStatus",
        "OrganizationKindEnum": "catalog.models.OrganizationKind",
        "MembershipRoleEnum": "catalog.models.MembershipRole",
    },
}

# ------------------------------------------------------------------------------
# How the catalog names itself to harvesters and search engines: the DCAT catalog
# (/catalog.ttl), Croissant and the pages' schema.org data.
# ------------------------------------------------------------------------------
CATALOG_NAME = "Alliance Catalog"
CATALOG_DESCRIPTION = (
    "The open catalog of AI models, datasets and tools shared by the AI Alliance's members."
)
CATALOG_PUBLISHER = "AI Alliance"

# ------------------------------------------------------------------------------
# Security: every protection on in production. TLS ends at the load balancer,
# which sets X-Forwarded-Proto.
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the admin's JavaScript does not read it; Django's default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Probes and scrapers talk to the app directly, over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# ------------------------------------------------------------------------------
# Metrics (catalog/metrics.py): /metrics is 404 unless published. With a token, scrapers
# send `Authorization: Bearer <token>`. PROMETHEUS_MULTIPROC_DIR (read by
# prometheus-client itself) adds up the numbers of every gunicorn worker.
# ------------------------------------------------------------------------------
CATALOG_METRICS_TOKEN = os.environ.get("CATALOG_METRICS_TOKEN", "")
CATALOG_METRICS_PUBLIC = env_bool("CATALOG_METRICS_PUBLIC", default=False)

# ------------------------------------------------------------------------------
# Logging: to standard error, one line a record; JSON with the request id in
# production (or CATALOG_LOG_FORMAT=json), plain text otherwise.
# ------------------------------------------------------------------------------
CATALOG_LOG_FORMAT = os.environ.get("CATALOG_LOG_FORMAT") or ("json" if PRODUCTION else "text")
if CATALOG_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(
        f"CATALOG_LOG_FORMAT must be 'json' or 'text', not {CATALOG_LOG_FORMAT!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "catalog.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "catalog.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": CATALOG_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own records go through the one handler above (not its default console
        # handler), so they carry the request id and the chosen format.
        "django": {"handlers": [], "level": os.environ.get("LOG_LEVEL", "WARNING")},
        # JSON logs are for machines: one line per request, with its view, status and time.
        "catalog.requests": {"level": "INFO" if CATALOG_LOG_FORMAT == "json" else "WARNING"},
    },
}
