"""``motcua import-dossiers FILE``: import historical dossiers from a legacy system (docs/reports.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.importing import command_error
from motcua.dossiers.legacy_import import COLUMNS, LegacyImportInvalid, legacy_dossiers_import


class Command(BaseCommand):
    help = (
        f"Import historical dossiers from a .csv or .xlsx file with the columns {', '.join(COLUMNS)}. "
        "Naive times are Asia/Ho_Chi_Minh. Every row is validated first; on any error each one is printed as "
        "'row N, column C: reason', nothing is imported and the exit code is 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of a .csv or .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = legacy_dossiers_import(path=options["file"])
        except LegacyImportInvalid as exc:
            raise command_error(exc, self.stderr) from None
        self.stdout.write(str(result))
