"""Pure checks on unit validity periods, shared by the services, the admin and the importer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.utils.translation import gettext as _

from motcua.core import formatting

from .models import Unit


def periods_overlap(
    a_from: dt.date | None, a_to: dt.date | None, b_from: dt.date | None, b_to: dt.date | None
) -> bool:
    """Whether two closed periods overlap; ``None`` is an open end."""
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )


def period_within(
    inner_from: dt.date | None, inner_to: dt.date | None, outer_from: dt.date | None, outer_to: dt.date | None
) -> bool:
    """Whether the period ``inner`` lies inside ``outer``; ``None`` is an open end."""
    starts_ok = outer_from is None or (inner_from is not None and inner_from >= outer_from)
    ends_ok = outer_to is None or (inner_to is not None and inner_to <= outer_to)
    return starts_ok and ends_ok


def format_day(day: dt.date | None) -> str:
    return "…" if day is None else f"{formatting.day(day)}"


def unit_errors(
    *,
    code: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    parent: Unit | None,
    others: Iterable[Unit],
) -> dict[str, str]:
    """Field → Vietnamese message for a unit that would carry this code, period and parent.

    ``others`` are the other units with the same code (the unit itself excluded). The unit's period must
    not overlap theirs, and must lie inside its parent's period.
    """
    errors: dict[str, str] = {}
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("Ngày hết hiệu lực phải sau hoặc bằng ngày bắt đầu hiệu lực.")
        return errors
    for other in others:
        if periods_overlap(valid_from, valid_to, other.valid_from, other.valid_to):
            errors["valid_from"] = _(
                "Mã %(code)s đã được dùng cho «%(name)s» trong thời gian %(start)s – %(end)s; "
                "thời gian hiệu lực của cùng một mã không được trùng nhau."
            ) % {
                "code": code,
                "name": other.name,
                "start": format_day(other.valid_from),
                "end": format_day(other.valid_to),
            }
            break
    if parent is not None and not period_within(valid_from, valid_to, parent.valid_from, parent.valid_to):
        errors["parent"] = _(
            "Đơn vị cấp trên «%(name)s» chỉ có hiệu lực %(start)s – %(end)s; "
            "thời gian hiệu lực của đơn vị phải nằm trong khoảng đó."
        ) % {"name": parent.name, "start": format_day(parent.valid_from), "end": format_day(parent.valid_to)}
    return errors


def lock_unit_code(code: str) -> None:
    """Serialise writers of one unit code until the transaction ends (PostgreSQL; SQLite locks the file)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"motcua.unit:{code}"])
