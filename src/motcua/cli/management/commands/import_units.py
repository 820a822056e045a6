"""``motcua import-units FILE.json``: import the unit tree (format: docs/organisations.md).

All or nothing: on any error every problem is printed as ``row N, field F: reason``, nothing is imported
and the exit code is 2. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from motcua.core.importing import command_error
from motcua.organisations.importing import UnitsImportFailed, read_units_file
from motcua.organisations.services import units_import


class Command(BaseCommand):
    help = "Nhập cây đơn vị từ tệp JSON (định dạng: docs/organisations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = units_import(data=read_units_file(options["file"]))
        except UnitsImportFailed as exc:
            raise command_error(exc, self.stderr) from exc
        self.stdout.write(
            _(
                "Đơn vị: %(units_created)s thêm mới, %(units_updated)s cập nhật, %(units_unchanged)s không đổi. "
                "Sắp xếp (cũ → mới): %(successions_created)s thêm mới, %(successions_updated)s cập nhật, "
                "%(successions_unchanged)s không đổi."
            )
            % vars(result)
        )
