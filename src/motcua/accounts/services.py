"""Writes of accounts: demo staff, API tokens."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from motcua.core import clock
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.refcache import refcache_clear
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Membership, Unit
from motcua.organisations.selectors import unit_by_code, units_valid_on

from .models import AccountKind, User

DEMO_UNIT_CODES = ("25-TTPVHCC", "8707", "8716", "8740")  # plus every current department "25-*"
DEMO_PROVINCE_CODE = "25"
_DEMO_ROLES = (Role.OFFICER, Role.SPECIALIST, Role.LEADER)


def _demo_units() -> list[Unit]:
    today = clock.today()
    province = unit_by_code(DEMO_PROVINCE_CODE, as_of=today)
    departments = list(
        units_valid_on(today, level=Level.DEPARTMENT, parent=province).filter(
            code__startswith=f"{DEMO_PROVINCE_CODE}-"
        )
    )
    centre, *communes = (unit_by_code(code, as_of=today) for code in DEMO_UNIT_CODES)
    return [centre, *departments, *communes]


@transaction.atomic
def demo_staff_create(*, password: str = "demo") -> list[tuple[str, str]]:  # noqa: S107 - demo accounts
    """Create the demo accounts (idempotent); returns ``(username, description)`` rows to print.

    For the provincial centre ``25-TTPVHCC``, every current department ``25-*`` and the communes ``8707``,
    ``8716``, ``8740`` (as of today): ``officer-<code>``, ``specialist-<code>``, ``leader-<code>``; plus the
    superuser ``admin`` and ``statistician-25``. Needs the demo units (``demo_units_load``). Existing
    accounts keep their password; new ones get ``password`` (hashed once for all: demo accounts only).
    """
    hashed = make_password(password)
    rows: list[tuple[str, str]] = []

    def account(username: str, full_name: str, *, superuser: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "kind": AccountKind.STAFF,
                "full_name": full_name,
                "password": hashed,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if not created and superuser and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        return user

    account("admin", _("Quản trị hệ thống"), superuser=True)
    rows.append(("admin", _("Quản trị hệ thống (superuser)")))

    wanted: list[tuple[User, Unit, str]] = []
    for unit in _demo_units():
        for role in _DEMO_ROLES:
            username = f"{role}-{unit.code}"
            label = f"{Role(role).label} — {unit.name} ({unit.code})"
            wanted.append((account(username, f"{Role(role).label} {unit.name}"), unit, role))
            rows.append((username, label))
    province = unit_by_code(DEMO_PROVINCE_CODE)
    statistician = account(f"statistician-{province.code}", f"{Role.STATISTICIAN.label} {province.name}")
    wanted.append((statistician, province, Role.STATISTICIAN))
    rows.append((statistician.username, f"{Role.STATISTICIAN.label} — {province.name} ({province.code})"))

    existing = set(
        Membership.objects.filter(user__in=[user for user, _unit, _role in wanted]).values_list(
            "user_id", "unit_id", "role"
        )
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, unit=unit, role=role)
            for user, unit, role in wanted
            if (user.pk, unit.pk, role) not in existing
        ]
    )
    refcache_clear()  # a bulk insert sends no signal: roles read before are stale
    return rows


@transaction.atomic
def api_token_get_or_create(*, username: str, reset: bool = False) -> Token:
    """The DRF token of ``username`` (created if missing; replaced when ``reset``); ``NotFound`` if no user."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(
            _("Không có tài khoản «%(username)s».") % {"username": username}, code="user_not_found"
        )
    if not user.is_active:
        raise ValidationFailed(
            _("Tài khoản «%(username)s» đang bị khóa.") % {"username": username}, code="user_inactive"
        )
    if reset:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token
