"""Reading and validating catalog files (JSON and .xlsx) into typed specs.

Both formats are documented in docs/catalog.md. Parsing never touches the database; ``validate_against_db``
checks what needs it (fields, unit codes at the version's ``valid_from``, overlaps with stored versions).
Every problem becomes a ``RowError`` rendered as ``row N, field F: reason`` (prefixed by the sheet for
.xlsx, by the list for the JSON ``fields`` list). The caller imports nothing if there is any error.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import Q

from motcua.core.formschema import schema_problems
from motcua.core.importing import ImportFailed, ImportProblem
from motcua.core.xlsx import cell_text
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Unit
from motcua.worktime.constants import LimitUnit

from .constants import VERSION_ATTRS, ComponentKind, OnlineMode, PublicationStatus, SupplementRule
from .models import Field, ProcedureVersion

FORMAT_NAME = "motcua.catalog"
FORMAT_VERSION = 1
HOURS_PER_DAY = 8
STEP_ROLES = (Role.OFFICER, Role.SPECIALIST, Role.LEADER)

SHEETS = ("fields", "procedures", "versions", "components", "fees", "steps")
SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    "fields": ("code", "name"),
    "procedures": ("code", "name", "field"),
    "versions": ("procedure", "version", *VERSION_ATTRS, "units"),
    "components": ("procedure", "version", "order", "name", "kind", "count", "required", "template_file"),
    "fees": ("procedure", "version", "order", "name", "amount_vnd", "exemptions"),
    "steps": ("procedure", "version", "order", "name", "role", "unit_level", "budget_hours"),
}


# --------------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Loc:
    """Where an item came from: ``row`` (1-based), an optional sheet/list name and a JSON path prefix."""

    row: int
    sheet: str = ""
    path: str = ""

    def child(self, path: str) -> Loc:
        return Loc(row=self.row, sheet=self.sheet, path=f"{self.path}{path}")


@dataclass(frozen=True)
class RowError:
    loc: Loc
    field: str
    reason: str

    def __str__(self) -> str:
        prefix = f"{self.loc.sheet}, " if self.loc.sheet else ""
        where = f"{self.loc.path}{self.field}".rstrip(".")
        field_part = f", field {where}" if where else ""
        return f"{prefix}row {self.loc.row}{field_part}: {self.reason}"

    def problem(self) -> ImportProblem:
        field_name = f"{self.loc.path}{self.field}".rstrip(".")
        sheet = self.loc.sheet.removeprefix("sheet ")
        return ImportProblem(self.loc.row, field_name, self.reason, sheet=sheet, message=str(self))


class Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, loc: Loc, field_name: str, reason: str) -> None:
        self.items.append(RowError(loc, field_name, reason))

    def __bool__(self) -> bool:
        return bool(self.items)


# ---------------------------------------------------------------------------------------------- specs


@dataclass
class FieldSpec:
    code: str
    name: str
    loc: Loc


@dataclass
class ComponentSpec:
    order: int
    name: str
    kind: str
    count: int
    required: bool
    template_file: str


@dataclass
class FeeSpec:
    order: int
    name: str
    amount_vnd: int
    exemptions: str


@dataclass
class StepSpec:
    order: int
    name: str
    role: str
    unit_level: str
    budget_hours: Decimal


@dataclass
class VersionSpec:
    version: int
    status: str
    valid_from: dt.date
    valid_to: dt.date | None
    name: str
    level: str
    implementing_agency: str
    legal_basis: str
    time_limit_value: int
    time_limit_unit: str
    online_mode: str
    min_eid_level: int
    supplement_rule: str
    online_fee_percent: int
    result_documents: list[Any]
    form_fields: list[Any]
    notes: str
    unit_codes: list[str]
    components: list[ComponentSpec]
    fees: list[FeeSpec]
    steps: list[StepSpec]
    loc: Loc
    unit_ids: list[int] = field(default_factory=list)  # resolved by validate_against_db


@dataclass
class ProcedureSpec:
    code: str
    name: str
    field_code: str
    versions: list[VersionSpec]
    loc: Loc


@dataclass
class CatalogSpec:
    fields: list[FieldSpec]
    procedures: list[ProcedureSpec]


class CatalogFileInvalid(ImportFailed):
    """The file has errors; ``errors`` lists them all (nothing was imported)."""

    code = "invalid_catalog"

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(
            f"Tệp danh mục thủ tục có {len(self.errors)} lỗi; không có dữ liệu nào được nhập.",
            [e.problem() for e in self.errors],
        )


# --------------------------------------------------------------------------------------- value parsing

_MISSING = object()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    """Typed access to one raw item (a JSON object or an xlsx row as a dict), recording errors."""

    def __init__(self, data: dict[str, Any], loc: Loc, errors: Errors) -> None:
        self.data = data
        self.loc = loc
        self.errors = errors
        self.ok = True

    def _fail(self, name: str, reason: str) -> None:
        self.ok = False
        self.errors.add(self.loc, name, reason)

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def text(
        self, name: str, *, required: bool = False, max_length: int | None = None, default: str = ""
    ) -> str:
        value = self.data.get(name)
        if _blank(value):
            if required:
                self._fail(name, "required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._fail(name, "must be text")
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if "\x00" in text:
            self._fail(name, "contains a NUL character")
            return default
        if max_length is not None and len(text) > max_length:
            self._fail(name, f"longer than {max_length} characters")
        return text

    def choice(self, name: str, choices: Iterable[str], *, required: bool = True, default: str = "") -> str:
        allowed = [str(c) for c in choices]
        value = self.text(name, required=required, default=default)
        if value and value not in allowed:
            self._fail(name, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def integer(
        self, name: str, *, required: bool = True, minimum: int = 0, maximum: int = 32767, default: int = 0
    ) -> int:
        value = self.data.get(name)
        if _blank(value):
            if required:
                self._fail(name, "required")
            return default
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if number is None:
            self._fail(name, f"{value!r} is not a whole number")
            return default
        if number < minimum:
            self._fail(name, f"must be at least {minimum}")
        elif number > maximum:
            self._fail(name, f"must be at most {maximum}")
            return default
        return number

    def decimal(self, name: str) -> Decimal:
        value = self.data.get(name)
        if _blank(value):
            self._fail(name, "required")
            return Decimal(0)
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self._fail(name, f"{value!r} is not a number")
            return Decimal(0)
        if not number.is_finite() or number <= 0:
            self._fail(name, "must be a positive number")
        elif number != number.quantize(Decimal("0.01")) or number >= 10000:
            self._fail(name, "at most 2 decimal places and below 10000")
        return number

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self.data.get(name)
        if _blank(value):
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            folded = value.strip().lower()
            if folded in ("true", "yes", "1", "có", "x"):
                return True
            if folded in ("false", "no", "0", "không"):
                return False
        self._fail(name, f"{value!r} is not true/false")
        return default

    def date(self, name: str, *, required: bool) -> dt.date | None:
        value = self.data.get(name)
        if _blank(value):
            if required:
                self._fail(name, "required")
            return None
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0, 0):
                self._fail(name, "must be a date without a time")
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self._fail(name, f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def json_list(self, name: str) -> list[Any]:
        value = self.data.get(name)
        if _blank(value):
            return []
        if isinstance(value, str):  # xlsx cells hold JSON text
            try:
                value = json.loads(value)
            except ValueError:
                self._fail(name, "is not valid JSON")
                return []
        if not isinstance(value, list):
            self._fail(name, "must be a list")
            return []
        if "\\u0000" in json.dumps(value):
            self._fail(name, "contains a NUL character")
            return []
        return value

    def text_list(self, name: str) -> list[str]:
        """A list of strings: a JSON list, or one item per line in an xlsx cell."""
        value = self.data.get(name)
        if _blank(value):
            return []
        if isinstance(value, str):
            return [line.strip() for line in value.splitlines() if line.strip()]
        if isinstance(value, list) and all(
            isinstance(v, str) and v.strip() and "\x00" not in v for v in value
        ):
            return [v.strip() for v in value]
        self._fail(name, "must be a list of non-empty texts")
        return []

    def codes(self, name: str) -> list[str]:
        """Unit codes: a JSON list, or codes separated by commas/spaces/new lines in an xlsx cell."""
        value = self.data.get(name)
        if _blank(value):
            return []
        items: list[Any]
        if isinstance(value, str):
            items = value.replace(",", " ").replace(";", " ").split()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            items = [value]
        elif isinstance(value, list):
            items = value
        else:
            self._fail(name, "must be a list of unit codes")
            return []
        result: list[str] = []
        for item in items:
            if isinstance(item, float) and item.is_integer():
                item = int(item)
            if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
                self._fail(name, f"{item!r} is not a unit code")
                continue
            code = str(item).strip()
            if "\x00" in code or len(code) > 32:
                self._fail(name, f"{code[:40]!r} is not a unit code")
                continue
            if code in result:
                self._fail(name, f"unit code {code} is listed twice")
                continue
            result.append(code)
        return result


# ------------------------------------------------------------------------------------- item cleaning


def limit_hours(value: int, unit: str) -> Decimal:
    """The time limit in working hours: days × 8, hours as is, same day = 8."""
    if unit == LimitUnit.SAME_DAY:
        return Decimal(HOURS_PER_DAY)
    if unit == LimitUnit.DAYS:
        return Decimal(value * HOURS_PER_DAY)
    return Decimal(value)


def _clean_field(data: Any, loc: Loc, errors: Errors) -> FieldSpec | None:
    if not isinstance(data, dict):
        errors.add(loc, "", "must be an object")
        return None
    r = _Reader(data, loc, errors)
    code = r.text("code", required=True, max_length=32)
    name = r.text("name", required=True, max_length=255)
    return FieldSpec(code=code, name=name, loc=loc) if r.ok else None


def _clean_component(data: dict[str, Any], loc: Loc, errors: Errors, order: int) -> ComponentSpec:
    r = _Reader(data, loc, errors)
    return ComponentSpec(
        order=order,
        name=r.text("name", required=True, max_length=500),
        kind=r.choice("kind", ComponentKind.values, required=False, default=ComponentKind.ORIGINAL),
        count=r.integer("count", required=False, minimum=1, default=1),
        required=r.boolean("required", default=True),
        template_file=r.text("template_file", max_length=255),
    )


def _clean_fee(data: dict[str, Any], loc: Loc, errors: Errors, order: int) -> FeeSpec:
    r = _Reader(data, loc, errors)
    return FeeSpec(
        order=order,
        name=r.text("name", required=True, max_length=255),
        amount_vnd=r.integer("amount_vnd", minimum=0, maximum=10**15),
        exemptions=r.text("exemptions"),
    )


def _clean_step(data: dict[str, Any], loc: Loc, errors: Errors, order: int) -> StepSpec:
    r = _Reader(data, loc, errors)
    return StepSpec(
        order=order,
        name=r.text("name", required=True, max_length=255),
        role=r.choice("role", STEP_ROLES),
        unit_level=r.choice("unit_level", Level.values),
        budget_hours=r.decimal("budget_hours"),
    )


def _clean_version(
    data: dict[str, Any],
    loc: Loc,
    errors: Errors,
    *,
    procedure_name: str,
    components: list[ComponentSpec],
    fees: list[FeeSpec],
    steps: list[StepSpec],
    steps_loc: Loc,
) -> VersionSpec | None:
    r = _Reader(data, loc, errors)
    version = r.integer("version", minimum=1)
    status = r.choice("status", PublicationStatus.values, required=False, default=PublicationStatus.DRAFT)
    valid_from = r.date("valid_from", required=True)
    valid_to = r.date("valid_to", required=False)
    if valid_from and valid_to and valid_to < valid_from:
        r._fail("valid_to", f"{valid_to.isoformat()} is before valid_from {valid_from.isoformat()}")
    name = r.text("name", max_length=500) or procedure_name
    level = r.choice("level", Level.values)
    limit_unit = r.choice("time_limit_unit", LimitUnit.values)
    limit_value = r.integer("time_limit_value", minimum=0)
    if limit_unit == LimitUnit.SAME_DAY and limit_value != 0:
        r._fail("time_limit_value", "must be 0 when time_limit_unit is same_day")
    elif (
        limit_unit in (LimitUnit.DAYS, LimitUnit.HOURS)
        and limit_value == 0
        and not _blank(r.raw("time_limit_value"))
    ):
        r._fail("time_limit_value", "must be at least 1 (use time_limit_unit same_day for 0)")
    online_mode = r.choice("online_mode", OnlineMode.values)
    min_eid = r.integer("min_eid_level", required=False, minimum=1, default=1)
    if min_eid not in (1, 2):
        r._fail("min_eid_level", f"{min_eid} is not 1 or 2")
    supplement_rule = r.choice(
        "supplement_rule", SupplementRule.values, required=False, default=SupplementRule.RESET
    )
    online_fee_percent = r.integer("online_fee_percent", required=False, minimum=0, maximum=100, default=100)
    spec = VersionSpec(
        version=version,
        status=status,
        valid_from=valid_from or dt.date.min,
        valid_to=valid_to,
        name=name,
        level=level,
        implementing_agency=r.text("implementing_agency", max_length=500),
        legal_basis=r.text("legal_basis"),
        time_limit_value=limit_value,
        time_limit_unit=limit_unit,
        online_mode=online_mode,
        min_eid_level=min_eid,
        supplement_rule=supplement_rule,
        online_fee_percent=online_fee_percent,
        result_documents=r.text_list("result_documents"),
        form_fields=_form_fields(r),
        notes=r.text("notes"),
        unit_codes=r.codes("units"),
        components=components,
        fees=fees,
        steps=steps,
        loc=loc,
    )
    if steps and limit_unit in LimitUnit.values and r.ok:
        total = sum((s.budget_hours for s in steps), Decimal(0))
        expected = limit_hours(limit_value, limit_unit)
        if total != expected:
            errors.add(
                steps_loc,
                "budget_hours",
                f"step budgets sum to {_fmt_hours(total)} h but the time limit is {_fmt_hours(expected)} "
                "working hours (days × 8; same day = 8)",
            )
            return None
    return spec if r.ok else None


def _fmt_hours(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


# ---------------------------------------------------------------------------------------------- JSON

JSON_KEYS: dict[str, frozenset[str]] = {
    "top": frozenset({"format", "format_version", "fields", "procedures"}),
    "fields": frozenset(SHEET_COLUMNS["fields"]),
    "procedures": frozenset({"code", "name", "field", "versions"}),
    "versions": frozenset(SHEET_COLUMNS["versions"][1:]) | {"components", "fees", "steps"},
    "components": frozenset(SHEET_COLUMNS["components"][3:]),
    "fees": frozenset(SHEET_COLUMNS["fees"][3:]),
    "steps": frozenset(SHEET_COLUMNS["steps"][3:]),
}


def _unknown_keys(data: dict[str, Any], kind: str, loc: Loc, errors: Errors) -> bool:
    """Report keys the format does not know (a typo would otherwise be silently ignored)."""
    unknown = sorted(str(k) for k in data if k not in JSON_KEYS[kind])
    for key in unknown:
        errors.add(loc, key, f"unknown key (expected {', '.join(sorted(JSON_KEYS[kind]))})")
    return not unknown


def parse_json(data: Any) -> tuple[CatalogSpec, Errors]:
    """Parse the JSON document (already decoded) of the motcua catalog format."""
    errors = Errors()
    spec = CatalogSpec(fields=[], procedures=[])
    top = Loc(row=0)
    if not isinstance(data, dict):
        errors.add(top, "", "the file must hold a JSON object with 'fields' and 'procedures'")
        return spec, errors
    _unknown_keys(data, "top", top, errors)
    if data.get("format", FORMAT_NAME) != FORMAT_NAME:
        errors.add(top, "format", f"must be {FORMAT_NAME!r}")
    if data.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        errors.add(top, "format_version", f"must be {FORMAT_VERSION}")
    raw_fields = data.get("fields", [])
    raw_procedures = data.get("procedures")
    if not isinstance(raw_fields, list):
        errors.add(top, "fields", "must be a list")
        raw_fields = []
    if not isinstance(raw_procedures, list):
        errors.add(top, "procedures", "required, must be a list")
        raw_procedures = []
    for i, raw in enumerate(raw_fields, start=1):
        floc = Loc(row=i, sheet="fields")
        f = _clean_field(raw, floc, errors)
        if isinstance(raw, dict) and not _unknown_keys(raw, "fields", floc, errors):
            f = None
        if f:
            spec.fields.append(f)
    for i, raw in enumerate(raw_procedures, start=1):
        loc = Loc(row=i)
        if not isinstance(raw, dict):
            errors.add(loc, "", "must be an object")
            continue
        r = _Reader(raw, loc, errors)
        r.ok = _unknown_keys(raw, "procedures", loc, errors)
        code = r.text("code", required=True, max_length=32)
        name = r.text("name", required=True, max_length=500)
        field_code = r.text("field", required=True, max_length=32)
        versions: list[VersionSpec] = []
        raw_versions = raw.get("versions")
        if not isinstance(raw_versions, list) or not raw_versions:
            r._fail("versions", "required, a non-empty list")
            raw_versions = []
        for j, raw_version in enumerate(raw_versions, start=1):
            vloc = loc.child(f"versions[{j}].")
            if not isinstance(raw_version, dict):
                errors.add(vloc, "", "must be an object")
                continue
            children: dict[str, list[Any]] = {}
            ok = _unknown_keys(raw_version, "versions", vloc, errors)
            for key, cleaner in (
                ("components", _clean_component),
                ("fees", _clean_fee),
                ("steps", _clean_step),
            ):
                items = raw_version.get(key) or []
                if not isinstance(items, list):
                    errors.add(vloc, key, "must be a list")
                    ok = False
                    continue
                before = len(errors.items)
                cleaned = []
                for k, item in enumerate(items, start=1):
                    iloc = vloc.child(f"{key}[{k}].")
                    if not isinstance(item, dict):
                        errors.add(iloc, "", "must be an object")
                        continue
                    _unknown_keys(item, key, iloc, errors)
                    cleaned.append(cleaner(item, iloc, errors, k))
                ok = ok and len(errors.items) == before
                children[key] = cleaned
            version = _clean_version(
                raw_version,
                vloc,
                errors,
                procedure_name=name,
                components=children.get("components", []),
                fees=children.get("fees", []),
                steps=children.get("steps", []),
                steps_loc=vloc.child("steps."),
            )
            if version and ok:
                versions.append(version)
        if r.ok:
            spec.procedures.append(ProcedureSpec(code, name, field_code, versions, loc))
    return spec, errors


# ---------------------------------------------------------------------------------------------- xlsx


def _sheet_rows(workbook: Any, sheet: str, errors: Errors) -> list[tuple[int, dict[str, Any]]]:
    """Rows of ``sheet`` as (Excel row number, {column: value}); the first row holds the column names."""
    if sheet not in workbook.sheetnames:
        if sheet in ("fields", "procedures", "versions"):
            errors.add(Loc(row=1, sheet=f"sheet {sheet}"), "", "the sheet is missing")
        return []
    ws = workbook[sheet]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    known = SHEET_COLUMNS[sheet]
    for index, name in enumerate(names):
        if name and name in names[:index]:
            errors.add(Loc(row=1, sheet=f"sheet {sheet}"), name, "the column appears twice")
        elif name and name not in known:
            errors.add(
                Loc(row=1, sheet=f"sheet {sheet}"), name, f"unknown column (expected {', '.join(known)})"
            )
    for required in ("code",) if sheet in ("fields", "procedures") else ("procedure", "version"):
        if required not in names:
            errors.add(Loc(row=1, sheet=f"sheet {sheet}"), required, "the column is missing")
    result = []
    for number, values in enumerate(rows, start=2):
        if all(_blank(v) for v in values):
            continue
        result.append((number, {n: cell_text(v) for n, v in zip(names, values, strict=False) if n}))
    return result


def _key(reader: _Reader) -> tuple[str, int]:
    return reader.text("procedure", required=True), reader.integer("version", minimum=1)


def parse_xlsx(path: str | Path) -> tuple[CatalogSpec, Errors]:
    """Parse an .xlsx workbook with the sheets fields, procedures, versions, components, fees, steps."""
    import openpyxl

    errors = Errors()
    spec = CatalogSpec(fields=[], procedures=[])
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        errors.add(Loc(row=0), "", f"not a readable .xlsx file ({exc.__class__.__name__})")
        return spec, errors
    try:
        sheets = {name: _sheet_rows(workbook, name, errors) for name in SHEETS}
    finally:
        workbook.close()

    for number, data in sheets["fields"]:
        f = _clean_field(data, Loc(row=number, sheet="sheet fields"), errors)
        if f:
            spec.fields.append(f)

    # Children grouped by (procedure code, version number), each keeping its own row for messages.
    children: dict[str, dict[tuple[str, int], list[Any]]] = {
        k: defaultdict(list) for k in ("components", "fees", "steps")
    }
    child_errors: set[tuple[str, int]] = set()
    child_first_row: dict[tuple[str, int], tuple[str, int]] = {}  # version key -> (sheet, first row)
    for key, cleaner in (("components", _clean_component), ("fees", _clean_fee), ("steps", _clean_step)):
        seen_orders: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
        for number, data in sheets[key]:
            loc = Loc(row=number, sheet=f"sheet {key}")
            before = len(errors.items)
            r = _Reader(data, loc, errors)
            vkey = _key(r)
            if r.ok:
                child_first_row.setdefault(vkey, (key, number))
            order = r.integer("order", minimum=1)
            if r.ok and order in seen_orders[vkey]:
                r._fail("order", f"order {order} already used in row {seen_orders[vkey][order]}")
            seen_orders[vkey][order] = number
            item = cleaner(data, loc, errors, order)
            if len(errors.items) != before:
                child_errors.add(vkey)
            children[key][vkey].append(item)

    versions_by_procedure: dict[str, list[tuple[dict[str, Any], Loc, tuple[str, int]]]] = defaultdict(list)
    version_keys: set[tuple[str, int]] = set()
    for number, data in sheets["versions"]:
        loc = Loc(row=number, sheet="sheet versions")
        r = _Reader(data, loc, errors)
        vkey = _key(r)
        if not r.ok:
            continue
        if vkey in version_keys:
            errors.add(loc, "version", f"procedure {vkey[0]} version {vkey[1]} appears twice")
            continue
        version_keys.add(vkey)
        versions_by_procedure[vkey[0]].append((data, loc, vkey))

    for vkey, (first_kind, number) in sorted(child_first_row.items()):
        if vkey not in version_keys:
            errors.add(
                Loc(row=number, sheet=f"sheet {first_kind}"),
                "version",
                f"no row in sheet versions for procedure {vkey[0]} version {vkey[1]}",
            )

    procedure_codes: set[str] = set()
    for number, data in sheets["procedures"]:
        loc = Loc(row=number, sheet="sheet procedures")
        r = _Reader(data, loc, errors)
        code = r.text("code", required=True, max_length=32)
        name = r.text("name", required=True, max_length=500)
        field_code = r.text("field", required=True, max_length=32)
        procedure_codes.add(code)
        versions: list[VersionSpec] = []
        raw_versions = versions_by_procedure.get(code, [])
        if not raw_versions and code:
            r._fail("code", f"procedure {code} has no row in sheet versions")
        for vdata, vloc, vkey in raw_versions:
            steps = sorted(children["steps"].get(vkey, []), key=lambda s: s.order)
            steps_rows = [n for n, d in sheets["steps"] if _same_key(d, vkey)]
            version = _clean_version(
                vdata,
                vloc,
                errors,
                procedure_name=name,
                components=sorted(children["components"].get(vkey, []), key=lambda c: c.order),
                fees=sorted(children["fees"].get(vkey, []), key=lambda f: f.order),
                steps=steps,
                steps_loc=Loc(row=min(steps_rows), sheet="sheet steps") if steps_rows else vloc,
            )
            if version and vkey not in child_errors:
                versions.append(version)
        if r.ok:
            spec.procedures.append(ProcedureSpec(code, name, field_code, versions, loc))
    for code, raw_versions in versions_by_procedure.items():
        if code not in procedure_codes:
            for _, vloc, _ in raw_versions:
                errors.add(vloc, "procedure", f"no row in sheet procedures for code {code}")
    return spec, errors


def _same_key(data: dict[str, Any], vkey: tuple[str, int]) -> bool:
    version = data.get("version")
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version.strip())
    procedure = data.get("procedure")
    if isinstance(procedure, float) and procedure.is_integer():
        procedure = int(procedure)
    return str(procedure or "").strip() == vkey[0] and version == vkey[1]


# ----------------------------------------------------------------------------------- file-level checks


def _overlaps(a_from: dt.date, a_to: dt.date | None, b_from: dt.date, b_to: dt.date | None) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def validate_consistency(spec: CatalogSpec, errors: Errors) -> None:
    """Checks across items of the file: duplicates and overlapping versions of one procedure."""
    seen_fields: dict[str, Loc] = {}
    seen_field_names: dict[str, Loc] = {}
    for f in spec.fields:
        if f.code in seen_fields:
            errors.add(f.loc, "code", f"field code {f.code} appears twice (row {seen_fields[f.code].row})")
        if f.name in seen_field_names:
            errors.add(f.loc, "name", f"field name {f.name!r} appears twice")
        seen_fields.setdefault(f.code, f.loc)
        seen_field_names.setdefault(f.name, f.loc)
    seen_procedures: dict[str, Loc] = {}
    for p in spec.procedures:
        if p.code in seen_procedures:
            errors.add(p.loc, "code", f"procedure {p.code} appears twice (row {seen_procedures[p.code].row})")
        seen_procedures.setdefault(p.code, p.loc)
        numbers: set[int] = set()
        for v in p.versions:
            if v.version in numbers:
                errors.add(v.loc, "version", f"version {v.version} of procedure {p.code} appears twice")
            numbers.add(v.version)


def validate_against_db(spec: CatalogSpec, errors: Errors) -> None:
    """Checks that need the database: field codes, unit codes as of ``valid_from``, overlapping versions.

    Resolves ``VersionSpec.unit_ids``. Few queries: one per distinct ``valid_from`` for units.
    """
    file_fields = {f.code: f for f in spec.fields}
    db_fields = dict(Field.objects.values_list("code", "name"))
    db_field_codes_by_name = {name: code for code, name in db_fields.items()}
    for f in spec.fields:
        other = db_field_codes_by_name.get(f.name)
        if other is not None and other != f.code and other not in file_fields:
            errors.add(f.loc, "name", f"the field {f.name!r} already exists with code {other}")
    for p in spec.procedures:
        if p.field_code not in file_fields and p.field_code not in db_fields:
            errors.add(p.loc, "field", f"unknown field code {p.field_code!r}")

    # Units: a code names a unit only at a date (codes are reused across the 2025 reform).
    codes_by_day: dict[dt.date, set[str]] = defaultdict(set)
    for p in spec.procedures:
        for v in p.versions:
            codes_by_day[v.valid_from].update(v.unit_codes)
    resolved: dict[dt.date, dict[str, list[int]]] = {}
    for day, codes in codes_by_day.items():
        found: dict[str, list[int]] = defaultdict(list)
        rows = (
            Unit.objects.filter(code__in=sorted(codes))
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values_list("code", "pk")
        )
        for code, pk in rows:
            found[code].append(pk)
        resolved[day] = found
    for p in spec.procedures:
        for v in p.versions:
            ids: list[int] = []
            for code in v.unit_codes:
                pks = resolved[v.valid_from].get(code, [])
                if len(pks) != 1:
                    errors.add(
                        v.loc,
                        "units",
                        f"no unit with code {code} on {v.valid_from.isoformat()}"
                        if not pks
                        else f"unit code {code} is ambiguous on {v.valid_from.isoformat()}",
                    )
                    continue
                ids.append(pks[0])
            v.unit_ids = ids

    # Overlaps among non-draft versions, the stored ones included (a file version replaces its stored twin).
    stored: dict[str, list[tuple[int, str, dt.date, dt.date | None]]] = defaultdict(list)
    for row in ProcedureVersion.objects.filter(
        procedure__code__in=[p.code for p in spec.procedures]
    ).values_list("procedure__code", "version", "status", "valid_from", "valid_to"):
        stored[row[0]].append(row[1:])
    for p in spec.procedures:
        in_file = {v.version for v in p.versions}
        periods: list[tuple[int, dt.date, dt.date | None, VersionSpec | None]] = [
            (number, vf, vt, None)
            for number, status, vf, vt in stored.get(p.code, [])
            if number not in in_file and status != PublicationStatus.DRAFT
        ]
        for v in sorted(p.versions, key=lambda v: v.version):
            if v.status == PublicationStatus.DRAFT:
                continue
            for number, vf, vt, _ in periods:
                if _overlaps(v.valid_from, v.valid_to, vf, vt):
                    errors.add(
                        v.loc,
                        "valid_from",
                        f"version {v.version} ({_period(v.valid_from, v.valid_to)}) overlaps version {number} "
                        f"({_period(vf, vt)}) of procedure {p.code}",
                    )
                    break
            periods.append((v.version, v.valid_from, v.valid_to, v))


def _period(start: dt.date, end: dt.date | None) -> str:
    return f"{start.isoformat()}..{end.isoformat() if end else 'open'}"


def read_catalog_file(path: str | Path) -> CatalogSpec:
    """Parse and validate ``path`` (.json or .xlsx); raises ``CatalogFileInvalid`` with every error."""
    path = Path(path)
    errors = Errors()
    if path.suffix.lower() == ".xlsx":
        spec, errors = parse_xlsx(path)
    elif path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CatalogFileInvalid([RowError(Loc(row=0), "", f"cannot read the JSON file: {exc}")]) from exc
        spec, errors = parse_json(data)
    else:
        raise CatalogFileInvalid([RowError(Loc(row=0), "", "the file must end in .json or .xlsx")])
    validate_consistency(spec, errors)
    validate_against_db(spec, errors)
    if errors:
        raise CatalogFileInvalid(errors.items)
    return spec


def spec_from_data(data: Any) -> CatalogSpec:
    """Parse and validate an already decoded JSON document (the demo catalog)."""
    spec, errors = parse_json(data)
    validate_consistency(spec, errors)
    validate_against_db(spec, errors)
    if errors:
        raise CatalogFileInvalid(errors.items)
    return spec


def _form_fields(r: _Reader) -> list[Any]:
    """The version's e-form schema (``core.formschema``): each problem names the field's path."""
    schema = r.json_list("form_fields")
    for path, reason in schema_problems(schema):
        r._fail("form_fields", f"{path}: {reason}")
    return schema
