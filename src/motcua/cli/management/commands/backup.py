"""``motcua backup DIR``: the database (a consistent dump), the stored files and a manifest with checksums.

On PostgreSQL ``pg_dump --format=custom`` (Debian's postgresql-client, same major version as the server or
newer); on SQLite the online backup API. ``DIR`` must be new or empty. See ``core.backup`` and
docs/operations.md (schedule, retention, the restore drill). Errors: exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import backup_create
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu, các tệp đã lưu và bảng kê mã SHA-256 vào thư mục DIR (mới hoặc trống)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="thư mục sao lưu (mới hoặc trống)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(directory=Path(options["directory"]))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(
            f"Đã sao lưu vào {summary.directory}: cơ sở dữ liệu {summary.engine} ({summary.database_bytes:,} byte), "
            f"{summary.files} tệp ({summary.files_bytes:,} byte), bảng kê manifest.json."
        )
