"""``motcua import-catalog FILE``: import procedures from the JSON or .xlsx format of docs/catalog.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.importing import CatalogFileInvalid
from motcua.catalog.services import catalog_import_file
from motcua.core.importing import command_error


class Command(BaseCommand):
    help = (
        "Import a procedure catalog (.json or .xlsx, see docs/catalog.md). Every row is validated first; on any "
        "error each one is printed as 'row N, field F: reason', nothing is imported and the exit code is 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of a .json or .xlsx catalog file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = catalog_import_file(path=options["file"])
        except CatalogFileInvalid as exc:
            raise command_error(exc, self.stderr) from None
        self.stdout.write(str(report))
