"""``motcua index --from D --to D [--unit CODE] --format json``: the Decision 766 service index (docs/reports.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.cli.management.commands.report import parse_date
from motcua.core.errors import DomainError
from motcua.reports.index import service_index


class Command(BaseCommand):
    help = "Decision 766 service-index indicators of a period (those without data are marked no_data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--unit", help="unit code (as of the last day); includes its sub-units")
        parser.add_argument("--format", choices=("json",), default="json")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = parse_date(options["date_from"]), parse_date(options["date_to"])
        try:
            result = service_index(date_from=date_from, date_to=date_to, unit_code=options["unit"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
