import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP  # type: ignore[import-not-found,unused-ignore]

from .base import DEBUG
from .env import env_bool, env_list, env_str

SANDBOX = env_bool("MOTCUA_SANDBOX", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or SANDBOX or env_bool("MOTCUA_TESTING"):
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment (or run with MOTCUA_SANDBOX=1)."
        )

_secure_default = not (DEBUG or SANDBOX)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _secure_default)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _secure_default)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Staff sessions (accounts.sessions): at most this long from login, and ended after this long without a request.
MOTCUA_STAFF_SESSION_SECONDS = int(env_str("MOTCUA_STAFF_SESSION_SECONDS", str(8 * 3600)))
MOTCUA_STAFF_IDLE_SECONDS = int(env_str("MOTCUA_STAFF_IDLE_SECONDS", str(30 * 60)))

# Login lockout (django-axes, accounts.lockout): after this many wrong passwords the username is locked, and so
# is the address, each on its own, until the cool-off ends or an administrator deletes the attempts.
AXES_FAILURE_LIMIT = int(env_str("MOTCUA_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env_str("MOTCUA_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = env_list("MOTCUA_LOGIN_LOCKOUT_BY", "username,ip_address")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address: the proxy's X-Forwarded-For entry when behind one (BEHIND_TLS_PROXY).
AXES_CLIENT_IP_CALLABLE = "motcua.accounts.lockout.client_address"
# Wrong API tokens from one address (accounts.authentication): at most this many, then 429 until the window ends.
MOTCUA_API_TOKEN_FAILURE_RATE = env_str("MOTCUA_API_TOKEN_FAILURE_RATE", "20/hour")
# API tokens older than this many days are refused (0: never); `motcua create-api-token` then issues a new one.
MOTCUA_API_TOKEN_DAYS = int(env_str("MOTCUA_API_TOKEN_DAYS", "90"))

# Staff second factor (portal.mfa): leaders, administrators and superusers must enrol a TOTP authenticator;
# on by default outside the sandbox, optional for everyone in it.
MOTCUA_STAFF_MFA_REQUIRED = env_bool("MOTCUA_STAFF_MFA_REQUIRED", not SANDBOX)
OTP_TOTP_ISSUER = env_str("MOTCUA_OTP_ISSUER", "Một cửa điện tử")

# Prometheus scrapers send "Authorization: Bearer <token>" to /metrics (api.metrics); empty: no scraper, only
# signed-in administrators.
MOTCUA_METRICS_TOKEN = env_str("MOTCUA_METRICS_TOKEN", "")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
