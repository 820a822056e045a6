from __future__ import annotations

from collections.abc import Iterator

import pytest

from motcua.worktime.calendar import WorkCalendar
from motcua.worktime.services import build_calendar, invalidate_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Every test starts and ends without a cached calendar (the table is rolled back between tests)."""
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The national calendar (``holidays`` VN) with the default office hours and cut-off, no overrides."""
    return build_calendar(overrides=(), office_hours="08:00-12:00,13:00-17:00", cutoff="15:00")
