"""VNPay 2.1.0 as a payment gateway plugin: the signed payment URL (the IPN is ``services.vnpay_ipn``).

Settings: ``MOTCUA_VNPAY_TMN_CODE``, ``MOTCUA_VNPAY_HASH_SECRET`` (never logged nor shown),
``MOTCUA_VNPAY_PAY_URL``, ``MOTCUA_VNPAY_API_URL`` (QueryDR/refund, not used yet), ``MOTCUA_VNPAY_RETURN_URL``;
in the sandbox they default to motcua's own sandbox gateway (``/sandbox/vnpay/``).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from motcua.core import clock
from motcua.core.registry import sandbox_on

from ...gateways import GatewayUnavailable, PaymentGateway, payment_gateways
from ...models import Payment
from . import protocol


def tmn_code() -> str:
    return str(getattr(settings, "MOTCUA_VNPAY_TMN_CODE", "") or "")


def hash_secret() -> str:
    return str(getattr(settings, "MOTCUA_VNPAY_HASH_SECRET", "") or "")


@payment_gateways.register("vnpay")
class VnpayGateway(PaymentGateway):
    label = "Cổng thanh toán VNPay"
    transport: requests.Session | None = None  # tests: the sandbox in-process

    def check(self) -> list[str]:
        problems = []
        if not tmn_code():
            problems.append("MOTCUA_VNPAY_TMN_CODE is empty")
        if not hash_secret():
            problems.append("MOTCUA_VNPAY_HASH_SECRET is empty")
        for name in ("MOTCUA_VNPAY_PAY_URL", "MOTCUA_VNPAY_RETURN_URL"):
            url = str(getattr(settings, name, "") or "")
            if not url:
                problems.append(f"{name} is empty")
            elif urlsplit(url).scheme != "https" and not sandbox_on():
                problems.append(f"{name} must be https outside the sandbox: {url!r}")
        return problems

    def pay_url(self, payment: Payment, *, client_ip: str) -> str:
        params = {
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": tmn_code(),
            "vnp_Amount": payment.amount * 100,
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": protocol.ascii_text(
                f"Thanh toan phi, le phi ho so {payment.dossier.code or payment.dossier_id}"
            ),
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": str(settings.MOTCUA_VNPAY_RETURN_URL),
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": protocol.format_time(payment.created_at),
        }
        if payment.expires_at is not None:
            params["vnp_ExpireDate"] = protocol.format_time(payment.expires_at)
        query = protocol.query_string(protocol.signed(params, hash_secret()))
        base = str(settings.MOTCUA_VNPAY_PAY_URL)
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def query(self, payment: Payment, *, client_ip: str = "127.0.0.1") -> dict[str, str]:
        """QueryDR: what VNPay knows of ``payment`` (its signed answer, checked). Raises ``GatewayUnavailable``."""
        params = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": tmn_code(),
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": protocol.ascii_text(f"Truy van giao dich {payment.reference}"),
            "vnp_TransactionDate": protocol.format_time(payment.created_at),
            "vnp_CreateDate": protocol.format_time(clock.now()),
            "vnp_IpAddr": client_ip,
        }
        params["vnp_SecureHash"] = protocol.sign_pipe(params, protocol.QUERYDR_REQUEST_FIELDS, hash_secret())
        try:
            response = (self.transport or requests).post(
                str(settings.MOTCUA_VNPAY_API_URL), json=params, timeout=10
            )
            answer: Any = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayUnavailable(f"VNPay QueryDR: {type(exc).__name__}: {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayUnavailable("VNPay QueryDR: the answer is not a JSON object")
        answer = {str(k): str(v) for k, v in answer.items()}
        if not protocol.verify_pipe(answer, protocol.QUERYDR_RESPONSE_FIELDS, hash_secret()):
            raise GatewayUnavailable("VNPay QueryDR: the answer's signature does not match")
        return answer

    def settle_from_query(self, answer: dict[str, str], payment: Payment) -> str:
        code, state = answer.get("vnp_ResponseCode"), answer.get("vnp_TransactionStatus")
        if code == protocol.QUERYDR_NOT_FOUND:
            return "not_found"
        if code != protocol.OK or state == "01":  # VNPay could not say, or still in progress
            return "pending"
        if state == protocol.OK:
            # Paid, but not this amount: an operator looks at it.
            return "succeeded" if answer.get("vnp_Amount") == str(payment.amount * 100) else "pending"
        return "failed"

    supports_refund = True

    def refund(
        self, payment: Payment, *, amount: int, full: bool, request_id: str, created_by: str, client_ip: str
    ) -> tuple[bool, str, dict[str, str]]:
        """VNPay 2.1.0 refund (``vnp_Command=refund`` on ``MOTCUA_VNPAY_API_URL``): ``vnp_TransactionType`` 02
        (the whole amount) or 03 (a part), signed over the pipe-joined raw values in the documented order
        (``protocol.REFUND_REQUEST_FIELDS``); the answer's signature is checked
        (``protocol.REFUND_RESPONSE_FIELDS``). Accepted when ``vnp_ResponseCode`` is 00."""
        params = {
            "vnp_RequestId": request_id,
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": tmn_code(),
            "vnp_TransactionType": protocol.REFUND_FULL if full else protocol.REFUND_PARTIAL,
            "vnp_TxnRef": payment.reference,
            "vnp_Amount": str(amount * 100),
            "vnp_TransactionNo": payment.gateway_transaction_no,
            "vnp_TransactionDate": protocol.format_time(payment.created_at),
            "vnp_CreateBy": protocol.ascii_text(created_by, limit=250),
            "vnp_CreateDate": protocol.format_time(clock.now()),
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_OrderInfo": protocol.ascii_text(f"Hoan tien giao dich {payment.reference}"),
        }
        params["vnp_SecureHash"] = protocol.sign_pipe(params, protocol.REFUND_REQUEST_FIELDS, hash_secret())
        try:
            response = (self.transport or requests).post(
                str(settings.MOTCUA_VNPAY_API_URL), json=params, timeout=10
            )
            answer: Any = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayUnavailable(f"VNPay refund: {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise GatewayUnavailable("VNPay refund: the answer is not a JSON object")
        answer = {str(k): str(v) for k, v in answer.items()}
        if not protocol.verify_pipe(answer, protocol.REFUND_RESPONSE_FIELDS, hash_secret()):
            raise GatewayUnavailable("VNPay refund: the answer's signature does not match")
        code = answer.get("vnp_ResponseCode", "")
        return code == protocol.OK, code, answer

    def refund_outcome(self, code: str, answer: dict[str, str]) -> tuple[str, str]:
        return (
            protocol.REFUND_CODES.get(code, answer.get("vnp_Message", "")),
            answer.get("vnp_TransactionNo", ""),
        )
