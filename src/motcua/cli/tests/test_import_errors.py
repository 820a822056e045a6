"""Every import command reports the errors of a bad file in one shape (core.importing).

Catalog, units, calendar overrides and legacy dossiers: the service raises an ``ImportFailed`` whose
``details`` is ``{"errors": [{"sheet", "row", "field", "reason", "message"}, ...]}``; the command prints one
``message`` per line on standard error and exits with code 2.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.services import catalog_import_file
from motcua.core.importing import ImportFailed
from motcua.dossiers.legacy_import import COLUMNS, legacy_dossiers_import
from motcua.organisations.importing import read_units_file
from motcua.organisations.services import units_import
from motcua.worktime.importing import read_overrides_file

pytestmark = pytest.mark.django_db

KEYS = {"sheet", "row", "field", "reason", "message"}


def _catalog(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "catalog.json"
    data = {"format": "motcua-catalog", "format_version": 1, "fields": [], "procedures": [{"code": ""}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, "import_catalog"


def _units(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "units.json"
    path.write_text(json.dumps({"units": [{"code": "", "level": "nope"}]}), encoding="utf-8")
    return path, "import_units"


def _calendar(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "overrides.csv"
    path.write_text("date,kind,name,decision\n2023-13-01,nope,,\n", encoding="utf-8")
    return path, "import_calendar_overrides"


def _dossiers(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "legacy.csv"
    row = dict.fromkeys(COLUMNS, "")
    row.update(code="X-1", channel="9")
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n", encoding="utf-8")
    return path, "import_dossiers"


def _run_service(name: str, path: Path) -> None:
    services: dict[str, Callable[[], Any]] = {
        "import_catalog": lambda: catalog_import_file(path=path),
        "import_units": lambda: units_import(data=read_units_file(path)),
        "import_calendar_overrides": lambda: read_overrides_file(path),
        "import_dossiers": lambda: legacy_dossiers_import(path=path),
    }
    services[name]()


@pytest.mark.parametrize("bad_file", [_catalog, _units, _calendar, _dossiers])
def test_every_importer_fails_in_one_shape(
    tmp_path: Path, bad_file: Callable[[Path], tuple[Path, str]]
) -> None:
    path, command = bad_file(tmp_path)
    with pytest.raises(ImportFailed) as info:
        _run_service(command, path)
    failed = info.value
    assert set(failed.details) == {"errors"}
    errors = failed.details["errors"]
    assert errors, command
    for error in errors:
        assert set(error) == KEYS
        assert isinstance(error["row"], int)
        assert error["row"] >= 0
        assert all(isinstance(error[key], str) for key in KEYS - {"row"})
        assert error["reason"]
        assert error["reason"] in error["message"]
    assert failed.message  # the Vietnamese summary ("... có N lỗi ...")
    assert "lỗi" in failed.message

    err = io.StringIO()
    with pytest.raises(CommandError) as command_failed:
        call_command(command, str(path), stdout=io.StringIO(), stderr=err)
    assert command_failed.value.returncode == 2
    assert str(command_failed.value) == failed.message
    assert err.getvalue().splitlines() == [e["message"] for e in errors]


def test_unreadable_files_fail_in_the_same_shape(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    for command, suffix in (
        ("import_catalog", ".json"),
        ("import_units", ".json"),
        ("import_calendar_overrides", ".csv"),
        ("import_dossiers", ".csv"),
    ):
        with pytest.raises(ImportFailed) as info:
            _run_service(command, missing.with_suffix(suffix))
        [error] = info.value.details["errors"]
        assert set(error) == KEYS
        assert error["row"] == 0, command
