"""The one set of display formatters: numbers, percentages, days and instants as Vietnamese readers expect.

- ``thousands(1234567)`` → ``"1.234.567"`` (``"1,234,567"`` in English);
- ``percent(0.977)`` → ``"97,7 %"`` (the decimal comma; ``"97.7 %"`` in English), ``"—"`` without a value;
- ``day(date)`` → ``"02/05/2023"``; ``instant(datetime)`` → ``"10:00 02/05/2023"`` in Asia/Ho_Chi_Minh.

The language is the active one (Vietnamese when none is active) unless ``language`` is given; official forms
(the II.06a report, Mẫu 01–06) pass ``language="vi"``. Templates use the same functions as filters
(``{% load motcua_format %}``: ``|thousands``, ``|percent``, ``|day``, ``|instant``, ``|vnd``); exports and
messages call them directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

from motcua.core import clock

MISSING = "—"


def _marks(language: str | None) -> tuple[str, str]:
    """(thousands separator, decimal mark) of ``language`` (default: the active language, else Vietnamese)."""
    code = language or get_language() or "vi"
    return (",", ".") if code.startswith("en") else (".", ",")


def thousands(value: int | Decimal | None, *, language: str | None = None) -> str:
    """A whole number with thousands separators; ``None`` gives ``""``."""
    if value is None or value == "":
        return ""
    group, _decimal = _marks(language)
    return f"{int(value):,}".replace(",", group)


def number(value: float | Decimal | None, *, decimals: int, language: str | None = None) -> str:
    """``value`` rounded half up to ``decimals`` places, with the language's marks; ``None`` gives ``""``."""
    if value is None:
        return ""
    group, decimal = _marks(language)
    step = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def percent(
    ratio: float | Decimal | None,
    *,
    decimals: int = 1,
    sign: bool = True,
    missing: str = MISSING,
    language: str | None = None,
) -> str:
    """A ratio as a percentage: ``0.977`` → ``"97,7 %"``; ``missing`` when there is no ratio (no denominator)."""
    if ratio is None:
        return missing
    text = number(Decimal(str(ratio)) * 100, decimals=decimals, language=language)
    return f"{text} %" if sign else text


def day(value: dt.date | None) -> str:
    """``dd/mm/yyyy`` (an instant: its Vietnam day); ``None`` gives ``""``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(clock.VN_TZ) if value.tzinfo else value
    return f"{value:%d/%m/%Y}"


def instant(value: dt.datetime | None) -> str:
    """``HH:MM dd/mm/yyyy`` in Vietnam time; ``None`` gives ``""``."""
    if value is None:
        return ""
    local = value.astimezone(clock.VN_TZ) if value.tzinfo else value
    return f"{local:%H:%M %d/%m/%Y}"
