"""``motcua kpi --from D --to D [--unit CODE] --format json|xlsx [--output FILE]``: the province's figures.

The flat JSON of issue 15, item 5 (``reports.kpi.province_kpi``; docs/reports.md, "The province's figures").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.cli.management.commands.report import parse_date
from motcua.core.errors import DomainError
from motcua.reports.kpi import kpi_xlsx, province_kpi


class Command(BaseCommand):
    help = (
        "The province's monthly figures: dossiers, online and on-time rates, services, payments, Project 06."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--unit", help="unit code (as of the last day); includes its sub-units")
        parser.add_argument("--format", choices=("json", "xlsx"), default="json")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = parse_date(options["date_from"]), parse_date(options["date_to"])
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and not output:
            raise CommandError("--output FILE is required with --format xlsx", returncode=2)
        try:
            result = province_kpi(date_from=date_from, date_to=date_to, unit_code=options["unit"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        if fmt == "xlsx":
            Path(output).write_bytes(kpi_xlsx(result))
            return
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
