"""The monthly report as the official form II.06a/VPCP/KSTT: an .xlsx workbook and an A4 landscape PDF.

The form (Circular 01/2020/TT-VPCP on the Government Office's periodic reporting, docs/reports.md) has a form
code and issuing circular at the top left, the reporting and receiving units at the top right, the title, the
period, "Đơn vị tính: Số hồ sơ TTHC", a table of eleven numbered columns under three header rows, the notes on
how the columns add up and a signature block (the person who drew up the form, the head of the unit). Both
exports are drawn from one description of the header (``HEADER``), so the workbook and the PDF cannot drift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

import motcua
from motcua.core import formatting, xlsx
from motcua.core.xlsx import put

FORM_CODE = "Biểu số II.06a/VPCP/KSTT"
ISSUED_BY = "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP"
TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
SUBTITLE = "TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
MEASURE = "Đơn vị tính: Số hồ sơ TTHC."
NOTES = "Ghi chú: (1) = (2) + (3) + (4) = (5) + (9); (5) = (6) + (7) + (8); (9) = (10) + (11)."
SIGNERS = (
    ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
    ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"),
)

# The eleven numbered columns of the form: (number, path into a row of the report).
COLUMNS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("received", "total")),
    (2, ("received", "carried_over")),
    (3, ("received", "online")),
    (4, ("received", "counter_post")),
    (5, ("resolved", "total")),
    (6, ("resolved", "early")),
    (7, ("resolved", "on_time")),
    (8, ("resolved", "late")),
    (9, ("in_progress", "total")),
    (10, ("in_progress", "within")),
    (11, ("in_progress", "overdue")),
)


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the table's header: ``row`` 0..2, ``column`` 0-based (0: STT, 1: label, 2..12: (1)..(11))."""

    row: int
    column: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def header(label: str) -> tuple[HeaderCell, ...]:
    """The three header rows of the form; ``label`` heads the row-label column."""
    return (
        HeaderCell(0, 0, "STT", rowspan=3),
        HeaderCell(0, 1, label, rowspan=3),
        HeaderCell(0, 2, "Số hồ sơ nhận giải quyết", colspan=4),
        HeaderCell(0, 6, "Kết quả giải quyết", colspan=7),
        HeaderCell(1, 2, "Tổng số", rowspan=2),
        HeaderCell(1, 3, "Trong đó", colspan=3),
        HeaderCell(1, 6, "Số hồ sơ đã giải quyết", colspan=4),
        HeaderCell(1, 10, "Số hồ sơ đang giải quyết", colspan=3),
        HeaderCell(2, 3, "Số kỳ trước chuyển qua"),
        HeaderCell(2, 4, "Số mới tiếp nhận trực tuyến"),
        HeaderCell(2, 5, "Số mới tiếp nhận trực tiếp, dịch vụ bưu chính"),
        HeaderCell(2, 6, "Tổng số"),
        HeaderCell(2, 7, "Trả trước hạn"),
        HeaderCell(2, 8, "Trả đúng thời hạn"),
        HeaderCell(2, 9, "Trả quá hạn"),
        HeaderCell(2, 10, "Tổng số"),
        HeaderCell(2, 11, "Trong hạn"),
        HeaderCell(2, 12, "Quá hạn"),
    )


WIDTH = 2 + len(COLUMNS)
LEVEL_NAMES = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
ROMAN = ("I", "II", "III", "IV", "V")


def _value(block: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = block
    for key in path:
        value = value[key]
    return value


def period_text(report: dict[str, Any]) -> str:
    """``Kỳ báo cáo: tháng 03/2023 (từ ngày 15/02/2023 đến ngày 14/03/2023)``; without a month, the dates only."""
    start, end = dt.date.fromisoformat(report["from"]), dt.date.fromisoformat(report["to"])
    dates = f"từ ngày {formatting.day(start)} đến ngày {formatting.day(end)}"
    month = report.get("month")
    if month:
        year, number = month.split("-")
        return f"Kỳ báo cáo: tháng {number}/{year} ({dates})"
    return f"Kỳ báo cáo: {dates}"


def unit_text(unit_name: str | None) -> str:
    return f"Đơn vị báo cáo: {unit_name}" if unit_name else "Đơn vị báo cáo: toàn hệ thống"


def receiver_text(unit_level: str | None) -> str:
    """Who receives the form: the provincial People's Committee's office, or the Government Office for a
    province (or the whole system)."""
    if unit_level in (None, "province"):
        return "Đơn vị nhận báo cáo: Văn phòng Chính phủ"
    return "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh"


def _label_title(report: dict[str, Any]) -> str:
    kinds = {row.get("kind") for row in report["rows"]}
    if "field" in kinds:
        return "Lĩnh vực, công việc giải quyết theo cấp"
    if all(row["key"] == row["level"] for row in report["rows"]) and report["rows"]:
        return "Cấp giải quyết"
    return "Đơn vị giải quyết"


def body_rows(report: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], bool]]:
    """``(number, label, row, strong)`` for every row of the table after the totals: levels numbered I, II, …
    (bold) with their fields 1, 2, … below; units or levels alone numbered 1, 2, …"""
    out: list[tuple[str, str, dict[str, Any], bool]] = []
    levels = fields = 0
    for row in report["rows"]:
        kind = row.get("kind")
        if kind == "level":
            levels += 1
            fields = 0
            out.append((ROMAN[levels - 1], LEVEL_NAMES.get(row["key"], row["name"]), row, True))
        elif kind == "field":
            fields += 1
            out.append((str(fields), row["name"] or "(chưa xác định lĩnh vực)", row, False))
        elif row["key"] == row["level"] and row["key"] in LEVEL_NAMES:
            out.append((str(len(out) + 1), LEVEL_NAMES[row["key"]], row, False))
        else:
            out.append((str(len(out) + 1), f"{row['name']} ({row['key']})", row, False))
    return out


def report_xlsx(
    report: dict[str, Any], *, unit_name: str | None = None, unit_level: str | None = None
) -> bytes:
    """The report as an .xlsx workbook laid out like form II.06a (numbers stay numbers)."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = xlsx.workbook_new()
    sheet = workbook.create_sheet()
    sheet.title = "II.06a"
    last = get_column_letter(WIDTH)
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def line(row: int, first: int, end: int, text: str, **style: Any) -> None:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=end)
        cell = put(sheet, row, first, text)
        for name, value in style.items():
            setattr(cell, name, value)

    line(1, 1, 4, FORM_CODE, font=bold)
    line(2, 1, 4, ISSUED_BY, font=Font(italic=True))
    line(1, WIDTH - 4, WIDTH, unit_text(unit_name))
    line(2, WIDTH - 4, WIDTH, receiver_text(unit_level))
    line(4, 1, WIDTH, TITLE, font=Font(bold=True, size=13), alignment=centre)
    line(5, 1, WIDTH, SUBTITLE, font=Font(bold=True, size=13), alignment=centre)
    line(6, 1, WIDTH, period_text(report), font=bold, alignment=centre)
    line(7, WIDTH - 3, WIDTH, MEASURE, font=Font(italic=True), alignment=Alignment(horizontal="right"))

    top = 8  # header rows 8-10, numbering row 11, totals row 12
    for cell in header(_label_title(report)):
        row, column = top + cell.row, 1 + cell.column
        put(sheet, row, column, cell.text)
        if cell.rowspan > 1 or cell.colspan > 1:
            sheet.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + cell.rowspan - 1,
                end_column=column + cell.colspan - 1,
            )
    numbering = top + 3
    for column_no, _path in COLUMNS:
        put(sheet, numbering, 2 + column_no, f"({column_no})")

    def write(row_number: int, number: str, label: str, block: dict[str, Any], *, strong: bool) -> None:
        put(sheet, row_number, 1, number)
        put(sheet, row_number, 2, label)
        for number_, path in COLUMNS:
            put(sheet, row_number, 2 + number_, _value(block, path))
        if strong:
            for offset in range(WIDTH):
                sheet.cell(row_number, offset + 1).font = bold

    row_number = numbering + 1
    write(row_number, "", "Tổng cộng", report["totals"], strong=True)
    for row_no, label, report_row, strong in body_rows(report):
        row_number += 1
        write(row_number, row_no, label, report_row, strong=strong)

    for cells in sheet.iter_rows(min_row=top, max_row=row_number, max_col=WIDTH):
        for cell in cells:
            cell.border = border
            if cell.row <= numbering:
                cell.alignment = centre
                cell.font = bold
    notes = row_number + 2
    line(notes, 1, WIDTH, NOTES, font=Font(italic=True))
    half = WIDTH // 2
    line(notes + 2, half + 1, WIDTH, "…, ngày … tháng … năm …", font=Font(italic=True), alignment=centre)
    for offset, (who, how) in enumerate(SIGNERS):
        first, end = (1, half) if offset == 0 else (half + 1, WIDTH)
        line(notes + 3, first, end, who, font=bold, alignment=centre)
        line(notes + 4, first, end, how, font=Font(italic=True), alignment=centre)

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 40
    for column_no, _path in COLUMNS:
        sheet.column_dimensions[get_column_letter(2 + column_no)].width = 12
    sheet.row_dimensions[top + 2].height = 60
    sheet.freeze_panes = sheet.cell(numbering + 1, 3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = f"{top}:{numbering}"
    sheet.print_area = f"A1:{last}{notes + 8}"
    return xlsx.workbook_bytes(workbook)


def report_html(
    report: dict[str, Any], *, unit_name: str | None = None, unit_level: str | None = None
) -> str:
    cells = header(_label_title(report))
    header_rows = [[c for c in cells if c.row == r] for r in range(3)]

    def numbers(block: dict[str, Any]) -> list[str]:
        return [formatting.thousands(_value(block, path), language="vi") for _n, path in COLUMNS]

    rows = [
        {"no": number, "label": label, "cells": numbers(row), "strong": strong}
        for number, label, row, strong in body_rows(report)
    ]
    return render_to_string(
        "reports/monthly_pdf.html",
        {
            "form_code": FORM_CODE,
            "issued_by": ISSUED_BY,
            "title": TITLE,
            "subtitle": SUBTITLE,
            "period": period_text(report),
            "unit": unit_text(unit_name),
            "receiver": receiver_text(unit_level),
            "measure": MEASURE,
            "header_rows": header_rows,
            "numbers": [f"({n})" for n, _path in COLUMNS],
            "totals": numbers(report["totals"]),
            "rows": rows,
            "notes": NOTES,
            "signers": SIGNERS,
        },
    )


def report_pdf(
    report: dict[str, Any], *, unit_name: str | None = None, unit_level: str | None = None
) -> bytes:
    """The report as an A4 landscape PDF (WeasyPrint, Noto Sans: Vietnamese diacritics)."""
    from weasyprint import HTML

    static = Path(motcua.__file__).resolve().parent / "static"
    html = report_html(report, unit_name=unit_name, unit_level=unit_level)
    pdf = HTML(string=html, base_url=str(static) + "/").write_pdf()
    assert pdf is not None
    return bytes(pdf)
