"""Writes of the catalog: fields, procedures, versions with their components, fees and steps; import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.core.text import fold

from .constants import VERSION_ATTRS
from .importing import CatalogSpec, VersionSpec, read_catalog_file, spec_from_data
from .models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep

DEMO_CATALOG = Path(__file__).resolve().parent / "data" / "catalog_demo.json"


def procedure_search_text(*, code: str, name: str, field_name: str) -> str:
    """The folded text the search matches: code + name + field (see ``selectors.procedure_search``)."""
    return fold(f"{code} {name} {field_name}")


@transaction.atomic
def field_save(*, code: str, name: str) -> tuple[Field, bool]:
    """Create or update the field ``code``; returns (field, changed). Renaming refreshes its procedures."""
    field, created = Field.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        return field, True
    if field.name == name:
        return field, False
    field.name = name
    field.save(update_fields=["name"])
    for procedure in Procedure.objects.filter(field=field):
        procedure.field = field
        _refresh_search_text(procedure)
    return field, True


def _refresh_search_text(procedure: Procedure) -> None:
    text = procedure_search_text(code=procedure.code, name=procedure.name, field_name=procedure.field.name)
    if procedure.search_text != text:
        procedure.search_text = text
        procedure.save(update_fields=["search_text"])


@transaction.atomic
def procedure_save(*, code: str, name: str, field: Field) -> tuple[Procedure, bool]:
    """Create or update the procedure ``code`` (keeps ``search_text`` in step); returns (procedure, changed)."""
    text = procedure_search_text(code=code, name=name, field_name=field.name)
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        procedure = Procedure.objects.create(code=code, name=name, field=field, search_text=text)
        return procedure, True
    changed = [
        attr
        for attr, value in (("name", name), ("field_id", field.pk), ("search_text", text))
        if getattr(procedure, attr) != value
    ]
    if changed:
        procedure.name, procedure.field, procedure.search_text = name, field, text
        procedure.save(update_fields=[c.removesuffix("_id") for c in changed])
    return procedure, bool(changed)


@dataclass(frozen=True)
class ComponentData:
    name: str
    kind: str
    count: int = 1
    required: bool = True
    template_file: str = ""


@dataclass(frozen=True)
class FeeData:
    name: str
    amount_vnd: int
    exemptions: str = ""


@dataclass(frozen=True)
class StepData:
    name: str
    role: str
    unit_level: str
    budget_hours: Decimal


@transaction.atomic
def procedure_version_save(
    *,
    procedure: Procedure,
    version: int,
    values: dict[str, Any],
    unit_ids: list[int],
    components: list[ComponentData],
    fees: list[FeeData],
    steps: list[StepData],
) -> tuple[ProcedureVersion, bool]:
    """Create or update version ``version`` of ``procedure`` with exactly these children.

    ``values`` holds the version's own attributes (``VERSION_ATTRS``). Nothing is written when the stored
    version already equals the input (re-importing a file changes nothing). Returns (version, changed).
    Validation is the caller's job (``importing.read_catalog_file``); database constraints back it up.
    """
    unknown = set(values) - set(VERSION_ATTRS)
    if unknown:
        raise TypeError(f"unknown version attributes: {sorted(unknown)}")
    obj = ProcedureVersion.objects.filter(procedure=procedure, version=version).first()
    changed = False
    if obj is None:
        obj = ProcedureVersion.objects.create(procedure=procedure, version=version, **values)
        changed = True
    else:
        dirty = [attr for attr, value in values.items() if getattr(obj, attr) != value]
        if dirty:
            for attr in dirty:
                setattr(obj, attr, values[attr])
            obj.save(update_fields=dirty)
            changed = True

    if set(obj.units.values_list("pk", flat=True)) != set(unit_ids):
        obj.units.set(unit_ids)
        changed = True

    stored_components = [
        ComponentData(c.name, c.kind, c.count, c.required, c.template_file)
        for c in obj.components.order_by("order")
    ]
    if stored_components != components:
        obj.components.all().delete()
        Component.objects.bulk_create(
            Component(version=obj, order=i, **c.__dict__) for i, c in enumerate(components, start=1)
        )
        changed = True
    stored_fees = [FeeData(f.name, f.amount_vnd, f.exemptions) for f in obj.fees.order_by("order")]
    if stored_fees != fees:
        obj.fees.all().delete()
        Fee.objects.bulk_create(Fee(version=obj, order=i, **f.__dict__) for i, f in enumerate(fees, start=1))
        changed = True
    stored_steps = [
        StepData(s.name, s.role, s.unit_level, Decimal(s.budget_hours)) for s in obj.steps.order_by("order")
    ]
    if stored_steps != steps:
        obj.steps.all().delete()
        ProcessStep.objects.bulk_create(
            ProcessStep(version=obj, order=i, **s.__dict__) for i, s in enumerate(steps, start=1)
        )
        changed = True
    return obj, changed


@dataclass
class ImportReport:
    procedures: int = 0
    versions: int = 0
    changed_procedures: int = 0
    changed_versions: int = 0

    def __str__(self) -> str:
        return (
            f"{self.procedures} procedures and {self.versions} versions read; "
            f"{self.changed_procedures} procedures and {self.changed_versions} versions created or changed."
        )


def _version_values(v: VersionSpec) -> dict[str, Any]:
    return {name: getattr(v, name) for name in VERSION_ATTRS}


@transaction.atomic
def catalog_import(*, spec: CatalogSpec) -> ImportReport:
    """Upsert a validated catalog (procedure code + version number) in one transaction."""
    report = ImportReport()
    fields = {f.code: f for f in Field.objects.all()}
    for f in spec.fields:
        fields[f.code], _ = field_save(code=f.code, name=f.name)
    for p in spec.procedures:
        procedure, changed = procedure_save(code=p.code, name=p.name, field=fields[p.field_code])
        any_version_changed = False
        for v in p.versions:
            _, version_changed = procedure_version_save(
                procedure=procedure,
                version=v.version,
                values=_version_values(v),
                unit_ids=v.unit_ids,
                components=[
                    ComponentData(c.name, c.kind, c.count, c.required, c.template_file) for c in v.components
                ],
                fees=[FeeData(f.name, f.amount_vnd, f.exemptions) for f in v.fees],
                steps=[StepData(s.name, s.role, s.unit_level, s.budget_hours) for s in v.steps],
            )
            report.versions += 1
            report.changed_versions += int(version_changed)
            any_version_changed = any_version_changed or version_changed
        report.procedures += 1
        report.changed_procedures += int(changed or any_version_changed)
    return report


@transaction.atomic
def catalog_import_file(*, path: str | Path) -> ImportReport:
    """Validate then import ``path`` (.json or .xlsx); raises ``CatalogFileInvalid`` and imports nothing."""
    return catalog_import(spec=read_catalog_file(path))


@transaction.atomic
def catalog_load_demo() -> int:
    """Import the demo catalog (35 procedures, before and after the 2025 reform). Idempotent.

    Needs the demo units (``organisations.services.demo_units_load``) first. Returns the number of procedures.
    """
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    report = catalog_import(spec=spec_from_data(data))
    return report.procedures


@transaction.atomic
def procedures_search_text_refresh(*, field: Field | None = None) -> int:
    """Recompute ``search_text`` of the procedures (of one ``field``); returns how many changed."""
    procedures = Procedure.objects.select_related("field")
    if field is not None:
        procedures = procedures.filter(field=field)
    changed = 0
    for procedure in procedures:
        before = procedure.search_text
        _refresh_search_text(procedure)
        changed += int(procedure.search_text != before)
    return changed
