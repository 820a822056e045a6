from __future__ import annotations

from pathlib import Path

import pytest

from motcua.catalog.services import catalog_load_demo
from motcua.core.tests.shared_data import module_data
from motcua.organisations.services import demo_units_load

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "legacy_dossiers_sample.csv"


def _demo_load() -> None:
    demo_units_load()
    catalog_load_demo()


demo_module = module_data(_demo_load)


@pytest.fixture
def demo(demo_module: None, db: None) -> None:
    """The demo unit tree (Vĩnh Phúc until 2025-06-30, Phú Thọ since) and the 35 demo procedures.

    Loaded once per test module (``module_data``); every test's changes are rolled back.
    """
