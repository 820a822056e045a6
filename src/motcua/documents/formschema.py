"""The typed e-form schema of a procedure (``ProcedureVersion.form_fields``): see ``motcua.core.formschema``.

This module adds what needs the database: the address's administrative unit, looked up among the units in
force today (:func:`unit_lookup`), and the choices of the address picker (:func:`address_unit_choices`).
"""

from __future__ import annotations

from typing import Any

from motcua.core.formschema import (
    DEFAULT_FIELDS,
    FIELD_TYPES,
    FormField,
    answers_display,
    answers_from_flat,
    answers_missing,
    answers_to_flat,
    form_fields_parse,
    group_row_count,
    schema_problems,
)
from motcua.core.formschema import answers_clean as _answers_clean
from motcua.core.formschema import answers_validate as _answers_validate
from motcua.organisations.constants import Level

__all__ = [
    "DEFAULT_FIELDS",
    "FIELD_TYPES",
    "FormField",
    "address_unit_choices",
    "answers_clean",
    "answers_display",
    "answers_from_flat",
    "answers_missing",
    "answers_to_flat",
    "answers_validate",
    "form_fields_parse",
    "group_row_count",
    "schema_problems",
    "unit_lookup",
]


def unit_lookup(code: str) -> str | None:
    """The name of the commune-level unit carrying ``code`` today, ``None`` if none is in force."""
    from motcua.organisations.selectors import units_valid_on

    unit = units_valid_on(level=Level.COMMUNE).filter(code=str(code)[:32]).only("name").first()
    return unit.name if unit else None


def address_unit_choices() -> list[tuple[str, str]]:
    """The address picker: the communes in force today, as ``(code, name)``."""
    from motcua.organisations.selectors import units_valid_on

    units = units_valid_on(level=Level.COMMUNE).only("code", "name").order_by("name")
    return [(u.code, u.name) for u in units]


def answers_clean(fields: list[FormField], raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    return _answers_clean(fields, raw, unit_lookup=unit_lookup)


def answers_validate(fields: list[FormField], raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    return _answers_validate(fields, raw, unit_lookup=unit_lookup)
