"""Single sign-on through the national public-service portal (issue 13, item 6): the second citizen login
provider next to VNeID, end to end over real HTTP against the sandbox portal's SSO (``/sandbox/dvcqg/sso/``):
authorization code with PKCE S256, state and nonce, the ID token's signature checked against its JWKS."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from motcua.accounts.models import AccountKind, User
from motcua.identity import oidc
from motcua.identity.constants import SESSION_ASSURANCE_LEVEL, SESSION_PROVIDER
from motcua.identity.contrib.sandbox.services import sandbox_client_ensure
from motcua.identity.models import IdentityProfile

from .test_oidc_flow import _field, _refused, browser, logged_in_user, person, pick, session_of, start

pytestmark = pytest.mark.django_db(transaction=True)

PROVIDER = "dvcqg-sandbox"


@pytest.fixture
def portal_sso(live_server: Any, settings: Any) -> Iterator[str]:
    """The sandbox portal's SSO on the live server, motcua registered as its client; yields the base URL."""
    base = live_server.url
    providers = dict(settings.MOTCUA_LOGIN_PROVIDERS)
    providers[PROVIDER] = {
        **providers[PROVIDER],
        "enabled": True,
        "discovery_url": f"{base}/sandbox/dvcqg/sso/.well-known/openid-configuration",
    }
    settings.MOTCUA_LOGIN_PROVIDERS = providers
    oidc.clear_cache()
    sandbox_client_ensure(redirect_uris=[f"{base}/auth/callback/{PROVIDER}/"], provider=PROVIDER)
    yield base
    oidc.clear_cache()


def login(http: requests.Session, base: str, subject: str) -> str:
    """From the portal's login page to the provider's redirect back to motcua (the callback URL, not followed)."""
    choice = http.get(f"{base}/auth/login/", timeout=10)
    assert f"/auth/login/{PROVIDER}/" in choice.text  # the button next to VNeID's
    assert "Tài khoản Cổng Dịch vụ công quốc gia (thử nghiệm)" in choice.text
    start = http.get(
        f"{base}/auth/login/{PROVIDER}/", params={"next": "/thu-tuc/X/"}, allow_redirects=False, timeout=10
    )
    assert start.status_code == 302
    authorize = urlsplit(start.headers["Location"])
    query = parse_qs(authorize.query)
    assert authorize.path == "/sandbox/dvcqg/sso/authorize/"
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"]
    assert query["nonce"]
    picker = http.get(start.headers["Location"], timeout=10)
    assert urlsplit(picker.url).path == "/sandbox/dvcqg/sso/dang-nhap/"
    assert "Đăng nhập Cổng Dịch vụ công quốc gia (thử nghiệm)" in picker.text
    picked = http.post(
        picker.url,
        data={
            "csrfmiddlewaretoken": _field(picker.text, "csrfmiddlewaretoken"),
            "next": _field(picker.text, "next", form="sandbox-picker"),
            "person": subject,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert picked.status_code == 302, picked.text[:300]
    back = http.get(
        requests.compat.urljoin(picker.url, picked.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert back.status_code == 302, back.text[:300]
    return str(back.headers["Location"])


def test_discovery_is_its_own_issuer(portal_sso: str) -> None:
    metadata = (
        browser().get(f"{portal_sso}/sandbox/dvcqg/sso/.well-known/openid-configuration", timeout=10).json()
    )
    assert metadata["issuer"] == f"{portal_sso}/sandbox/dvcqg/sso"
    assert metadata["authorization_endpoint"] == f"{portal_sso}/sandbox/dvcqg/sso/authorize/"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert browser().get(metadata["jwks_uri"], timeout=10).json()["keys"][0]["alg"] == "RS256"


def test_a_citizen_logs_in_through_the_national_portal(
    portal_sso: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    real = oidc._exchange_code

    def spy(*args: Any, **kwargs: Any) -> dict[str, Any]:
        token = real(*args, **kwargs)
        payload = token["id_token"].split(".")[1]
        seen.update(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
        return token

    monkeypatch.setattr(oidc, "_exchange_code", spy)
    citizen = person(level=2)
    http = browser()
    callback = login(http, portal_sso, citizen.subject)
    assert callback.startswith(f"{portal_sso}/auth/callback/{PROVIDER}/?")
    done = http.get(callback, allow_redirects=False, timeout=10)
    assert done.status_code == 302
    assert done.headers["Location"] == "/thu-tuc/X/"
    assert seen["iss"] == f"{portal_sso}/sandbox/dvcqg/sso"  # issued by the portal's SSO, not VNeID's
    user = logged_in_user(http)
    assert user is not None
    assert (user.kind, user.citizen_id, user.full_name) == (
        AccountKind.CITIZEN,
        citizen.id_number,
        citizen.full_name,
    )
    assert session_of(http)[SESSION_PROVIDER] == PROVIDER
    assert session_of(http)[SESSION_ASSURANCE_LEVEL] == 2
    assert IdentityProfile.objects.get(user=user).subject == citizen.subject


def test_the_same_citizen_through_either_provider_is_one_account(portal_sso: str, sandbox_idp: str) -> None:
    citizen = person(level=2)
    first = browser()
    first.get(login(first, portal_sso, citizen.subject), allow_redirects=False, timeout=10)
    second = browser()
    second.get(pick(second, start(second, sandbox_idp), citizen.subject), allow_redirects=False, timeout=10)
    assert logged_in_user(first) == logged_in_user(second) is not None
    assert User.objects.filter(citizen_id=citizen.id_number).count() == 1


def test_a_broken_signature_is_refused(portal_sso: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = oidc._exchange_code

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        token = real(*args, **kwargs)
        header, payload, signature = token["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])
        token["id_token"] = f"{header}.{payload}.{flipped}"
        return token

    monkeypatch.setattr(oidc, "_exchange_code", broken)
    http = browser()
    callback = login(http, portal_sso, person().subject)
    _refused(http.get(callback, allow_redirects=False, timeout=10), "invalid_id_token", http)
