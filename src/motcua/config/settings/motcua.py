"""Settings of the domain: the province, office hours, sandbox switches."""

from .env import env_bool, env_str

# The province the installation serves, as a unit code (statistics-office code of the province).
MOTCUA_PROVINCE_CODE = env_str("MOTCUA_PROVINCE_CODE", "25")
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Hệ thống thông tin giải quyết thủ tục hành chính")
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")

# Office hours (DOMAIN.md §5): two periods a day, Asia/Ho_Chi_Minh.
MOTCUA_OFFICE_HOURS = env_str("MOTCUA_OFFICE_HOURS", "08:00-12:00,13:00-17:00")
MOTCUA_SAME_DAY_CUTOFF = env_str("MOTCUA_SAME_DAY_CUTOFF", "15:00")

# Dossiers and notifications (docs/dossiers.md): the default code template when no CodeFormat row applies,
# the SMS channel plugin (``sandbox`` stores messages in the database; the default only in the sandbox,
# otherwise none: no SMS is queued) and the e-mail channel plugin (``django``: EMAIL_BACKEND, email.py).
MOTCUA_DOSSIER_CODE_TEMPLATE = env_str("MOTCUA_DOSSIER_CODE_TEMPLATE", "{agency_code}-{yymmdd}-{seq:04}")
MOTCUA_SMS_CHANNEL = env_str("MOTCUA_SMS_CHANNEL", "sandbox" if env_bool("MOTCUA_SANDBOX") else "")
MOTCUA_EMAIL_CHANNEL = env_str("MOTCUA_EMAIL_CHANNEL", "django")

# Working calendar (docs/worktime.md): how often, in seconds, a process checks whether the calendar override
# table changed (writes through the worktime services refresh the writing process at once).
MOTCUA_CALENDAR_RECHECK_SECONDS = float(env_str("MOTCUA_CALENDAR_RECHECK_SECONDS", "2"))

# Reference data read by every intake (units, procedure versions in force, code templates, API tokens'
# accounts, users' roles) is cached per process for this many seconds; changes made in a process clear its
# cache at once (motcua.core.refcache).
MOTCUA_REFERENCE_CACHE_SECONDS = float(env_str("MOTCUA_REFERENCE_CACHE_SECONDS", "10"))

# --- Identity: e-ID login, sandbox national identity provider, population register (docs/identity.md) ---
from .base import VAR_DIR as _VAR_DIR  # noqa: E402
from .env import env_bool as _env_bool  # noqa: E402

_SANDBOX_ON = _env_bool("MOTCUA_SANDBOX", False)

# Login providers (plugins in motcua.identity.providers): OIDC discovery URL, client credentials from the
# environment, scopes, acr_values, and a claim map that overrides the defaults (canonical name -> claim).
MOTCUA_LOGIN_PROVIDERS: dict[str, dict[str, object]] = {
    "sandbox": {
        "enabled": _SANDBOX_ON,
        "discovery_url": env_str(
            "MOTCUA_SANDBOX_VNEID_DISCOVERY_URL",
            f"{MOTCUA_PUBLIC_URL}/sandbox/vneid/.well-known/openid-configuration",
        ),
        "client_id": env_str("MOTCUA_SANDBOX_VNEID_CLIENT_ID", "motcua-sandbox"),
        "client_secret": env_str("MOTCUA_SANDBOX_VNEID_CLIENT_SECRET", "motcua-sandbox-secret"),
        "scopes": ["openid", "profile"],
        "acr_values": env_str("MOTCUA_SANDBOX_VNEID_ACR_VALUES", ""),
        "claim_map": {},
    },
    "vneid": {
        "enabled": _env_bool("MOTCUA_VNEID_ENABLED", False),
        "discovery_url": env_str("MOTCUA_VNEID_DISCOVERY_URL", ""),
        "client_id": env_str("MOTCUA_VNEID_CLIENT_ID", ""),
        "client_secret": env_str("MOTCUA_VNEID_CLIENT_SECRET", ""),
        "scopes": ["openid"],
        "acr_values": env_str("MOTCUA_VNEID_ACR_VALUES", "LoA2"),
        "claim_map": {},
    },
    "dvcqg": {
        "enabled": _env_bool("MOTCUA_DVCQG_LOGIN_ENABLED", False),
        "discovery_url": env_str("MOTCUA_DVCQG_DISCOVERY_URL", ""),
        "client_id": env_str("MOTCUA_DVCQG_CLIENT_ID", ""),
        "client_secret": env_str("MOTCUA_DVCQG_CLIENT_SECRET", ""),
        "scopes": ["openid"],
        "acr_values": env_str("MOTCUA_DVCQG_ACR_VALUES", "LoA1 LoA2"),
        "claim_map": {},
    },
}
MOTCUA_LOGIN_HTTP_TIMEOUT = float(env_str("MOTCUA_LOGIN_HTTP_TIMEOUT", "10"))
# Where a citizen lands after logging in (when the login did not carry a safe ``next``).
MOTCUA_LOGIN_REDIRECT_URL = env_str("MOTCUA_LOGIN_REDIRECT_URL", "/")

# Population register adapter (motcua.identity.population): ``sandbox`` reads the fake-citizen table (the
# default only in the sandbox; otherwise none until a real adapter is configured).
MOTCUA_POPULATION_REGISTER = env_str("MOTCUA_POPULATION_REGISTER", "sandbox" if _SANDBOX_ON else "")

# Sandbox national identity provider (django-oauth-toolkit, mounted at /sandbox/vneid/ only with SANDBOX).
MOTCUA_SANDBOX_VNEID_KEY_FILE = env_str(
    "MOTCUA_SANDBOX_VNEID_KEY_FILE", str(_VAR_DIR / "sandbox" / "vneid-rsa.pem")
)

from motcua.identity.contrib.sandbox.keys import LazyKeyProviderSettings as _LazyKeyProviderSettings  # noqa: E402

OAUTH2_PROVIDER = _LazyKeyProviderSettings(
    {
        "OIDC_ENABLED": True,
        "PKCE_REQUIRED": True,
        "OAUTH2_VALIDATOR_CLASS": "motcua.identity.contrib.sandbox.oidc.SandboxValidator",
        "SCOPES": {"openid": "Định danh OpenID", "profile": "Thông tin công dân"},
        "DEFAULT_SCOPES": ["openid"],
        "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 120,
        "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
        "ID_TOKEN_EXPIRE_SECONDS": 600,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    }
)

# --- Documents: citizen uploads (docs/portal.md) ---
# Limits per file and per dossier (bytes), the allowed types (decided by the sniffed content, never the name),
# and the zip-bomb guards for DOCX/XLSX (declared uncompressed size and compression ratio).
MOTCUA_UPLOAD_MAX_FILE_BYTES = int(env_str("MOTCUA_UPLOAD_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
MOTCUA_UPLOAD_MAX_TOTAL_BYTES = int(env_str("MOTCUA_UPLOAD_MAX_TOTAL_BYTES", str(50 * 1024 * 1024)))
MOTCUA_UPLOAD_ALLOWED_TYPES = [
    t.strip()
    for t in env_str("MOTCUA_UPLOAD_ALLOWED_TYPES", "pdf,jpeg,png,docx,xlsx").split(",")
    if t.strip()
]
# Online drafts not changed for this many days are deleted with their files by ``motcua purge-drafts``
# (``submissions.services.drafts_purge``; run it daily from cron). The draft page tells the citizen.
MOTCUA_DRAFT_RETENTION_DAYS = int(env_str("MOTCUA_DRAFT_RETENTION_DAYS", "30"))
MOTCUA_UPLOAD_MAX_UNZIPPED_BYTES = int(env_str("MOTCUA_UPLOAD_MAX_UNZIPPED_BYTES", str(100 * 1024 * 1024)))
MOTCUA_UPLOAD_MAX_ZIP_RATIO = int(env_str("MOTCUA_UPLOAD_MAX_ZIP_RATIO", "100"))
# ClamAV daemon for the virus scan of every upload (clamd INSTREAM): "unix:///run/clamav/clamd.ctl" or
# "tcp://127.0.0.1:3310". Empty: uploads are not scanned (a warning is logged each time); required in
# production (``manage.py check --deploy`` reports it).
MOTCUA_CLAMD = env_str("MOTCUA_CLAMD", "")
MOTCUA_CLAMD_TIMEOUT = float(env_str("MOTCUA_CLAMD_TIMEOUT", "30"))

# --- National public-service portal (DVCQG) sync (docs/national-portal.md) ---
# The client plugin (``dvcqg``: JSON over HTTPS with a session login) and the portal's endpoint and account.
# In the sandbox the default is motcua's own sandbox portal (/sandbox/dvcqg/) with its demo account.
MOTCUA_DVCQG_URL = env_str("MOTCUA_DVCQG_URL", f"{MOTCUA_PUBLIC_URL}/sandbox/dvcqg/" if _SANDBOX_ON else "")
MOTCUA_DVCQG_USERNAME = env_str("MOTCUA_DVCQG_USERNAME", "motcua" if _SANDBOX_ON else "")
MOTCUA_DVCQG_PASSWORD = env_str("MOTCUA_DVCQG_PASSWORD", "motcua-sandbox" if _SANDBOX_ON else "")
MOTCUA_DVCQG_CLIENT = env_str("MOTCUA_DVCQG_CLIENT", "dvcqg" if MOTCUA_DVCQG_URL else "")
# Seconds per HTTP call; failed deliveries are retried with backoff and parked after this many attempts.
MOTCUA_DVCQG_TIMEOUT = float(env_str("MOTCUA_DVCQG_TIMEOUT", "10"))
MOTCUA_DVCQG_MAX_ATTEMPTS = int(env_str("MOTCUA_DVCQG_MAX_ATTEMPTS", "12"))  # ≈ 5 h of failures
MOTCUA_DVCQG_RETRY_SECONDS = float(env_str("MOTCUA_DVCQG_RETRY_SECONDS", "30"))  # doubled per failure, ≤ 1 h
# The sandbox portal's account and its misbehaviour, e.g. "error_rate=0.3,timeout_rate=0.1,latency_ms=200".
MOTCUA_SANDBOX_DVCQG_USERNAME = env_str("MOTCUA_SANDBOX_DVCQG_USERNAME", "motcua")
MOTCUA_SANDBOX_DVCQG_PASSWORD = env_str("MOTCUA_SANDBOX_DVCQG_PASSWORD", "motcua-sandbox")
MOTCUA_SANDBOX_DVCQG_FAULTS = env_str("MOTCUA_SANDBOX_DVCQG_FAULTS", "")

# --- Payments (docs/payments.md) ---
# Gateways turned on (comma-separated plugin identifiers; ``vnpay`` by default in the sandbox only).
MOTCUA_PAYMENT_GATEWAYS = env_str("MOTCUA_PAYMENT_GATEWAYS", "vnpay" if _SANDBOX_ON else "")
# VNPay 2.1.0: the merchant's terminal code and hash secret (from the environment, never committed), the
# payment page and the merchant API (QueryDR/refund). In the sandbox they default to motcua's own sandbox
# gateway (/sandbox/vnpay/) and its demo merchant.
MOTCUA_SANDBOX_VNPAY_TMN_CODE = env_str("MOTCUA_SANDBOX_VNPAY_TMN_CODE", "MOTCUA01")
MOTCUA_SANDBOX_VNPAY_HASH_SECRET = env_str(
    "MOTCUA_SANDBOX_VNPAY_HASH_SECRET", "MOTCUASANDBOXSECRET0123456789ABCD"
)
MOTCUA_VNPAY_TMN_CODE = env_str("MOTCUA_VNPAY_TMN_CODE", MOTCUA_SANDBOX_VNPAY_TMN_CODE if _SANDBOX_ON else "")
MOTCUA_VNPAY_HASH_SECRET = env_str(
    "MOTCUA_VNPAY_HASH_SECRET", MOTCUA_SANDBOX_VNPAY_HASH_SECRET if _SANDBOX_ON else ""
)
MOTCUA_VNPAY_PAY_URL = env_str(
    "MOTCUA_VNPAY_PAY_URL", f"{MOTCUA_PUBLIC_URL}/sandbox/vnpay/paymentv2/vpcpay.html" if _SANDBOX_ON else ""
)
MOTCUA_VNPAY_API_URL = env_str(
    "MOTCUA_VNPAY_API_URL",
    f"{MOTCUA_PUBLIC_URL}/sandbox/vnpay/merchant_webapi/api/transaction" if _SANDBOX_ON else "",
)
# Where VNPay sends the payer's browser back (display only); register the IPN URL
# {MOTCUA_PUBLIC_URL}/api/v1/payments/vnpay/ipn/ with VNPay.
MOTCUA_VNPAY_RETURN_URL = env_str("MOTCUA_VNPAY_RETURN_URL", f"{MOTCUA_PUBLIC_URL}/thanh-toan/vnpay/ket-qua/")
# Minutes a payment order stays open at the gateway (vnp_ExpireDate).
MOTCUA_PAYMENT_EXPIRY_MINUTES = int(env_str("MOTCUA_PAYMENT_EXPIRY_MINUTES", "15"))
# The sandbox gateway's IPN: where it sends it, how many times and how far apart (like VNPay, it retries
# until it gets RspCode 00 or 02).
MOTCUA_SANDBOX_VNPAY_IPN_URL = env_str(
    "MOTCUA_SANDBOX_VNPAY_IPN_URL", f"{MOTCUA_PUBLIC_URL}/api/v1/payments/vnpay/ipn/"
)
MOTCUA_SANDBOX_VNPAY_IPN_ATTEMPTS = int(env_str("MOTCUA_SANDBOX_VNPAY_IPN_ATTEMPTS", "10"))
MOTCUA_SANDBOX_VNPAY_IPN_RETRY_SECONDS = float(env_str("MOTCUA_SANDBOX_VNPAY_IPN_RETRY_SECONDS", "30"))
