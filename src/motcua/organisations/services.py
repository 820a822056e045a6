"""Writes of the organisation tree and of staff roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.core.refcache import refcache_clear

from .constants import Level, Role
from .importing import UnitsImportResult, read_units_file, units_import
from .models import Membership, Unit
from .selectors import forget_user_roles, unit_by_code, units_valid_on
from .validation import format_day, lock_unit_code, unit_errors

DEMO_UNITS_FILE = Path(__file__).resolve().parent / "data" / "units_demo.json"


# --- units -----------------------------------------------------------------------------------------------


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Unit | None = None,
    division_type: str = "",
    agency_code: str = "",
    has_one_stop_desk: bool = False,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Unit:
    """Create a unit; refuses a period overlapping another unit with the same code (``ValidationFailed``)."""
    code = str(code).strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Mã đơn vị không được để trống.")
    if not name.strip():
        errors["name"] = _("Tên đơn vị không được để trống.")
    if level not in Level.values:
        errors["level"] = _("Cấp đơn vị không hợp lệ: %(level)s.") % {"level": level}
    if code:
        lock_unit_code(code)
        errors.update(
            unit_errors(
                code=code,
                valid_from=valid_from,
                valid_to=valid_to,
                parent=parent,
                others=Unit.objects.filter(code=code),
            )
        )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), code="invalid_unit", details=errors)
    unit = Unit(
        code=code,
        name=name.strip(),
        level=level,
        parent=parent,
        division_type=division_type,
        agency_code=agency_code,
        has_one_stop_desk=has_one_stop_desk,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    unit.save()
    return unit


# --- memberships -----------------------------------------------------------------------------------------


@transaction.atomic
def membership_grant(*, user: User, unit: Unit, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``unit`` (idempotent: granting twice returns the same membership)."""
    if role not in Role.values:
        raise ValidationFailed(_("Vai trò không hợp lệ: %(role)s.") % {"role": role}, code="invalid_role")
    if user.kind != AccountKind.STAFF:
        raise ValidationFailed(
            _("Chỉ tài khoản cán bộ, công chức mới được giao vai trò trong đơn vị."), code="not_staff"
        )
    today = clock.today()
    if unit.valid_to is not None and unit.valid_to < today:
        raise ValidationFailed(
            _("Đơn vị %(name)s (%(code)s) đã hết hiệu lực từ %(day)s.")
            % {"name": unit.name, "code": unit.code, "day": format_day(unit.valid_to)},
            code="unit_not_valid",
        )
    membership, _created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    forget_user_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, user: User, unit: Unit, role: str) -> bool:
    """Take ``role`` in ``unit`` away from ``user``; returns whether there was such a membership."""
    deleted, _by_model = Membership.objects.filter(user=user, unit=unit, role=role).delete()
    forget_user_roles(user)
    return deleted > 0


# --- import ----------------------------------------------------------------------------------------------


def demo_units_load() -> int:
    """Load the demo unit tree (Vĩnh Phúc until 2025-06-30, Phú Thọ since 2025-07-01); idempotent.

    Returns the number of units created or changed (0 on a second run).
    """
    result = units_import(data=read_units_file(DEMO_UNITS_FILE))
    return result.units_created + result.units_updated


# --- demo staff ------------------------------------------------------------------------------------------


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


__all__ = [
    "DEMO_UNITS_FILE",
    "UnitsImportResult",
    "demo_staff_create",
    "demo_units_load",
    "membership_grant",
    "membership_revoke",
    "unit_create",
    "units_import",
]
