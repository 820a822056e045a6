"""``motcua pull-national-catalog [--code X]``: compare the catalog with the national portal's; propose changes.

Fetches the portal's procedures (``LayDanhSachTTHC``, ``LayThuTuc``), records for each local procedure whether
it exists there, and makes a pending proposal for each one that differs
(``national_portal.catalog.national_catalog_pull``). Nothing in the catalog changes: an officer reviews and
publishes each proposal in the admin (Cổng Dịch vụ công quốc gia → Đề xuất cập nhật thủ tục). Prints
``{"listed", "checked", "proposed", "unchanged", "not_on_portal", "unknown"}``. No portal client, the portal
unreachable, an unknown ``--code``: exit code 2 (docs/national-portal.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import NotFound
from motcua.national_portal.catalog import national_catalog_pull
from motcua.national_portal.client import PortalError


class Command(BaseCommand):
    help = "Lấy danh mục thủ tục từ Cổng Dịch vụ công quốc gia và đề xuất cập nhật (cán bộ duyệt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", help="chỉ một thủ tục (mã thủ tục)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = national_catalog_pull(code=options["code"] or None)
        except PortalError as exc:
            raise CommandError(f"Cổng Dịch vụ công quốc gia: {exc}", returncode=2) from None
        except NotFound as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
