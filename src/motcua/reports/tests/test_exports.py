"""The report as json, xlsx (read back with openpyxl) and PDF (read back with pdftotext)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers.legacy_import import legacy_dossiers_import

from .conftest import SAMPLE

PERIOD = ["--from", "2023-03-01", "--to", "2023-03-31"]


@pytest.fixture
def sample(demo: None) -> None:
    legacy_dossiers_import(path=SAMPLE)


def test_json_to_stdout_and_file(sample: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("report", *PERIOD, "--unit", "26", "--by", "level", "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in report["rows"]] == ["province", "district", "commune"]
    assert report["totals"]["resolved"]["total"] == 6
    call_command("report", *PERIOD, "--format", "json", "--output", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"]["received"]["total"] == 9


def test_month_official_and_calendar_periods(sample: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Decree 09/2019: a month's figures run from the 15th of the previous month to the 14th."""
    call_command("report", "--month", "2023-03", "--period", "official", "--unit", "26")
    official = json.loads(capsys.readouterr().out)
    assert (official["from"], official["to"]) == ("2023-02-15", "2023-03-14")
    assert (official["month"], official["period"]) == ("2023-03", "official")
    call_command("report", "--month", "2023-03", "--period", "calendar", "--unit", "26")
    calendar = json.loads(capsys.readouterr().out)
    assert (calendar["from"], calendar["to"]) == ("2023-03-01", "2023-03-31")
    call_command("report", *PERIOD, "--unit", "26")
    by_dates = json.loads(capsys.readouterr().out)
    assert by_dates["totals"] == calendar["totals"]
    # official March: LG-010, LG-011 (February) are new; LG-008/009 (after the 14th) are not in it
    assert official["totals"]["received"]["new"] == 8
    assert official["totals"]["received"]["carried_over"] == 0


def test_rows_by_field_within_level(sample: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("report", *PERIOD, "--unit", "26", "--by", "field")
    report = json.loads(capsys.readouterr().out)
    kinds = [(r["kind"], r["level"]) for r in report["rows"]]
    levels = [r for r in report["rows"] if r["kind"] == "level"]
    assert [r["key"] for r in levels] == ["province", "district", "commune"]
    assert kinds[0] == ("level", "province")
    for level in levels:
        fields = [r for r in report["rows"] if r["kind"] == "field" and r["level"] == level["key"]]
        assert fields, level["key"]
        # a level's row is the sum of its fields' rows
        assert sum(f["received"]["total"] for f in fields) == level["received"]["total"]
        assert sum(f["in_progress"]["overdue"] for f in fields) == level["in_progress"]["overdue"]
    by_level = {r["key"]: r for r in report["rows"] if r["kind"] == "level"}
    call_command("report", *PERIOD, "--unit", "26", "--by", "level")
    plain = {r["key"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert {k: {**v, "kind": None} for k, v in by_level.items()} == {
        k: {**v, "kind": None} for k, v in plain.items()
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023-02-30", "--to", "2023-03-31"], "is not a date"),
        (["--from", "2023-03-31", "--to", "2023-03-01"], "invalid_period"),
        ([*PERIOD, "--unit", "nope"], "unit_not_found"),
        ([*PERIOD, "--format", "xlsx"], "--output FILE is required"),
        (["--month", "2023-13"], "invalid_month"),
        (["--month", "2023-03", *PERIOD], "either --month or --from/--to"),
        (["--from", "2023-03-01"], "give --from and --to, or --month"),
    ],
)
def test_command_errors_exit_2(demo: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("report", *args)
    assert exc.value.returncode == 2
    assert message in str(exc.value)


def test_xlsx_looks_like_the_form(sample: None, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    call_command(
        "report", "--month", "2023-03", "--period", "calendar", "--unit", "26", "--by", "level",
        "--format", "xlsx", "--output", str(out),
    )  # fmt: skip
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet["A1"].value == "Biểu số II.06a/VPCP/KSTT"
    assert sheet["A2"].value == "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP"
    assert sheet["I1"].value == "Đơn vị báo cáo: Tỉnh Vĩnh Phúc"
    assert sheet["I2"].value == "Đơn vị nhận báo cáo: Văn phòng Chính phủ"
    assert sheet["A4"].value == "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert sheet["A6"].value == "Kỳ báo cáo: tháng 03/2023 (từ ngày 01/03/2023 đến ngày 31/03/2023)"
    assert sheet["J7"].value == "Đơn vị tính: Số hồ sơ TTHC."
    row = {n: [c.value for c in sheet[n]] for n in range(8, 16)}
    assert row[8][:3] == ["STT", "Cấp giải quyết", "Số hồ sơ nhận giải quyết"]
    assert row[8][6] == "Kết quả giải quyết"
    assert row[9][2:4] == ["Tổng số", "Trong đó"]
    assert row[9][6] == "Số hồ sơ đã giải quyết"
    assert row[9][10] == "Số hồ sơ đang giải quyết"
    assert row[10][3:13] == [
        "Số kỳ trước chuyển qua",
        "Số mới tiếp nhận trực tuyến",
        "Số mới tiếp nhận trực tiếp, dịch vụ bưu chính",
        "Tổng số",
        "Trả trước hạn",
        "Trả đúng thời hạn",
        "Trả quá hạn",
        "Tổng số",
        "Trong hạn",
        "Quá hạn",
    ]
    assert row[11][2:13] == [f"({n})" for n in range(1, 12)]
    # (1) total (2) carried over (3) online (4) counter + post | (5)-(8) resolved | (9)-(11) in progress
    assert row[12][1:13] == ["Tổng cộng", 9, 2, 4, 3, 6, 2, 2, 2, 3, 1, 2]
    assert row[13][:4] == ["1", "Cấp tỉnh", 2, 0]
    assert row[15][1] == "Cấp xã"
    for values in (row[12], row[13], row[14], row[15]):
        total, carried, online, counter_post, resolved, early, on_time, late, open_, within, overdue = values[
            2:13
        ]
        assert total == carried + online + counter_post == resolved + open_
        assert resolved == early + on_time + late
        assert open_ == within + overdue
    texts = [c.value for r in sheet.iter_rows(min_row=16) for c in r if c.value]
    assert "NGƯỜI LẬP BIỂU" in texts
    assert "THỦ TRƯỞNG ĐƠN VỊ" in texts
    assert any(str(t).startswith("Ghi chú: (1) = (2) + (3) + (4)") for t in texts)


def test_xlsx_by_field_numbers_levels_and_fields(sample: None, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "f.xlsx"
    call_command("report", "--month", "2023-03", "--unit", "243", "--by", "field", "--format", "xlsx",
                 "--output", str(out))  # fmt: skip
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet["B8"].value == "Lĩnh vực, công việc giải quyết theo cấp"
    assert sheet["I2"].value == "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh"
    labels = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(13, 17)]
    assert labels[0] == ("I", "Cấp huyện")
    assert labels[1][0] == "1"
    assert any(label == ("II", "Cấp xã") for label in labels)


def _poppler(tool: str, *args: str) -> str:
    """Output of a poppler-utils tool (pdftotext, pdfinfo, pdffonts)."""
    path = shutil.which(tool)
    assert path is not None
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout  # noqa: S603


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_pdf_text_has_vietnamese_diacritics(sample: None, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    call_command("report", *PERIOD, "--unit", "243", "--format", "pdf", "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    text = _poppler("pdftotext", str(out), "-")
    text = " ".join(text.split())  # table cells wrap
    for phrase in (
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Biểu số II.06a/VPCP/KSTT",
        "Kỳ báo cáo: từ ngày 01/03/2023 đến ngày 31/03/2023",
        "Đơn vị báo cáo: Thành phố Vĩnh Yên",
        "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh",
        "Đơn vị tính: Số hồ sơ TTHC.",
        "Số hồ sơ nhận giải quyết",
        "Kết quả giải quyết",
        "Số hồ sơ đang giải quyết",
        "Số kỳ trước chuyển qua",
        "Trả đúng thời hạn",
        "(11)",
        "Phường Tích Sơn (8707)",
        "Tổng cộng",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert phrase in text, phrase
    info = _poppler("pdfinfo", str(out))
    assert "841.89 x 595.276 pts (A4)" in info  # landscape
    fonts = _poppler("pdffonts", str(out))
    assert "Noto-Sans" in fonts
    assert "Serif" not in fonts
