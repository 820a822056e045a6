"""Reading calendar overrides from CSV (``date,kind,name,decision``): parse and validate, no writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from motcua.core.errors import ValidationFailed

from .constants import OverrideKind

COLUMNS = ("date", "kind", "name", "decision")


@dataclass(frozen=True)
class OverrideRow:
    line: int
    date: dt.date
    kind: str
    name: str
    decision: str


class OverridesImportFailed(ValidationFailed):
    code = "invalid_calendar_overrides"

    def __init__(self, issues: list[str]) -> None:
        super().__init__(
            f"Tệp ngày điều chỉnh có {len(issues)} lỗi, không nhập dòng nào.", details={"issues": issues}
        )
        self.issues = issues


def parse_day(text: str) -> dt.date:
    """``2023-05-02`` or ``02/05/2023``; raises ValueError."""
    text = text.strip()
    if "/" in text:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    return dt.date.fromisoformat(text)


def parse_overrides_csv(text: str) -> list[OverrideRow]:
    """Parse the CSV text; raises ``OverridesImportFailed`` listing every bad row (line numbers of the file)."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    issues: list[str] = []
    header = next(reader, None)
    if header is None:
        raise OverridesImportFailed(["dòng 1: tệp rỗng, cần dòng tiêu đề date,kind,name,decision"])
    columns = [c.strip().lower() for c in header]
    missing = [c for c in ("date", "kind", "name") if c not in columns]
    if missing:
        raise OverridesImportFailed([f"dòng 1: thiếu cột {', '.join(missing)} (cần date,kind,name,decision)"])
    position = {name: columns.index(name) for name in COLUMNS if name in columns}
    rows: list[OverrideRow] = []
    seen: dict[dt.date, int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = position.get(name)
            return record[index].strip() if index is not None and index < len(record) else ""

        row_issues = []
        day: dt.date | None = None
        try:
            day = parse_day(cell("date"))
        except ValueError:
            row_issues.append(f"dòng {line}, cột date: ngày không hợp lệ {cell('date')!r} (YYYY-MM-DD)")
        kind = cell("kind")
        if kind not in OverrideKind.values:
            row_issues.append(
                f"dòng {line}, cột kind: {kind!r} không hợp lệ (extra_day_off hoặc extra_working_day)"
            )
        name = cell("name")
        if not name:
            row_issues.append(f"dòng {line}, cột name: không được để trống")
        elif len(name) > 200:
            row_issues.append(f"dòng {line}, cột name: dài quá 200 ký tự")
        decision = cell("decision")
        if len(decision) > 200:
            row_issues.append(f"dòng {line}, cột decision: dài quá 200 ký tự")
        if day is not None:
            if day in seen:
                row_issues.append(f"dòng {line}, cột date: ngày {day.isoformat()} trùng với dòng {seen[day]}")
            seen.setdefault(day, line)
        if row_issues or day is None:
            issues.extend(row_issues)
            continue
        rows.append(OverrideRow(line=line, date=day, kind=kind, name=name, decision=decision))
    if issues:
        raise OverridesImportFailed(issues)
    return rows


def read_overrides_file(path: str | Path) -> list[OverrideRow]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OverridesImportFailed([f"không đọc được tệp {path}: {exc}"]) from exc
    return parse_overrides_csv(text)
