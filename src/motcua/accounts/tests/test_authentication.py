"""API token authentication: the token's account is read once per process, revocations apply at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.authentication import TokenAuthentication
from motcua.accounts.services import api_token_get_or_create
from motcua.accounts.tests.factories import UserFactory
from motcua.organisations.constants import Role
from motcua.organisations.services import membership_revoke
from motcua.organisations.tests.factories import MembershipFactory

# Committed writes: inside a test transaction that wrote accounts the cache is bypassed (core.refcache).
pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/dossiers/?limit=1"


def _get(token: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        status = Client(HTTP_AUTHORIZATION=f"Token {token}").get(LIST).status_code
    return status, [q["sql"] for q in ctx.captured_queries]


def test_the_second_request_does_not_read_the_token() -> None:
    membership = MembershipFactory(role=Role.OFFICER)
    token = api_token_get_or_create(username=membership.user.username).key
    status, first = _get(token)
    assert status == 200
    assert any("authtoken_token" in sql for sql in first)
    status, second = _get(token)
    assert status == 200
    assert not any("authtoken_token" in sql for sql in second)
    assert len(second) == len(first) - 2  # neither the token nor the roles (core.refcache)


def test_each_request_gets_its_own_copy_of_the_account() -> None:
    user = UserFactory()
    key = api_token_get_or_create(username=user.username).key
    first, first_token = TokenAuthentication().authenticate_credentials(key)
    first._motcua_roles_by_unit = {1: frozenset({"leader"})}  # type: ignore[attr-defined]  # what a request keeps
    second, second_token = TokenAuthentication().authenticate_credentials(key)
    assert second.pk == first.pk == user.pk
    assert second is not first
    assert not hasattr(second, "_motcua_roles_by_unit")
    assert second_token is not first_token
    assert second_token.user is second


def test_a_reset_token_a_locked_account_and_a_revoked_role_apply_at_once() -> None:
    membership = MembershipFactory(role=Role.OFFICER)
    user = membership.user
    old = api_token_get_or_create(username=user.username).key
    assert _get(old)[0] == 200
    new = api_token_get_or_create(username=user.username, reset=True).key
    assert _get(old)[0] == 401
    assert _get(new)[0] == 200

    client = Client(HTTP_AUTHORIZATION=f"Token {new}")
    assert client.get(f"/api/v1/units/{membership.unit.code}/").status_code == 200
    membership_revoke(user=user, unit=membership.unit, role=Role.OFFICER)
    body = client.get(LIST).json()
    assert body["count"] == 0  # no unit left to see

    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _get(new)[0] == 401


def test_an_unknown_key_is_refused_every_time() -> None:
    for _ in range(2):
        status, queries = _get("0" * 40)
        assert status == 401
        assert any("authtoken_token" in sql for sql in queries)


def test_a_reset_that_fails_keeps_the_old_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replacing a token is one transaction: a failure after the delete leaves the officer's old token working."""
    from rest_framework.authtoken.models import Token

    membership = MembershipFactory(role=Role.OFFICER)
    old = api_token_get_or_create(username=membership.user.username).key

    def broken(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(Token.objects, "get_or_create", broken)
    with pytest.raises(RuntimeError):
        api_token_get_or_create(username=membership.user.username, reset=True)
    monkeypatch.undo()
    assert Token.objects.filter(key=old).exists()
    assert _get(old)[0] == 200


def test_checking_a_token_opens_no_transaction() -> None:
    """Authentication reads: no BEGIN/COMMIT of its own before the view (an intake paid for an empty one)."""
    membership = MembershipFactory(role=Role.OFFICER)
    token = api_token_get_or_create(username=membership.user.username).key
    assert not connection.in_atomic_block
    _status, _queries = _get(token)  # warm the cache
    with CaptureQueriesContext(connection) as ctx:
        TokenAuthentication().authenticate_credentials(token)
    assert [q["sql"] for q in ctx.captured_queries] == []
