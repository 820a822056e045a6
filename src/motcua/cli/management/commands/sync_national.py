"""``motcua sync-national``: queue a sender for every dossier with a national-portal update due.

A safety net run every few minutes (cron, systemd timer): after a worker was killed in the middle of a send
(its task is lost with it, its transaction rolled back, the update still unsent), or a retry task that went
missing, the dossier's updates go again, in order (``national_portal.services.sync_sweep``;
docs/national-portal.md). Prints ``{"queued": n}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from motcua.national_portal.services import sync_sweep


class Command(BaseCommand):
    help = "Xếp lịch gửi các bản tin đến hạn gửi Cổng Dịch vụ công quốc gia (chạy định kỳ vài phút một lần)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({"queued": sync_sweep()}))
