"""The database check names a PostgreSQL without the Vietnamese ICU collation (motcua.core.E004)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.db import connection

from motcua.core import checks, collation

pytestmark = pytest.mark.django_db


def test_the_database_check_passes_here() -> None:
    found = [m for m in run_checks(databases=["default"]) if m.id == "motcua.core.E004"]
    assert found == []


def test_a_postgresql_without_the_collation_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite gets the collation on every connection")
    monkeypatch.setattr(collation, "VI_COLLATION", "vi-x-khong-co")
    (error,) = checks.vietnamese_collation(databases=["default"])
    assert error.id == "motcua.core.E004"
    assert "vi-x-khong-co" in error.msg
