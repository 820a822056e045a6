"""``motcua report (--from D --to D | --month YYYY-MM [--period official|calendar]) [--unit CODE]
[--by unit|level|field] --format json|xlsx|pdf [--output FILE]``.

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
from motcua.reports.selectors import BY_CHOICES, PERIOD_KINDS, monthly_report


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)", returncode=2) from None


class Command(BaseCommand):
    help = "The monthly report (form II.06a): received, resolved and in-progress dossiers of a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--month", help="a reporting month (YYYY-MM), instead of --from/--to")
        parser.add_argument(
            "--period",
            choices=PERIOD_KINDS,
            default="official",
            help="with --month: official (15th of the previous month to the 14th, Decree 09/2019) or calendar",
        )
        parser.add_argument("--unit", help="unit code (as of the last day); includes its sub-units")
        parser.add_argument(
            "--by",
            choices=BY_CHOICES,
            default="unit",
            help="a row per unit, per level, or per field (lĩnh vực) within each level",
        )
        parser.add_argument(
            "--payments",
            action="store_true",
            help="payments per month by channel (online gateway, VietQR/bank, counter) instead, --by unit|level",
        )
        parser.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json")
        parser.add_argument(
            "--output", help="file to write (default: standard output; required for xlsx/pdf)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        month = options["month"]
        if month and (options["date_from"] or options["date_to"]):
            raise CommandError("give either --month or --from/--to, not both", returncode=2)
        if not month and not (options["date_from"] and options["date_to"]):
            raise CommandError("give --from and --to, or --month", returncode=2)
        fmt, output = options["format"], options["output"]
        if fmt != "json" and not output:
            raise CommandError(f"--output FILE is required with --format {fmt}", returncode=2)
        if options["payments"]:
            self._payments(options, month)
            return
        try:
            if month:
                report = monthly_report(
                    month=month, period_kind=options["period"], unit_code=options["unit"], by=options["by"]
                )
            else:
                report = monthly_report(
                    date_from=parse_date(options["date_from"]),
                    date_to=parse_date(options["date_to"]),
                    unit_code=options["unit"],
                    by=options["by"],
                )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        unit_name = unit_level = None
        if options["unit"]:
            from motcua.organisations.constants import REPORTING_LEVEL, Level
            from motcua.organisations.selectors import unit_by_code

            unit = unit_by_code(options["unit"], as_of=dt.date.fromisoformat(report["to"]))
            unit_name = unit.name
            unit_level = str(REPORTING_LEVEL.get(Level(unit.level), unit.level))
        if fmt == "json":
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        data = (
            report_xlsx(report, unit_name=unit_name, unit_level=unit_level)
            if fmt == "xlsx"
            else report_pdf(report, unit_name=unit_name, unit_level=unit_level)
        )
        Path(output).write_bytes(data)
        self.stderr.write(f"wrote {output} ({len(data)} bytes)")

    def _payments(self, options: dict[str, Any], month: str | None) -> None:
        """``--payments``: ``reports.payment_stats.payments_report`` as JSON or xlsx (docs/reports.md §6)."""
        from motcua.reports.payment_stats import payments_report, payments_xlsx
        from motcua.reports.selectors import month_period

        fmt, output = options["format"], options["output"]
        if fmt == "pdf":
            raise CommandError("--payments gives json or xlsx", returncode=2)
        try:
            if month:
                chosen = month_period(month, options["period"])
                date_from, date_to = chosen.start, chosen.end
            else:
                date_from, date_to = parse_date(options["date_from"]), parse_date(options["date_to"])
            by = "level" if options["by"] == "level" else "unit"
            report = payments_report(date_from=date_from, date_to=date_to, unit_code=options["unit"], by=by)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        if fmt == "xlsx":
            Path(output).write_bytes(payments_xlsx(report))
            return
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
