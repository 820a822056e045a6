"""The VNPay 2.1.0 wire format: the signature, dates, the codes (INTEGRATIONS.md, "Payments").

Signature: every non-empty ``vnp_*`` parameter except ``vnp_SecureHash`` and ``vnp_SecureHashType``, sorted by
key, values form-URL-encoded (``quote_plus``), joined ``k=v`` with ``&``; HMAC-SHA512 with the hash secret, in
lower-case hex. Pure functions: no settings, no database (the sandbox gateway signs with the same code).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus

from motcua.core.clock import VN_TZ

VERSION = "2.1.0"
DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, GMT+7
HASH_KEYS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

# vnp_ResponseCode / vnp_TransactionStatus: 00 is success; the sandbox gateway answers these others.
OK = "00"
RESPONSE_CANCELLED = "24"  # the customer cancelled
RESPONSE_INSUFFICIENT_FUNDS = "51"
STATUS_FAILED = "02"

# IPN answers (RspCode, Message), in the order they are checked.
IPN_BAD_SIGNATURE = ("97", "Invalid signature")
IPN_ORDER_NOT_FOUND = ("01", "Order not found")
IPN_AMOUNT_MISMATCH = ("04", "Invalid amount")
IPN_ALREADY_CONFIRMED = ("02", "Order already confirmed")
IPN_CONFIRMED = ("00", "Confirm Success")
IPN_UNEXPECTED = ("99", "Unknown error")


def hash_data(params: Mapping[str, object]) -> str:
    """The signed string: the non-empty ``vnp_*`` parameters but the hash, sorted, ``quote_plus``-encoded."""
    items = sorted(
        (key, str(value))
        for key, value in params.items()
        if key.startswith("vnp_") and key not in HASH_KEYS and value is not None and str(value) != ""
    )
    return "&".join(f"{key}={quote_plus(value)}" for key, value in items)


def sign(params: Mapping[str, object], secret: str) -> str:
    """HMAC-SHA512 of ``hash_data(params)`` with ``secret``, lower-case hex."""
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def signed(params: Mapping[str, object], secret: str) -> dict[str, str]:
    """``params`` (non-empty values, as strings) with their ``vnp_SecureHash``."""
    result = {key: str(value) for key, value in params.items() if value is not None and str(value) != ""}
    result["vnp_SecureHash"] = sign(result, secret)
    return result


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Whether ``params`` carry the signature ``secret`` gives them (constant-time comparison)."""
    given = str(params.get("vnp_SecureHash", "") or "").lower()
    if not given or not secret:
        return False
    # compare bytes: a forged hash with non-ASCII characters is a mismatch (97), not a TypeError (99)
    return hmac.compare_digest(given.encode(), sign(params, secret).encode())


def query_string(params: Mapping[str, str]) -> str:
    """The URL query of signed parameters, encoded as they were signed (the hash last)."""
    body = {k: v for k, v in params.items() if k not in HASH_KEYS}
    query = hash_data(body)
    if "vnp_SecureHash" in params:
        query += f"&vnp_SecureHash={params['vnp_SecureHash']}"
    return query


def format_time(moment: dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time (GMT+7)."""
    return moment.astimezone(VN_TZ).strftime(DATE_FORMAT)


def parse_time(text: str) -> dt.datetime | None:
    """A ``yyyyMMddHHmmss`` GMT+7 value as an aware datetime; ``None`` when malformed (not 14 ASCII digits, or
    no such instant). Sliced by hand: ``strptime`` is Python code run on every IPN (issue 12, item 11)."""
    if not isinstance(text, str) or len(text) != 14 or not text.isascii() or not text.isdigit():
        return None
    try:
        return dt.datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            tzinfo=VN_TZ,
        )
    except ValueError:
        return None


def ascii_text(text: str, *, limit: int = 255) -> str:
    """``vnp_OrderInfo`` takes no diacritics: Vietnamese letters folded to ASCII (case kept)."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return "".join(ch for ch in plain if 32 <= ord(ch) < 127)[:limit]


# QueryDR (vnp_Command=querydr): the request and the answer are signed over their raw values joined with "|".
QUERYDR_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERYDR_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
QUERYDR_NOT_FOUND = "91"  # vnp_ResponseCode: no such transaction at VNPay


def sign_pipe(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> str:
    """HMAC-SHA512 over the raw values of ``fields`` joined with ``|`` (QueryDR, refund)."""
    data = "|".join(str(params.get(field, "") or "") for field in fields)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def verify_pipe(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "") or "").lower()
    return bool(given and secret) and hmac.compare_digest(
        given.encode(), sign_pipe(params, fields, secret).encode()
    )


# Refund (vnp_Command=refund) on the merchant API (MOTCUA_VNPAY_API_URL), VNPay 2.1.0: the request is signed over
# these raw values joined with "|" in this order (vnp_TransactionNo may be empty), and so is the answer.
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
REFUND_FULL = "02"  # vnp_TransactionType: the whole amount
REFUND_PARTIAL = "03"  # part of it
# vnp_ResponseCode of a refund: 00 accepted; the others refuse it.
REFUND_CODES = {
    "00": "Yêu cầu hoàn tiền được chấp nhận",
    "02": "Mã website (TmnCode) không hợp lệ",
    "03": "Dữ liệu gửi sang không đúng định dạng",
    "91": "Không tìm thấy giao dịch yêu cầu hoàn trả",
    "94": "Yêu cầu trùng lặp, đang được xử lý",
    "95": "Giao dịch không thành công bên VNPay, VNPay từ chối xử lý",
    "97": "Chữ ký không hợp lệ",
    "99": "Lỗi khác",
}
REFUND_STATUS_PROCESSING = "05"  # vnp_TransactionStatus: VNPay is processing the refund
