from __future__ import annotations

from pathlib import Path

import pytest

from motcua.catalog.services import catalog_load_demo
from motcua.organisations.services import demo_units_load

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "legacy_dossiers_sample.csv"


@pytest.fixture
def demo(db: None) -> None:
    """The demo unit tree (Vĩnh Phúc until 2025-06-30, Phú Thọ since) and the 35 demo procedures."""
    demo_units_load()
    catalog_load_demo()
