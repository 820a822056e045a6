"""Parsing a due-time request from text (CLI arguments, CSV cells, query parameters).

The CLI, the API and the batch mode share these functions so that they accept and refuse the same inputs,
with the same stable error codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.core.errors import ValidationFailed

from .calendar import DEFAULT_FIRST_YEAR, WorkCalendar, parse_hhmm, to_vn
from .constants import LimitUnit

MAX_LIMIT = 10_000  # working days or hours; nothing in the law comes close
FIRST_YEAR, LAST_YEAR = DEFAULT_FIRST_YEAR, 2099  # receipts accepted from text


@dataclass(frozen=True)
class DueRequest:
    received: dt.datetime  # aware, Asia/Ho_Chi_Minh
    limit: int
    unit: LimitUnit
    cutoff: dt.time | None = None

    def due(self, calendar: WorkCalendar) -> dt.datetime:
        return calendar.due(self.received, self.limit, self.unit, cutoff=self.cutoff)


def parse_received(text: str | None) -> dt.datetime:
    """ISO 8601 date-time; naive means Asia/Ho_Chi_Minh."""
    if text is None or not str(text).strip():
        raise ValidationFailed("Thiếu thời điểm tiếp nhận (received).", code="missing_received")
    try:
        value = dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationFailed(
            f"Thời điểm tiếp nhận không hợp lệ: {text!r} (ISO 8601, ví dụ 2023-01-19T10:00).",
            code="invalid_received",
        ) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationFailed(
            f"Thời điểm tiếp nhận ngoài khoảng hỗ trợ ({FIRST_YEAR}–{LAST_YEAR}): {text!r}.",
            code="invalid_received",
        )
    return to_vn(value)


def parse_limit(text: str | int | None) -> int:
    if text is None or not str(text).strip():
        raise ValidationFailed("Thiếu thời hạn (limit).", code="missing_limit")
    raw = str(text).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(
            f"Thời hạn không hợp lệ: {text!r} (số nguyên).", code="invalid_limit"
        ) from None
    if value < 0:
        raise ValidationFailed(f"Thời hạn không được âm: {value}.", code="negative_limit")
    if value > MAX_LIMIT:
        raise ValidationFailed(f"Thời hạn quá lớn: {value} (tối đa {MAX_LIMIT}).", code="invalid_limit")
    return value


def parse_unit(text: str | None) -> LimitUnit:
    raw = (text or "").strip()
    try:
        return LimitUnit(raw)
    except ValueError:
        raise ValidationFailed(
            f"Đơn vị thời hạn không hợp lệ: {text!r} (days, hours hoặc same_day).", code="invalid_unit"
        ) from None


def parse_cutoff(text: str | None) -> dt.time | None:
    if text is None or not str(text).strip():
        return None
    try:
        return parse_hhmm(str(text))
    except ValueError:
        raise ValidationFailed(f"Giờ chốt không hợp lệ: {text!r} (HH:MM).", code="invalid_cutoff") from None


def parse_due_request(
    *, received: str | None, limit: str | int | None, unit: str | None, cutoff: str | None = None
) -> DueRequest:
    """All four parts, checked in order; raises ``ValidationFailed`` with the code of the first problem."""
    request = DueRequest(
        received=parse_received(received),
        limit=parse_limit(limit),
        unit=parse_unit(unit),
        cutoff=parse_cutoff(cutoff),
    )
    if request.unit == LimitUnit.SAME_DAY and request.limit != 0:
        raise ValidationFailed("Thời hạn trong ngày phải có limit = 0.", code="invalid_limit")
    return request
