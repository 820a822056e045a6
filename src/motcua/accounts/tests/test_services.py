from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.accounts.services import api_token_get_or_create
from motcua.accounts.tests.factories import UserFactory
from motcua.core.errors import NotFound, ValidationFailed


@pytest.mark.django_db
def test_api_token_is_stable_unless_reset() -> None:
    user = UserFactory(username="client")
    token = api_token_get_or_create(username="client")
    assert api_token_get_or_create(username="client").key == token.key
    new = api_token_get_or_create(username="client", reset=True)
    assert new.key != token.key
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [new.key]
    with pytest.raises(NotFound):
        api_token_get_or_create(username="ghost")
    UserFactory(username="locked", is_active=False)
    with pytest.raises(ValidationFailed):
        api_token_get_or_create(username="locked")


@pytest.mark.django_db
def test_create_api_token_command_prints_a_working_token_last() -> None:
    UserFactory(username="client")
    out = StringIO()
    call_command("create_api_token", "client", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key == Token.objects.get(user__username="client").key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/units/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/units/").json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_create_api_token_command_unknown_user_exits_2() -> None:
    with pytest.raises(CommandError) as info:
        call_command("create_api_token", "ghost")
    assert info.value.returncode == 2
    assert "ghost" in str(info.value)
