from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.exporting import catalog_export_json, catalog_export_xlsx
from motcua.catalog.importing import CatalogFileInvalid
from motcua.catalog.models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from motcua.catalog.services import catalog_import_file
from motcua.organisations.models import Unit

from .conftest import small_catalog

pytestmark = pytest.mark.django_db


def write_json(tmp_path: Path, data: Any, name: str = "catalog.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def import_command(path: Path) -> tuple[str, str, int]:
    """Run ``motcua import-catalog`` and return (stdout, stderr, exit code)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue() + str(exc), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def snapshot() -> list[tuple[Any, ...]]:
    """Everything the catalog stores, primary keys included (to prove that nothing changed)."""
    rows: list[tuple[Any, ...]] = []
    for model in (Field, Procedure, ProcedureVersion, Component, Fee, ProcessStep):
        rows.extend((model.__name__, *r) for r in model.objects.order_by("pk").values_list())
    rows.extend(("units", *r) for r in ProcedureVersion.units.through.objects.order_by("pk").values_list())
    return rows


def test_json_import_stores_everything(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    out, err, code = import_command(write_json(tmp_path, small_catalog()))

    assert code == 0, err
    assert "2 procedures and 4 versions read" in out
    birth = Procedure.objects.get(code="1.001193")
    assert birth.search_text == "1.001193 thu tuc dang ky khai sinh ho tich"
    v1, v2 = birth.versions.order_by("version")
    assert set(v1.units.all()) == {small_units["old-8707"], small_units["old-8710"]}
    # The reused code 8707 resolves to the unit carrying it on the version's valid_from.
    assert list(v2.units.all()) == [small_units["new-8707"]]
    assert [(c.order, c.kind, c.required) for c in v1.components.all()] == [
        (1, "original", True),
        (2, "present", True),
        (3, "copy", False),
    ]
    assert [s.budget_hours for s in v1.steps.all()] == [Decimal(4), Decimal("12.5"), Decimal("7.5")]
    assert v1.result_documents == ["Giấy khai sinh"]
    assert v1.form_fields == [{"name": "ho_ten", "label": "Họ và tên"}]
    assert (v2.time_limit_value, v2.time_limit_unit, v2.valid_to) == (0, "same_day", None)
    assert v2.name == "Thủ tục đăng ký khai sinh"  # defaults to the procedure's name
    assert v2.supplement_rule == "reset"


def test_importing_twice_changes_nothing(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    path = write_json(tmp_path, small_catalog())
    import_command(path)
    before = snapshot()

    out, _, code = import_command(path)

    assert code == 0
    assert "0 procedures and 0 versions created or changed" in out
    assert snapshot() == before


def test_reimport_updates_by_procedure_code_and_version(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    import_command(write_json(tmp_path, small_catalog()))
    data = small_catalog()
    data["procedures"][0]["name"] = "Đăng ký khai sinh (sửa)"
    data["procedures"][0]["versions"][0]["fees"] = []
    data["procedures"][0]["versions"][0]["components"].pop()

    _, err, code = import_command(write_json(tmp_path, data, "v2.json"))

    assert code == 0, err
    birth = Procedure.objects.get(code="1.001193")
    assert birth.name == "Đăng ký khai sinh (sửa)"
    assert "sua" in birth.search_text
    assert Procedure.objects.count() == 2
    assert ProcedureVersion.objects.count() == 4
    v1 = birth.versions.get(version=1)
    assert v1.fees.count() == 0
    assert v1.components.count() == 2


def _errors_of(tmp_path: Path, data: Any) -> list[str]:
    before = snapshot()
    _, err, code = import_command(write_json(tmp_path, data, "bad.json"))
    assert code == 2
    assert snapshot() == before  # nothing imported
    return [line for line in err.splitlines() if line.startswith(("row ", "fields, "))]


def test_one_bad_row_is_reported_and_nothing_is_imported(
    tmp_path: Path, small_units: dict[str, Unit]
) -> None:
    data = small_catalog()
    data["procedures"][1]["versions"][1]["level"] = "village"

    errors = _errors_of(tmp_path, data)

    assert errors == [
        "row 2, field versions[2].level: 'village' is not one of province, department, district, "
        "commune, centre"
    ]
    assert Procedure.objects.count() == 0


def test_nested_items_are_named(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    data["procedures"][0]["versions"][0]["components"][1]["kind"] = "photo"
    data["procedures"][0]["versions"][0]["fees"][0]["amount_vnd"] = -5
    data["procedures"][0]["versions"][0]["steps"][0]["role"] = "statistician"
    data["procedures"][1]["name"] = ""

    errors = _errors_of(tmp_path, data)

    assert (
        "row 1, field versions[1].components[2].kind: 'photo' is not one of original, copy, present" in errors
    )
    assert "row 1, field versions[1].fees[1].amount_vnd: must be at least 0" in errors
    assert any(e.startswith("row 1, field versions[1].steps[1].role: 'statistician'") for e in errors)
    assert "row 2, field name: required" in errors


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda v: v.update(valid_to="2018-12-31"),
            "field versions[1].valid_to: 2018-12-31 is before valid_from",
        ),
        (
            lambda v: v.update(valid_from="2019-02-30"),
            "field versions[1].valid_from: '2019-02-30' is not a date",
        ),
        (lambda v: v.pop("time_limit_unit"), "field versions[1].time_limit_unit: required"),
        (lambda v: v.update(min_eid_level=3), "field versions[1].min_eid_level: 3 is not 1 or 2"),
        (lambda v: v.update(online_mode="yes"), "field versions[1].online_mode: 'yes' is not one of full"),
        (lambda v: v.update(status="live"), "field versions[1].status: 'live' is not one of draft"),
        (
            lambda v: v.update(supplement_rule="stop"),
            "field versions[1].supplement_rule: 'stop' is not one of",
        ),
        (lambda v: v.update(time_limit_value=0), "field versions[1].time_limit_value: must be at least 1"),
        (
            lambda v: v.update(time_limit_value=4),
            "field versions[1].steps.budget_hours: step budgets sum to 24 h",
        ),
        (lambda v: v.update(units=["9999"]), "field versions[1].units: no unit with code 9999 on 2019-01-01"),
        (lambda v: v.update(version="one"), "field versions[1].version: 'one' is not a whole number"),
        (
            lambda v: v.update(valid_to="2025-07-01"),
            "field versions[2].valid_from: version 2 (2025-07-01..open) "
            "overlaps version 1 (2019-01-01..2025-07-01)",
        ),
    ],
)
def test_version_validation(tmp_path: Path, small_units: dict[str, Unit], change: Any, expected: str) -> None:
    data = small_catalog()
    change(data["procedures"][0]["versions"][0])

    errors = _errors_of(tmp_path, data)

    assert any(e.startswith("row 1, " + expected) for e in errors), errors


def test_unit_codes_resolve_at_valid_from(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    # 8710 (Liên Bảo) ended on 2025-06-30: it names no unit from 2025-07-01.
    data["procedures"][0]["versions"][1]["units"] = ["8707", "8710"]

    errors = _errors_of(tmp_path, data)

    assert errors == ["row 1, field versions[2].units: no unit with code 8710 on 2025-07-01"]


def test_same_day_steps_sum_to_eight_hours(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    data["procedures"][0]["versions"][1]["steps"][1]["budget_hours"] = 5

    errors = _errors_of(tmp_path, data)

    assert errors == [
        "row 1, field versions[2].steps.budget_hours: step budgets sum to 7 h but the time limit is 8 working "
        "hours (days × 8; same day = 8)"
    ]


def test_duplicates_and_unknown_field(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    data["procedures"].append(dict(data["procedures"][0]))
    data["procedures"][1]["versions"][1]["version"] = 1
    data["procedures"][1]["field"] = "NOPE"

    errors = _errors_of(tmp_path, data)

    assert "row 3, field code: procedure 1.001193 appears twice (row 1)" in errors
    assert "row 2, field versions[2].version: version 1 of procedure 3.000333 appears twice" in errors
    assert "row 2, field field: unknown field code 'NOPE'" in errors


def test_overlap_with_a_stored_version(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    import_command(write_json(tmp_path, small_catalog()))
    data = small_catalog()
    data["procedures"] = [data["procedures"][1]]
    version3 = dict(data["procedures"][0]["versions"][1], version=3, valid_from="2026-01-01")
    data["procedures"][0]["versions"] = [version3]  # versions 1 and 2 stay in the database

    errors = _errors_of(tmp_path, data)

    assert errors == [
        "row 1, field versions[1].valid_from: version 3 (2026-01-01..open) overlaps version 2 (2025-07-01..open) "
        "of procedure 3.000333"
    ]


def test_draft_versions_may_overlap(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    draft = dict(data["procedures"][1]["versions"][1], version=3, valid_from="2026-01-01", status="draft")
    data["procedures"][1]["versions"].append(draft)

    _, err, code = import_command(write_json(tmp_path, data))

    assert code == 0, err
    assert ProcedureVersion.objects.filter(status="draft").count() == 1


def test_unreadable_files(tmp_path: Path, db: None) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert import_command(broken)[2] == 2
    other = tmp_path / "catalog.csv"
    other.write_text("a,b", encoding="utf-8")
    _, err, code = import_command(other)
    assert code == 2
    assert "must end in .json or .xlsx" in err
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip")
    _, err, code = import_command(fake)
    assert code == 2
    assert "not a readable .xlsx file" in err
    _, err, code = import_command(write_json(tmp_path, [1, 2]))
    assert code == 2
    assert "must hold a JSON object" in err


# ------------------------------------------------------------------------------------------ xlsx


def _xlsx_from_small_catalog(tmp_path: Path) -> Path:
    catalog_import_file(path=write_json(tmp_path, small_catalog()))
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(catalog_export_xlsx())
    return path


def _clear_catalog() -> None:
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()


def _set_cell(path: Path, sheet: str, row: int, column: str, value: Any) -> None:
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(path)


def test_xlsx_import(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    path = _xlsx_from_small_catalog(tmp_path)
    expected = catalog_export_json()
    _clear_catalog()

    _, err, code = import_command(path)

    assert code == 0, err
    assert catalog_export_json() == expected
    v2 = ProcedureVersion.objects.get(procedure__code="1.001193", version=2)
    assert list(v2.units.all()) == [small_units["new-8707"]]


def test_xlsx_one_bad_row_reports_sheet_row_and_field(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    path = _xlsx_from_small_catalog(tmp_path)
    _clear_catalog()
    _set_cell(path, "components", 3, "kind", "photocopy")

    _, err, code = import_command(path)

    assert code == 2
    assert "sheet components, row 3, field kind: 'photocopy' is not one of original, copy, present" in err
    assert Procedure.objects.count() == 0
    assert Field.objects.count() == 0


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "expected"),
    [
        (
            "versions",
            2,
            "valid_from",
            "01/01/2019",
            "sheet versions, row 2, field valid_from: '01/01/2019' is not a date",
        ),
        (
            "versions",
            3,
            "units",
            "8707 9999",
            "sheet versions, row 3, field units: no unit with code 9999 on 2025-07-01",
        ),
        ("steps", 2, "budget_hours", 5, "sheet steps, row 2, field budget_hours: step budgets sum to 25 h"),
        (
            "fees",
            2,
            "procedure",
            "0.000000",
            "sheet fees, row 2, field version: no row in sheet versions for procedure 0.000000",
        ),
        ("procedures", 2, "field", "X", "sheet procedures, row 2, field field: unknown field code 'X'"),
        (
            "components",
            2,
            "required",
            "maybe",
            "sheet components, row 2, field required: 'maybe' is not true/false",
        ),
    ],
)
def test_xlsx_validation(
    tmp_path: Path, small_units: dict[str, Unit], sheet: str, row: int, column: str, value: Any, expected: str
) -> None:
    path = _xlsx_from_small_catalog(tmp_path)
    _clear_catalog()
    _set_cell(path, sheet, row, column, value)

    with pytest.raises(CatalogFileInvalid) as info:
        catalog_import_file(path=path)

    assert any(str(e).startswith(expected) for e in info.value.errors), [str(e) for e in info.value.errors]
    assert Procedure.objects.count() == 0


# ------------------------------------------------------------------------------------ round trips


def test_json_round_trip(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    catalog_import_file(path=write_json(tmp_path, small_catalog()))
    first = tmp_path / "first.json"
    call_command("export_catalog", "--format", "json", "--output", str(first))
    _clear_catalog()

    assert import_command(first)[2] == 0
    second = tmp_path / "second.json"
    call_command("export_catalog", "--format", "json", "--output", str(second))

    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text(encoding="utf-8"))
    assert [p["code"] for p in data["procedures"]] == ["1.001193", "3.000333"]
    assert data["procedures"][0]["versions"][0]["steps"][1]["budget_hours"] == 12.5


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def test_xlsx_round_trip(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    catalog_import_file(path=write_json(tmp_path, small_catalog()))
    first = tmp_path / "first.xlsx"
    call_command("export_catalog", "--format", "xlsx", "--output", str(first))
    _clear_catalog()

    assert import_command(first)[2] == 0
    second = tmp_path / "second.xlsx"
    call_command("export_catalog", "--format", "xlsx", "--output", str(second))

    cells = _cells(first)
    assert cells == _cells(second)
    assert list(cells) == ["fields", "procedures", "versions", "components", "fees", "steps"]
    assert cells["versions"][1][:5] == (
        "1.001193",
        1,
        "published",
        dt.datetime(2019, 1, 1),
        dt.datetime(2025, 6, 30),
    )


def test_export_json_to_stdout_is_deterministic(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    catalog_import_file(path=write_json(tmp_path, small_catalog()))
    out1, out2 = io.StringIO(), io.StringIO()
    call_command("export_catalog", stdout=out1)
    call_command("export_catalog", "--format", "json", stdout=out2)
    assert out1.getvalue() == out2.getvalue()
    data = json.loads(out1.getvalue())
    assert list(data) == sorted(data)
    assert data["procedures"][0]["versions"][0]["units"] == ["8707", "8710"]


def test_nul_characters_are_rejected(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    data["procedures"][0]["name"] = "Khai\x00sinh"
    data["procedures"][0]["versions"][0]["units"] = ["87\x0007"]
    data["procedures"][0]["versions"][0]["form_fields"] = [{"a": "\x00"}]
    data["procedures"][1]["versions"][0]["result_documents"] = ["\x00"]

    errors = _errors_of(tmp_path, data)

    assert "row 1, field name: contains a NUL character" in errors
    assert "row 1, field versions[1].form_fields: contains a NUL character" in errors
    assert any(e.startswith("row 1, field versions[1].units: '87") for e in errors)
    assert "row 2, field versions[1].result_documents: must be a list of non-empty texts" in errors


def test_unknown_keys_are_reported(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    data = small_catalog()
    data["procedures"][0]["versions"][0]["valid_form"] = "2019-01-01"
    data["procedures"][1]["versions"][0]["fees"][0]["amount"] = 1

    errors = _errors_of(tmp_path, data)

    assert [e.split(": ")[0] for e in errors] == [
        "row 1, field versions[1].valid_form",
        "row 2, field versions[1].fees[1].amount",
    ]


def test_xlsx_structural_errors(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    path = _xlsx_from_small_catalog(tmp_path)
    _clear_catalog()
    workbook = openpyxl.load_workbook(path)
    workbook["fees"].cell(row=2, column=2, value="abc")  # version of a fee row: not a number
    workbook["steps"].cell(row=1, column=4, value="procedure")  # duplicate column name
    del workbook["fields"]
    workbook.save(path)

    with pytest.raises(CatalogFileInvalid) as info:
        catalog_import_file(path=path)

    errors = [str(e) for e in info.value.errors]
    assert "sheet fields, row 1: the sheet is missing" in errors
    assert "sheet fees, row 2, field version: 'abc' is not a whole number" in errors
    assert "sheet steps, row 1, field procedure: the column appears twice" in errors
    assert Procedure.objects.count() == 0


def test_xlsx_round_trip_keeps_texts_that_look_like_formulas(
    tmp_path: Path, small_units: dict[str, Unit]
) -> None:
    """The export makes formula-like texts inert (an apostrophe first); the import takes the apostrophe off."""
    data = small_catalog()
    data["procedures"][0]["versions"][0]["components"][0]["name"] = "- Bản sao giấy khai sinh"
    data["procedures"][1]["name"] = '=HYPERLINK("http://x","y")'
    catalog_import_file(path=write_json(tmp_path, data))
    first = tmp_path / "first.xlsx"
    call_command("export_catalog", "--format", "xlsx", "--output", str(first))
    workbook = openpyxl.load_workbook(first)
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'- Bản sao giấy khai sinh" in [c.value for c in cells]
    _clear_catalog()

    assert import_command(first)[2] == 0
    assert Component.objects.filter(name="- Bản sao giấy khai sinh").exists()
    assert Procedure.objects.get(code="3.000333").name == '=HYPERLINK("http://x","y")'
    second = tmp_path / "second.xlsx"
    call_command("export_catalog", "--format", "xlsx", "--output", str(second))
    assert _cells(first) == _cells(second)


def test_an_invalid_form_schema_is_refused_with_the_row_and_field(
    tmp_path: Path, small_units: dict[str, Unit]
) -> None:
    data = small_catalog()
    data["procedures"][1]["versions"][0]["form_fields"] = [
        {"name": "me", "label": "Mẹ", "type": "person", "parts": ["ho_ten", "tuoi"]},
        {
            "name": "ds",
            "label": "Danh sách",
            "type": "group",
            "min": 2,
            "max": 1,
            "fields": [{"name": "a", "label": "A"}],
        },
    ]

    errors = _errors_of(tmp_path, data)

    assert any(
        e.startswith("row 2, field versions[1].form_fields: me: parts must be a list of ho_ten")
        for e in errors
    )
    assert "row 2, field versions[1].form_fields: ds: need 0 <= min <= max <= 50 and max >= 1" in errors


def test_a_typed_form_schema_round_trips_through_export(tmp_path: Path, small_units: dict[str, Unit]) -> None:
    from motcua.core.tests.test_formschema import BIRTH

    data = small_catalog()
    data["procedures"][0]["versions"][0]["form_fields"] = BIRTH
    catalog_import_file(path=write_json(tmp_path, data))
    exported = json.loads(catalog_export_json())
    assert exported["procedures"][0]["versions"][0]["form_fields"] == BIRTH
    xlsx = tmp_path / "catalog.xlsx"
    xlsx.write_bytes(catalog_export_xlsx())
    catalog_import_file(path=xlsx)
    assert (
        ProcedureVersion.objects.get(procedure__code=data["procedures"][0]["code"], version=1).form_fields
        == BIRTH
    )
