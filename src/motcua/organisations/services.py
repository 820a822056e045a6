"""Writes of the organisation tree and of staff roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ValidationFailed

from .constants import Level, Role
from .importing import UnitsImportResult, read_units_file, units_import
from .models import Membership, Unit
from .selectors import forget_user_roles
from .validation import format_day, lock_unit_code, unit_errors

if TYPE_CHECKING:
    from motcua.accounts.models import User

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
    from motcua.accounts.models import AccountKind

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


__all__ = [
    "DEMO_UNITS_FILE",
    "UnitsImportResult",
    "demo_units_load",
    "membership_grant",
    "membership_revoke",
    "unit_create",
    "units_import",
]
