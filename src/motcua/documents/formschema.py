"""The small field schema of a procedure's online form (``ProcedureVersion.form_fields``).

Each item: ``{"name": "ho_ten_cha", "label": "Họ tên cha", "type": "text|textarea|date|number|select",
"required": true, "choices": ["A", "B"] (select only), "max_length": 500 (text)}``. Invalid items are
skipped (the catalog import is the place that should refuse them). A version without fields gets one
free-text field, "Nội dung yêu cầu".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

FIELD_TYPES = ("text", "textarea", "date", "number", "select")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")

DEFAULT_FIELDS: list[dict[str, Any]] = [
    {
        "name": "noi_dung",
        "label": "Nội dung yêu cầu",
        "type": "textarea",
        "required": True,
        "max_length": 4000,
    }
]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = field(default_factory=tuple)
    max_length: int = 500


def form_fields_parse(raw: Any) -> list[FormField]:
    items = raw if isinstance(raw, list) and raw else DEFAULT_FIELDS
    result: list[FormField] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "")
        kind = str(item.get("type") or "text")
        if not _NAME.match(name) or name in seen or kind not in FIELD_TYPES:
            continue
        choices = tuple(str(c) for c in item.get("choices") or () if str(c).strip())
        if kind == "select" and not choices:
            continue
        try:
            max_length = max(
                1, min(int(item.get("max_length") or (4000 if kind == "textarea" else 500)), 10000)
            )
        except (TypeError, ValueError):
            max_length = 500
        seen.add(name)
        result.append(
            FormField(
                name=name,
                label=str(item.get("label") or name)[:200],
                type=kind,
                required=bool(item.get("required", False)),
                choices=choices,
                max_length=max_length,
            )
        )
    return result or form_fields_parse(DEFAULT_FIELDS)


def answers_clean(fields: list[FormField], raw: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """``(answers, errors)``: answers as strings (ISO dates, plain numbers); errors per field name."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for f in fields:
        value = str(raw.get(f.name) or "").strip()
        if not value:
            answers[f.name] = ""
            continue
        if f.type in ("text", "textarea") and len(value) > f.max_length:
            errors[f.name] = f"Tối đa {f.max_length} ký tự."
        elif f.type == "date":
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[f.name] = "Ngày không hợp lệ."
        elif f.type == "number":
            try:
                number = Decimal(value.replace(",", "."))
                if not number.is_finite() or abs(number) > Decimal("1e15"):
                    raise InvalidOperation
                value = format(number.normalize(), "f")
            except (InvalidOperation, ValueError):
                errors[f.name] = "Phải là một số."
        elif f.type == "select" and value not in f.choices:
            errors[f.name] = "Lựa chọn không hợp lệ."
        answers[f.name] = value
    return answers, errors


def answers_missing(fields: list[FormField], answers: dict[str, Any]) -> list[str]:
    """Labels of required fields without an answer (checked at submit: a draft may be incomplete)."""
    return [f.label for f in fields if f.required and not str(answers.get(f.name) or "").strip()]
