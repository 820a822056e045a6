"""``motcua purge-drafts [--days N] [--dry-run]``: delete the online drafts nobody changed for N days.

N defaults to ``MOTCUA_DRAFT_RETENTION_DAYS`` (30). Prints one line per draft deleted (or, with ``--dry-run``,
to be deleted: nothing changes), then a summary. Only dossiers in state draft are ever deleted, with their
uploaded files (see ``submissions.services.drafts_purge`` and docs/portal.md). Bad ``--days``: exit code 2.
Run it daily (cron, systemd timer).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import clock
from motcua.core.errors import DomainError
from motcua.submissions.services import draft_retention_days, drafts_purge


def parse_days(text: str | None) -> int | str | None:
    """``--days`` as a number; text that is not one is passed on for the service to refuse with its message."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return text


class Command(BaseCommand):
    help = "Xóa hồ sơ nháp trực tuyến không được chỉnh sửa quá N ngày, cùng các tệp đã tải lên."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            help=f"số ngày không chỉnh sửa (mặc định MOTCUA_DRAFT_RETENTION_DAYS = "
            f"{settings.MOTCUA_DRAFT_RETENTION_DAYS})",
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không xóa gì")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            days = draft_retention_days(parse_days(options["days"]))
            result = drafts_purge(days=days, dry_run=options["dry_run"])
        except DomainError as exc:
            source = "--days" if options["days"] is not None else "MOTCUA_DRAFT_RETENTION_DAYS"
            raise CommandError(f"{source}: {exc.message}", returncode=2) from None
        verb = "Sẽ xóa" if result.dry_run else "Đã xóa"
        for draft in result.drafts:
            at = draft.last_activity.astimezone(clock.VN_TZ)
            self.stdout.write(
                f"{verb} hồ sơ nháp #{draft.pk}  thủ tục {draft.procedure}  đơn vị {draft.unit}  "
                f"sửa lần cuối {at:%Y-%m-%d %H:%M}  {draft.files} tệp"
            )
        since = result.cutoff.astimezone(clock.VN_TZ)
        summary = (
            f"{verb} {len(result.drafts)} hồ sơ nháp ({result.files} tệp) không chỉnh sửa từ "
            f"{since:%Y-%m-%d %H:%M} (quá {result.days} ngày)."
        )
        if result.dry_run:
            summary += " Chạy thử: không có gì bị xóa."
        self.stdout.write(summary)
