from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from motcua.core import clock
from motcua.organisations.services import demo_units_load


@pytest.fixture
def demo_units(db: None) -> int:
    """The demo tree: Vĩnh Phúc until 2025-06-30, Phú Thọ since 2025-07-01."""
    return demo_units_load()


@pytest.fixture
def today_2026() -> Iterator[dt.date]:
    """Freeze the clock at 2026-03-02 10:00 (Vietnam), after the 2025 reform."""
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.VN_TZ)):
        yield clock.today()
