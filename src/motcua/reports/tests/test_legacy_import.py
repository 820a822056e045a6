"""``motcua import-dossiers``: every row validated, all or nothing, codes resolved as of the receipt day."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.clock import VN_TZ
from motcua.dossiers.legacy_import import COLUMNS, LegacyImportInvalid, legacy_dossiers_import, parse_instant
from motcua.dossiers.models import Dossier

from .conftest import SAMPLE


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


GOOD = {
    "code": "X-1",
    "procedure_code": "1.000656",
    "unit_code": "8707",
    "channel": "2",
    "applicant_name": "Nguyễn Văn An",
    "received_at": "2023-03-06 10:00",
    "finished_at": "2023-03-07 10:00",
    "final_state": "resolved",
}


def test_sample_file_imports(demo: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_dossiers", str(SAMPLE))
    assert "13 dossier(s) imported" in capsys.readouterr().out
    assert Dossier.objects.count() == 13


def test_any_error_imports_nothing_and_lists_every_error(demo: None, tmp_path: Path) -> None:
    rows = [
        GOOD,
        {**GOOD, "code": "X-2", "channel": "4"},
        {**GOOD, "code": "X-3", "received_at": "06/03/2023 25:00"},
        {
            **GOOD,
            "code": "X-4",
            "unit_code": "243",
            "received_at": "2025-08-04 09:00",
            "finished_at": "2025-08-05 09:00",
        },  # district 243 no longer exists after the reform
        {**GOOD, "code": "X-1"},  # duplicate code
        {**GOOD, "code": "X-6", "final_state": "resolved", "finished_at": ""},
        {**GOOD, "code": "X-7", "finished_at": "2023-03-05 10:00"},  # before received
        {**GOOD, "code": "X-8", "procedure_code": "9.999999"},
        {**GOOD, "code": "X-9", "supplement_requests": "-1"},
        {**GOOD, "code": "X-10", "final_state": "processing"},  # finished_at must be empty
        {**GOOD, "code": "", "applicant_name": ""},
    ]
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(LegacyImportInvalid) as exc:
        legacy_dossiers_import(path=path)
    errors = [str(e) for e in exc.value.errors]
    assert errors == [
        "row 3, column channel: '4' is not 1 (counter), 2 (online) or 3 (post)",
        "row 4, column received_at: '06/03/2023 25:00' is not a date and time "
        "(YYYY-MM-DD HH:MM[:SS] or DD/MM/YYYY HH:MM[:SS])",
        "row 5, column unit_code: no unit has code 243 on 04/08/2025",
        "row 6, column code: duplicate of row 2",
        "row 7, column finished_at: required for a resolved dossier",
        "row 8, column finished_at: is before received_at",
        "row 9, column procedure_code: no version of procedure 9.999999 in force on 06/03/2023",
        "row 10, column supplement_requests: '-1' is not an integer between 0 and 32767",
        "row 11, column finished_at: must be empty for a dossier still processing",
        "row 12, column code: required",
        "row 12, column applicant_name: required",
    ]
    assert Dossier.objects.count() == 0


def test_command_prints_errors_and_exits_2(
    demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "bad.csv", [GOOD, {**GOOD, "code": "X-2", "final_state": "lost"}])
    with pytest.raises(CommandError) as exc:
        call_command("import_dossiers", str(path))
    assert exc.value.returncode == 2
    assert "row 3, column final_state: 'lost' is not one of processing" in capsys.readouterr().err
    assert Dossier.objects.count() == 0


def test_existing_codes_and_missing_columns_are_errors(demo: None, tmp_path: Path) -> None:
    legacy_dossiers_import(path=_write(tmp_path / "a.csv", [GOOD]))
    with pytest.raises(LegacyImportInvalid) as exc:
        legacy_dossiers_import(path=_write(tmp_path / "b.csv", [{**GOOD, "received_at": "2023-03-06 11:00"}]))
    assert [str(e) for e in exc.value.errors] == ["row 2, column code: a dossier with this code exists"]
    (tmp_path / "c.csv").write_text("code,unit_code\nX,8707\n", encoding="utf-8")
    with pytest.raises(LegacyImportInvalid) as exc:
        legacy_dossiers_import(path=tmp_path / "c.csv")
    assert "row 1, column procedure_code: missing column" in [str(e) for e in exc.value.errors]
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(LegacyImportInvalid) as exc:
        legacy_dossiers_import(path=tmp_path / "broken.xlsx")
    assert str(exc.value.errors[0]).startswith("file: cannot read broken.xlsx")
    (tmp_path / "d.txt").write_text("x", encoding="utf-8")
    with pytest.raises(LegacyImportInvalid):
        legacy_dossiers_import(path=tmp_path / "d.txt")
    assert Dossier.objects.count() == 1


def test_xlsx_with_spreadsheet_dates(demo: None, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "X-1",
            "1.000656",
            8707,
            1,
            "Trần Thị Bình",
            "026190002345",
            dt.datetime(2023, 3, 6, 10, 0),
            None,
            dt.datetime(2023, 3, 9, 10, 0),
            None,
            "resolved",
            0,
        ]
    )
    sheet.append(
        [
            "X-2",
            "1.000656",
            "8707",
            3,
            "Lê Văn Cường",
            None,
            "2025-08-04 09:00",
            None,
            None,
            None,
            "processing",
            None,
        ]
    )
    workbook.save(tmp_path / "legacy.xlsx")
    result = legacy_dossiers_import(path=tmp_path / "legacy.xlsx")
    assert result.created == 2
    first = Dossier.objects.get(code="X-1")
    assert first.received_at == dt.datetime(2023, 3, 6, 10, 0, tzinfo=VN_TZ)
    assert first.statutory_due_at == dt.datetime(2023, 3, 9, 10, 0, tzinfo=VN_TZ)  # computed: 3 working days
    assert first.classification == "on_time"
    assert first.channel == 1
    second = Dossier.objects.get(code="X-2")
    assert second.unit.name == "Phường Vĩnh Yên"
    assert second.channel == 3
    assert second.classification == ""


def test_parse_instant() -> None:
    assert parse_instant("2023-03-06 10:00") == dt.datetime(2023, 3, 6, 10, 0, tzinfo=VN_TZ)
    assert parse_instant("06/03/2023 10:00:30") == dt.datetime(2023, 3, 6, 10, 0, 30, tzinfo=VN_TZ)
    assert parse_instant("2023-03-06T03:00:00+00:00") == dt.datetime(2023, 3, 6, 10, 0, tzinfo=VN_TZ)
    with pytest.raises(ValueError, match="is not a date and time"):
        parse_instant("yesterday")
