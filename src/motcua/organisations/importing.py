"""Import of the unit tree from the project's JSON format (docs/organisations.md).

All or nothing: every row is validated first; on any error nothing is written and ``UnitsImportFailed``
lists every problem as (section, row, field, reason). Idempotent: units are matched on (code, valid_from)
and successions on (predecessor, successor), so importing the same file twice changes nothing.

Codes are reused across the 2025 reform, so a ``parent`` code is resolved as of the unit's ``valid_from``,
a succession's ``successor`` as of its ``effective_date`` and its ``predecessor`` as of the day before.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.importing import ImportFailed, ImportProblem

from .constants import Level
from .models import Unit, UnitSuccession
from .validation import format_day, lock_unit_code, unit_errors

UNIT_FIELDS = (
    "code",
    "name",
    "level",
    "division_type",
    "parent",
    "agency_code",
    "has_one_stop_desk",
    "valid_from",
    "valid_to",
)
SUCCESSION_FIELDS = ("predecessor", "successor", "effective_date")
TOP_LEVEL_KEYS = ("format", "source", "units", "successions")
# Unit fields an import may change on a unit matched by (code, valid_from).
_UPDATABLE = ("name", "level", "division_type", "parent_id", "agency_code", "has_one_stop_desk", "valid_to")


@dataclass(frozen=True)
class ImportIssue:
    section: str  # "file", "units" or "successions"
    row: int  # 1-based row in its section (0 for the file itself)
    field: str
    reason: str

    def __str__(self) -> str:
        if self.section == "file":
            return f"file, field {self.field}: {self.reason}"
        prefix = "row" if self.section == "units" else "successions row"
        return f"{prefix} {self.row}, field {self.field}: {self.reason}"

    def problem(self) -> ImportProblem:
        sheet = "successions" if self.section == "successions" else ""
        return ImportProblem(self.row, self.field, self.reason, sheet=sheet, message=str(self))


class UnitsImportFailed(ImportFailed):
    code = "units_import_failed"

    def __init__(self, issues: list[ImportIssue]) -> None:
        super().__init__(
            _("Tệp đơn vị có %(count)s lỗi; không nhập dữ liệu nào.") % {"count": len(issues)},
            [issue.problem() for issue in issues],
        )
        self.issues = issues


@dataclass
class UnitsImportResult:
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_unchanged: int = 0
    changed_codes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created or self.units_updated or self.successions_created or self.successions_updated
        )


def read_units_file(path: str | Path) -> Any:
    """The parsed JSON of ``path``; unreadable or malformed files raise ``UnitsImportFailed``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnitsImportFailed(
            [ImportIssue("file", 0, "path", _("không đọc được tệp: %(error)s") % {"error": exc})]
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnitsImportFailed(
            [
                ImportIssue(
                    "file",
                    0,
                    "json",
                    _("JSON không hợp lệ (dòng %(line)s, cột %(column)s): %(error)s")
                    % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
                )
            ]
        ) from exc


def _no_unit(code: str, day: dt.date | None) -> str:
    return _("không có đơn vị mã %(code)s có hiệu lực ngày %(day)s") % {"code": code, "day": format_day(day)}


# --- parsing ---------------------------------------------------------------------------------------------


class _Row:
    """One parsed unit row: an unsaved ``Unit`` plus its parent code."""

    def __init__(self, number: int, unit: Unit, parent_code: str | None) -> None:
        self.number = number
        self.unit = unit
        self.parent_code = parent_code
        self.parent: Unit | _Row | None = None
        self.existing: Unit | None = None

    @property
    def key(self) -> tuple[str, dt.date | None]:
        return (self.unit.code, self.unit.valid_from)


class _Parser:
    def __init__(self, section: str, number: int, record: Any, issues: list[ImportIssue]) -> None:
        self.section = section
        self.number = number
        self.record = record
        self.issues = issues

    def error(self, field_name: str, reason: str) -> None:
        self.issues.append(ImportIssue(self.section, self.number, field_name, reason))

    def code(self, name: str, *, required: bool) -> str | None:
        value = self.record.get(name)
        if value is None or value == "":
            if required:
                self.error(name, _("bắt buộc"))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error(name, _("phải là chuỗi hoặc số"))
            return None
        text = str(value).strip()
        if len(text) > 32:
            self.error(name, _("dài quá %(max)s ký tự") % {"max": 32})
            return None
        return text

    def text(self, name: str, *, required: bool = False, max_length: int = 255) -> str:
        value = self.record.get(name)
        if value is None or value == "":
            if required:
                self.error(name, _("bắt buộc"))
            return ""
        if not isinstance(value, str):
            self.error(name, _("phải là chuỗi"))
            return ""
        if len(value.strip()) > max_length:
            self.error(name, _("dài quá %(max)s ký tự") % {"max": max_length})
            return ""
        return value.strip()

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.record.get(name)
        if value is None or value == "":
            if required:
                self.error(name, _("bắt buộc"))
            return None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(name, _("ngày không hợp lệ: %(value)r (định dạng YYYY-MM-DD)") % {"value": value})
        return None

    def boolean(self, name: str) -> bool:
        value = self.record.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(name, _("phải là true hoặc false"))
            return False
        return value

    def unknown_fields(self, known: tuple[str, ...]) -> None:
        for key in self.record:
            if key not in known:
                self.error(str(key), _("trường không được hỗ trợ"))


def _parse_units(records: list[Any], issues: list[ImportIssue]) -> list[_Row]:
    rows: list[_Row] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            issues.append(ImportIssue("units", number, "-", _("mỗi dòng phải là một đối tượng JSON")))
            continue
        before = len(issues)
        p = _Parser("units", number, record, issues)
        p.unknown_fields(UNIT_FIELDS)
        code = p.code("code", required=True)
        name = p.text("name", required=True)
        level = p.text("level", required=True, max_length=16)
        if level and level not in Level.values:
            p.error(
                "level",
                _("cấp không hợp lệ: %(value)r (một trong: %(choices)s)")
                % {"value": level, "choices": ", ".join(Level.values)},
            )
        unit = Unit(
            code=code or "",
            name=name,
            level=level,
            division_type=p.text("division_type", max_length=32),
            agency_code=p.text("agency_code", max_length=32),
            has_one_stop_desk=p.boolean("has_one_stop_desk"),
            valid_from=p.date("valid_from"),
            valid_to=p.date("valid_to"),
        )
        parent_code = p.code("parent", required=False)
        if len(issues) == before:
            rows.append(_Row(number, unit, parent_code))
    return rows


# --- resolution ------------------------------------------------------------------------------------------


class _Pool:
    """The units as they will be after the import: database units not in the file, plus the file's rows."""

    def __init__(self, rows: list[_Row]) -> None:
        self.db_by_key: dict[tuple[str, dt.date | None], Unit] = {
            (u.code, u.valid_from): u for u in Unit.objects.all()
        }
        file_keys = {row.key for row in rows}
        self.by_code: dict[str, list[Unit | _Row]] = {}
        for key, unit in self.db_by_key.items():
            if key not in file_keys:
                self.by_code.setdefault(unit.code, []).append(unit)
        seen: set[tuple[str, dt.date | None]] = set()
        for row in rows:
            row.existing = self.db_by_key.get(row.key)
            if row.key not in seen:  # a repeated (code, valid_from) is reported as a duplicate row
                seen.add(row.key)
                self.by_code.setdefault(row.unit.code, []).append(row)

    @staticmethod
    def unit_of(item: Unit | _Row) -> Unit:
        return item.unit if isinstance(item, _Row) else item

    def resolve(self, code: str, day: dt.date | None) -> Unit | _Row | None:
        """The unit carrying ``code`` on ``day``; ``day=None`` means "since the beginning" (open start)."""
        for item in self.by_code.get(code, ()):
            unit = self.unit_of(item)
            if day is None:
                if unit.valid_from is None:
                    return item
            elif unit.is_valid_on(day):
                return item
        return None


def _check_units(rows: list[_Row], pool: _Pool, issues: list[ImportIssue]) -> None:
    seen: dict[tuple[str, dt.date | None], int] = {}
    for row in rows:
        unit = row.unit
        if row.key in seen:
            issues.append(
                ImportIssue(
                    "units",
                    row.number,
                    "code",
                    _("trùng với dòng %(row)s (cùng mã %(code)s, hiệu lực từ %(day)s)")
                    % {"row": seen[row.key], "code": unit.code, "day": format_day(unit.valid_from)},
                )
            )
            continue
        seen[row.key] = row.number
        parent_unit: Unit | None = None
        if row.parent_code is not None:
            found = pool.resolve(row.parent_code, unit.valid_from)
            if found is None:
                issues.append(
                    ImportIssue(
                        "units",
                        row.number,
                        "parent",
                        _no_unit(row.parent_code, unit.valid_from),
                    )
                )
            elif found is row:
                issues.append(
                    ImportIssue("units", row.number, "parent", _("đơn vị không thể là cấp trên của chính nó"))
                )
            else:
                row.parent = found
                parent_unit = pool.unit_of(found)
        others = [pool.unit_of(item) for item in pool.by_code.get(unit.code, ()) if item is not row]
        for field_name, reason in unit_errors(
            code=unit.code,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            parent=parent_unit,
            others=others,
        ).items():
            issues.append(ImportIssue("units", row.number, field_name, reason))


def _ordered(rows: list[_Row], issues: list[ImportIssue]) -> list[_Row]:
    """Rows with every parent row before its children; reports cycles."""
    ordered: list[_Row] = []
    state: dict[int, str] = {}  # id(row) -> "visiting" | "done"
    for start in rows:
        path: list[_Row] = []
        node: _Row | None = start
        while node is not None and state.get(id(node)) is None:
            state[id(node)] = "visiting"
            path.append(node)
            node = node.parent if isinstance(node.parent, _Row) else None
        if node is not None and state.get(id(node)) == "visiting":
            issues.append(
                ImportIssue(
                    "units",
                    node.number,
                    "parent",
                    _("vòng lặp cấp trên: %(path)s") % {"path": " → ".join(r.unit.code for r in path)},
                )
            )
        for item in reversed(path):
            state[id(item)] = "done"
            ordered.append(item)
    return ordered


@dataclass
class _Succession:
    number: int
    predecessor: Unit | _Row
    successor: Unit | _Row
    effective_date: dt.date


def _parse_successions(records: list[Any], pool: _Pool, issues: list[ImportIssue]) -> list[_Succession]:
    result: list[_Succession] = []
    seen: dict[tuple[int, int], int] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            issues.append(ImportIssue("successions", number, "-", _("mỗi dòng phải là một đối tượng JSON")))
            continue
        before = len(issues)
        p = _Parser("successions", number, record, issues)
        p.unknown_fields(SUCCESSION_FIELDS)
        predecessor_code = p.code("predecessor", required=True)
        successor_code = p.code("successor", required=True)
        effective = p.date("effective_date", required=True)
        if len(issues) != before or predecessor_code is None or successor_code is None or effective is None:
            continue
        the_day_before = effective - dt.timedelta(days=1)
        predecessor = pool.resolve(predecessor_code, the_day_before)
        successor = pool.resolve(successor_code, effective)
        if predecessor is None:
            p.error(
                "predecessor",
                _no_unit(predecessor_code, the_day_before),
            )
        if successor is None:
            p.error("successor", _no_unit(successor_code, effective))
        if predecessor is None or successor is None:
            continue
        if predecessor is successor:
            p.error("successor", _("đơn vị cũ và đơn vị mới là một"))
            continue
        pair = (id(predecessor), id(successor))
        if pair in seen:
            p.error("successor", _("trùng với dòng %(row)s") % {"row": seen[pair]})
            continue
        seen[pair] = number
        result.append(_Succession(number, predecessor, successor, effective))
    return result


# --- the import ------------------------------------------------------------------------------------------


def _validate(data: Any) -> tuple[list[_Row], list[_Succession]]:
    issues: list[ImportIssue] = []
    if not isinstance(data, dict):
        raise UnitsImportFailed(
            [ImportIssue("file", 0, "-", _('tệp phải là một đối tượng JSON {"units": [...]}'))]
        )
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            issues.append(ImportIssue("file", 0, str(key), _("khóa không được hỗ trợ")))
    units = data.get("units")
    successions = data.get("successions", [])
    if not isinstance(units, list):
        issues.append(ImportIssue("file", 0, "units", _("bắt buộc, phải là một danh sách")))
    if not isinstance(successions, list):
        issues.append(ImportIssue("file", 0, "successions", _("phải là một danh sách")))
    if issues:
        raise UnitsImportFailed(issues)
    assert isinstance(units, list)
    assert isinstance(successions, list)
    rows = _parse_units(units, issues)
    pool = _Pool(rows)
    _check_units(rows, pool, issues)
    ordered = _ordered(rows, issues)
    parsed_successions = _parse_successions(successions, pool, issues)
    if issues:
        issues.sort(key=lambda i: ({"file": 0, "units": 1, "successions": 2}[i.section], i.row))
        raise UnitsImportFailed(issues)
    return ordered, parsed_successions


def _saved(item: Unit | _Row) -> Unit:
    if isinstance(item, _Row):
        saved = item.existing if item.existing is not None else item.unit
        assert saved.pk is not None, "parents are saved before their children"
        return saved
    return item


@transaction.atomic
def units_import(*, data: Any) -> UnitsImportResult:
    """Validate ``data`` (the parsed JSON) completely, then create or update units and successions.

    Raises ``UnitsImportFailed`` (nothing written) listing every error.
    """
    if isinstance(data, dict) and isinstance(data.get("units"), list):
        for code in sorted({str(r.get("code")) for r in data["units"] if isinstance(r, dict)}):
            lock_unit_code(code)
    rows, successions = _validate(data)
    result = UnitsImportResult()
    for row in rows:
        parent = _saved(row.parent) if row.parent is not None else None
        row.unit.parent = parent
        if row.existing is None:
            row.unit.save()
            result.units_created += 1
            result.changed_codes.append(row.unit.code)
            continue
        existing = row.existing
        changed = [name for name in _UPDATABLE if getattr(existing, name) != getattr(row.unit, name)]
        if changed:
            for name in changed:
                setattr(existing, name, getattr(row.unit, name))
            existing.save(update_fields=[*changed])
            result.units_updated += 1
            result.changed_codes.append(existing.code)
        else:
            result.units_unchanged += 1

    existing_successions = {(s.predecessor_id, s.successor_id): s for s in UnitSuccession.objects.all()}
    for succession in successions:
        predecessor, successor = _saved(succession.predecessor), _saved(succession.successor)
        current = existing_successions.get((predecessor.pk, successor.pk))
        if current is None:
            UnitSuccession.objects.create(
                predecessor=predecessor, successor=successor, effective_date=succession.effective_date
            )
            result.successions_created += 1
        elif current.effective_date != succession.effective_date:
            current.effective_date = succession.effective_date
            current.save(update_fields=["effective_date"])
            result.successions_updated += 1
        else:
            result.successions_unchanged += 1
    return result
