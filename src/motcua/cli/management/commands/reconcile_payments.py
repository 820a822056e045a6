"""``motcua reconcile-payments``: settle the gateway payments still pending after their expiry; the day's report.

For each payment of each turned-on gateway that can be asked (VNPay QueryDR, the national payment platform's
status query) and is pending after its expiry: paid → credited once (the dossier moves on if paid in full),
failed → failed, unknown to the gateway → expired, still in progress → left. Prints the counts
``{"checked", "succeeded", "failed", "expired", "pending", "unavailable", "gateways": {…}}``
(``payments.reconciliation.settle_expired``; docs/payments.md). Run it every few minutes (cron, timer).

``--date D`` (``yyyy-mm-dd``, or ``yesterday``) also builds and keeps the reconciliation report of that day
(per gateway and unit: expected, received, differences), printed as JSON under ``"report"``; ``--xlsx FILE``
writes it as Excel. ``--schedule`` queues the nightly task (``payments.tasks.reconcile_payments_daily``) that
does both for the day before, every night; idempotent. No queryable gateway turned on: exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import clock
from motcua.payments.reconciliation import queryable_gateways, report_build, report_xlsx, settle_expired


def _day(text: str) -> dt.date:
    if text == "yesterday":
        return clock.now().astimezone(clock.VN_TZ).date() - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise CommandError(f"Ngày không hợp lệ: {text!r} (yyyy-mm-dd).", returncode=2)
    return day


class Command(BaseCommand):
    help = (
        "Đối soát các giao dịch quá hạn chưa có kết quả với cổng thanh toán và ghi nhận kết quả; "
        "lập báo cáo đối soát theo ngày (--date, --xlsx)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="ngày đối soát (yyyy-mm-dd hoặc yesterday)")
        parser.add_argument("--xlsx", help="ghi báo cáo đối soát ra tệp Excel (cần --date)")
        parser.add_argument("--schedule", action="store_true", help="đặt lịch chạy hằng đêm")

    def handle(self, *args: Any, **options: Any) -> None:
        if not queryable_gateways():
            raise CommandError(
                "Chưa bật cổng thanh toán nào có thể đối soát (MOTCUA_PAYMENT_GATEWAYS).", returncode=2
            )
        if options["schedule"]:
            from motcua.payments.tasks import reconcile_schedule_ensure

            self.stdout.write(json.dumps({"scheduled": reconcile_schedule_ensure()}))
            return
        if options["xlsx"] and not options["date"]:
            raise CommandError("--xlsx cần --date.", returncode=2)
        day = _day(options["date"]) if options["date"] else None
        result = settle_expired()
        if day is not None:
            report = report_build(day)
            result["report"] = report.summary()
            if options["xlsx"]:
                Path(options["xlsx"]).write_bytes(report_xlsx(report))
        self.stdout.write(json.dumps(result, ensure_ascii=False))
