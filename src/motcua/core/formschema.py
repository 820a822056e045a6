"""The typed field schema of a procedure's e-form (``ProcedureVersion.form_fields``, issue 16 item 2).

A schema is a JSON list of fields. Each field::

    {"name": "ho_ten_con", "label": "Họ, chữ đệm và tên của trẻ", "type": "text", "required": true,
     "print_on_receipt": true, "max_length": 200}

Types: ``text`` ``textarea`` ``date`` ``number`` ``select`` (``choices``), ``boolean`` (có/không),
``citizen_id`` (12-digit personal ID number, ``core.citizen_id``), ``phone`` (Vietnamese number),
``email``, ``address`` (street + an administrative unit in force today), ``person`` (a block: name, date
of birth, sex, ID number, ethnicity, nationality, residence; ``parts`` chooses them, ``required_parts``
says which a required block needs, default the name) and ``group`` (repeating rows of ``fields``, with
``min``/``max`` rows; no group inside a group).

Conditional field: ``"when": {"field": "<sibling name>", "equals": "<value>"}``: the field is shown,
validated and required only when the sibling (same level) has that value (``true``/``false`` for a yes/no).

Values (``SubmissionData.answers``): a string for the simple types (ISO dates, plain numbers), a bool for
``boolean``, a dict of parts for ``person`` and ``address`` (``{"chi_tiet", "don_vi", "don_vi_ten"}``), a
list of dicts for ``group``. Form posts are flat: ``name``, ``name__part``, ``name__0__sub`` (see
:func:`answers_from_flat`).

Validation messages are Vietnamese and name the field's label, never its internal name. Invalid schema
items are skipped at run time; the catalog import refuses them (:func:`schema_problems`).

Pure: no database. The address's unit is checked by a callable the caller passes (``unit_lookup``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.core.citizen_id import is_valid_citizen_id

SIMPLE_TYPES = ("text", "textarea", "date", "number", "select", "boolean", "citizen_id", "phone", "email")
FIELD_TYPES = (*SIMPLE_TYPES, "address", "person", "group")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_PHONE = re.compile(r"^(?:\+84|84|0)(?:3|5|7|8|9)\d{8}$|^(?:\+84|84|0)2\d{9}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
SEP = "__"
MAX_ROWS = 50

# The person block's parts: name -> (label, type, choices).
PERSON_PARTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ho_ten": ("Họ, chữ đệm và tên", "text", ()),
    "ngay_sinh": ("Ngày, tháng, năm sinh", "date", ()),
    "gioi_tinh": ("Giới tính", "select", ("Nam", "Nữ")),
    "so_dinh_danh": ("Số định danh cá nhân", "citizen_id", ()),
    "dan_toc": ("Dân tộc", "text", ()),
    "quoc_tich": ("Quốc tịch", "text", ()),
    "noi_cu_tru": ("Nơi cư trú", "text", ()),
}
ADDRESS_PARTS: dict[str, str] = {
    "chi_tiet": "Số nhà, đường/thôn, tổ",
    "don_vi": "Xã, phường, đặc khu",
}
YES, NO = "true", "false"

DEFAULT_FIELDS: list[dict[str, Any]] = [
    {
        "name": "noi_dung",
        "label": "Nội dung yêu cầu",
        "type": "textarea",
        "required": True,
        "max_length": 4000,
    }
]

UnitLookup = Callable[[str], str | None]  # unit code -> its name if in force today, else None


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = field(default_factory=tuple)
    max_length: int = 500
    print_on_receipt: bool = False
    when: tuple[str, str] | None = None  # (sibling name, value as text)
    children: tuple[FormField, ...] = field(default_factory=tuple)  # group rows' fields
    min_items: int = 0
    max_items: int = 10
    parts: tuple[str, ...] = field(default_factory=tuple)  # person parts
    required_parts: tuple[str, ...] = field(default_factory=tuple)

    def part_fields(self) -> list[FormField]:
        """The person block's or the address's parts as plain fields (labels as shown)."""
        if self.type == "person":
            return [
                FormField(
                    name=p,
                    label=PERSON_PARTS[p][0],
                    type=PERSON_PARTS[p][1],
                    choices=PERSON_PARTS[p][2],
                    required=p in self.required_parts,
                    max_length=200,
                )
                for p in self.parts
            ]
        if self.type == "address":
            return [
                FormField(name="chi_tiet", label=ADDRESS_PARTS["chi_tiet"], required=self.required),
                FormField(name="don_vi", label=ADDRESS_PARTS["don_vi"], required=self.required),
            ]
        return []


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    return "" if value is None else str(value).strip()


def _problems(items: Any, path: str, *, in_group: bool) -> list[tuple[str, str]]:
    """``(field path, reason)`` of each problem of a schema list (English: the import's reason style)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(items, list):
        return [(path or "form_fields", "must be a list")]
    seen: set[str] = set()
    names = {str(i.get("name")) for i in items if isinstance(i, dict)}
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            problems.append((where, "must be an object"))
            continue
        name = item.get("name")
        where = f"{path}{'.' if path else ''}{name}" if isinstance(name, str) else where
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append((where, "name must be lowercase letters, digits and _ (a letter first)"))
        elif name in seen:
            problems.append((where, "name is used twice"))
        seen.add(str(name))
        if SEP in str(name):
            problems.append((where, "name must not contain __"))
        if not isinstance(item.get("label"), str) or not item["label"].strip():
            problems.append((where, "label is required"))
        kind = item.get("type", "text")
        if kind not in FIELD_TYPES:
            problems.append((where, f"type {kind!r} is not one of {', '.join(FIELD_TYPES)}"))
            continue
        unknown = set(item) - {
            "name",
            "label",
            "type",
            "required",
            "choices",
            "max_length",
            "print_on_receipt",
            "when",
            "fields",
            "min",
            "max",
            "parts",
            "required_parts",
            "help",
        }
        if unknown:
            problems.append((where, f"unknown keys: {', '.join(sorted(unknown))}"))
        for flag in ("required", "print_on_receipt"):
            if flag in item and not isinstance(item[flag], bool):
                problems.append((where, f"{flag} must be true or false"))
        if kind == "select":
            choices = item.get("choices")
            if not isinstance(choices, list) or not [c for c in choices if str(c).strip()]:
                problems.append((where, "a select needs a non-empty list of choices"))
        if "max_length" in item and (
            not isinstance(item["max_length"], int) or not 1 <= item["max_length"] <= 10000
        ):
            problems.append((where, "max_length must be an integer from 1 to 10000"))
        when = item.get("when")
        if when is not None:
            if (
                not isinstance(when, dict)
                or not isinstance(when.get("field"), str)
                or "equals" not in when
                or isinstance(when.get("equals"), (dict, list))
            ):
                problems.append((where, 'when must be {"field": <name>, "equals": <value>}'))
            elif when["field"] not in names or when["field"] == name:
                problems.append((where, f"when refers to {when['field']!r}, not another field at its level"))
        if kind == "person":
            parts = item.get("parts", list(PERSON_PARTS))
            required_parts = item.get("required_parts", ["ho_ten"])
            for key, value in (("parts", parts), ("required_parts", required_parts)):
                if not isinstance(value, list) or any(p not in PERSON_PARTS for p in value):
                    problems.append((where, f"{key} must be a list of {', '.join(PERSON_PARTS)}"))
            if (
                isinstance(parts, list)
                and isinstance(required_parts, list)
                and set(map(str, required_parts)) - set(map(str, parts))
            ):
                problems.append((where, "required_parts must be among parts"))
        if kind == "group":
            if in_group:
                problems.append((where, "a group cannot be inside a group"))
            sub = item.get("fields")
            if not isinstance(sub, list) or not sub:
                problems.append((where, "a group needs a non-empty list of fields"))
            else:
                problems.extend(_problems(sub, where, in_group=True))
            low, high = item.get("min", 0), item.get("max", 10)
            if not isinstance(low, int) or not isinstance(high, int) or isinstance(low, bool):
                problems.append((where, "min and max must be integers"))
            elif not 0 <= low <= high <= MAX_ROWS or high < 1:
                problems.append((where, f"need 0 <= min <= max <= {MAX_ROWS} and max >= 1"))
    return problems


def schema_problems(raw: Any) -> list[tuple[str, str]]:
    """Every problem of a schema, as ``(field path, reason)``; empty when the schema is valid."""
    if raw in (None, []):
        return []
    return _problems(raw, "", in_group=False)


def _parse_item(item: Any, *, in_group: bool) -> FormField | None:
    if not isinstance(item, dict) or _problems([item], "", in_group=in_group):
        # Refs in "when" cannot be checked alone: retry without it.
        if not isinstance(item, dict) or "when" not in item:
            return None
        if _problems([{k: v for k, v in item.items() if k != "when"}], "", in_group=in_group):
            return None
    kind = str(item.get("type") or "text")
    when = item.get("when")
    default_length = 4000 if kind == "textarea" else 500
    children: tuple[FormField, ...] = ()
    if kind == "group":
        children = tuple(form_fields_parse(item["fields"], default=False, in_group=True))
        if not children:
            return None
    parts = tuple(item.get("parts", list(PERSON_PARTS))) if kind == "person" else ()
    return FormField(
        name=item["name"],
        label=str(item["label"]).strip()[:200],
        type=kind,
        required=bool(item.get("required", False)),
        choices=tuple(str(c) for c in item.get("choices") or () if str(c).strip()),
        max_length=int(item.get("max_length") or default_length),
        print_on_receipt=bool(item.get("print_on_receipt", False)),
        when=(str(when["field"]), _text(when["equals"])) if isinstance(when, dict) else None,
        children=children,
        min_items=int(item.get("min", 0)) if kind == "group" else 0,
        max_items=int(item.get("max", 10)) if kind == "group" else 0,
        parts=tuple(p for p in PERSON_PARTS if p in parts),
        required_parts=tuple(item.get("required_parts", ["ho_ten"])) if kind == "person" else (),
    )


def form_fields_parse(raw: Any, *, default: bool = True, in_group: bool = False) -> list[FormField]:
    """The schema's valid fields (invalid items skipped); the default free-text field when none."""
    items = raw if isinstance(raw, list) and raw else (DEFAULT_FIELDS if default else [])
    result: list[FormField] = []
    seen: set[str] = set()
    for item in items:
        parsed = _parse_item(item, in_group=in_group)
        if parsed is not None and parsed.name not in seen:
            seen.add(parsed.name)
            result.append(parsed)
    names = {f.name for f in result}
    result = [f if f.when is None or f.when[0] in names else _without_when(f) for f in result]
    if not result and default:
        return form_fields_parse(DEFAULT_FIELDS)
    return result


def _without_when(f: FormField) -> FormField:
    return FormField(**{**f.__dict__, "when": None})


def is_active(f: FormField, siblings: Mapping[str, Any]) -> bool:
    """Whether a conditional field applies given the answers at its level."""
    return f.when is None or _text(siblings.get(f.when[0])) == f.when[1]


# --- flat form posts -> nested answers ---------------------------------------------------------------


def _get(data: Mapping[str, Any], key: str) -> Any:
    getter = getattr(data, "get", None)
    return getter(key) if getter else None


def group_row_count(f: FormField, data: Mapping[str, Any], prefix: str = "") -> int:
    """Rows of a group in a flat post: its ``__count`` (bounded), at least ``min``."""
    try:
        count = int(_get(data, f"{prefix}{f.name}{SEP}count") or 0)
    except (TypeError, ValueError):
        count = 0
    return max(f.min_items, min(count, f.max_items))


def answers_from_flat(fields: list[FormField], data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested raw answers from a flat post (``name``, ``name__part``, ``name__0__sub``)."""
    result: dict[str, Any] = {}
    for f in fields:
        key = f"{prefix}{f.name}"
        if f.type in ("person", "address"):
            names = f.parts if f.type == "person" else tuple(ADDRESS_PARTS)
            result[f.name] = {p: _get(data, f"{key}{SEP}{p}") or "" for p in names}
        elif f.type == "group":
            rows = [
                answers_from_flat(list(f.children), data, f"{key}{SEP}{i}{SEP}")
                for i in range(group_row_count(f, data, prefix))
            ]
            result[f.name] = rows
        else:
            result[f.name] = _get(data, key) or ""
    return result


def answers_to_flat(fields: list[FormField], answers: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The inverse of :func:`answers_from_flat` (initial values of a form)."""
    flat: dict[str, Any] = {}
    for f in fields:
        key = f"{prefix}{f.name}"
        value = answers.get(f.name) if isinstance(answers, Mapping) else None
        if f.type in ("person", "address"):
            value = value if isinstance(value, Mapping) else {}
            for p, v in value.items():
                flat[f"{key}{SEP}{p}"] = v
        elif f.type == "group":
            rows = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
            flat[f"{key}{SEP}count"] = max(len(rows), f.min_items)
            for i, row in enumerate(rows):
                flat.update(answers_to_flat(list(f.children), row, f"{key}{SEP}{i}{SEP}"))
        else:
            flat[key] = _text(value) if f.type == "boolean" and value is not None else value
    return flat


# --- validation -----------------------------------------------------------------------------------------


_VN_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def form_date(value: str) -> dt.date:
    """A date as people write it here, ``dd/mm/yyyy`` (also ``d/m/yyyy``, with ``.`` or ``-``), or ISO
    ``yyyy-mm-dd`` (the API, a browser's date picker); ``ValueError`` if it is neither or no such day."""
    match = _VN_DATE.fullmatch(value.strip())
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(value.strip())


def _scalar(f: FormField, value: str, label: str) -> tuple[Any, str | None]:
    """``(cleaned value, error)`` of a non-empty simple value."""
    if f.type in ("text", "textarea"):
        if len(value) > f.max_length:
            return value, f"«{label}»: tối đa {f.max_length} ký tự."
    elif f.type == "date":
        try:
            return form_date(value).isoformat(), None
        except ValueError:
            return value, f"«{label}»: Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2020."
    elif f.type == "number":
        try:
            number = Decimal(value.replace(",", "."))
            if not number.is_finite() or abs(number) > Decimal("1e15"):
                raise InvalidOperation
            return format(number.normalize(), "f"), None
        except (InvalidOperation, ValueError):
            return value, f"«{label}»: Phải là một số."
    elif f.type == "select":
        if value not in f.choices:
            return value, f"«{label}»: lựa chọn không hợp lệ."
    elif f.type == "boolean":
        lowered = value.lower()
        if lowered in (YES, "1", "on", "có", "co", "yes"):
            return True, None
        if lowered in (NO, "0", "off", "không", "khong", "no"):
            return False, None
        return value, f"«{label}»: chọn Có hoặc Không."
    elif f.type == "citizen_id":
        if not is_valid_citizen_id(value):
            return value, f"«{label}»: số định danh cá nhân phải gồm 12 chữ số hợp lệ."
    elif f.type == "phone":
        digits = re.sub(r"[\s.\-()]", "", value)
        if not _PHONE.match(digits):
            return value, f"«{label}»: số điện thoại không hợp lệ (ví dụ 0912345678)."
        return digits, None
    elif f.type == "email" and (not _EMAIL.match(value) or len(value) > 254):
        return value, f"«{label}»: địa chỉ thư điện tử không hợp lệ."
    return value, None


def _empty(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Mapping):
        return all(_empty(v) for k, v in value.items() if k != "don_vi_ten")
    if isinstance(value, list):
        return not value
    return _text(value) == ""


def _clean_level(
    fields: list[FormField],
    raw: Mapping[str, Any],
    *,
    key_prefix: str,
    label_prefix: str,
    unit_lookup: UnitLookup | None,
    answers: dict[str, Any],
    errors: dict[str, str],
    missing: list[tuple[str, str]] | None,
) -> None:
    """Clean one level of answers into ``answers``; problems into ``errors`` and, when ``missing`` is given,
    ``(flat key, label)`` of each required field left empty (the key of the input beside which it shows)."""
    raw = raw if isinstance(raw, Mapping) else {}
    for f in fields:
        key = f"{key_prefix}{f.name}"
        label = f"{label_prefix}{f.label}"
        value = raw.get(f.name)
        if not is_active(f, raw):
            continue
        if f.type in ("person", "address"):
            parts = value if isinstance(value, Mapping) else {}
            cleaned: dict[str, Any] = {}
            present = not _empty(parts)
            for part in f.part_fields():
                part_value = _text(parts.get(part.name))
                part_label = f"{label} — {part.label}"
                if not part_value:
                    cleaned[part.name] = ""
                    if missing is not None and f.required and part.required:
                        missing.append((f"{key}{SEP}{part.name}", part_label))
                    continue
                if f.type == "address" and part.name == "don_vi":
                    unit_name = unit_lookup(part_value) if unit_lookup else part_value
                    if unit_name is None:
                        errors[f"{key}{SEP}{part.name}"] = (
                            f"«{part_label}»: đơn vị hành chính không tồn tại hoặc không còn hiệu lực."
                        )
                    else:
                        cleaned["don_vi_ten"] = unit_name
                    cleaned[part.name] = part_value
                    continue
                cleaned[part.name], error = _scalar(part, part_value, part_label)
                if error:
                    errors[f"{key}{SEP}{part.name}"] = error
            if (
                f.type == "person"
                and present
                and cleaned.get("so_dinh_danh")
                and not errors.get(f"{key}{SEP}so_dinh_danh")
            ):
                birth = cleaned.get("ngay_sinh")
                sex = {"Nam": "male", "Nữ": "female"}.get(str(cleaned.get("gioi_tinh")))
                try:
                    birth_date = dt.date.fromisoformat(birth) if birth else None
                except ValueError:
                    birth_date = None
                if not is_valid_citizen_id(
                    cleaned["so_dinh_danh"],
                    birth_date=birth_date,
                    sex=sex,  # type: ignore[arg-type]
                ):
                    errors[f"{key}{SEP}so_dinh_danh"] = (
                        f"«{label} — Số định danh cá nhân»: không khớp với ngày sinh hoặc giới tính."
                    )
            answers[f.name] = cleaned if present else {}
        elif f.type == "group":
            # Each kept row with its place in what was given: errors name the row the form shows them in (a
            # form re-rendered from the post still has the empty rows that are dropped here).
            given = value if isinstance(value, list) else []
            rows = [(n, r) for n, r in enumerate(given) if isinstance(r, Mapping) and not _empty(r)]
            if len(rows) > f.max_items:
                errors[key] = f"«{label}»: tối đa {f.max_items} dòng."
                rows = rows[: f.max_items]
            # (the key of the group's first row's first input: the rows shown start with it)
            first = f"{key}{SEP}0{SEP}{f.children[0].name}" if f.children else key
            if f.children and f.children[0].type in ("person", "address"):
                first_parts = f.children[0].part_fields()
                first = f"{first}{SEP}{first_parts[0].name}" if first_parts else first
            if missing is not None and len(rows) < f.min_items and (f.required or f.min_items):
                missing.append((first, f"{label} (ít nhất {f.min_items} dòng)"))
            elif missing is not None and f.required and not rows:
                missing.append((first, label))
            cleaned_rows: list[dict[str, Any]] = []
            for i, row in rows:
                row_answers: dict[str, Any] = {}
                _clean_level(
                    list(f.children),
                    row,
                    key_prefix=f"{key}{SEP}{i}{SEP}",
                    label_prefix=f"{label} — dòng {i + 1} — ",
                    unit_lookup=unit_lookup,
                    answers=row_answers,
                    errors=errors,
                    missing=missing,
                )
                cleaned_rows.append(row_answers)
            answers[f.name] = cleaned_rows
        else:
            if isinstance(value, (Mapping, list)):
                errors[key] = f"«{label}»: giá trị không hợp lệ."
                continue
            text = _text(value)
            if not text:
                answers[f.name] = ""
                if missing is not None and f.required:
                    missing.append((key, label))
                continue
            answers[f.name], error = _scalar(f, text, label)
            if error:
                errors[key] = error


def _clean_top(
    fields: list[FormField],
    raw: Mapping[str, Any],
    *,
    unit_lookup: UnitLookup | None,
    missing: list[tuple[str, str]] | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """``_clean_level`` over the whole form: its answers and errors (and the missing fields into ``missing``)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    _clean_level(
        fields,
        raw,
        key_prefix="",
        label_prefix="",
        unit_lookup=unit_lookup,
        answers=answers,
        errors=errors,
        missing=missing,
    )
    return answers, errors


def answers_clean(
    fields: list[FormField], raw: Mapping[str, Any], *, unit_lookup: UnitLookup | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """``(answers, errors)``: typed answers (inactive conditional fields dropped); errors per flat key."""
    return _clean_top(fields, raw, unit_lookup=unit_lookup, missing=None)


def answers_missing(fields: list[FormField], answers: Mapping[str, Any]) -> list[str]:
    """Labels of the required (and active) fields without an answer (checked at submit)."""
    return [label for _key, label in answers_missing_keyed(fields, answers)]


def answers_missing_keyed(fields: list[FormField], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(flat key, label)`` of the required (and active) fields without an answer: the key names the input
    beside which "not filled in" shows (``name``, ``name__part``, ``name__0__sub``)."""
    missing: list[tuple[str, str]] = []
    _clean_top(fields, answers, unit_lookup=None, missing=missing)
    return missing


def answers_validate(
    fields: list[FormField], raw: Mapping[str, Any], *, unit_lookup: UnitLookup | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean and require at once (the counter intake: no draft): each missing field's error is keyed by its
    flat name (shown beside its input) and names its label."""
    missing: list[tuple[str, str]] = []
    # One pass over what was given, so a missing field is keyed like a wrong one: by the row it was typed in.
    answers, errors = _clean_top(fields, raw, unit_lookup=unit_lookup, missing=missing)
    for key, label in missing:
        errors.setdefault(key, f"Chưa nhập «{label}».")
    return answers, errors


# --- display ---------------------------------------------------------------------------------------------


def _shown(f: FormField, value: Any) -> str:
    if f.type == "boolean":
        return "Có" if value is True else "Không" if value is False else ""
    if f.type == "date" and value:
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return _text(value)
    return _text(value)


def answers_display(
    fields: list[FormField], answers: Mapping[str, Any], *, receipt_only: bool = False, _prefix: str = ""
) -> list[tuple[str, str]]:
    """``(label, text)`` rows of the answers, labels not names (groups' rows numbered); only the fields
    flagged ``print_on_receipt`` (with all their parts and rows) when ``receipt_only``."""
    rows: list[tuple[str, str]] = []
    answers = answers if isinstance(answers, Mapping) else {}
    for f in fields:
        if receipt_only and not f.print_on_receipt:
            continue
        if not is_active(f, answers):
            continue
        value = answers.get(f.name)
        label = f"{_prefix}{f.label}"
        if f.type == "person":
            parts = value if isinstance(value, Mapping) else {}
            for part in f.part_fields():
                text = _shown(part, parts.get(part.name))
                if text:
                    rows.append((f"{label} — {part.label}", text))
        elif f.type == "address":
            parts = value if isinstance(value, Mapping) else {}
            text = ", ".join(
                t
                for t in (_text(parts.get("chi_tiet")), _text(parts.get("don_vi_ten") or parts.get("don_vi")))
                if t
            )
            if text:
                rows.append((label, text))
        elif f.type == "group":
            for i, row in enumerate(value if isinstance(value, list) else []):
                rows.extend(answers_display(list(f.children), row, _prefix=f"{label} — dòng {i + 1} — "))
        else:
            text = _shown(f, value)
            if text:
                rows.append((label, text))
    return rows


def schema_has_receipt_fields(fields: list[FormField]) -> bool:
    return any(f.print_on_receipt for f in fields)


def sample_answers(fields: list[FormField], *, text: str, unit_code: str = "") -> dict[str, Any]:
    """Valid answers to every required field (the simulator's and the tests' citizen): ``text`` for texts,
    the first choice, "no" for a yes/no (so what depends on "yes" stays off), ``unit_code`` for addresses."""
    from motcua.core.citizen_id import make_citizen_id

    def value(f: FormField) -> Any:
        if f.type in ("text", "textarea"):
            return text[: f.max_length]
        return {
            "date": "2000-01-01",
            "number": "1",
            "select": f.choices[0] if f.choices else "",
            "boolean": False,
            "citizen_id": make_citizen_id(
                province_code="001", birth_date=dt.date(2000, 1, 1), sex="male", serial=1
            ),
            "phone": "0912345678",
            "email": "nguoi.nop@example.vn",
        }.get(f.type, "")

    answers: dict[str, Any] = {}
    for f in fields:
        if not (f.required or f.min_items) or not is_active(f, answers):
            continue
        if f.type == "person":
            answers[f.name] = {
                "ho_ten": text[:200],
                "ngay_sinh": "2000-01-01",
                "gioi_tinh": "Nam",
                **{
                    p.name: value(p)
                    for p in f.part_fields()
                    if p.required and p.name not in ("ho_ten", "ngay_sinh", "gioi_tinh")
                },
            }
            answers[f.name] = {k: v for k, v in answers[f.name].items() if k in f.parts}
        elif f.type == "address":
            answers[f.name] = {"chi_tiet": text[:200], "don_vi": unit_code}
        elif f.type == "group":
            answers[f.name] = [
                sample_answers(list(f.children), text=text, unit_code=unit_code)
                for _ in range(max(1, f.min_items))
            ]
        else:
            answers[f.name] = value(f)
    return answers
