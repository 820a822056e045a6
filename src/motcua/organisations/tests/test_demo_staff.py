"""The demo staff: accounts with roles in the demo units (``organisations.services.demo_staff_create``)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import AccountKind, User
from motcua.core.errors import NotFound
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership
from motcua.organisations.services import demo_staff_create

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
