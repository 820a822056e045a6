from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import api_token_get_or_create, demo_staff_create
from motcua.accounts.tests.factories import UserFactory
from motcua.core.errors import NotFound, ValidationFailed
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership

DEMO_UNITS = ["25-TTPVHCC", "25-STP", "25-SNNMT", "25-STC", "25-SXD", "25-SNV", "25-SGDDT", "25-SYT", "25-SCT",
              "25-CA", "8707", "8716", "8740"]  # fmt: skip


def test_demo_staff_for_today_units(demo_units: int, today_2026: dt.date) -> None:
    rows = demo_staff_create()
    usernames = [username for username, _ in rows]
    expected = {f"{role}-{code}" for code in DEMO_UNITS for role in ("officer", "specialist", "leader")}
    assert set(usernames) == expected | {"admin", "statistician-25"}
    assert len(usernames) == len(set(usernames)) == 3 * 13 + 2
    assert dict(rows)["officer-8707"] == "Cán bộ một cửa — Phường Vĩnh Yên (8707)"

    officer = User.objects.get(username="officer-8707")
    assert officer.kind == AccountKind.STAFF
    assert officer.check_password("demo")
    membership = Membership.objects.get(user=officer)
    assert membership.role == Role.OFFICER
    assert membership.unit.name == "Phường Vĩnh Yên"  # the 8707 valid today, not Phường Tích Sơn
    assert officer.has_perm("organisations.act_on_unit_dossiers", membership.unit)

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("demo")
    statistician = Membership.objects.get(user__username="statistician-25")
    assert (statistician.role, statistician.unit.code) == (Role.STATISTICIAN, "25")
    assert Membership.objects.count() == 3 * 13 + 1


def test_demo_staff_is_idempotent(demo_units: int, today_2026: dt.date) -> None:
    first = demo_staff_create(password="first")
    second = demo_staff_create(password="second")
    assert first == second
    assert User.objects.count() == 41
    assert Membership.objects.count() == 40
    assert User.objects.get(username="officer-8740").check_password("first")  # existing passwords kept


def test_demo_staff_needs_the_demo_units(db: None, today_2026: dt.date) -> None:
    with pytest.raises(NotFound):
        demo_staff_create()


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
