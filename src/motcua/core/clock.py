"""The one clock of the domain (ARCHITECTURE.md rule 7).

Domain code calls ``clock.now()`` and never ``datetime.now()``; tests freeze it with ``clock.frozen(...)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC unless frozen otherwise)."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(tz=dt.UTC)


def today() -> dt.date:
    """Today's date in Vietnam."""
    return now().astimezone(VN_TZ).date()


@contextlib.contextmanager
def frozen(instant: dt.datetime) -> Iterator[None]:
    """Freeze ``now()`` at ``instant`` (must be aware) for the duration of the block."""
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware datetime")
    previous, _frozen = _frozen, instant
    try:
        yield
    finally:
        _frozen = previous
