"""Import of historical dossiers from a legacy system (``motcua import-dossiers FILE``, docs/reports.md).

A legacy row is *history*, not a transition: the dossier is created directly in its final state with
``Dossier(status=..., ...)`` and ``bulk_create`` (no lifecycle, no events, no notifications). Its
classification (early / on time / late) is computed once here with ``worktime.calendar.classify`` and stored.

Every row is validated first; any error aborts the whole import (``LegacyImportInvalid`` lists them all, each
with its row number, column and reason). Unit and procedure codes are resolved as of the dossier's receipt
day (codes are reused across the 2025 reform); the lookups are cached in memory so 100,000 rows take seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from openpyxl.utils.exceptions import InvalidFileException

from motcua.catalog.constants import PublicationStatus
from motcua.catalog.models import ProcedureVersion
from motcua.core import clock, formatting
from motcua.core.clock import VN_TZ
from motcua.core.importing import ImportFailed, ImportProblem
from motcua.organisations.models import Unit
from motcua.worktime.calendar import WorkCalendar, classify
from motcua.worktime.constants import Classification, LimitUnit

from .constants import Channel, Status
from .models import Dossier

COLUMNS: tuple[str, ...] = (
    "code",
    "procedure_code",
    "unit_code",
    "channel",
    "applicant_name",
    "applicant_id",
    "received_at",
    "statutory_due_at",
    "finished_at",
    "returned_at",
    "final_state",
    "supplement_requests",
)

# final_state in the file -> (status, outcome for the classification)
FINAL_STATES: dict[str, tuple[str, str]] = {
    "processing": (Status.PROCESSING, ""),
    "resolved": (Status.RESOLVED, "resolved"),
    "returned": (Status.RETURNED, "resolved"),
    "refused": (Status.NOT_RECEIVED, "refused"),
    "withdrawn": (Status.STOPPED, "withdrawn"),
    "stopped": (Status.STOPPED, "stopped"),
}
_CLOSING_STATES = frozenset({"refused", "withdrawn", "stopped"})
_CHANNELS = {str(int(c)): int(c) for c in Channel}
_DAY_FIRST_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
BATCH_SIZE = 5000


@dataclass(frozen=True)
class ImportRowError:
    row: int  # the line of the file (the header is row 1)
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row <= 0:  # the file as a whole (unreadable)
            return f"file: {self.reason}"
        column = f", column {self.column}" if self.column else ""
        return f"row {self.row}{column}: {self.reason}"

    def problem(self) -> ImportProblem:
        return ImportProblem(max(self.row, 0), self.column, self.reason, message=str(self))


class LegacyImportInvalid(ImportFailed):
    """The file has errors; ``errors`` lists them all (nothing was imported)."""

    code = "invalid_legacy_dossiers"

    def __init__(self, errors: Iterable[ImportRowError]) -> None:
        self.errors = list(errors)
        super().__init__(
            f"Tệp hồ sơ có {len(self.errors)} lỗi; không có hồ sơ nào được nhập.",
            [e.problem() for e in self.errors],
        )


@dataclass
class LegacyImportResult:
    created: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.by_state.items()))
        return f"{self.created} dossier(s) imported ({states})." if self.created else "0 dossiers imported."


# ------------------------------------------------------------------------------------------------ reading


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value
    return str(value).strip()


def read_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)`` of a .csv (UTF-8, comma or semicolon) or .xlsx (first sheet), header first."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
            for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                yield number, [c.strip() for c in cells]
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell(v) for v in values]
        finally:
            workbook.close()
    else:
        raise ValueError(f"unsupported file type {suffix!r} (use .csv or .xlsx)")


def parse_instant(value: Any) -> dt.datetime:
    """An aware datetime from text or a spreadsheet value; naive times are Asia/Ho_Chi_Minh."""
    if isinstance(value, dt.datetime):
        instant = value
    elif isinstance(value, dt.date):
        instant = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        try:
            instant = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DAY_FIRST_FORMATS:
                try:
                    instant = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(
                    f"{text!r} is not a date and time (YYYY-MM-DD HH:MM[:SS] or DD/MM/YYYY HH:MM[:SS])"
                ) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=VN_TZ)
    return instant


# ---------------------------------------------------------------------------------------------- resolving


class _UnitResolver:
    """Unit id for a code as of a day; all units are read once."""

    def __init__(self) -> None:
        self._by_code: dict[str, list[tuple[dt.date | None, dt.date | None, int]]] = {}
        for pk, code, valid_from, valid_to in Unit.objects.values_list(
            "pk", "code", "valid_from", "valid_to"
        ):
            self._by_code.setdefault(code, []).append((valid_from, valid_to, pk))
        self._cache: dict[tuple[str, dt.date], int | None] = {}

    def resolve(self, code: str, day: dt.date) -> int | None:
        key = (code, day)
        if key not in self._cache:
            self._cache[key] = next(
                (
                    pk
                    for valid_from, valid_to, pk in self._by_code.get(code, ())
                    if (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)
                ),
                None,
            )
        return self._cache[key]


@dataclass(frozen=True)
class _Version:
    pk: int
    limit: int
    unit: str


class _VersionResolver:
    """The procedure version valid on a day (published or since retired: history), newest first."""

    def __init__(self, codes: Iterable[str]) -> None:
        self._by_code: dict[str, list[tuple[dt.date, dt.date | None, _Version]]] = {}
        rows = (
            ProcedureVersion.objects.filter(
                procedure__code__in=set(codes),
                status__in=[PublicationStatus.PUBLISHED, PublicationStatus.RETIRED],
            )
            .order_by("-valid_from", "-version")
            .values_list(
                "pk", "procedure__code", "valid_from", "valid_to", "time_limit_value", "time_limit_unit"
            )
        )
        for pk, code, valid_from, valid_to, limit, unit in rows:
            self._by_code.setdefault(code, []).append((valid_from, valid_to, _Version(pk, limit, unit)))
        self._cache: dict[tuple[str, dt.date], _Version | None] = {}

    def resolve(self, code: str, day: dt.date) -> _Version | None:
        key = (code, day)
        if key not in self._cache:
            self._cache[key] = next(
                (
                    v
                    for valid_from, valid_to, v in self._by_code.get(code, ())
                    if valid_from <= day and (valid_to is None or day <= valid_to)
                ),
                None,
            )
        return self._cache[key]


# --------------------------------------------------------------------------------------------- validating


class _Row:
    """Typed access to one data row, recording errors."""

    def __init__(self, number: int, data: dict[str, Any], errors: list[ImportRowError]) -> None:
        self.number = number
        self.data = data
        self.errors = errors
        self.ok = True

    def fail(self, column: str, reason: str) -> None:
        self.ok = False
        self.errors.append(ImportRowError(self.number, column, reason))

    def text(self, column: str, *, required: bool = False, max_length: int = 255) -> str:
        value = self.data.get(column, "")
        text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if not text:
            if required:
                self.fail(column, "required")
            return ""
        if "\x00" in text:
            self.fail(column, "contains a NUL character")
            return ""
        if len(text) > max_length:
            self.fail(column, f"longer than {max_length} characters")
        return text

    def instant(self, column: str, *, required: bool = False) -> dt.datetime | None:
        value = self.data.get(column, "")
        if value == "" or value is None:
            if required:
                self.fail(column, "required")
            return None
        try:
            return parse_instant(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def integer(self, column: str, *, maximum: int = 32767) -> int:
        text = self.text(column)
        if not text:
            return 0
        if not text.isdigit() or int(text) > maximum:
            self.fail(column, f"{text!r} is not an integer between 0 and {maximum}")
            return 0
        return int(text)


def _validate(
    number: int,
    data: dict[str, Any],
    *,
    errors: list[ImportRowError],
    units: _UnitResolver,
    versions: _VersionResolver,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> Dossier | None:
    row = _Row(number, data, errors)
    code = row.text("code", required=True, max_length=64)
    procedure_code = row.text("procedure_code", required=True, max_length=32)
    unit_code = row.text("unit_code", required=True, max_length=32)
    channel_text = row.text("channel", required=True)
    channel = _CHANNELS.get(channel_text)
    if channel_text and channel is None:
        row.fail("channel", f"{channel_text!r} is not 1 (counter), 2 (online) or 3 (post)")
    applicant_name = row.text("applicant_name", required=True, max_length=255)
    applicant_id = row.text("applicant_id", max_length=14)
    received = row.instant("received_at", required=True)
    statutory_due = row.instant("statutory_due_at")
    finished = row.instant("finished_at")
    returned = row.instant("returned_at")
    state = row.text("final_state", required=True).lower()
    if state and state not in FINAL_STATES:
        row.fail("final_state", f"{state!r} is not one of {', '.join(FINAL_STATES)}")
    supplements = row.integer("supplement_requests")

    for column, value in (("received_at", received), ("finished_at", finished), ("returned_at", returned)):
        if value is not None and value > now:
            row.fail(column, "is in the future")
    if received is not None:
        for column, value in (("finished_at", finished), ("returned_at", returned)):
            if value is not None and value < received:
                row.fail(column, "is before received_at")
        if statutory_due is not None and statutory_due < received:
            row.fail("statutory_due_at", "is before received_at")
    if finished is not None and returned is not None and returned < finished:
        row.fail("returned_at", "is before finished_at")
    if state == "processing":
        for column, value in (("finished_at", finished), ("returned_at", returned)):
            if value is not None:
                row.fail(column, "must be empty for a dossier still processing")
    elif state == "resolved":
        if finished is None:
            row.fail("finished_at", "required for a resolved dossier")
        if returned is not None:
            row.fail("returned_at", "must be empty for a resolved dossier (use final_state returned)")
    elif state == "returned":
        if returned is None:
            row.fail("returned_at", "required for a returned dossier")
    elif state in _CLOSING_STATES:
        if finished is None:
            row.fail("finished_at", f"required for a {state} dossier (the time it was closed)")
        if returned is not None:
            row.fail("returned_at", f"must be empty for a {state} dossier")

    unit_id = version = None
    if received is not None:
        day = received.astimezone(VN_TZ).date()
        if unit_code:
            unit_id = units.resolve(unit_code, day)
            if unit_id is None:
                row.fail("unit_code", f"no unit has code {unit_code} on {formatting.day(day)}")
        if procedure_code:
            version = versions.resolve(procedure_code, day)
            if version is None:
                row.fail(
                    "procedure_code",
                    f"no version of procedure {procedure_code} in force on {formatting.day(day)}",
                )
    if received is not None and statutory_due is None and version is not None:
        try:
            statutory_due = calendar.due(received, version.limit, LimitUnit(version.unit))
        except ValueError as exc:
            row.fail("statutory_due_at", f"cannot be computed from the procedure's time limit: {exc}")
    if not row.ok or version is None or unit_id is None or channel is None or received is None:
        return None

    status, outcome = FINAL_STATES[state]
    end = finished if state != "returned" else (finished or returned)
    classification = ""
    if end is not None and statutory_due is not None:
        classification = str(
            classify(
                finished_at=end, statutory_due=statutory_due, supplement_requests=supplements, outcome=outcome
            )
        )
    elif end is not None:
        classification = str(Classification.ON_TIME)
    closing = state in _CLOSING_STATES
    if state == "refused":
        # A refusal to receive (Mẫu 03) is stored as the lifecycle's ``refuse`` leaves a dossier: submitted, never
        # received, no due time. So a refusal counts the same live or imported: in no report (docs/reports.md).
        return Dossier(
            code=code,
            procedure_version_id=version.pk,
            unit_id=unit_id,
            channel=channel,
            applicant_name=applicant_name,
            applicant_id_number=applicant_id,
            status=status,
            submitted_at=received,
            closed_at=finished,
            supplement_requests=supplements,
            classification=str(Classification.ON_TIME),
        )
    return Dossier(
        code=code,
        procedure_version_id=version.pk,
        unit_id=unit_id,
        channel=channel,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id,
        status=status,
        submitted_at=received if channel == Channel.ONLINE else None,
        received_at=received,
        due_at=statutory_due,
        statutory_due_at=statutory_due,
        finished_at=None if closing else finished,
        returned_at=returned,
        closed_at=finished if closing else None,
        supplement_requests=supplements,
        classification=classification,
    )


def legacy_dossiers_validate(rows: Iterable[tuple[int, list[Any]]]) -> list[Dossier]:
    """Unsaved dossiers for every data row; raises ``LegacyImportInvalid`` with every error found."""
    from motcua.worktime.services import get_calendar

    errors: list[ImportRowError] = []
    iterator = iter(rows)
    header_row = next(iterator, None)
    if header_row is None:
        raise LegacyImportInvalid([ImportRowError(1, "", "the file is empty")])
    header = [str(c).strip().lower() for c in header_row[1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise LegacyImportInvalid([ImportRowError(1, c, "missing column") for c in missing])
    positions = {c: header.index(c) for c in COLUMNS}

    data_rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in iterator:
        if not any(c not in ("", None) for c in cells):
            continue  # blank line
        data_rows.append((number, {c: (cells[i] if i < len(cells) else "") for c, i in positions.items()}))
    if not data_rows:
        raise LegacyImportInvalid([ImportRowError(2, "", "the file has no data rows")])

    units = _UnitResolver()
    versions = _VersionResolver(str(d.get("procedure_code", "")).strip() for _, d in data_rows)
    calendar = get_calendar()
    now = clock.now()
    dossiers: list[Dossier] = []
    first_row_of_code: dict[str, int] = {}
    for number, data in data_rows:
        dossier = _validate(
            number, data, errors=errors, units=units, versions=versions, calendar=calendar, now=now
        )
        code = str(data.get("code", "")).strip()
        if code:
            if code in first_row_of_code:
                errors.append(ImportRowError(number, "code", f"duplicate of row {first_row_of_code[code]}"))
            else:
                first_row_of_code[code] = number
        if dossier is not None:
            dossiers.append(dossier)
    codes = list(first_row_of_code)
    for i in range(0, len(codes), 500):
        for existing in Dossier.objects.filter(code__in=codes[i : i + 500]).values_list("code", flat=True):
            row_number = first_row_of_code[str(existing)]
            errors.append(ImportRowError(row_number, "code", "a dossier with this code exists"))
    if errors:
        raise LegacyImportInvalid(
            sorted(errors, key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
        )
    return dossiers


def _insert(dossiers: list[Dossier], *, batch_size: int) -> None:
    """Insert rows with ``executemany`` (4× faster than ``bulk_create`` on SQLite; primary keys not needed).

    Values go through each field's ``pre_save`` and ``get_db_prep_save``, exactly as ``bulk_create`` does.
    """
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # identifiers come from the model's metadata, quoted; values are parameters
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(str(Dossier._meta.db_table)),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for i in range(0, len(dossiers), batch_size):
            rows = [
                tuple(f.get_db_prep_save(f.pre_save(d, True), connection) for f in fields)
                for d in dossiers[i : i + batch_size]
            ]
            cursor.executemany(sql, rows)


@transaction.atomic
def legacy_dossiers_import(*, path: str | Path, batch_size: int = BATCH_SIZE) -> LegacyImportResult:
    """Import a legacy .csv or .xlsx file: all rows or none (``LegacyImportInvalid``)."""
    file = Path(path)
    try:
        dossiers = legacy_dossiers_validate(read_rows(file))
    except (ValueError, OSError, UnicodeDecodeError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise LegacyImportInvalid([ImportRowError(0, "", f"cannot read {file.name}: {exc}")]) from None
    result = LegacyImportResult()
    _insert(dossiers, batch_size=batch_size)
    result.created = len(dossiers)
    for dossier in dossiers:
        result.by_state[dossier.status] = result.by_state.get(dossier.status, 0) + 1
    return result
