"""Brute-force protection (issue 17): wrong passwords lock the account and the address; wrong API tokens are
throttled.

Before, 50 wrong passwords on ``/dang-nhap/`` and 20 on ``/quan-tri/login/`` were all just refused, then the
right one logged in; invalid API tokens could be tried without limit.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "mat-khau-dung-1"
LOCKED_TEXT = "tạm khóa"


@pytest.fixture
def officer() -> User:
    user = UserFactory(username="canbo-khoa")
    user.set_password(RIGHT)
    user.save()
    return user


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _post(url: str, username: str, password: str, address: str = "10.0.0.1") -> object:
    return Client().post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_limit_is_ten_by_default() -> None:
    assert settings.AXES_FAILURE_LIMIT == 10


@pytest.mark.parametrize("url", ["/dang-nhap/", "/quan-tri/login/"])
def test_ten_wrong_passwords_lock_the_account(url: str, officer: User) -> None:
    if url.startswith("/quan-tri/"):
        officer.is_staff = True
        officer.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(url, officer.username, "sai-mat-khau")
    # The right password, from another address: the account is locked.
    response = _post(url, officer.username, RIGHT, address="10.0.0.2")
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert LOCKED_TEXT in response.content.decode()  # type: ignore[attr-defined]
    assert "_auth_user_id" not in Client().session


def test_an_address_trying_many_accounts_is_locked(officer: User) -> None:
    for n in range(settings.AXES_FAILURE_LIMIT):
        _post("/dang-nhap/", f"khong-co-{n}", "sai", address="10.9.9.9")
    response = _post("/dang-nhap/", officer.username, RIGHT, address="10.9.9.9")
    assert response.status_code == 429  # type: ignore[attr-defined]
    # The officer still logs in from elsewhere.
    assert _post("/dang-nhap/", officer.username, RIGHT, address="10.0.0.3").status_code == 302  # type: ignore[attr-defined]


def test_fewer_failures_then_the_right_password_logs_in(officer: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post("/dang-nhap/", officer.username, "sai-mat-khau")
    assert _post("/dang-nhap/", officer.username, RIGHT).status_code == 302  # type: ignore[attr-defined]


def test_an_administrator_unlocks_the_account_in_the_admin(officer: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post("/dang-nhap/", officer.username, "sai-mat-khau")
    assert _post("/dang-nhap/", officer.username, RIGHT, address="10.0.0.2").status_code == 429  # type: ignore[attr-defined]

    admin = Client()
    admin.force_login(User.objects.create_superuser("quantri", password="x"))
    attempts = AccessAttempt.objects.filter(username=officer.username)
    assert attempts.exists()
    changelist = admin.get("/quan-tri/axes/accessattempt/")
    assert changelist.status_code == 200
    response = admin.post(
        "/quan-tri/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _post("/dang-nhap/", officer.username, RIGHT, address="10.0.0.2").status_code == 302  # type: ignore[attr-defined]


@override_settings(MOTCUA_API_TOKEN_FAILURE_RATE="5/hour")
def test_wrong_api_tokens_are_throttled(officer: User) -> None:
    from rest_framework.authtoken.models import Token

    client = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(5):
        response = client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token sai{n:036d}")
        assert response.status_code in (401, 403), response.status_code
    token = Token.objects.create(user=officer)
    response = client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.1.1.2")
    assert other.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200


@override_settings(MOTCUA_API_TOKEN_DAYS=90)
def test_an_api_token_expires_and_a_new_one_is_issued(officer: User) -> None:
    import datetime as dt

    from rest_framework.authtoken.models import Token

    from motcua.accounts.services import api_token_get_or_create
    from motcua.core import clock
    from motcua.organisations.constants import Role
    from motcua.organisations.tests.factories import MembershipFactory

    MembershipFactory(user=officer, role=Role.OFFICER)
    token = api_token_get_or_create(username=officer.username)
    client = Client()
    assert client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    with clock.frozen(token.created + dt.timedelta(days=91)):
        response = client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
        fresh = api_token_get_or_create(username=officer.username)
        assert fresh.key != token.key
        assert not Token.objects.filter(key=token.key).exists()
    assert client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {fresh.key}").status_code == 200


def test_behind_the_tls_proxy_the_address_is_the_one_the_proxy_appended() -> None:
    from django.test import RequestFactory

    from motcua.accounts.lockout import client_address

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert client_address(request) == "10.0.0.254"  # no proxy configured: the header proves nothing
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert client_address(request) == "203.0.113.7"
