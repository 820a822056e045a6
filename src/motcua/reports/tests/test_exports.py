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
    assert report["totals"]["resolved"]["total"] == 7
    call_command("report", *PERIOD, "--format", "json", "--output", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"]["received"]["total"] == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023-02-30", "--to", "2023-03-31"], "is not a date"),
        (["--from", "2023-03-31", "--to", "2023-03-01"], "invalid_period"),
        ([*PERIOD, "--unit", "nope"], "unit_not_found"),
        ([*PERIOD, "--format", "xlsx"], "--output FILE is required"),
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
    call_command("report", *PERIOD, "--unit", "26", "--by", "level", "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet["A1"].value == "Biểu số II.06a/VPCP/KSTT"
    assert sheet["A2"].value == "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert sheet["A3"].value == "Kỳ báo cáo: từ ngày 01/03/2023 đến ngày 31/03/2023"
    assert sheet["A4"].value == "Đơn vị báo cáo: Tỉnh Vĩnh Phúc"
    headers = [c.value for c in sheet[6]]
    assert headers[:3] == ["STT", "Đơn vị, cấp giải quyết", "Số hồ sơ nhận giải quyết"]
    assert "Kết quả giải quyết" in headers
    assert "Số hồ sơ đang giải quyết" in headers
    assert [c.value for c in sheet[7]][4] == "Mới tiếp nhận trong kỳ"
    assert [c.value for c in sheet[8]][5:8] == ["Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính"]
    totals = [c.value for c in sheet[10]]
    # total, carried over, new, online, counter, post | resolved, early, on time, late | in progress …
    assert totals[1:16] == ["Tổng cộng", 10, 2, 8, 4, 3, 1, 7, 2, 3, 2, 3, 1, 2, 0.7143]
    assert totals[16] == 0.5
    assert [c.value for c in sheet[11]][:4] == ["1", "Cấp tỉnh", 2, 0]
    assert [c.value for c in sheet[13]][1] == "Cấp xã"


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
        "Kỳ báo cáo: từ ngày 01/03/2023 đến ngày 31/03/2023",
        "Đơn vị báo cáo: Thành phố Vĩnh Yên",
        "Số hồ sơ nhận giải quyết",
        "Kết quả giải quyết",
        "Số hồ sơ đang giải quyết",
        "Phường Tích Sơn (8707)",
        "Tổng cộng",
    ):
        assert phrase in text, phrase
    info = _poppler("pdfinfo", str(out))
    assert "841.89 x 595.276 pts (A4)" in info  # landscape
    fonts = _poppler("pdffonts", str(out))
    assert "Noto-Sans" in fonts
    assert "Serif" not in fonts
