"""The national payment platform's notification (PayGov, ``POST /api/v1/payments/paygov/notify/``) and the
payer's return page: the same safety as VNPay's IPN (``services.vnpay_ipn``).

Only the notification changes a PayGov payment. Its answer ``{"MaLoi", "MoTa"}`` is checked in this order:
97 bad signature, 01 unknown ``MaTraCuuTT`` (or another partner), 04 ``SoTien`` ≠ the payment's amount, 02
already confirmed (a success again, a failure after a success, a failure again), 00 recorded (a success
credited once under ``paygov:<partner>:<MaTraCuuTT>``, or a failure), 99 anything unexpected (nothing
written). The payment's row lock and the unique key make ten identical notifications at once credit once.
Every notification is kept (``GatewayNotice``) with the answer, refused ones too, and logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog
from django.db import transaction

from motcua.accounts.services import system_actor
from motcua.core import clock

from .constants import EntrySource, Method, PaymentStatus
from .contrib.paygov import partner_code, protocol, secret
from .models import GatewayNotice, Payment
from .services import _succeed

logger = structlog.get_logger(__name__)

LABEL = "Nền tảng thanh toán trực tuyến (Cổng DVCQG)"


def paygov_notify(*, message: Any) -> tuple[str, str]:
    """Handle one notification of the platform; return its answer ``(MaLoi, MoTa)``."""
    now = clock.now()
    if not isinstance(message, dict):
        message = {}
    try:
        answer = _notify(message, now)
    except Exception:
        logger.exception("paygov_notify_error", reference=str(message.get("MaTraCuuTT", ""))[:100])
        answer = protocol.NOTIFY_UNEXPECTED
    safe = {str(k)[:64]: str(v)[:500] for k, v in list(message.items())[:50]}
    GatewayNotice.objects.create(
        gateway=Method.PAYGOV,
        reference=safe.get("MaTraCuuTT", "")[:100],
        params=safe,
        answer_code=answer[0],
        answer_message=answer[1],
        at=now,
    )
    log = logger.info if answer[0] in ("00", "02") else logger.warning
    log("paygov_notify", reference=safe.get("MaTraCuuTT", ""), code=answer[0])
    return answer


def _notify(message: dict[str, Any], now: dt.datetime) -> tuple[str, str]:
    if not protocol.verify(message, secret()):
        return protocol.NOTIFY_BAD_SIGNATURE
    reference = str(message.get("MaTraCuuTT", ""))
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().filter(reference=reference, method=Method.PAYGOV).first()
            if reference and message.get("MaDoiTac") == partner_code()
            else None
        )
        if payment is None:
            return protocol.NOTIFY_NOT_FOUND
        if str(message.get("SoTien", "")) != str(payment.amount):
            return protocol.NOTIFY_AMOUNT_MISMATCH
        success = str(message.get("TrangThai", "")) == protocol.PAID
        if payment.status == PaymentStatus.SUCCEEDED or (
            not success and payment.status == PaymentStatus.FAILED
        ):
            return protocol.NOTIFY_ALREADY_CONFIRMED
        paygov_record(payment, message, success=success, now=now)
        return protocol.NOTIFY_CONFIRMED


def paygov_record(payment: Payment, message: dict[str, Any], *, success: bool, now: dt.datetime) -> None:
    """Record the platform's result on ``payment`` (locked): a failure, or a success credited once."""
    payment.gateway_transaction_no = str(message.get("MaGiaoDich", ""))[:64]
    payment.gateway_response_code = str(message.get("TrangThai", ""))[:8]
    payment.gateway_transaction_status = str(message.get("TrangThai", ""))[:8]
    payment.gateway_bank_code = str(message.get("MaNganHang", ""))[:32]
    payment.gateway_paid_at = protocol.parse_time(str(message.get("ThoiGianThanhToan", "")))
    if not success:
        payment.status = PaymentStatus.FAILED
        payment.settled_at = now
        payment.save()
        return
    transaction_no = payment.gateway_transaction_no or payment.reference
    _succeed(
        payment,
        source=EntrySource.GATEWAY,
        source_reference=f"PayGov {transaction_no}",
        recorded_by=system_actor(Method.PAYGOV, label=LABEL),
        key=f"paygov:{message.get('MaDoiTac', '')}:{payment.reference}",
        at=now,
    )


def paygov_return_result(*, params: dict[str, str]) -> dict[str, Any]:
    """What the return page shows (display only: nothing is written). ``verified`` False for a bad signature."""
    verified = protocol.verify(params, secret())
    payment = None
    if verified:
        payment = (
            Payment.objects.select_related("dossier")
            .filter(reference=params.get("MaTraCuuTT", ""), method=Method.PAYGOV)
            .first()
        )
    amount = params.get("SoTien", "0")
    return {
        "verified": verified,
        "success": verified and params.get("TrangThai") == protocol.PAID,
        "response_code": params.get("TrangThai", ""),
        "payment": payment,
        "amount": int(amount) if amount.isdigit() else 0,
        "reference": params.get("MaTraCuuTT", ""),
        "transaction_no": params.get("MaGiaoDich", ""),
        "gateway_label": LABEL,
    }
