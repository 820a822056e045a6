"""OIDC relying party: authorization code + PKCE (S256) + state + nonce, ID token checked against JWKS.

authlib builds the authorization URL and exchanges the code; joserfc verifies the ID token (RS256 only,
signature by the provider's JWKS, then ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce``). Discovery
documents and key sets are cached per URL for a few minutes (an unknown ``kid`` refetches the key set).
Every failure is a ``LoginFailed`` with a stable code and a Vietnamese message.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from django.conf import settings
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from motcua.core import clock

from .errors import LoginFailed, ProviderUnavailable
from .providers import LoginProvider, ProviderConfig

ID_TOKEN_ALGORITHMS = ["RS256"]
CLOCK_LEEWAY_SECONDS = 60
CACHE_SECONDS = 300
_DISCOVERY_SUFFIX = "/.well-known/openid-configuration"

_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class PendingLogin:
    """What the session keeps between the redirect to the provider and the callback."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str
    started_at: float

    def to_session(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> PendingLogin:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__})


def _timeout() -> float:
    return float(getattr(settings, "MOTCUA_LOGIN_HTTP_TIMEOUT", 10))


def _unavailable(exc: Exception | None = None) -> ProviderUnavailable:
    error = ProviderUnavailable(
        _("Không kết nối được với hệ thống định danh điện tử. Vui lòng thử lại sau ít phút."),
        details={"error": exc.__class__.__name__} if exc else None,
    )
    return error


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=_timeout(), headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise _unavailable(exc) from exc
    if not isinstance(body, dict):
        raise _unavailable()
    return body


def _cached(key: str, loader: Any, *, refresh: bool = False) -> Any:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and not refresh and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = loader()
    with _cache_lock:
        _cache[key] = (now, value)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def provider_metadata(config: ProviderConfig) -> dict[str, Any]:
    """The discovery document; its ``issuer`` must be the discovery URL's prefix (OIDC Discovery §4.3)."""

    def load() -> dict[str, Any]:
        metadata = _get_json(config.discovery_url)
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if any(not isinstance(metadata.get(name), str) for name in needed):
            raise _unavailable()
        if config.discovery_url.endswith(_DISCOVERY_SUFFIX) and metadata["issuer"].rstrip("/") != (
            config.discovery_url.removesuffix(_DISCOVERY_SUFFIX).rstrip("/")
        ):
            raise LoginFailed(
                _("Cấu hình nhà cung cấp định danh không hợp lệ (issuer không khớp)."), code="issuer_mismatch"
            )
        return metadata

    result: dict[str, Any] = _cached(f"meta:{config.discovery_url}", load)
    return result


def provider_keys(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    def load() -> KeySet:
        try:
            return KeySet.import_key_set(_get_json(jwks_uri))  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise _unavailable(exc) from exc

    result: KeySet = _cached(f"jwks:{jwks_uri}", load, refresh=refresh)
    return result


def _session(config: ProviderConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=" ".join(config.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def authorization_start(
    provider: LoginProvider, *, redirect_uri: str, next_url: str
) -> tuple[str, PendingLogin]:
    """The provider URL to send the browser to, and what to keep in the session until the callback."""
    config = provider.config()
    metadata = provider_metadata(config)
    pending = PendingLogin(
        provider=provider.identifier,
        state=generate_token(32),
        nonce=generate_token(32),
        code_verifier=generate_token(64),
        redirect_uri=redirect_uri,
        next_url=next_url,
        started_at=clock.now().timestamp(),
    )
    extra: dict[str, str] = {"nonce": pending.nonce}
    if config.acr_values:
        extra["acr_values"] = config.acr_values
    with _session(config, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending.state,
            code_verifier=pending.code_verifier,
            **extra,
        )
    return url, pending


def _exchange_code(
    config: ProviderConfig, metadata: dict[str, Any], pending: PendingLogin, code: str
) -> dict[str, Any]:
    try:
        with _session(config, pending.redirect_uri) as client:  # closed: no connection left open
            token: dict[str, Any] = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
                timeout=_timeout(),
            )
    except (OAuth2Error, OAuthError) as exc:
        raise LoginFailed(
            _("Mã xác thực không hợp lệ, đã hết hạn hoặc đã được sử dụng. Vui lòng đăng nhập lại."),
            code="token_exchange_failed",
            details={"error": exc.error},
        ) from exc
    except (requests.RequestException, ValueError) as exc:
        raise _unavailable(exc) from exc
    return dict(token)


def id_token_validate(
    id_token: str, *, config: ProviderConfig, metadata: dict[str, Any], nonce: str
) -> dict[str, Any]:
    """The verified claims of ``id_token``; ``LoginFailed`` for a bad signature, issuer, audience, expiry, nonce."""
    bad = LoginFailed(
        _("Thông tin xác thực nhận được không hợp lệ (chữ ký số không đúng). Vui lòng đăng nhập lại."),
        code="invalid_id_token",
    )
    try:
        try:
            token = jwt.decode(id_token, provider_keys(metadata["jwks_uri"]), algorithms=ID_TOKEN_ALGORITHMS)
        except (JoseError, ValueError) as first:
            if isinstance(first, BadSignatureError):
                raise
            # Maybe the provider rotated its key: refetch the key set once.
            token = jwt.decode(
                id_token, provider_keys(metadata["jwks_uri"], refresh=True), algorithms=ID_TOKEN_ALGORITHMS
            )
    except (JoseError, ValueError, TypeError) as exc:
        raise bad from exc
    claims: dict[str, Any] = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=int(clock.now().timestamp()),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": config.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise LoginFailed(
            _("Phiên xác thực đã hết hạn. Vui lòng đăng nhập lại."), code="expired_id_token"
        ) from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "")
        if claim == "nonce":
            raise LoginFailed(
                _("Phiên đăng nhập không khớp (nonce). Vui lòng đăng nhập lại."), code="invalid_nonce"
            ) from exc
        raise LoginFailed(
            _("Thông tin xác thực nhận được không hợp lệ (%(claim)s). Vui lòng đăng nhập lại.")
            % {"claim": claim},
            code="invalid_id_token",
            details={"claim": claim},
        ) from exc
    except JoseError as exc:
        raise bad from exc
    # joserfc's "value" check accepts a list containing the value: the nonce must be that very string.
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise LoginFailed(
            _("Phiên đăng nhập không khớp (nonce). Vui lòng đăng nhập lại."), code="invalid_nonce"
        )
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != config.client_id:
        raise LoginFailed(
            _("Thông tin xác thực nhận được không dành cho hệ thống này."), code="invalid_id_token"
        )
    return claims


def _userinfo(metadata: dict[str, Any], access_token: str) -> dict[str, Any]:
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        response = requests.get(
            endpoint, timeout=_timeout(), headers={"Authorization": f"Bearer {access_token}"}
        )
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise _unavailable(exc) from exc
    return body if isinstance(body, dict) else {}


def authorization_finish(provider: LoginProvider, *, pending: PendingLogin, code: str) -> dict[str, Any]:
    """Exchange ``code``, validate the ID token, add the userinfo claims; the merged claims.

    The ID token's claims win over userinfo's; userinfo must name the same ``sub``.
    """
    config = provider.config()
    metadata = provider_metadata(config)
    token = _exchange_code(config, metadata, pending, code)
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise LoginFailed(_("Nhà cung cấp định danh không trả về ID token."), code="invalid_id_token")
    claims = id_token_validate(id_token, config=config, metadata=metadata, nonce=pending.nonce)
    userinfo = _userinfo(metadata, str(token.get("access_token", "")))
    if userinfo and userinfo.get("sub") != claims["sub"]:
        raise LoginFailed(_("Thông tin tài khoản trả về không khớp với ID token."), code="userinfo_mismatch")
    return {**userinfo, **claims}
