"""Settings shared by every environment. Everything an operator changes comes from the environment."""

from config.env import BASE_DIR, env

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "yiyang.core",
    "yiyang.areas",
    "yiyang.accounts",
    "yiyang.organisations",
    "yiyang.elders",
    "yiyang.audit",
    "yiyang.assessments",
    "yiyang.devices",
    "yiyang.monitoring",
    "yiyang.alerts",
    "yiyang.benefits",
    "yiyang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiyang.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yiyang.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yiyang.accounts.middleware.SessionSecurityMiddleware",
    # Before anything reads the body (CSRF reads POST in process_view); after auth to render the 413 page.
    "yiyang.core.middleware.RequestLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: the error pages it renders show the menu and messages.
    "yiyang.core.web.ErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yiyang.audit.middleware.RequestContextMiddleware",
]

# Security headers (docs/security.md): Django's defaults written down. Content-Security-Policy (no inline script or
# style anywhere: keep it so) and Permissions-Policy come from yiyang.core.security.SecurityHeadersMiddleware, whose
# defaults the settings CONTENT_SECURITY_POLICY and PERMISSIONS_POLICY would replace.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

ROOT_URLCONF = "config.urls"
# A refused CSRF check answers in the site layout, saying what to do (the API answers JSON).
CSRF_FAILURE_VIEW = "yiyang.core.web.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yiyang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiyang.accounts.context_processors.staff",
                "yiyang.devices.web.context_processors.device_queues",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a seed or import writes.
    # A 64 MB page cache (the default is 2 MB) keeps the reading log's indexes in memory while intake
    # appends tens of thousands of rows a second; memory-mapped reads avoid a copy per page.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
    )
    # The intake writer, the escalation sweep and the web server write concurrently: take the write
    # lock when a transaction starts instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) exist for PostgreSQL; SQLite builds the same indexes without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["yiyang.accounts.backends.ThrottledModelBackend"]

# --- Sign-in security (docs/security.md, "Authentication") -------------------------------------
# Password rules: length, 3 of 4 character classes, not the username, not common, not all digits,
# not one of the last YIYANG_PASSWORD_HISTORY passwords (0 = no check).
YIYANG_PASSWORD_MIN_LENGTH = env.int("YIYANG_PASSWORD_MIN_LENGTH", default=12)
YIYANG_PASSWORD_HISTORY = env.int("YIYANG_PASSWORD_HISTORY", default=5)
# Days after which a password must be changed at the next sign-in; 0 = never expires.
YIYANG_PASSWORD_MAX_AGE_DAYS = env.int("YIYANG_PASSWORD_MAX_AGE_DAYS", default=90)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": YIYANG_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "yiyang.accounts.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "yiyang.accounts.password_validation.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "yiyang.accounts.password_validation.NotAllDigitsValidator"},
    {"NAME": "yiyang.accounts.password_validation.PasswordReuseValidator"},
]
# Throttling: failures counted over a sliding window. YIYANG_LOCKOUT_ACCOUNT_FAILURES failures for one
# username lock it (the right password is refused too) for YIYANG_LOCKOUT_MINUTES, or until an officer
# unlocks it when that is 0. YIYANG_LOCKOUT_ADDRESS_FAILURES failures from one address refuse every
# sign-in from it until its failures age out of the window.
YIYANG_LOCKOUT_WINDOW_MINUTES = env.int("YIYANG_LOCKOUT_WINDOW_MINUTES", default=15)
YIYANG_LOCKOUT_ACCOUNT_FAILURES = env.int("YIYANG_LOCKOUT_ACCOUNT_FAILURES", default=5)
YIYANG_LOCKOUT_ADDRESS_FAILURES = env.int("YIYANG_LOCKOUT_ADDRESS_FAILURES", default=20)
YIYANG_LOCKOUT_MINUTES = env.int("YIYANG_LOCKOUT_MINUTES", default=30)
# Second factor (TOTP): required for accounts holding accounts.manage or placed at a district.
# YIYANG_DEMO_SKIP_2FA lets accounts that have not enrolled sign in with the password alone; it
# defaults to DEBUG (the demo) and production settings force it off.
YIYANG_DEMO_SKIP_2FA = env.bool("YIYANG_DEMO_SKIP_2FA", default=DEBUG)
YIYANG_TOTP_ISSUER = env("YIYANG_TOTP_ISSUER", default="Yiyang")
# Sessions: signed out after YIYANG_SESSION_IDLE_MINUTES without a request, and after
# YIYANG_SESSION_MAX_HOURS whatever happens; the cookie is HttpOnly and SameSite=Lax.
YIYANG_SESSION_IDLE_MINUTES = env.int("YIYANG_SESSION_IDLE_MINUTES", default=30)
YIYANG_SESSION_MAX_HOURS = env.int("YIYANG_SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = YIYANG_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# Each language in its own name, never translated (the language switch shows them so in every UI).
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "yiyang" / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
# Thousands grouping per language for `intcomma` (zh-hans: "20,000"; see yiyang/core/formats).
FORMAT_MODULE_PATH = ["yiyang.core.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm at install time (no CDN: the platform runs in an intranet).
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous API call answers 401 with a WWW-Authenticate header.
        "yiyang.accounts.api.authentication.AccountTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "yiyang.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "yiyang.core.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "yiyang.core.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Yiyang 医养 API",
    "DESCRIPTION": "Integrated medical and elderly care platform. Errors are JSON naming the field and the reason.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers (400/401/403/404/409/413/415/429) with the shared error body.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "yiyang.core.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganisationStatusEnum": "yiyang.organisations.choices.OrganisationStatus",
        "ElderStatusEnum": "yiyang.elders.choices.ElderStatus",
        "AssessmentStatusEnum": "yiyang.assessments.choices.AssessmentStatus",
        "DeviceKindEnum": "yiyang.devices.choices.DeviceKind",
        "OrganisationKindEnum": "yiyang.organisations.choices.OrganisationKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Input limits (yiyang/core/limits.py documents each; the defaults are the same). Django's own body
# limit follows ours so that a body read lazily is refused at the same size.
YIYANG_MAX_REQUEST_BODY_BYTES = env.int("YIYANG_MAX_REQUEST_BODY_BYTES", default=2 * 1024 * 1024)
YIYANG_MAX_UPLOAD_BYTES = env.int("YIYANG_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
YIYANG_MAX_JSON_DEPTH = env.int("YIYANG_MAX_JSON_DEPTH", default=32)
YIYANG_MAX_TEXT_CHARS = env.int("YIYANG_MAX_TEXT_CHARS", default=2_000)
YIYANG_MAX_WORKBOOK_BYTES = env.int("YIYANG_MAX_WORKBOOK_BYTES", default=10 * 1024 * 1024)
YIYANG_MAX_WORKBOOK_XML_BYTES = env.int("YIYANG_MAX_WORKBOOK_XML_BYTES", default=100 * 1024 * 1024)
YIYANG_MAX_WORKBOOK_ROWS = env.int("YIYANG_MAX_WORKBOOK_ROWS", default=50_000)
YIYANG_MAX_WORKBOOK_COLUMNS = env.int("YIYANG_MAX_WORKBOOK_COLUMNS", default=100)
YIYANG_MAX_WORKBOOK_CELL_CHARS = env.int("YIYANG_MAX_WORKBOOK_CELL_CHARS", default=1_000)
YIYANG_EARLIEST_DATE = env.str("YIYANG_EARLIEST_DATE", default="1900-01-01")
YIYANG_LATEST_DATE = env.str("YIYANG_LATEST_DATE", default="2100-12-31")
YIYANG_MAX_DATE_RANGE_DAYS = env.int("YIYANG_MAX_DATE_RANGE_DAYS", default=366)
# A concurrent retry with the same Idempotency-Key waits this long for the first answer, then 409.
YIYANG_IDEMPOTENCY_WAIT_SECONDS = env.float("YIYANG_IDEMPOTENCY_WAIT_SECONDS", default=10.0)
# Elders' minimum age: unset means the law's 60 (yiyang/elders/data/eligibility.yaml).
YIYANG_ELDER_MIN_AGE = env.int("YIYANG_ELDER_MIN_AGE", default=None)
# The TrueType font (.ttf, or .ttc with YIYANG_PDF_FONT_INDEX) with Chinese glyphs that PDF reports
# embed; empty: the first of yiyang.assessments.report.DEFAULT_FONT_FILES found (fonts-wqy-microhei).
YIYANG_PDF_FONT = env.str("YIYANG_PDF_FONT", default="")
YIYANG_PDF_FONT_INDEX = env.int("YIYANG_PDF_FONT_INDEX", default=0)
DATA_UPLOAD_MAX_MEMORY_SIZE = YIYANG_MAX_REQUEST_BODY_BYTES

# Trusted reverse proxies; only then is X-Forwarded-For believed for the audit log.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
# Days an audit event is kept at least before `yiyang audit purge` may delete it. The Cybersecurity Law
# (art. 21) requires at least six months; values below 183 are raised to 183 (yiyang.audit.services).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=183)
# Path prefixes whose 403/404 answers are not recorded as denied access (assets, translations, probes).
AUDIT_DENY_SKIP_PREFIXES = ("/static/", "/media/", "/jsi18n/", "/health", "/favicon.ico", "/robots.txt")

# Alert notification back-ends (channel name → dotted path of a yiyang.alerts.channels.Channel).
# The defaults log SMS and voice calls; point "sms"/"voice" at a real gateway's Channel in production.
ALERT_CHANNELS = {
    "console": "yiyang.alerts.channels.console.ConsoleChannel",
    "sms": env("ALERT_SMS_CHANNEL", default="yiyang.alerts.channels.logging.LoggingSmsChannel"),
    "voice": env("ALERT_VOICE_CHANNEL", default="yiyang.alerts.channels.logging.LoggingVoiceChannel"),
}

# Sensitive fields encrypted at rest (yiyang.core.crypto, docs/security.md). The key-encryption keys
# come from outside the database: "id:base64key,…" (first active) or a JSON keyring file.
YIYANG_MASTER_KEYS = env("YIYANG_MASTER_KEYS", default="")
YIYANG_KEYRING_FILE = env("YIYANG_KEYRING_FILE", default="")
YIYANG_FIELD_CIPHER = env("YIYANG_FIELD_CIPHER", default="aes-256-gcm")  # or sm4-gcm
# The public development key is used only when this is on and no keyring is configured.
YIYANG_DEVELOPMENT_KEY_ALLOWED = env.bool("YIYANG_DEVELOPMENT_KEY_ALLOWED", default=DEBUG)
# Seconds a process keeps the active data keys it read; key rotations wait this long before re-encrypting.
YIYANG_KEY_CACHE_SECONDS = env.int("YIYANG_KEY_CACHE_SECONDS", default=60)

# Policy values nobody could find ship as examples (status `example`) so that the demo runs; a
# payroll or approval that would use one is refused unless this is on (local, test, demo only).
BENEFITS_ALLOW_EXAMPLE_VALUES = env.bool("BENEFITS_ALLOW_EXAMPLE_VALUES", default=False)
