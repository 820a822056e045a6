"""The typed e-form schema of a procedure (``ProcedureVersion.form_fields``): see ``motcua.core.formschema``.

This module adds what needs the database: the address's administrative unit, looked up among the units in
force today (:func:`unit_lookup`), and the choices of the address picker: the provinces in force today
(:func:`address_provinces`), then the communes of the chosen one (:func:`address_communes`), both in
Vietnamese order; :func:`address_unit_choices` (every commune) when no commune hangs under a province.
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
from motcua.core.text import vi_sort_key
from motcua.organisations.constants import Level

__all__ = [
    "DEFAULT_FIELDS",
    "FIELD_TYPES",
    "FormField",
    "address_communes",
    "address_province_of",
    "address_provinces",
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


def _under_province_q(prefix: str = "") -> Any:
    """Communes whose parent is a province (two tiers, since 1 July 2025) or whose grandparent is (three)."""
    from django.db.models import Q

    return Q(**{f"{prefix}parent__level": Level.PROVINCE}) | Q(
        **{f"{prefix}parent__parent__level": Level.PROVINCE}
    )


def address_provinces() -> list[tuple[str, str]]:
    """The address picker's first step: the provinces in force today with a commune in force under them,
    as ``(code, name)`` in Vietnamese order (empty when no commune hangs under a province)."""
    from motcua.organisations.models import Unit
    from motcua.organisations.selectors import units_valid_on

    communes = units_valid_on(level=Level.COMMUNE).filter(_under_province_q())
    with_communes = Unit.objects.filter(pk__in=communes.values("parent_id")) | Unit.objects.filter(
        pk__in=communes.values("parent__parent_id")
    )
    provinces = units_valid_on(level=Level.PROVINCE).filter(pk__in=with_communes.values("pk"))
    rows = list(provinces.values_list("code", "name"))
    return sorted(rows, key=lambda row: vi_sort_key(row[1]))


def address_communes(province_code: str) -> list[tuple[str, str]]:
    """The communes in force today under the province in force carrying ``province_code``, as
    ``(code, name)`` in Vietnamese order (empty for an unknown code)."""
    from django.db.models import Q

    from motcua.organisations.selectors import units_valid_on

    province = units_valid_on(level=Level.PROVINCE).filter(code=str(province_code)[:32]).first()
    if province is None:
        return []
    communes = units_valid_on(level=Level.COMMUNE).filter(Q(parent=province) | Q(parent__parent=province))
    rows = list(communes.values_list("code", "name"))
    return sorted(rows, key=lambda row: vi_sort_key(row[1]))


def address_province_of(commune_code: str) -> str:
    """The code of the province over the commune in force carrying ``commune_code`` ("" if none)."""
    from motcua.organisations.selectors import units_valid_on

    unit = (
        units_valid_on(level=Level.COMMUNE)
        .filter(code=str(commune_code)[:32])
        .select_related("parent__parent")
        .first()
    )
    for above in (unit.parent if unit else None, unit.parent.parent if unit and unit.parent else None):
        if above is not None and above.level == Level.PROVINCE:
            return above.code
    return ""


def answers_clean(fields: list[FormField], raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    return _answers_clean(fields, raw, unit_lookup=unit_lookup)


def answers_validate(fields: list[FormField], raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    return _answers_validate(fields, raw, unit_lookup=unit_lookup)
