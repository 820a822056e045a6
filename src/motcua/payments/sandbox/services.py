"""The sandbox VNPay gateway's logic: check an order as VNPay does, record the buyer's choice, sign the result.

Speaks VNPay 2.1.0 with motcua's demo merchant (``MOTCUA_SANDBOX_VNPAY_TMN_CODE`` / ``..._HASH_SECRET``): the
payment page takes the signed order, the buyer picks "Thành công", "Hủy" or "Không đủ số dư", the browser goes
back to ``vnp_ReturnUrl`` with the signed result and the IPN is sent to ``MOTCUA_SANDBOX_VNPAY_IPN_URL`` by a
task, retried until motcua answers ``00`` or ``02`` (``tasks.sandbox_vnpay_send_ipn``).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from motcua.core import clock

from ..contrib.vnpay import protocol
from ..models import SandboxVnpayTransaction

# The buyer's choice: (vnp_ResponseCode, vnp_TransactionStatus), the button's label.
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "success": (protocol.OK, protocol.OK, "Thành công"),
    "cancelled": (protocol.RESPONSE_CANCELLED, protocol.STATUS_FAILED, "Hủy"),
    "insufficient_funds": (protocol.RESPONSE_INSUFFICIENT_FUNDS, protocol.STATUS_FAILED, "Không đủ số dư"),
}
RESULT_KEYS = ("vnp_Amount", "vnp_OrderInfo", "vnp_TmnCode", "vnp_TxnRef")


class SandboxRefused(Exception):
    """VNPay would refuse this order (its message shown on the payment page)."""


def secret() -> str:
    return str(settings.MOTCUA_SANDBOX_VNPAY_HASH_SECRET)


def order_check(params: dict[str, str]) -> dict[str, Any]:
    """The order as VNPay reads it, or ``SandboxRefused`` with the reason in Vietnamese."""
    if params.get("vnp_TmnCode") != settings.MOTCUA_SANDBOX_VNPAY_TMN_CODE:
        raise SandboxRefused("Website chưa được đăng ký với cổng thanh toán (vnp_TmnCode).")
    if not protocol.verify(params, secret()):
        raise SandboxRefused("Sai chữ ký (vnp_SecureHash).")
    if params.get("vnp_Version") != protocol.VERSION or params.get("vnp_Command") != "pay":
        raise SandboxRefused("Phiên bản hoặc lệnh không được hỗ trợ.")
    if params.get("vnp_CurrCode") != "VND":
        raise SandboxRefused("Loại tiền tệ không được hỗ trợ.")
    amount = params.get("vnp_Amount", "")
    if not amount.isdigit() or int(amount) <= 0 or int(amount) % 100:
        raise SandboxRefused("Số tiền không hợp lệ.")
    if not params.get("vnp_TxnRef") or not params.get("vnp_ReturnUrl"):
        raise SandboxRefused("Thiếu mã giao dịch hoặc địa chỉ trả về.")
    if protocol.parse_time(params.get("vnp_CreateDate", "")) is None:
        raise SandboxRefused("Thời gian tạo giao dịch không hợp lệ.")
    expires = protocol.parse_time(params.get("vnp_ExpireDate", ""))
    if params.get("vnp_ExpireDate") and (expires is None or expires < clock.now()):
        raise SandboxRefused("Giao dịch đã quá thời gian chờ thanh toán.")
    return {
        "amount": int(amount) // 100,
        "order_info": params.get("vnp_OrderInfo", ""),
        "ref": params["vnp_TxnRef"],
    }


def pay(params: dict[str, str], outcome: str) -> SandboxVnpayTransaction:
    """Record the buyer's choice for the order ``params`` and queue its IPN; returns the transaction."""
    if outcome not in OUTCOMES:
        raise SandboxRefused("Lựa chọn không hợp lệ.")
    order_check(params)
    response_code, transaction_status, _label = OUTCOMES[outcome]
    now = clock.now()
    transaction_no = f"{secrets.randbelow(10**8):08d}"
    result = {key: params[key] for key in RESULT_KEYS if params.get(key)}
    result.update(
        vnp_BankCode=params.get("vnp_BankCode") or "NCB",
        vnp_BankTranNo=f"VNP{transaction_no}",
        vnp_CardType="ATM",
        vnp_PayDate=protocol.format_time(now),
        vnp_ResponseCode=response_code,
        vnp_TransactionNo=transaction_no,
        vnp_TransactionStatus=transaction_status,
    )
    from ..tasks import sandbox_vnpay_send_ipn

    try:
        with transaction.atomic():
            txn = SandboxVnpayTransaction.objects.create(
                tmn_code=params["vnp_TmnCode"],
                txn_ref=params["vnp_TxnRef"],
                transaction_no=transaction_no,
                outcome=outcome,
                params=protocol.signed(result, secret()),
                return_url=params["vnp_ReturnUrl"],
                created_at=now,
            )
            sandbox_vnpay_send_ipn.enqueue(txn.pk)
    except IntegrityError:
        raise SandboxRefused("Giao dịch đã được thực hiện trước đó.") from None
    return txn


def return_redirect_url(txn: SandboxVnpayTransaction) -> str:
    base = txn.return_url
    return f"{base}{'&' if '?' in base else '?'}{protocol.query_string(txn.params)}"
