"""Export of the whole catalog to the JSON and .xlsx formats of docs/catalog.md (deterministic output)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from motcua.core import xlsx

from .constants import VERSION_ATTRS
from .importing import FORMAT_NAME, FORMAT_VERSION, SHEET_COLUMNS
from .models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep


def _hours(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def catalog_export_data() -> dict[str, Any]:
    """The whole catalog as the JSON document (fields and procedures by code, versions by number)."""
    versions = ProcedureVersion.objects.order_by("version").prefetch_related(
        Prefetch("components", queryset=Component.objects.order_by("order")),
        Prefetch("fees", queryset=Fee.objects.order_by("order")),
        Prefetch("steps", queryset=ProcessStep.objects.order_by("order")),
        "units",
    )
    procedures = (
        Procedure.objects.select_related("field")
        .order_by("code")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in Field.objects.order_by("code")],
        "procedures": [
            {
                "code": p.code,
                "name": p.name,
                "field": p.field.code,
                "versions": [_version_data(v) for v in p.versions.all()],
            }
            for p in procedures
        ],
    }


def _plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO strings."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _version_data(v: ProcedureVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        **{name: _plain(getattr(v, name)) for name in VERSION_ATTRS},
        "units": sorted({u.code for u in v.units.all()}),
        "components": [
            {
                "name": c.name,
                "kind": c.kind,
                "count": c.count,
                "required": c.required,
                "template_file": c.template_file,
            }
            for c in v.components.all()
        ],
        "fees": [
            {"name": f.name, "amount_vnd": f.amount_vnd, "exemptions": f.exemptions} for f in v.fees.all()
        ],
        "steps": [
            {
                "name": s.name,
                "role": s.role,
                "unit_level": s.unit_level,
                "budget_hours": _hours(Decimal(s.budget_hours)),
            }
            for s in v.steps.all()
        ],
    }


def catalog_export_json(data: dict[str, Any] | None = None) -> str:
    """The catalog as JSON text: sorted keys, 2-space indent, UTF-8 characters kept, final new line."""
    data = catalog_export_data() if data is None else data
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _cell_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def catalog_export_xlsx(data: dict[str, Any] | None = None) -> bytes:
    """The catalog as an .xlsx workbook with the sheets of ``importing.SHEET_COLUMNS``."""
    data = catalog_export_data() if data is None else data
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEET_COLUMNS}
    rows["fields"] = [[f["code"], f["name"]] for f in data["fields"]]
    for p in data["procedures"]:
        rows["procedures"].append([p["code"], p["name"], p["field"]])
        for v in p["versions"]:
            key = [p["code"], v["version"]]
            rows["versions"].append(
                [
                    *key,
                    v["status"],
                    _cell_date(v["valid_from"]),
                    _cell_date(v["valid_to"]),
                    v["name"],
                    v["level"],
                    v["implementing_agency"],
                    v["legal_basis"],
                    v["time_limit_value"],
                    v["time_limit_unit"],
                    v["online_mode"],
                    v["min_eid_level"],
                    v["supplement_rule"],
                    v["online_fee_percent"],
                    "\n".join(v["result_documents"]),
                    json.dumps(v["form_fields"], ensure_ascii=False, sort_keys=True)
                    if v["form_fields"]
                    else "",
                    v["notes"],
                    " ".join(v["units"]),
                ]
            )
            for i, c in enumerate(v["components"], start=1):
                rows["components"].append(
                    [*key, i, c["name"], c["kind"], c["count"], c["required"], c["template_file"]]
                )
            for i, f in enumerate(v["fees"], start=1):
                rows["fees"].append([*key, i, f["name"], f["amount_vnd"], f["exemptions"]])
            for i, s in enumerate(v["steps"], start=1):
                rows["steps"].append([*key, i, s["name"], s["role"], s["unit_level"], s["budget_hours"]])

    dates = ("valid_from", "valid_to")
    tables = [
        xlsx.Table(
            name=name,
            header=list(columns),
            rows=rows[name],
            formats={i: "yyyy-mm-dd" for i, column in enumerate(columns) if column in dates},
        )
        for name, columns in SHEET_COLUMNS.items()
    ]
    return xlsx.xlsx_tables(tables)
