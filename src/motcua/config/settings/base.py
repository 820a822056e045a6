from pathlib import Path
from typing import Any

from .env import env_bool, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent  # src/motcua
_CHECKOUT = PACKAGE_DIR.parent.parent  # the source checkout, when installed in editable mode
BASE_DIR = Path(
    env_str("MOTCUA_HOME", str(_CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd()))
)
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before django_tasks_db: its db_worker command is overridden by motcua.cli's (retries a lost database).
    "motcua.cli",
    "django_tasks_db",
    "oauth2_provider",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",  # login lockout (accounts.lockout)
    "django_otp",  # staff second factor (portal.mfa)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "motcua.core",
    "motcua.audit",
    "motcua.organisations",
    "motcua.accounts",
    "motcua.identity",
    "motcua.worktime",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.signatures",
    "motcua.submissions",
    "motcua.notifications",
    "motcua.national_portal",
    "motcua.payments",
    "motcua.petitions",
    "motcua.reports",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
]

MIDDLEWARE = [
    "motcua.core.observability.RequestIdMiddleware",  # request id on every log line, X-Request-ID, latency
    "motcua.api.middleware.ApiErrorMiddleware",  # every error under /api/ as JSON (outermost)
    "django.middleware.security.SecurityMiddleware",
    "motcua.core.middleware.RequestGuardMiddleware",  # 400 for NUL in path, query, form or headers
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.accounts.sessions.StaffSessionMiddleware",  # staff session lifetime and idle timeout; no-store
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "motcua.portal.mfa.StaffMfaMiddleware",  # staff: the TOTP code step (or enrolment) after the password
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # the lockout page (accounts.lockout)
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "motcua.accounts.lockout.LockoutBackend",  # first: refuses a locked-out login before any password check
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Production: `collectstatic` into STATIC_ROOT with hashed names (cached for ever) and gzip/brotli copies.
# `make run` sets MOTCUA_STATIC_FROM_SOURCE: whitenoise indexes the files where the finders find them at start-up
# (plain names, cached 60 s) and no collectstatic is needed — compressing every vendored file took minutes.
STATIC_FROM_SOURCE = env_bool("MOTCUA_STATIC_FROM_SOURCE")
if STATIC_FROM_SOURCE:
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up about a missing STATIC_ROOT
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not env_bool("MOTCUA_TESTING") and not STATIC_FROM_SOURCE
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Several nodes: uploads and generated files on S3-compatible object storage (django-storages) instead of
# MEDIA_ROOT when MOTCUA_S3_BUCKET is set (docs/deploy.md). The bucket stays private: files are served
# through the application's own checks, never by a public URL.
MOTCUA_S3_BUCKET = env_str("MOTCUA_S3_BUCKET", "")
if MOTCUA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MOTCUA_S3_BUCKET,
            "endpoint_url": env_str("MOTCUA_S3_ENDPOINT_URL", "") or None,  # MinIO, Ceph, a provider's S3
            "region_name": env_str("MOTCUA_S3_REGION", "") or None,
            "access_key": env_str("MOTCUA_S3_ACCESS_KEY_ID", "") or None,  # else boto3's own chain
            "secret_key": env_str("MOTCUA_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("MOTCUA_S3_PREFIX", ""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "signature_version": "s3v4",
        },
    }
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/dang-nhap/"
LOGIN_REDIRECT_URL = "/can-bo/"
LOGOUT_REDIRECT_URL = "/"
AUTH_USER_MODEL = "accounts.User"
