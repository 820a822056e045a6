"""Settings of the domain: the province, office hours, sandbox switches."""

from .env import env_bool, env_list, env_str

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
# ... and every process (and node) checks a shared change counter in the database this often, emptying its
# cache when another process changed reference data (0: off, the others wait out the time above).
MOTCUA_REFERENCE_CACHE_CHECK_SECONDS = float(env_str("MOTCUA_REFERENCE_CACHE_CHECK_SECONDS", "1"))

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
    # The national portal's single sign-on, sandbox: motcua's own stand-in at /sandbox/dvcqg/sso/.
    "dvcqg-sandbox": {
        "enabled": _SANDBOX_ON,
        "discovery_url": env_str(
            "MOTCUA_SANDBOX_DVCQG_SSO_DISCOVERY_URL",
            f"{MOTCUA_PUBLIC_URL}/sandbox/dvcqg/sso/.well-known/openid-configuration",
        ),
        "client_id": env_str("MOTCUA_SANDBOX_DVCQG_SSO_CLIENT_ID", "motcua-dvcqg-sandbox"),
        "client_secret": env_str("MOTCUA_SANDBOX_DVCQG_SSO_CLIENT_SECRET", "motcua-dvcqg-sandbox-secret"),
        "scopes": ["openid", "profile"],
        "acr_values": env_str("MOTCUA_SANDBOX_DVCQG_SSO_ACR_VALUES", ""),
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
# Records per call (each with its own idempotency key, docs/national-portal.md); 1 for a portal taking one.
MOTCUA_DVCQG_BATCH_SIZE = int(env_str("MOTCUA_DVCQG_BATCH_SIZE", "50"))
# Inbound (dossiers filed on the portal): pulled every this many minutes by the worker (0: only by the command,
# ``motcua pull-national-dossiers``), looking back this many hours (what was pulled already is skipped).
MOTCUA_DVCQG_PULL_MINUTES = float(env_str("MOTCUA_DVCQG_PULL_MINUTES", "5"))
MOTCUA_DVCQG_PULL_LOOKBACK_HOURS = float(env_str("MOTCUA_DVCQG_PULL_LOOKBACK_HOURS", "72"))
# The Decision 766 synchronisation indicator: an update counts as synchronised on time when it reached the
# portal within this many hours of the change (docs/national-portal.md, "Statistics").
MOTCUA_DVCQG_ON_TIME_HOURS = float(env_str("MOTCUA_DVCQG_ON_TIME_HOURS", "24"))
# The sandbox portal's account and its misbehaviour, e.g. "error_rate=0.3,timeout_rate=0.1,latency_ms=200".
MOTCUA_SANDBOX_DVCQG_USERNAME = env_str("MOTCUA_SANDBOX_DVCQG_USERNAME", "motcua")
MOTCUA_SANDBOX_DVCQG_PASSWORD = env_str("MOTCUA_SANDBOX_DVCQG_PASSWORD", "motcua-sandbox")
MOTCUA_SANDBOX_DVCQG_FAULTS = env_str("MOTCUA_SANDBOX_DVCQG_FAULTS", "")

# --- Payments (docs/payments.md) ---
# Gateways turned on (comma-separated plugin identifiers; ``vnpay`` by default in the sandbox only).
MOTCUA_PAYMENT_GATEWAYS = env_str("MOTCUA_PAYMENT_GATEWAYS", "vnpay,paygov,vietqr" if _SANDBOX_ON else "")
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
# VietQR (plugin ``vietqr``): the province's collection account the QR pays into (NAPAS bank BIN, account
# number, account name as the bank holds it); settled by importing the account's statement
# (motcua import-bank-statement). Sandbox: a demo VietinBank account. Receipts: the collecting office's
# receipt form and series printed on every electronic receipt.
MOTCUA_VIETQR_BANK_BIN = env_str("MOTCUA_VIETQR_BANK_BIN", "970415" if _SANDBOX_ON else "")
MOTCUA_VIETQR_ACCOUNT = env_str("MOTCUA_VIETQR_ACCOUNT", "113000006789" if _SANDBOX_ON else "")
MOTCUA_VIETQR_ACCOUNT_NAME = env_str(
    "MOTCUA_VIETQR_ACCOUNT_NAME", "VAN PHONG UBND TINH VINH PHUC" if _SANDBOX_ON else ""
)
MOTCUA_RECEIPT_FORM = env_str("MOTCUA_RECEIPT_FORM", "01BLP0-001")
MOTCUA_RECEIPT_SERIES = env_str("MOTCUA_RECEIPT_SERIES", "MC-26E")
# The sandbox gateway's IPN: where it sends it, how many times and how far apart (like VNPay, it retries
# until it gets RspCode 00 or 02).
MOTCUA_SANDBOX_VNPAY_IPN_URL = env_str(
    "MOTCUA_SANDBOX_VNPAY_IPN_URL", f"{MOTCUA_PUBLIC_URL}/api/v1/payments/vnpay/ipn/"
)
MOTCUA_SANDBOX_VNPAY_IPN_ATTEMPTS = int(env_str("MOTCUA_SANDBOX_VNPAY_IPN_ATTEMPTS", "10"))
MOTCUA_SANDBOX_VNPAY_IPN_RETRY_SECONDS = float(env_str("MOTCUA_SANDBOX_VNPAY_IPN_RETRY_SECONDS", "30"))
# The national payment platform (PayGov, the DVCQG payment hub; docs/payments.md): the partner code and secret
# the platform issues (from the environment, never committed), its payment page and API (status query), where
# the payer comes back, and the province's collection account. In the sandbox: motcua's /sandbox/paygov/.
MOTCUA_SANDBOX_PAYGOV_PARTNER_CODE = env_str("MOTCUA_SANDBOX_PAYGOV_PARTNER_CODE", "MOTCUA-VP")
MOTCUA_SANDBOX_PAYGOV_SECRET = env_str("MOTCUA_SANDBOX_PAYGOV_SECRET", "PAYGOVSANDBOXSECRET0123456789ABCD")
MOTCUA_PAYGOV_PARTNER_CODE = env_str(
    "MOTCUA_PAYGOV_PARTNER_CODE", MOTCUA_SANDBOX_PAYGOV_PARTNER_CODE if _SANDBOX_ON else ""
)
MOTCUA_PAYGOV_SECRET = env_str("MOTCUA_PAYGOV_SECRET", MOTCUA_SANDBOX_PAYGOV_SECRET if _SANDBOX_ON else "")
MOTCUA_PAYGOV_PAY_URL = env_str(
    "MOTCUA_PAYGOV_PAY_URL", f"{MOTCUA_PUBLIC_URL}/sandbox/paygov/thanh-toan/" if _SANDBOX_ON else ""
)
MOTCUA_PAYGOV_API_URL = env_str(
    "MOTCUA_PAYGOV_API_URL", f"{MOTCUA_PUBLIC_URL}/sandbox/paygov/api/tra-cuu/" if _SANDBOX_ON else ""
)
# The refund's own address if the platform's operator gives it one (empty: MOTCUA_PAYGOV_API_URL, modelled).
MOTCUA_PAYGOV_REFUND_URL = env_str("MOTCUA_PAYGOV_REFUND_URL", "")
MOTCUA_PAYGOV_RETURN_URL = env_str(
    "MOTCUA_PAYGOV_RETURN_URL", f"{MOTCUA_PUBLIC_URL}/thanh-toan/paygov/ket-qua/"
)
MOTCUA_PAYGOV_TIMEOUT = float(env_str("MOTCUA_PAYGOV_TIMEOUT", "10"))
MOTCUA_PAYGOV_ACCOUNT = env_str("MOTCUA_PAYGOV_ACCOUNT", "1023456789" if _SANDBOX_ON else "")
MOTCUA_PAYGOV_ACCOUNT_NAME = env_str(
    "MOTCUA_PAYGOV_ACCOUNT_NAME", "KHO BAC NHA NUOC VINH PHUC" if _SANDBOX_ON else ""
)
MOTCUA_PAYGOV_BANK_CODE = env_str("MOTCUA_PAYGOV_BANK_CODE", "970415" if _SANDBOX_ON else "")
# The sandbox platform's notification (retried like the real one) and its misbehaviour on demand, e.g.
# "error_rate=0.3,timeout_rate=0.1,duplicate_rate=0.5,seed=1" (docs/payments.md).
MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL = env_str(
    "MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL", f"{MOTCUA_PUBLIC_URL}/api/v1/payments/paygov/notify/"
)
MOTCUA_SANDBOX_PAYGOV_NOTIFY_ATTEMPTS = int(env_str("MOTCUA_SANDBOX_PAYGOV_NOTIFY_ATTEMPTS", "10"))
MOTCUA_SANDBOX_PAYGOV_NOTIFY_RETRY_SECONDS = float(
    env_str("MOTCUA_SANDBOX_PAYGOV_NOTIFY_RETRY_SECONDS", "30")
)
MOTCUA_SANDBOX_PAYGOV_FAULTS = env_str("MOTCUA_SANDBOX_PAYGOV_FAULTS", "")

# --- Digital signatures (docs/signatures.md) ---
# The signer of results and issued forms: sandbox (the sandbox CA's unit certificate), pkcs12, pkcs11, remote;
# "" = no signing (nothing waits for a signature).
MOTCUA_SIGNER = env_str("MOTCUA_SIGNER", "sandbox" if _SANDBOX_ON else "")
MOTCUA_SIGNER_PKCS12_FILE = env_str("MOTCUA_SIGNER_PKCS12_FILE", "")
MOTCUA_SIGNER_PKCS12_PASSWORD = env_str("MOTCUA_SIGNER_PKCS12_PASSWORD", "")
MOTCUA_SIGNER_PKCS11_MODULE = env_str("MOTCUA_SIGNER_PKCS11_MODULE", "")
MOTCUA_SIGNER_PKCS11_TOKEN = env_str("MOTCUA_SIGNER_PKCS11_TOKEN", "")
MOTCUA_SIGNER_PKCS11_PIN = env_str("MOTCUA_SIGNER_PKCS11_PIN", "")
MOTCUA_SIGNER_PKCS11_KEY_LABEL = env_str("MOTCUA_SIGNER_PKCS11_KEY_LABEL", "")
# Remote signing service (hash sent, signature returned): its base URL, key/account id and bearer token.
MOTCUA_SIGNER_REMOTE_URL = env_str("MOTCUA_SIGNER_REMOTE_URL", "")
MOTCUA_SIGNER_REMOTE_KEY_ID = env_str("MOTCUA_SIGNER_REMOTE_KEY_ID", "")
MOTCUA_SIGNER_REMOTE_TOKEN = env_str("MOTCUA_SIGNER_REMOTE_TOKEN", "")
MOTCUA_SIGNER_REMOTE_TIMEOUT = float(env_str("MOTCUA_SIGNER_REMOTE_TIMEOUT", "20"))
# RFC 3161 timestamp authority: a URL, "sandbox" (the sandbox TSA in process, sandbox mode only) or "".
MOTCUA_TSA_URL = env_str("MOTCUA_TSA_URL", "sandbox" if _SANDBOX_ON else "")
# PEM files (comma-separated) of the trusted root CAs for verification (the Vietnamese national root CAs).
MOTCUA_SIGNATURE_TRUST_ROOTS = env_list("MOTCUA_SIGNATURE_TRUST_ROOTS", "")
# Largest PDF the public verification accepts (bytes).
MOTCUA_SIGNATURE_VERIFY_MAX_BYTES = int(env_str("MOTCUA_SIGNATURE_VERIFY_MAX_BYTES", str(20 * 1024 * 1024)))
# How many verifications one address may ask of the API (DRF rate).
MOTCUA_SIGNATURE_VERIFY_RATE = env_str("MOTCUA_SIGNATURE_VERIFY_RATE", "60/minute")
MOTCUA_SIGNATURE_MAX_ATTEMPTS = int(env_str("MOTCUA_SIGNATURE_MAX_ATTEMPTS", "6"))
MOTCUA_SIGNATURE_RETRY_SECONDS = float(env_str("MOTCUA_SIGNATURE_RETRY_SECONDS", "60"))
# The sandbox CA (generated by load-demo, never committed) and the name of its unit certificate.
MOTCUA_SANDBOX_CA_DIR = env_str("MOTCUA_SANDBOX_CA_DIR", str(_VAR_DIR / "sandbox" / "ca"))
MOTCUA_SANDBOX_SIGNER_UNIT = env_str("MOTCUA_SANDBOX_SIGNER_UNIT", "Văn phòng UBND tỉnh (sandbox)")
# The sandbox remote signing service (/sandbox/ky-so-tu-xa/, the sandbox leader's certificate) and its token.
MOTCUA_SANDBOX_REMOTE_SIGNING_TOKEN = env_str("MOTCUA_SANDBOX_REMOTE_SIGNING_TOKEN", "motcua-sandbox-signing")
if _SANDBOX_ON and not MOTCUA_SIGNER_REMOTE_URL:
    MOTCUA_SIGNER_REMOTE_URL = f"{MOTCUA_PUBLIC_URL}/sandbox/ky-so-tu-xa/"
    MOTCUA_SIGNER_REMOTE_TOKEN = MOTCUA_SIGNER_REMOTE_TOKEN or MOTCUA_SANDBOX_REMOTE_SIGNING_TOKEN

# Petitions (phản ánh, kiến nghị): the answer limit in working days (docs/petitions.md).
MOTCUA_PETITION_ANSWER_DAYS = int(env_str("MOTCUA_PETITION_ANSWER_DAYS", "10"))
