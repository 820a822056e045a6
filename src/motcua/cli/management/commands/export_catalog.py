"""``motcua export-catalog --format json|xlsx [--output FILE]``: the whole catalog, re-importable."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.exporting import catalog_export_json, catalog_export_xlsx


class Command(BaseCommand):
    help = "Export the procedure catalog as JSON (default, to stdout) or .xlsx (needs --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output, JSON only)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if options["format"] == "json":
            text = catalog_export_json()
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        content = catalog_export_xlsx()
        if output:
            Path(output).write_bytes(content)
        elif not sys.stdout.isatty():
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            raise CommandError("--format xlsx needs --output FILE (or redirect standard output).")
