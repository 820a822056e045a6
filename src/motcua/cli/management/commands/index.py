"""``motcua index --from D --to D [--unit CODE] [--by level|unit] --format json|text``: the Decision 766 service
index under the methodology version in force (docs/reports.md §3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.cli.management.commands.report import parse_date
from motcua.core import formatting
from motcua.core.errors import DomainError
from motcua.reports.index import NO_DATA, service_index


def _points(value: float | None) -> str:
    """Points the Vietnamese way: ``11.11`` → ``11,11``, ``5.0`` → ``5``."""
    return "—" if value is None else f"{value:g}".replace(".", ",")


def index_text(result: dict[str, Any]) -> str:
    """The index as text: the version, each group and indicator with its formula, inputs and score."""
    version = result["version"]
    lines = [
        f"Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766) từ {result['from']} đến {result['to']}, "
        f"đơn vị {result['unit'] or 'toàn tỉnh'}",
        f"Cách chấm: {version['title']} (áp dụng từ {version['effective_from']}"
        f"{'' if version['effective_from_verified'] else ', ngày áp dụng chưa xác minh'})",
        f"Tổng điểm: {_points(result['score'])} / {_points(result['available_weight'])} điểm có dữ liệu "
        f"(tối đa {_points(result['maximum'])})",
    ]
    for group in result["groups"]:
        lines.append("")
        lines.append(
            f"{group['group']}. {group['name']} ({group['code']}): {_points(group['score'])} / "
            f"{_points(group['available_weight'])} (tối đa {_points(group['maximum'])})"
        )
        for item in result["indicators"]:
            if item["group"] != group["group"]:
                continue
            if item["status"] == NO_DATA:
                outcome = "chưa có dữ liệu"
            elif item["empty_full"]:
                outcome = f"không phát sinh, {_points(item['score'])} điểm"
            elif not item["scored"]:
                outcome = f"tỷ lệ {formatting.percent(item['rate'])}"
            else:
                outcome = f"tỷ lệ {formatting.percent(item['rate'])}, {_points(item['score'])} điểm"
            maximum = f"tối đa {_points(item['weight'])}" if item["scored"] else "không chấm điểm"
            lines.append(
                f"  {item['code']} {item['name']}: {outcome} ({maximum}, ngưỡng "
                f"{formatting.percent(item['threshold'])}{'' if item['verified'] else ', chưa xác minh'})"
            )
            lines.append(f"      công thức: {item['official_formula']}")
            if item["formula"]:
                lines.append(f"      motcua tính: {item['formula']}")
            if item["inputs"]:
                values = "; ".join(f"{i['label']}: {i['value']}" for i in item["inputs"])
                lines.append(f"      số liệu: {values}")
            if item["no_data_reason"]:
                lines.append(f"      lý do: {item['no_data_reason']}")
    if result.get("rows"):
        lines.append("")
        lines.append("Theo cấp:" if result["by"] == "level" else "Theo đơn vị trực thuộc:")
    for row in result.get("rows", []):
        lines.append(
            f"  {row['key']} {row['name']}: {_points(row['score'])} / {_points(row['available_weight'])}"
        )
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Decision 766 service index of a period: every indicator of the methodology in force (no_data where none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--unit", help="unit code (as of the last day); includes its sub-units")
        parser.add_argument(
            "--by",
            choices=("level", "unit"),
            help="also the index of each level, or of each unit directly below",
        )
        parser.add_argument("--format", choices=("json", "text"), default="json")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = parse_date(options["date_from"]), parse_date(options["date_to"])
        try:
            result = service_index(
                date_from=date_from, date_to=date_to, unit_code=options["unit"], by=options["by"]
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        if options["format"] == "text":
            text = index_text(result)
        else:
            text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
