"""The login pages without a provider round trip: refusals render the Vietnamese error page."""

import pytest
from django.test import Client

from motcua.identity.constants import SESSION_PENDING

pytestmark = pytest.mark.django_db


def test_login_page_lists_enabled_providers(client: Client) -> None:
    page = client.get("/auth/login/", {"next": "/thu-tuc/ABC/"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "/auth/login/sandbox/?next=/thu-tuc/ABC/" in text
    assert "/auth/login/vneid/" not in text  # not configured


def test_login_page_drops_an_offsite_next(client: Client) -> None:
    text = client.get("/auth/login/", {"next": "https://evil.example/"}).content.decode()
    assert '/auth/login/sandbox/?next=/"' in text
    assert "/auth/login/sandbox/?next=https" not in text


@pytest.mark.parametrize("provider", ["vneid", "nope"])
def test_unknown_or_disabled_provider(client: Client, provider: str) -> None:
    for url in (f"/auth/login/{provider}/", f"/auth/callback/{provider}/?code=x&state=y"):
        response = client.get(url)
        assert response.status_code == 400
        assert b'data-error-code="unknown_provider"' in response.content


def test_callback_without_a_pending_login(client: Client) -> None:
    response = client.get("/auth/callback/sandbox/", {"code": "abc", "state": "nothing"})
    assert response.status_code == 400
    assert b'data-error-code="invalid_state"' in response.content
    assert "Phiên đăng nhập không hợp lệ" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_cancelled_login(client: Client) -> None:
    session = client.session
    session[SESSION_PENDING] = {
        "s1": {
            "provider": "sandbox",
            "state": "s1",
            "nonce": "n",
            "code_verifier": "v",
            "redirect_uri": "http://testserver/auth/callback/sandbox/",
            "next_url": "/",
            "started_at": 9e18,  # far in the future: not expired
        }
    }
    session.save()
    response = client.get("/auth/callback/sandbox/", {"error": "access_denied", "state": "s1"})
    assert response.status_code == 400
    assert b'data-error-code="access_denied"' in response.content
    # The state is used up.
    again = client.get("/auth/callback/sandbox/", {"error": "access_denied", "state": "s1"})
    assert b'data-error-code="invalid_state"' in again.content


def test_sandbox_picker_needs_an_authorization_request(client: Client) -> None:
    page = client.get("/sandbox/vneid/dang-nhap/", {"next": "https://evil.example/authorize/"})
    assert page.status_code == 200
    assert 'id="sandbox-picker"' not in page.content.decode()
    refused = client.post("/sandbox/vneid/dang-nhap/", {"person": "x", "next": "/elsewhere/"})
    assert refused.status_code == 400


def test_logout_needs_post(client: Client, django_user_model: type) -> None:
    user = django_user_model.objects.create(username="citizen-026090001234", kind="citizen")
    client.force_login(user)
    assert client.get("/auth/logout/").status_code == 200
    assert "_auth_user_id" in client.session
    assert client.post("/auth/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
