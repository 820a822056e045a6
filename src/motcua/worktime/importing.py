"""Reading calendar overrides from CSV (``date,kind,name,decision``): parse and validate, no writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from motcua.core.importing import ImportFailed, ImportProblem

from .constants import OverrideKind

COLUMNS = ("date", "kind", "name", "decision")


@dataclass(frozen=True)
class OverrideRow:
    line: int
    date: dt.date
    kind: str
    name: str
    decision: str


class OverridesImportFailed(ImportFailed):
    code = "invalid_calendar_overrides"

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"Tệp ngày điều chỉnh có {len(problems)} lỗi, không nhập dòng nào.", problems)

    @property
    def issues(self) -> list[str]:
        return self.lines()


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
    issues: list[ImportProblem] = []
    header = next(reader, None)
    if header is None:
        raise OverridesImportFailed(
            [ImportProblem(1, "", "tệp rỗng, cần dòng tiêu đề date,kind,name,decision")]
        )
    columns = [c.strip().lower() for c in header]
    missing = [c for c in ("date", "kind", "name") if c not in columns]
    if missing:
        reason = f"thiếu cột {', '.join(missing)} (cần date,kind,name,decision)"
        raise OverridesImportFailed([ImportProblem(1, "", reason)])
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

        row_issues: list[ImportProblem] = []

        def problem(
            field_name: str, reason: str, line: int = line, found: list[ImportProblem] = row_issues
        ) -> None:
            found.append(ImportProblem(line, field_name, reason))

        day: dt.date | None = None
        try:
            day = parse_day(cell("date"))
        except ValueError:
            problem("date", f"ngày không hợp lệ {cell('date')!r} (YYYY-MM-DD)")
        kind = cell("kind")
        if kind not in OverrideKind.values:
            problem("kind", f"{kind!r} không hợp lệ (extra_day_off hoặc extra_working_day)")
        name = cell("name")
        if not name:
            problem("name", "không được để trống")
        elif len(name) > 200:
            problem("name", "dài quá 200 ký tự")
        decision = cell("decision")
        if len(decision) > 200:
            problem("decision", "dài quá 200 ký tự")
        if day is not None:
            if day in seen:
                problem("date", f"ngày {day.isoformat()} trùng với dòng {seen[day]}")
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
        reason = f"không đọc được tệp {path}: {exc}"
        raise OverridesImportFailed([ImportProblem(0, "", reason, message=reason)]) from exc
    return parse_overrides_csv(text)
