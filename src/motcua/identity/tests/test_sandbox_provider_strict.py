"""The sandbox e-ID provider keeps to what it advertises; the ID-token check takes the nonce as a string only.

An independent OIDC client found (issue 17): PKCE ``plain`` accepted though discovery says S256 only; the
access token of a code stayed valid after the same code was replayed and refused (RFC 6749 §4.1.2: the
provider SHOULD revoke the tokens issued from it); refresh tokens issued though ``grant_types_supported`` is
``authorization_code`` only; and the relying party accepted ``"nonce": ["other", <expected>]``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from oauth2_provider.models import get_access_token_model

from motcua.identity import oidc
from motcua.identity.contrib.sandbox.services import sandbox_client_ensure
from motcua.identity.errors import LoginFailed
from motcua.identity.models import SandboxPerson

pytestmark = pytest.mark.django_db

REDIRECT = "http://testserver/auth/callback/sandbox/"


def _config() -> dict[str, Any]:
    return settings.MOTCUA_LOGIN_PROVIDERS["sandbox"]


def _authorize(client: Client, *, challenge: str, method: str | None) -> str:
    """Pick a person and authorize; returns the redirect to motcua's callback (code or error)."""
    params = {
        "response_type": "code",
        "client_id": _config()["client_id"],
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "state": "st",
        "nonce": "n",
        "code_challenge": challenge,
    }
    if method is not None:
        params["code_challenge_method"] = method
    authorize = f"/sandbox/vneid/authorize/?{urlencode(params)}"
    person = SandboxPerson.objects.order_by("pk").first()
    assert person is not None
    picked = client.post("/sandbox/vneid/dang-nhap/", {"next": authorize, "person": person.subject})
    assert picked.status_code == 302
    answer = client.get(authorize)
    assert answer.status_code == 302, answer.content[:300]
    return str(answer["Location"])


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _exchange(client: Client, code: str, verifier: str) -> Any:
    return client.post(
        "/sandbox/vneid/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": _config()["client_id"],
            "client_secret": _config()["client_secret"],
        },
    )


@pytest.fixture
def provider() -> Client:
    sandbox_client_ensure(redirect_uris=[REDIRECT])
    return Client()


def test_pkce_plain_is_refused(provider: Client) -> None:
    verifier = secrets.token_urlsafe(48)
    for method in ("plain", None):
        location = _authorize(provider, challenge=verifier, method=method)
        query = parse_qs(urlsplit(location).query)
        assert "code" not in query, (method, location)
        assert query["error"] == ["invalid_request"]


def test_s256_works_and_issues_no_refresh_token(provider: Client) -> None:
    verifier = secrets.token_urlsafe(48)
    location = _authorize(provider, challenge=_s256(verifier), method="S256")
    code = parse_qs(urlsplit(location).query)["code"][0]
    response = _exchange(provider, code, verifier)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["access_token"]
    assert body["id_token"]
    assert "refresh_token" not in body


def test_a_replayed_code_revokes_the_tokens_it_gave(provider: Client) -> None:
    verifier = secrets.token_urlsafe(48)
    location = _authorize(provider, challenge=_s256(verifier), method="S256")
    code = parse_qs(urlsplit(location).query)["code"][0]
    first = _exchange(provider, code, verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    userinfo = provider.get("/sandbox/vneid/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert userinfo.status_code == 200

    replay = _exchange(provider, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert not get_access_token_model().objects.filter(token=access).exists()
    userinfo = provider.get("/sandbox/vneid/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert userinfo.status_code == 401


def test_the_refresh_token_grant_is_refused(provider: Client) -> None:
    response = provider.post(
        "/sandbox/vneid/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": "anything",
            "client_id": _config()["client_id"],
            "client_secret": _config()["client_secret"],
        },
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("unauthorized_client", "unsupported_grant_type", "invalid_grant")


def test_a_nonce_given_as_an_array_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = {"iss": "https://idp", "aud": "motcua", "exp": 2**31, "iat": 1, "sub": "s", "nonce": ["x", "n"]}

    class Token:
        def __init__(self) -> None:
            self.claims = claims

    monkeypatch.setattr(oidc.jwt, "decode", lambda *args, **kwargs: Token())
    monkeypatch.setattr(oidc, "provider_keys", lambda *args, **kwargs: None)
    config = type("Config", (), {"client_id": "motcua"})()
    metadata = {"issuer": "https://idp", "jwks_uri": "https://idp/jwks"}
    with pytest.raises(LoginFailed) as refused:
        oidc.id_token_validate("t", config=config, metadata=metadata, nonce="n")  # type: ignore[arg-type]
    assert refused.value.code == "invalid_nonce"
    claims["nonce"] = "n"
    assert oidc.id_token_validate("t", config=config, metadata=metadata, nonce="n")["sub"] == "s"  # type: ignore[arg-type]
