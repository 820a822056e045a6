"""``motcua report --from D --to D [--unit CODE] [--by unit|level] --format json|xlsx|pdf [--output FILE]``.

The monthly report (form II.06a/VPCP/KSTT), see docs/reports.md.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.reports.exports import report_pdf, report_xlsx
from motcua.reports.selectors import BY_CHOICES, monthly_report


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)", returncode=2) from None


class Command(BaseCommand):
    help = "The monthly report (form II.06a): received, resolved and in-progress dossiers of a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--unit", help="unit code (as of the last day); includes its sub-units")
        parser.add_argument("--by", choices=BY_CHOICES, default="unit", help="a row per unit or per level")
        parser.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json")
        parser.add_argument(
            "--output", help="file to write (default: standard output; required for xlsx/pdf)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = parse_date(options["date_from"]), parse_date(options["date_to"])
        fmt, output = options["format"], options["output"]
        if fmt != "json" and not output:
            raise CommandError(f"--output FILE is required with --format {fmt}", returncode=2)
        try:
            report = monthly_report(
                date_from=date_from, date_to=date_to, unit_code=options["unit"], by=options["by"]
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        unit_name = None
        if options["unit"]:
            from motcua.organisations.selectors import unit_by_code

            unit_name = unit_by_code(options["unit"], as_of=date_to).name
        if fmt == "json":
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        data = (
            report_xlsx(report, unit_name=unit_name)
            if fmt == "xlsx"
            else report_pdf(report, unit_name=unit_name)
        )
        Path(output).write_bytes(data)
        self.stderr.write(f"wrote {output} ({len(data)} bytes)")
