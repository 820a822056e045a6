"""``motcua restore DIR``: restore a ``motcua backup`` into an empty database and storage.

Checks the manifest's SHA-256 of every file first; refuses a tampered or incomplete backup, a database that
has any table (create a new, empty one) and a storage already holding the backup's files: exit code 2 with
the reason. Then run ``motcua migrate`` (a backup of an older version) and ``motcua verify-audit``.
See ``core.backup`` and docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import backup_restore
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Khôi phục bản sao lưu DIR vào một cơ sở dữ liệu và kho tệp trống (kiểm tra mã SHA-256 trước)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="thư mục của bản sao lưu")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_restore(directory=Path(options["directory"]))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {summary.created_at}: cơ sở dữ liệu {summary.engine} "
            f"({summary.tables} bảng), {summary.files} tệp. Tiếp theo: motcua migrate, motcua verify-audit."
        )
