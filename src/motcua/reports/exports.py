"""The monthly report as the official form II.06a/VPCP/KSTT: an .xlsx workbook and an A4 landscape PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

import motcua
from motcua.core import formatting, xlsx
from motcua.core.xlsx import put

FORM_CODE = "Biểu số II.06a/VPCP/KSTT"
TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"

# (group header, sub-group header or "", leaf header, path into a row)
COLUMNS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Số hồ sơ nhận giải quyết", "", "Tổng số", ("received", "total")),
    ("Số hồ sơ nhận giải quyết", "", "Từ kỳ trước chuyển qua", ("received", "carried_over")),
    ("Số hồ sơ nhận giải quyết", "Mới tiếp nhận trong kỳ", "Tổng số", ("received", "new")),
    ("Số hồ sơ nhận giải quyết", "Mới tiếp nhận trong kỳ", "Trực tuyến", ("received", "online")),
    ("Số hồ sơ nhận giải quyết", "Mới tiếp nhận trong kỳ", "Trực tiếp", ("received", "counter")),
    ("Số hồ sơ nhận giải quyết", "Mới tiếp nhận trong kỳ", "Dịch vụ bưu chính", ("received", "post")),
    ("Kết quả giải quyết", "", "Tổng số đã giải quyết", ("resolved", "total")),
    ("Kết quả giải quyết", "", "Trước hạn", ("resolved", "early")),
    ("Kết quả giải quyết", "", "Đúng hạn", ("resolved", "on_time")),
    ("Kết quả giải quyết", "", "Quá hạn", ("resolved", "late")),
    ("Số hồ sơ đang giải quyết", "", "Tổng số", ("in_progress", "total")),
    ("Số hồ sơ đang giải quyết", "", "Trong hạn", ("in_progress", "within")),
    ("Số hồ sơ đang giải quyết", "", "Quá hạn", ("in_progress", "overdue")),
    ("Tỷ lệ", "", "Đúng hạn (%)", ("on_time_rate",)),
    ("Tỷ lệ", "", "Trực tuyến (%)", ("online_rate",)),
)
LEVEL_NAMES = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}


def _value(block: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = block
    for key in path:
        value = value[key]
    return value


def _period_text(report: dict[str, Any]) -> str:
    start, end = dt.date.fromisoformat(report["from"]), dt.date.fromisoformat(report["to"])
    return f"Kỳ báo cáo: từ ngày {formatting.day(start)} đến ngày {formatting.day(end)}"


def _unit_text(unit_name: str | None) -> str:
    return f"Đơn vị báo cáo: {unit_name}" if unit_name else "Đơn vị báo cáo: toàn hệ thống"


def _row_label(row: dict[str, Any]) -> str:
    if row["key"] == row["level"] and row["key"] in LEVEL_NAMES:
        return LEVEL_NAMES[row["key"]]
    return f"{row['name']} ({row['key']})"


def _header_spans() -> list[tuple[str, int]]:
    spans: list[tuple[str, int]] = []
    for group, _sub, _leaf, _path in COLUMNS:
        if spans and spans[-1][0] == group:
            spans[-1] = (group, spans[-1][1] + 1)
        else:
            spans.append((group, 1))
    return spans


def report_xlsx(report: dict[str, Any], *, unit_name: str | None = None) -> bytes:
    """The report as an .xlsx workbook laid out like form II.06a (three header rows, totals row)."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = xlsx.workbook_new()
    sheet = workbook.create_sheet()
    sheet.title = "II.06a"
    width = 2 + len(COLUMNS)
    last = get_column_letter(width)
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    put(sheet, 1, 1, FORM_CODE).font = Font(italic=True)
    sheet.merge_cells(f"A2:{last}2")
    put(sheet, 2, 1, TITLE).font = Font(bold=True, size=14)
    sheet["A2"].alignment = centre
    sheet.merge_cells(f"A3:{last}3")
    put(sheet, 3, 1, _period_text(report)).alignment = centre
    sheet.merge_cells(f"A4:{last}4")
    put(sheet, 4, 1, _unit_text(unit_name)).alignment = centre

    top = 6  # header rows 6, 7, 8; numbering row 9; data from row 10
    sheet.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=1)
    put(sheet, top, 1, "STT")
    sheet.merge_cells(start_row=top, start_column=2, end_row=top + 2, end_column=2)
    put(sheet, top, 2, "Đơn vị, cấp giải quyết")
    column = 3
    for group, span in _header_spans():
        put(sheet, top, column, group)
        if span > 1:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + span - 1)
        column += span
    column = 3
    index = 0
    while index < len(COLUMNS):
        _group, sub, leaf, _path = COLUMNS[index]
        if sub:
            span = sum(1 for c in COLUMNS if c[1] == sub)
            put(sheet, top + 1, column, sub)
            sheet.merge_cells(
                start_row=top + 1, start_column=column, end_row=top + 1, end_column=column + span - 1
            )
            for offset in range(span):
                put(sheet, top + 2, column + offset, COLUMNS[index + offset][2])
            column += span
            index += span
        else:
            put(sheet, top + 1, column, leaf)
            sheet.merge_cells(start_row=top + 1, start_column=column, end_row=top + 2, end_column=column)
            column += 1
            index += 1
    for offset in range(width):
        put(sheet, top + 3, offset + 1, f"({offset + 1})")

    def write(
        row_number: int, label_no: str, label: str, block: dict[str, Any], *, strong: bool = False
    ) -> None:
        put(sheet, row_number, 1, label_no)
        put(sheet, row_number, 2, label)
        for offset, (_g, _s, _l, path) in enumerate(COLUMNS):
            value = _value(block, path)
            cell = put(sheet, row_number, 3 + offset, value)
            if path[-1].endswith("_rate"):
                cell.number_format = "0.00%"
        if strong:
            for offset in range(width):
                sheet.cell(row_number, offset + 1).font = bold

    row_number = top + 4
    write(row_number, "", "Tổng cộng", report["totals"], strong=True)
    for number, row in enumerate(report["rows"], start=1):
        row_number += 1
        write(row_number, str(number), _row_label(row), row)

    for row in sheet.iter_rows(min_row=top, max_row=row_number, max_col=width):
        for cell in row:
            cell.border = border
            if cell.row < top + 4:
                cell.alignment = centre
                cell.font = bold
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 40
    for offset in range(len(COLUMNS)):
        sheet.column_dimensions[get_column_letter(3 + offset)].width = 12
    sheet.freeze_panes = sheet.cell(top + 4, 3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    return xlsx.workbook_bytes(workbook)


def report_html(report: dict[str, Any], *, unit_name: str | None = None) -> str:
    sub_groups: list[tuple[str, int]] = []
    for _group, sub, _leaf, _path in COLUMNS:
        if sub and (not sub_groups or sub_groups[-1][0] != sub):
            sub_groups.append((sub, 1))
        elif sub:
            sub_groups[-1] = (sub, sub_groups[-1][1] + 1)
    header_two: list[dict[str, Any]] = []
    seen_subs: set[str] = set()
    for _group, sub, leaf, _path in COLUMNS:
        if sub:
            if sub not in seen_subs:
                seen_subs.add(sub)
                header_two.append({"text": sub, "colspan": dict(sub_groups)[sub], "rowspan": 1})
        else:
            header_two.append({"text": leaf, "colspan": 1, "rowspan": 2})
    header_three = [leaf for _group, sub, leaf, _path in COLUMNS if sub]

    def cells(block: dict[str, Any]) -> list[str]:
        out = []
        for _g, _s, _l, path in COLUMNS:
            value = _value(block, path)
            if path[-1].endswith("_rate"):
                out.append(formatting.percent(value, decimals=2, sign=False, missing="–", language="vi"))
            else:
                out.append(formatting.thousands(value, language="vi"))
        return out

    rows = [
        {"no": n, "label": _row_label(r), "cells": cells(r)} for n, r in enumerate(report["rows"], start=1)
    ]
    return render_to_string(
        "reports/monthly_pdf.html",
        {
            "form_code": FORM_CODE,
            "title": TITLE,
            "period": _period_text(report),
            "unit": _unit_text(unit_name),
            "groups": _header_spans(),
            "header_two": header_two,
            "header_three": header_three,
            "numbers": [f"({i})" for i in range(1, 3 + len(COLUMNS))],
            "totals": cells(report["totals"]),
            "rows": rows,
        },
    )


def report_pdf(report: dict[str, Any], *, unit_name: str | None = None) -> bytes:
    """The report as an A4 landscape PDF (WeasyPrint, Noto Sans: Vietnamese diacritics)."""
    from weasyprint import HTML

    static = Path(motcua.__file__).resolve().parent / "static"
    pdf = HTML(string=report_html(report, unit_name=unit_name), base_url=str(static) + "/").write_pdf()
    assert pdf is not None
    return bytes(pdf)
