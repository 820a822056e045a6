"""Procedures with a version in force, built the way the catalog stores them (search text included)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from motcua.catalog.constants import ComponentKind, OnlineMode, PublicationStatus
from motcua.catalog.models import Component, Fee, Procedure, ProcedureVersion, ProcessStep
from motcua.catalog.services import field_save, procedure_save
from motcua.organisations.constants import Level, Role
from motcua.worktime.constants import LimitUnit

VALID_FROM = dt.date(2025, 7, 1)


def make_procedure(
    code: str,
    name: str,
    *,
    field: tuple[str, str] = ("HT", "Hộ tịch"),
    level: str = Level.COMMUNE,
    online: str = OnlineMode.FULL,
    time_limit: tuple[int, str] = (5, LimitUnit.DAYS),
    fees: list[tuple[str, int]] | None = None,
    components: list[dict[str, Any]] | None = None,
    steps: list[tuple[str, str, str]] | None = None,
    status: str = PublicationStatus.PUBLISHED,
    valid_from: dt.date = VALID_FROM,
    valid_to: dt.date | None = None,
    **values: Any,
) -> Procedure:
    field_obj, _ = field_save(code=field[0], name=field[1])
    procedure, _ = procedure_save(code=code, name=name, field=field_obj)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=procedure.versions.count() + 1,
        status=status,
        valid_from=valid_from,
        valid_to=valid_to,
        name=name,
        level=level,
        time_limit_value=time_limit[0],
        time_limit_unit=time_limit[1],
        online_mode=online,
        **values,
    )
    for order, (fee_name, amount) in enumerate(fees or [], start=1):
        Fee.objects.create(version=version, order=order, name=fee_name, amount_vnd=amount)
    for order, component in enumerate(components or [], start=1):
        Component.objects.create(
            version=version,
            order=order,
            name=component["name"],
            kind=component.get("kind", ComponentKind.ORIGINAL),
            count=component.get("count", 1),
            required=component.get("required", True),
        )
    for order, (step_name, role, unit_level) in enumerate(steps or [], start=1):
        ProcessStep.objects.create(
            version=version,
            order=order,
            name=step_name,
            role=role or Role.OFFICER,
            unit_level=unit_level,
            budget_hours=Decimal("4"),
        )
    return procedure
