"""The one xlsx writer: inert text, formatted dates and numbers, a bold frozen header."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from motcua.core.xlsx import Table, cell_text, inert_text, xlsx_table, xlsx_tables


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_gets_an_apostrophe_and_comes_back(text: str) -> None:
    assert inert_text(text) == "'" + text
    assert cell_text(inert_text(text)) == text


@pytest.mark.parametrize("text", ["Nguyễn Văn An", "'quoted", "", "1-2", "a=b"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert inert_text(text) == text
    assert cell_text(text) == text


def test_table_cells_headers_and_formats() -> None:
    at = dt.datetime(2025, 3, 10, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
    table = Table(
        name="Thử",
        preamble=["Tiêu đề", ["Kỳ", "03/2025"]],
        header=["Tên", "Lúc", "Ngày", "Số", "Tỷ lệ", "Trống", "Có"],
        rows=[["=1+2", at, dt.date(2025, 3, 1), 1234567, 0.5, "", True]],
        formats={4: "0.00%"},
        freeze_columns=1,
    )
    sheet = load_workbook(io.BytesIO(xlsx_table(table)))["Thử"]
    assert sheet["A1"].value == "Tiêu đề"
    assert sheet["A1"].font.bold
    assert (sheet["A2"].value, sheet["B2"].value) == ("Kỳ", "03/2025")
    assert [c.value for c in sheet[3]] == ["Tên", "Lúc", "Ngày", "Số", "Tỷ lệ", "Trống", "Có"]
    assert all(c.font.bold for c in sheet[3])
    assert sheet.freeze_panes == "B4"
    name, instant, day, number, rate, empty, flag = sheet[4]
    assert (name.value, name.data_type) == ("'=1+2", "s")
    assert instant.value == dt.datetime(2025, 3, 10, 10, 0)
    assert instant.number_format == "dd/mm/yyyy hh:mm"
    assert day.value == dt.datetime(2025, 3, 1)
    assert day.number_format == "dd/mm/yyyy"
    assert (number.value, number.number_format) == (1234567, "#,##0")
    assert (rate.value, rate.number_format) == (0.5, "0.00%")
    assert empty.value is None
    assert flag.value is True
    assert sheet.column_dimensions["A"].width >= 8


def test_several_sheets_and_decimal_numbers() -> None:
    tables = [
        Table(name="A", header=["x"], rows=[[Decimal("12.50")]]),
        Table(name="B", header=["y"], rows=[[Decimal(3000)]], bold_last_row=True),
    ]
    book = load_workbook(io.BytesIO(xlsx_tables(tables)))
    assert book.sheetnames == ["A", "B"]
    assert book["A"]["A2"].value == 12.5
    assert book["B"]["A2"].number_format == "#,##0"
    assert book["B"]["A2"].font.bold
