"""``motcua reconcile-payments``: settle the VNPay payments still pending after their expiry (QueryDR).

For each, asks VNPay what became of it: paid → credited once (the dossier moves on if paid in full), failed →
failed, unknown to VNPay → expired, still in progress → left. Prints
``{"checked", "succeeded", "failed", "expired", "pending", "unavailable"}``
(``payments.services.vnpay_settle_expired``; docs/payments.md). Run it every few minutes (cron, timer).
VNPay not turned on: exit code 2.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.payments.gateways import payment_gateways
from motcua.payments.services import vnpay_settle_expired


class Command(BaseCommand):
    help = "Đối soát các giao dịch VNPay quá hạn chưa có kết quả (QueryDR) và ghi nhận kết quả."

    def handle(self, *args: Any, **options: Any) -> None:
        if not payment_gateways["vnpay"].is_enabled():
            raise CommandError("Cổng thanh toán VNPay chưa được bật (MOTCUA_PAYMENT_GATEWAYS).", returncode=2)
        self.stdout.write(json.dumps(vnpay_settle_expired()))
