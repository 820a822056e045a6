"""``motcua verify-audit [--from D] [--to D]``: check the audit trail's hash chain, day by day.

Prints one line per Vietnam day (entries, the day's last hash: keep these lines outside the database, they
anchor the chain) and, for a broken day, its first break: the entry id, its position, what differs
(``audit.selectors.audit_verify``; docs/operations.md). Exit code 1 when a chain is broken, 2 for a bad date.
Run it daily after the backup (cron, systemd timer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.audit.selectors import audit_verify


def parse_day(option: str, text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: ngày không hợp lệ {text!r} (yyyy-mm-dd)", returncode=2) from None


class Command(BaseCommand):
    help = "Kiểm tra chuỗi mã băm của nhật ký kiểm tra, báo chỗ đứt đầu tiên của từng ngày."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="since", help="từ ngày yyyy-mm-dd (mặc định: ngày đầu tiên)")
        parser.add_argument("--to", dest="until", help="đến ngày yyyy-mm-dd (mặc định: ngày cuối cùng)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = parse_day("--from", options["since"])
        until = parse_day("--to", options["until"])
        if since and until and since > until:
            raise CommandError("--from sau --to", returncode=2)
        result = audit_verify(since=since, until=until)
        for day in result.days:
            state = "ĐỨT" if day.broken else "ok"
            self.stdout.write(f"{day.day}  {day.entries} bản ghi  {day.last_hash}  {state}")
            if day.broken:
                b = day.broken
                where = (
                    f"bản ghi id {b.entry_id} (số {b.seq} của ngày {b.day})"
                    if b.entry_id
                    else f"ngày {b.day}"
                )
                self.stdout.write(f"  {where}: {b.problem}")
                if b.expected or b.found:
                    self.stdout.write(f"    đúng ra: {b.expected}\n    tìm thấy: {b.found}")
        summary = f"{len(result.days)} ngày, {result.entries} bản ghi"
        if result.ok:
            self.stdout.write(f"Chuỗi nhật ký nguyên vẹn: {summary}.")
            return
        first = result.breaks[0]
        raise CommandError(
            f"Chuỗi nhật ký bị đứt ở {len(result.breaks)} ngày ({summary}); chỗ đứt đầu tiên: ngày {first.day}"
            + (f", bản ghi id {first.entry_id}" if first.entry_id else "")
            + f": {first.problem}",
            returncode=1,
        )
