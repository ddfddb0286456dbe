"""Settings for the OA platform.

Everything is read from the environment with safe defaults.  Without any variables set the project runs
in the *embedded* profile (SQLite, in-memory channel layer, in-process Celery worker).  Setting
DATABASE_URL-style variables and REDIS_URL switches to the *scale-out* profile; the code paths are the same.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from oa.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("OA_DEBUG", False)
_DEV_SECRET = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env_str("OA_SECRET_KEY", _DEV_SECRET)
PRODUCTION = env_bool("OA_PRODUCTION", False)
if PRODUCTION and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("OA_PRODUCTION=true requires OA_SECRET_KEY to be set to a long random value")

ALLOWED_HOSTS = env_list("OA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("OA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "guardian",
    "axes",
    "django_celery_beat",
    # core office domain
    "oa.core",
    "oa.org",
    "oa.audit",
    "oa.accounts",
    "oa.todo",
    "oa.supervision",
    "oa.messaging",
    "oa.web",
    # feature apps
    "documents",
    "documents.exchange",
    "documents.archive",
    "signing",
    "meetings",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: both tell the user why they were sent to the login / password page.
    "oa.accounts.middleware.IdleTimeoutMiddleware",
    "oa.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "oa.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oa.urls"
WSGI_APPLICATION = "oa.wsgi.application"
ASGI_APPLICATION = "oa.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "oa.web.context_processors.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------------------
DB_ENGINE = env_str("OA_DB_ENGINE", "sqlite")
if DB_ENGINE == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("OA_SQLITE_PATH", str(VAR_DIR / "oa.sqlite3")),
            "OPTIONS": {
                # WAL + IMMEDIATE transactions: writers queue instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
elif DB_ENGINE == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("OA_DB_NAME", "oa"),
            "USER": env_str("OA_DB_USER", "oa"),
            "PASSWORD": env_str("OA_DB_PASSWORD", ""),
            "HOST": env_str("OA_DB_HOST", "127.0.0.1"),
            "PORT": env_str("OA_DB_PORT", "5432"),
            "CONN_MAX_AGE": env_int("OA_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    raise ImproperlyConfigured(f"OA_DB_ENGINE must be 'sqlite' or 'postgresql', got {DB_ENGINE!r}")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.Person"

# --- channels and celery ----------------------------------------------------------------------------
REDIS_URL = env_str("OA_REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py 8 defaults to a 5 s read timeout, which is also how long channels_redis
                        # blocks in BZPOPMIN: idle sockets then die with TimeoutError. Stay above it.
                        "socket_timeout": env_int("OA_REDIS_SOCKET_TIMEOUT", 15),
                        "socket_connect_timeout": 5,
                        # redis-py 8 refuses (does not wait) past 100 connections; a burst of reconnecting
                        # sockets joining their groups needs more.
                        "max_connections": env_int("OA_REDIS_MAX_CONNECTIONS", 1000),
                    }
                ],
                "prefix": env_str("OA_CHANNEL_PREFIX", "oa"),
                # One queue per server process holds the messages of all its sockets: 100 drops messages.
                "capacity": env_int("OA_CHANNEL_CAPACITY", 1000),
            },
        }
    }
    CELERY_BROKER_URL = env_str("OA_CELERY_BROKER_URL", REDIS_URL)
else:
    # channels' in-memory layer with its per-receive expiry sweep throttled (see oa/core/layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "oa.core.layers.InMemoryChannelLayer"}}
    # The embedded profile runs the worker inside the server process (see oa/core/embedded.py).
    CELERY_BROKER_URL = env_str("OA_CELERY_BROKER_URL", "memory://")
EMBEDDED_WORKER = not REDIS_URL

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env_bool("OA_CELERY_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one message at a time: a killed worker holds back only one
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    "sign-audit-chain-head": {
        "task": "oa.audit.tasks.sign_chain_head",
        "schedule": timedelta(minutes=env_int("OA_AUDIT_SIGN_MINUTES", 10)),
    },
    "prune-login-records": {"task": "oa.accounts.tasks.prune_login_records", "schedule": timedelta(hours=6)},
    # Idempotent (once per item, kind and day): hourly runs only catch up after downtime.
    "supervision-reminders": {"task": "oa.supervision.tasks.send_reminders", "schedule": timedelta(hours=1)},
    # Idempotent (会前提醒 once per attendee, 催回执 once per attendee and day).
    "meetings-reminders": {"task": "meetings.tasks.send_reminders", "schedule": timedelta(minutes=10)},
    # 收文办理时限: idempotent (once per flow and day).
    "document-flow-reminders": {"task": "documents.tasks.send_flow_reminders", "schedule": timedelta(hours=1)},
    "exchange-sweep": {"task": "documents.exchange.tasks.sweep", "schedule": timedelta(minutes=1)},
    "archive-receipts-sweep": {"task": "documents.archive.tasks.sweep_receipts", "schedule": timedelta(hours=1)},
}

# --- i18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static -----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("OA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("OA_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("OA_WHITENOISE_USE_FINDERS", True)

# --- authentication and security (等保 level 3) ------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses interactive sign-in of is_superuser accounts: the superuser flag would bypass 三员 separation.
    "oa.accounts.backends.NoSuperuserLoginBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "first_name", "last_name", "email", "phone")},
    },
    {"NAME": "oa.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},  # Chinese message
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # At least 3 of 4 classes: upper case, lower case, digits, symbols.
    {"NAME": "oa.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    # Not a rule: stamps Person.password_changed_at whenever a password is saved (Django calls
    # password_changed() on every validator after set_password() + save()).
    {"NAME": "oa.accounts.validators.PasswordChangedRecorder"},
]
# A password older than this sends the user to the password page before anything else; 0 = no expiry.
PASSWORD_MAX_AGE_DAYS = env_int("OA_PASSWORD_MAX_AGE_DAYS", 90)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: 5 failures lock the account for 30 minutes (per username, whatever the client address).
# Not per address in axes: many offices (a whole 镇 government) reach the intranet through one NAT
# address, and axes would lock *everybody* there after five typos by anyone.  Password spraying (one
# address, many usernames) is stopped instead by oa.accounts.lockout.address_blocked with its own, much
# higher limit (OA_LOCKOUT_ADDRESS_FAILURES failures in the same window).  Hence axes.W006 is silenced.
AXES_FAILURE_LIMIT = env_int("OA_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OA_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lock lasts 30 minutes from the fifth failure; attempts while locked are refused (and audited)
# without extending it, so the page can tell the user when to come back.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "oa.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Failed attempts are listed for the 安全管理员 from axes' own log (the audit trail is the 审计管理员's).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Unlocking goes through the 安全管理员 console (audited), not by deleting rows in the Django admin.
AXES_ENABLE_ADMIN = False
LOCKOUT_ADDRESS_FAILURES = env_int("OA_LOCKOUT_ADDRESS_FAILURES", 30)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # see the lockout comment above

# Idle logout (oa.accounts.middleware): requests sent with the header "X-OA-Background: 1" (polls, live
# counters) do not count as activity.  SESSION_COOKIE_AGE is also enforced as an absolute limit there.
IDLE_TIMEOUT_SECONDS = env_int("OA_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("OA_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "oa.accounts.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

HTTPS = env_bool("OA_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("OA_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("OA_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("OA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Audit chain head signing key (Ed25519, PEM).  Generated into VAR_DIR on first use when not given.
AUDIT_SIGNING_KEY_FILE = env_str("OA_AUDIT_SIGNING_KEY_FILE", str(VAR_DIR / "keys" / "audit-ed25519.pem"))

# --- API --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "oa.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "协同办公与电子公文交换系统 API",
    "DESCRIPTION": "组织机构、人员、待办等接口。所有接口需要登录；错误信息为中文。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI / ReDoc served from our own static files: government intranets have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" field; name the unit's enum so the schema needs no guessed names.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "oa.org.models.UnitKind",
        "UnitLevelEnum": "oa.org.models.Level",
        "TodoUrgencyEnum": "oa.todo.models.Urgency",
        "DocumentUrgencyEnum": "documents.models.Urgency",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OA_LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
