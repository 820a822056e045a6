"""The whole e-ID login over real HTTP on loopback: motcua (relying party) <-> sandbox provider."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore

from motcua.accounts.models import AccountKind, User
from motcua.identity import oidc
from motcua.identity.constants import SESSION_ASSURANCE_LEVEL, SESSION_PENDING, SESSION_PROVIDER
from motcua.identity.models import IdentityProfile, SandboxPerson

from .factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


_open: list[requests.Session] = []


def browser() -> requests.Session:
    """A browser-like HTTP client, closed after the test (no server thread outlives its test)."""
    http = requests.Session()
    _open.append(http)
    return http


@pytest.fixture(autouse=True)
def _close_browsers() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def _field(page: str, name: str, *, form: str = "") -> str:
    """The value of the input ``name`` (in the form with id ``form`` when given)."""
    if form:
        page = page[page.index(f'id="{form}"') :]
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no field {name}"
    return html.unescape(match.group(1))


def start(http: requests.Session, base: str, next_url: str = "/thu-tuc/X/") -> requests.Response:
    """From motcua's login button to the sandbox picker page."""
    page = http.get(f"{base}/auth/login/sandbox/", params={"next": next_url}, timeout=10)
    assert page.status_code == 200
    assert urlsplit(page.url).path == "/sandbox/vneid/dang-nhap/"
    return page


def pick(http: requests.Session, page: requests.Response, subject: str) -> str:
    """Pick a person on the picker; returns the callback URL the provider redirects to (not followed)."""
    response = http.post(
        page.url,
        data={
            "csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken"),
            "next": _field(page.text, "next", form="sandbox-picker"),
            "person": subject,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    authorize = http.get(
        requests.compat.urljoin(page.url, response.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert authorize.status_code == 302, authorize.text[:500]
    return authorize.headers["Location"]


def session_of(http: requests.Session) -> SessionStore:
    return SessionStore(session_key=http.cookies.get("sessionid"))


def logged_in_user(http: requests.Session) -> User | None:
    user_id = session_of(http).get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def person(kind: str = "citizen", level: int = 2) -> SandboxPerson:
    return SandboxPerson.objects.filter(kind=kind, level=level).order_by("pk").first()  # type: ignore[return-value]


def test_discovery_and_jwks(sandbox_idp: str) -> None:
    metadata = (
        browser().get(f"{sandbox_idp}/sandbox/vneid/.well-known/openid-configuration", timeout=10).json()
    )
    assert metadata["issuer"] == f"{sandbox_idp}/sandbox/vneid"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "SoDinhDanh" in metadata["claims_supported"]
    keys = browser().get(metadata["jwks_uri"], timeout=10).json()["keys"]
    assert keys
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # the public half only


def test_citizen_level_2_logs_in(sandbox_idp: str) -> None:
    citizen = person(level=2)
    http = browser()
    callback = pick(http, start(http, sandbox_idp), citizen.subject)
    assert callback.startswith(f"{sandbox_idp}/auth/callback/sandbox/?")
    done = http.get(callback, allow_redirects=False, timeout=10)
    assert done.status_code == 302
    assert done.headers["Location"] == "/thu-tuc/X/"

    user = logged_in_user(http)
    assert user is not None
    assert user.kind == AccountKind.CITIZEN
    assert user.citizen_id == citizen.id_number
    assert user.full_name == citizen.full_name
    assert user.phone == citizen.phone
    assert not user.has_usable_password()
    session = session_of(http)
    assert session[SESSION_ASSURANCE_LEVEL] == 2
    assert session[SESSION_PROVIDER] == "sandbox"
    profile = IdentityProfile.objects.get(user=user)
    assert profile.assurance_level == 2
    assert profile.subject == citizen.subject
    assert profile.birth_date == citizen.birth_date
    assert profile.sex == citizen.sex
    assert profile.permanent_address == citizen.permanent_address
    # The page now greets the citizen.
    assert citizen.full_name in http.get(f"{sandbox_idp}/", timeout=10).text


def test_second_login_updates_the_same_account(sandbox_idp: str) -> None:
    citizen = person(level=2)
    for _attempt in range(2):
        http = browser()
        http.get(pick(http, start(http, sandbox_idp), citizen.subject), allow_redirects=False, timeout=10)
        assert logged_in_user(http) is not None
    assert User.objects.filter(citizen_id=citizen.id_number).count() == 1


def test_level_1_citizen_is_recorded_at_level_1(sandbox_idp: str) -> None:
    citizen = person(level=1)
    http = browser()
    http.get(pick(http, start(http, sandbox_idp), citizen.subject), allow_redirects=False, timeout=10)
    user = logged_in_user(http)
    assert user is not None
    assert user.citizen_id == citizen.id_number
    assert session_of(http)[SESSION_ASSURANCE_LEVEL] == 1
    assert IdentityProfile.objects.get(user=user).assurance_level == 1


def test_business_account_logs_in_on_its_tax_code(sandbox_idp: str) -> None:
    business = person(kind="business")
    http = browser()
    http.get(pick(http, start(http, sandbox_idp), business.subject), allow_redirects=False, timeout=10)
    user = logged_in_user(http)
    assert user is not None
    assert user.kind == AccountKind.BUSINESS
    assert user.tax_code == business.tax_code
    assert user.full_name == business.organisation_name
    assert user.citizen_id is None
    assert IdentityProfile.objects.get(user=user).representative_id_number == business.id_number


def _refused(response: requests.Response, code: str, http: requests.Session) -> None:
    assert response.status_code in (400, 403), response.status_code
    assert f'data-error-code="{code}"' in response.text
    assert "Không đăng nhập được" in response.text or "đăng nhập" in response.text
    assert logged_in_user(http) is None


def test_wrong_state_is_refused(sandbox_idp: str) -> None:
    http = browser()
    callback = pick(http, start(http, sandbox_idp), person().subject)
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    _refused(http.get(forged, allow_redirects=False, timeout=10), "invalid_state", http)
    assert not User.objects.filter(kind=AccountKind.CITIZEN, username__startswith="citizen-").exists()


def test_wrong_nonce_is_refused(sandbox_idp: str) -> None:
    http = browser()
    callback = pick(http, start(http, sandbox_idp), person().subject)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    session = session_of(http)
    pending = session[SESSION_PENDING]
    pending[state]["nonce"] = "not-the-nonce-sent"
    session[SESSION_PENDING] = pending
    session.save()
    _refused(http.get(callback, allow_redirects=False, timeout=10), "invalid_nonce", http)


def test_tampered_id_token_is_refused(sandbox_idp: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = oidc._exchange_code

    def tampered(*args: Any, **kwargs: Any) -> dict[str, Any]:
        token = real(*args, **kwargs)
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert claims["acr"] == "LoA1"
        claims.update(acr="LoA2", loAs="LoA2", IAL=2)  # promote a level-1 account, keep the signature
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        token["id_token"] = f"{header}.{forged}.{signature}"
        return token

    monkeypatch.setattr(oidc, "_exchange_code", tampered)
    http = browser()
    callback = pick(http, start(http, sandbox_idp), person(level=1).subject)
    _refused(http.get(callback, allow_redirects=False, timeout=10), "invalid_id_token", http)
    assert not IdentityProfile.objects.exists()


def test_id_token_with_a_broken_signature_is_refused(
    sandbox_idp: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = oidc._exchange_code

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        token = real(*args, **kwargs)
        header, payload, signature = token["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join([signature[:10], signature[11:]])
        token["id_token"] = f"{header}.{payload}.{flipped}"
        return token

    monkeypatch.setattr(oidc, "_exchange_code", broken)
    http = browser()
    callback = pick(http, start(http, sandbox_idp), person().subject)
    _refused(http.get(callback, allow_redirects=False, timeout=10), "invalid_id_token", http)


def test_replayed_code_is_refused(sandbox_idp: str) -> None:
    first = browser()
    callback = pick(first, start(first, sandbox_idp), person().subject)
    assert first.get(callback, allow_redirects=False, timeout=10).status_code == 302
    assert logged_in_user(first) is not None
    code = parse_qs(urlsplit(callback).query)["code"][0]

    # Replayed at motcua by another browser that started its own login: the provider refuses the code.
    second = browser()
    start(second, sandbox_idp)
    state = next(iter(session_of(second)[SESSION_PENDING]))
    replay = second.get(
        f"{sandbox_idp}/auth/callback/sandbox/",
        params={"code": code, "state": state},
        allow_redirects=False,
        timeout=10,
    )
    _refused(replay, "token_exchange_failed", second)

    # Replaying the callback itself: the state was used up.
    again = first.get(callback, allow_redirects=False, timeout=10)
    assert again.status_code == 400
    assert 'data-error-code="invalid_state"' in again.text


def test_provider_refuses_authorization_without_pkce(sandbox_idp: str) -> None:
    http = browser()
    page = start(http, sandbox_idp)
    next_url = _field(page.text, "next", form="sandbox-picker")
    without_pkce = re.sub(r"&code_challenge(_method)?=[^&]+", "", next_url)
    assert "code_challenge" not in without_pkce
    http.post(
        page.url,
        data={
            "csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken"),
            "next": without_pkce,
            "person": person().subject,
        },
        allow_redirects=False,
        timeout=10,
    )
    answer = http.get(f"{sandbox_idp}{without_pkce}", allow_redirects=False, timeout=10)
    location = answer.headers.get("Location", "")
    assert "code=" not in location
    assert "error=invalid_request" in location
    # motcua shows the provider's refusal without logging in.
    _refused(http.get(location, allow_redirects=False, timeout=10), "provider_error", http)


def test_staff_account_with_the_same_id_is_not_taken_over(sandbox_idp: str) -> None:
    citizen = person()
    staff = UserFactory(username="staff-with-id", citizen_id=citizen.id_number)
    http = browser()
    callback = pick(http, start(http, sandbox_idp), citizen.subject)
    _refused(http.get(callback, allow_redirects=False, timeout=10), "account_conflict", http)
    staff.refresh_from_db()
    assert staff.kind == AccountKind.STAFF


def test_unreachable_provider_shows_an_error_page(sandbox_idp: str, settings: Any) -> None:
    providers = dict(settings.MOTCUA_LOGIN_PROVIDERS)
    providers["sandbox"] = {
        **providers["sandbox"],
        "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    settings.MOTCUA_LOGIN_PROVIDERS = providers
    oidc.clear_cache()
    response = browser().get(f"{sandbox_idp}/auth/login/sandbox/", allow_redirects=False, timeout=30)
    assert response.status_code == 503
    assert 'data-error-code="provider_unavailable"' in response.text


def test_logout(sandbox_idp: str) -> None:
    http = browser()
    http.get(pick(http, start(http, sandbox_idp), person().subject), allow_redirects=False, timeout=10)
    assert logged_in_user(http) is not None
    page = http.get(f"{sandbox_idp}/auth/logout/", timeout=10)
    assert logged_in_user(http) is not None  # GET only asks
    http.post(
        f"{sandbox_idp}/auth/logout/",
        data={"csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken")},
        allow_redirects=False,
        timeout=10,
    )
    assert logged_in_user(http) is None
