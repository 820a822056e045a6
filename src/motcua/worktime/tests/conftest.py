from __future__ import annotations

import pytest

from motcua.worktime.calendar import WorkCalendar
from motcua.worktime.services import build_calendar


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The national calendar (``holidays`` VN) with the default office hours and cut-off, no overrides."""
    return build_calendar(overrides=(), office_hours="08:00-12:00,13:00-17:00", cutoff="15:00")
