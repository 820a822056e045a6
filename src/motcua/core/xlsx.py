"""The one .xlsx writer of every export: tables with a bold frozen header, widths, formatted dates and numbers.

Every export (queues, the Mẫu 06 logbook, the monthly report II.06a, public statistics, the catalog) writes
its cells through :func:`put`, so text from applicants can never become a live formula (formula injection,
the OWASP "CSV injection" rule): a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written as a string cell prefixed with an apostrophe, which Excel shows as text and never
evaluates, even after the cell is edited. Importers reading our own files back call :func:`cell_text`,
which removes that apostrophe again (the catalog round-trips through export and import unchanged).

Dates are written as real dates (``dd/mm/yyyy``), instants as Vietnam local time (``dd/mm/yyyy hh:mm``),
whole numbers with a thousands separator (Excel shows the reader's own separator); a table can set the
format of a column (``"0.00%"`` for rates).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from motcua.core import clock

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
DATE_FORMAT = "dd/mm/yyyy"
INSTANT_FORMAT = "dd/mm/yyyy hh:mm"
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"


def inert_text(value: str) -> str:
    """``value`` as text a spreadsheet will not evaluate: an apostrophe before a formula's first character."""
    return ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value


def cell_text(value: Any) -> Any:
    """A cell value read back from one of our workbooks: the apostrophe :func:`inert_text` added removed."""
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def put(sheet: Worksheet, row: int, column: int, value: Any, *, number_format: str | None = None) -> Cell:
    """Write ``value`` into the cell at (``row``, ``column``), both from 1: text made inert, dates formatted."""
    cell = sheet.cell(row=row, column=column)
    fmt = number_format
    if value == "":
        cell.value = None  # an empty cell, not an empty string
    elif isinstance(value, str):
        cell.value = inert_text(value)
        cell.data_type = "s"  # openpyxl would store a string starting with "=" as a formula
    elif isinstance(value, dt.datetime):
        local = value.astimezone(clock.VN_TZ) if value.tzinfo else value
        cell.value = local.replace(tzinfo=None)
        fmt = fmt or INSTANT_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        fmt = fmt or DATE_FORMAT
    elif isinstance(value, bool) or value is None:
        cell.value = value
    elif isinstance(value, int | Decimal | float):
        cell.value = value
        integral = isinstance(value, int) or (
            isinstance(value, Decimal) and value == value.to_integral_value()
        )
        fmt = fmt or (INTEGER_FORMAT if integral else None)
    else:
        cell.value = inert_text(str(value))
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    return cell


@dataclass(frozen=True)
class Table:
    """One sheet: optional title lines (a text, or the cells of a row), a bold header row (frozen below it), then the rows.

    ``formats`` maps a column index (from 0) to a number format for its data cells; ``widths`` gives column
    widths in characters (default: from the header); ``freeze_columns`` also freezes that many first
    columns; ``bold_last_row`` marks a totals row.
    """

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    preamble: Sequence[str | Sequence[Any]] = ()
    widths: Sequence[float] = ()
    formats: Mapping[int, str] = field(default_factory=dict)
    freeze_columns: int = 0
    bold_last_row: bool = False
    wrap_header: bool = False


def table_write(sheet: Worksheet, table: Table) -> None:
    """Fill an empty ``sheet`` with ``table``."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.title = table.name
    for number, line in enumerate(table.preamble, start=1):
        for column, value in enumerate([line] if isinstance(line, str) else line, start=1):
            put(sheet, number, column, value).font = Font(bold=True, size=13) if number == 1 else Font()
    header_row = len(table.preamble) + 1
    bold = Font(bold=True)
    for column, title in enumerate(table.header, start=1):
        cell = put(sheet, header_row, column, title)
        cell.font = bold
        if table.wrap_header:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    row_number = header_row
    for row in table.rows:
        row_number += 1
        for column, value in enumerate(row, start=1):
            put(sheet, row_number, column, value, number_format=table.formats.get(column - 1))
    if table.bold_last_row and row_number > header_row:
        for cell in sheet[row_number]:
            cell.font = bold
    widths = table.widths or [max(8, min(40, len(str(title)) + 2)) for title in table.header]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=table.freeze_columns + 1)


def workbook_new() -> Workbook:
    """An empty workbook (no sheet): add sheets with ``workbook.create_sheet()``."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_tables(tables: Sequence[Table]) -> bytes:
    """A workbook of ``tables``, one sheet each, as .xlsx bytes."""
    workbook = workbook_new()
    for table in tables:
        table_write(workbook.create_sheet(), table)
    return workbook_bytes(workbook)


def xlsx_table(table: Table) -> bytes:
    """A one-sheet workbook as .xlsx bytes."""
    return xlsx_tables([table])
