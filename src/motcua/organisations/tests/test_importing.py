from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from motcua.organisations.constants import Level
from motcua.organisations.importing import UnitsImportFailed, units_import
from motcua.organisations.models import Unit, UnitSuccession
from motcua.organisations.selectors import unit_by_code
from motcua.organisations.services import DEMO_UNITS_FILE, demo_units_load

D = dt.date


def _unit(code: str, name: str, level: str = Level.COMMUNE, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "level": level, **extra}


def _tree() -> dict[str, Any]:
    return {
        "units": [
            _unit("8707", "Phường Tích Sơn", parent="243", valid_to="2025-06-30"),  # child before its parent
            _unit("26", "Tỉnh Vĩnh Phúc", Level.PROVINCE, valid_to="2025-06-30"),
            _unit("243", "Thành phố Vĩnh Yên", Level.DISTRICT, parent="26", valid_to="2025-06-30"),
            _unit("25", "Tỉnh Phú Thọ", Level.PROVINCE, valid_from="2025-07-01"),
            _unit("8707", "Phường Vĩnh Yên", parent="25", valid_from="2025-07-01", has_one_stop_desk=True),
        ],
        "successions": [
            {"predecessor": "26", "successor": "25", "effective_date": "2025-07-01"},
            {"predecessor": "8707", "successor": "8707", "effective_date": "2025-07-01"},
            {"predecessor": "243", "successor": "8707", "effective_date": "2025-07-01"},
        ],
    }


def _write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "units.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_import_resolves_reused_codes_by_date() -> None:
    result = units_import(data=_tree())
    assert (result.units_created, result.successions_created) == (5, 3)
    old = unit_by_code("8707", as_of=D(2025, 6, 30))
    new = unit_by_code("8707", as_of=D(2025, 7, 1))
    assert old.parent is not None
    assert old.parent.code == "243"
    assert new.parent is not None
    assert new.parent.code == "25"
    assert new.has_one_stop_desk
    assert not old.has_one_stop_desk
    # "8707 → 8707": the predecessor is the unit valid the day before, the successor the one valid that day.
    assert UnitSuccession.objects.filter(
        predecessor=old, successor=new, effective_date=D(2025, 7, 1)
    ).exists()


@pytest.mark.django_db
def test_import_is_idempotent_and_updates_matched_units() -> None:
    units_import(data=_tree())
    before = list(Unit.objects.order_by("pk").values())
    again = units_import(data=_tree())
    assert not again.changed
    assert (again.units_unchanged, again.successions_unchanged) == (5, 3)
    assert list(Unit.objects.order_by("pk").values()) == before
    assert UnitSuccession.objects.count() == 3

    data = _tree()
    data["units"][4]["name"] = "Phường Vĩnh Yên mới"
    data["successions"][0]["effective_date"] = "2025-07-01"
    changed = units_import(data=data)
    assert (changed.units_created, changed.units_updated) == (0, 1)
    assert unit_by_code("8707", as_of=D(2026, 1, 1)).name == "Phường Vĩnh Yên mới"
    assert unit_by_code("8707", as_of=D(2026, 1, 1)).name_folded == "phuong vinh yen moi"
    assert Unit.objects.count() == 5


@pytest.mark.django_db
def test_import_with_a_bad_row_reports_it_and_changes_nothing() -> None:
    units_import(data={"units": [_unit("1", "Xã Một", valid_to="2020-12-31")]})
    before = list(Unit.objects.values())
    data = _tree()
    data["units"].insert(2, _unit("999", "Xã Sai", level="village", valid_from="2025-02-30"))
    data["units"].append(_unit("1", "Xã Một đổi tên", valid_to="2020-12-31"))  # a valid change, not applied
    with pytest.raises(UnitsImportFailed) as info:
        units_import(data=data)
    messages = [str(issue) for issue in info.value.issues]
    assert any(m.startswith("row 3, field level: cấp không hợp lệ") for m in messages), messages
    assert any(m.startswith("row 3, field valid_from: ngày không hợp lệ") for m in messages), messages
    assert len(messages) == 2
    assert list(Unit.objects.values()) == before
    assert not UnitSuccession.objects.exists()


@pytest.mark.django_db
def test_import_reports_references_overlaps_duplicates_and_cycles() -> None:
    data = {
        "units": [
            _unit("A", "Xã A", parent="Z"),  # 1: unknown parent
            _unit("B", "Xã B", valid_to="2025-06-30"),  # 2
            _unit("B", "Xã B trùng", valid_from="2025-06-01"),  # 3: overlaps row 2
            _unit("B", "Xã B lặp", valid_to="2025-06-30"),  # 4: same (code, valid_from) as row 2
            _unit("C", "Xã C", parent="D"),  # 5: cycle C → D → C
            _unit("D", "Xã D", parent="C"),  # 6
            _unit("E", "Xã E", parent="E"),  # 7: its own parent
            _unit("F", "Xã F", color="red", has_one_stop_desk="yes"),  # 8
            _unit("G", "Xã G", parent="B", valid_from="2025-05-01"),  # 9: outlives its parent (row 2)
        ],
        "successions": [
            {"predecessor": "B", "successor": "Q", "effective_date": "2025-07-01"},
            {"predecessor": "A", "effective_date": "tomorrow"},
        ],
    }
    with pytest.raises(UnitsImportFailed) as info:
        units_import(data=data)
    messages = "\n".join(str(issue) for issue in info.value.issues)
    assert "row 1, field parent: không có đơn vị mã Z" in messages
    assert "row 3, field valid_from: Mã B đã được dùng" in messages
    assert "row 4, field code: trùng với dòng 2" in messages
    assert "field parent: vòng lặp cấp trên" in messages
    assert "row 7, field parent: đơn vị không thể là cấp trên của chính nó" in messages
    assert "row 8, field color: trường không được hỗ trợ" in messages
    assert "row 8, field has_one_stop_desk: phải là true hoặc false" in messages
    assert "row 9, field parent: Đơn vị cấp trên «Xã B» chỉ có hiệu lực … – 30/06/2025" in messages
    assert "successions row 1, field successor: không có đơn vị mã Q có hiệu lực ngày 01/07/2025" in messages
    assert "successions row 2, field successor: bắt buộc" in messages
    assert "successions row 2, field effective_date: ngày không hợp lệ" in messages
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_import_checks_against_units_already_in_the_database() -> None:
    units_import(data={"units": [_unit("8707", "Phường Tích Sơn", valid_to="2025-06-30")]})
    with pytest.raises(UnitsImportFailed) as info:
        units_import(data={"units": [_unit("8707", "Phường Vĩnh Yên", valid_from="2025-06-15")]})
    assert str(info.value.issues[0]).startswith(
        "row 1, field valid_from: Mã 8707 đã được dùng cho «Phường Tích Sơn»"
    )
    # Successions and parents may point at units imported earlier.
    result = units_import(
        data={
            "units": [_unit("8707", "Phường Vĩnh Yên", valid_from="2025-07-01")],
            "successions": [{"predecessor": "8707", "successor": "8707", "effective_date": "2025-07-01"}],
        }
    )
    assert (result.units_created, result.successions_created) == (1, 1)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], 'file, field -: tệp phải là một đối tượng JSON {"units": [...]}'),
        ({"unit": []}, "file, field unit: khóa không được hỗ trợ"),
        ({"units": {}}, "file, field units: bắt buộc, phải là một danh sách"),
        ({"units": [], "successions": 3}, "file, field successions: phải là một danh sách"),
        ({"units": [1]}, "row 1, field -: mỗi dòng phải là một đối tượng JSON"),
        (
            {"units": [{"code": True, "name": 5, "level": "commune"}]},
            "row 1, field code: phải là chuỗi hoặc số",
        ),
    ],
)
@pytest.mark.django_db
def test_import_reports_malformed_files(data: Any, expected: str) -> None:
    with pytest.raises(UnitsImportFailed) as info:
        units_import(data=data)
    assert expected in [str(issue) for issue in info.value.issues]


@pytest.mark.django_db
def test_command_prints_each_error_and_exits_2(tmp_path: Path) -> None:
    data = _tree()
    data["units"][1]["level"] = "tỉnh"
    stderr = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_units", _write(tmp_path, data), stderr=stderr)
    assert info.value.returncode == 2
    assert "row 2, field level: cấp không hợp lệ: 'tỉnh'" in stderr.getvalue()
    assert not Unit.objects.exists()

    (tmp_path / "broken.json").write_text("{ not json", encoding="utf-8")
    stderr = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_units", str(tmp_path / "broken.json"), stderr=stderr)
    assert info.value.returncode == 2
    assert "file, field json: JSON không hợp lệ" in stderr.getvalue()


@pytest.mark.django_db
def test_command_imports_then_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, _tree())
    out = StringIO()
    call_command("import_units", path, stdout=out)
    assert "5 thêm mới" in out.getvalue()
    out = StringIO()
    call_command("import_units", path, stdout=out)
    assert "0 thêm mới, 0 cập nhật, 5 không đổi" in out.getvalue()
    assert Unit.objects.count() == 5


@pytest.mark.django_db
def test_demo_units_counts_and_idempotence() -> None:
    assert demo_units_load() == 299
    old, new = D(2025, 6, 30), D(2025, 7, 1)
    legacy_communes = Unit.objects.filter(level=Level.COMMUNE, valid_to=old)
    assert legacy_communes.count() == 121
    assert set(legacy_communes.values_list("parent__level", flat=True)) == {Level.DISTRICT}
    assert Unit.objects.filter(level=Level.DISTRICT, valid_to=old, has_one_stop_desk=True).count() == 9
    new_communes = Unit.objects.filter(level=Level.COMMUNE, valid_from=new)
    assert new_communes.count() == 148
    assert set(new_communes.values_list("parent__code", flat=True)) == {"25"}
    assert not Unit.objects.exclude(agency_code="").exists()
    departments = {
        u.code: u.name for u in Unit.objects.filter(level=Level.DEPARTMENT, valid_from=new, parent__code="25")
    }
    assert departments["25-SNNMT"] == "Sở Nông nghiệp và Môi trường"
    assert len(departments) == 9
    centre = unit_by_code("25-TTPVHCC", as_of=new)
    assert centre.level == Level.CENTRE
    assert centre.has_one_stop_desk
    assert centre.name == "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
    assert unit_by_code("26-TTPVHCC", as_of=old).name == "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc"

    # Every legacy unit has a successor, all effective on the reform date.
    assert not Unit.objects.filter(valid_to=old, successions__isnull=True).exists()
    assert set(UnitSuccession.objects.values_list("effective_date", flat=True)) == {new}
    successions = UnitSuccession.objects.count()

    assert demo_units_load() == 0
    assert Unit.objects.count() == 299
    assert UnitSuccession.objects.count() == successions


def test_demo_file_has_no_agency_codes_and_is_the_documented_format() -> None:
    data = json.loads(DEMO_UNITS_FILE.read_text(encoding="utf-8"))
    assert data["format"] == "motcua-units/1"
    assert {row["agency_code"] for row in data["units"]} == {""}
    codes = {(row["code"], row["valid_from"]) for row in data["units"]}
    assert len(codes) == len(data["units"])
