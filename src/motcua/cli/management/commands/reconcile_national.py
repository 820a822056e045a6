"""``motcua reconcile-national --date D [--unit CODE]``: compare local and national-portal statuses, re-send.

For every dossier of a connected procedure touched on day D (Vietnam time; default yesterday), optionally of
one unit, asks the portal for its status (``TraCuuHoSo``), sends again what differs and prints
``{"checked": n, "mismatched": n, "resent": n, "failed": n}`` (``national_portal.services.national_reconcile``;
docs/national-portal.md). Run it nightly (cron, systemd timer). A bad date or no portal client: exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import clock
from motcua.national_portal.client import PortalError
from motcua.national_portal.services import national_reconcile


class Command(BaseCommand):
    help = "Đối soát trạng thái hồ sơ với Cổng Dịch vụ công quốc gia và gửi lại các hồ sơ chênh lệch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="ngày đối soát yyyy-mm-dd (mặc định: hôm qua)")
        parser.add_argument("--unit", help="mã đơn vị (mặc định: mọi đơn vị)")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["date"]
        try:
            day = dt.date.fromisoformat(text) if text else clock.today() - dt.timedelta(days=1)
        except ValueError:
            raise CommandError(f"--date: ngày không hợp lệ {text!r} (yyyy-mm-dd)", returncode=2) from None
        try:
            report = national_reconcile(day=day, unit_code=options["unit"] or None)
        except PortalError as exc:
            raise CommandError(f"Cổng Dịch vụ công quốc gia: {exc}", returncode=2) from None
        self.stdout.write(json.dumps(report.as_dict()))
