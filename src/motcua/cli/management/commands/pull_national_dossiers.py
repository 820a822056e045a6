"""``motcua pull-national-dossiers [--since yyyy-mm-dd] [--schedule]``: bring in the dossiers filed on the portal.

Pulls the dossiers citizens filed on the national portal for the province's connected procedures
(``national_portal.inbound.national_dossiers_pull``) and prints ``{"fetched", "created", "existing",
"skipped", "failed", "problems"}``. Idempotent by the national code. ``--schedule`` instead queues the
periodic pull task (every ``MOTCUA_DVCQG_PULL_MINUTES``, run by ``motcua db_worker``) unless one is queued.
No portal client or the portal unreachable: exit code 2 (docs/national-portal.md).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import clock
from motcua.national_portal.client import PortalError
from motcua.national_portal.inbound import national_dossiers_pull
from motcua.national_portal.tasks import pull_schedule_ensure


class Command(BaseCommand):
    help = "Nhận về các hồ sơ công dân nộp trên Cổng Dịch vụ công quốc gia."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="nộp từ ngày yyyy-mm-dd (mặc định: 72 giờ qua)")
        parser.add_argument("--schedule", action="store_true", help="xếp lịch nhận định kỳ (db_worker chạy)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            self.stdout.write(json.dumps({"scheduled": pull_schedule_ensure()}))
            return
        since = None
        if options["since"]:
            try:
                day = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(f"--since: ngày không hợp lệ {options['since']!r}", returncode=2) from None
            since = dt.datetime.combine(day, dt.time(0), tzinfo=clock.VN_TZ)
        try:
            report = national_dossiers_pull(since=since)
        except PortalError as exc:
            raise CommandError(f"Cổng Dịch vụ công quốc gia: {exc}", returncode=2) from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
