"""The national payment platform's wire format as motcua models it (no public specification; docs/payments.md).

Messages are flat JSON objects (the payment request also carries ``PhiLePhi``, a list of fee lines). The
signature ``ChuKy`` is HMAC-SHA256 with the partner's secret, lower-case hex, over the message's canonical
JSON without ``ChuKy``: keys sorted, no spaces, UTF-8 (``ensure_ascii=False``). The payment request travels
in the payer's browser as ``DuLieu`` = base64url of its JSON. Pure functions: no settings, no database (the
sandbox platform signs with the same code).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from motcua.core.clock import VN_TZ

from ..vnpay.protocol import ascii_text, parse_time

__all__ = ["ascii_text", "parse_time"]

VERSION = "1.0"
SIGNATURE = "ChuKy"
DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, GMT+7

# TrangThai of a payment at the platform.
PAID = "00"
CANCELLED = "01"
INSUFFICIENT_FUNDS = "02"
IN_PROGRESS = "03"
FAILED_STATES = frozenset({CANCELLED, INSUFFICIENT_FUNDS})

# MaLoi of the status query's answer.
OK = "00"
NOT_FOUND = "01"

# The notification's answers (MaLoi, MoTa), in the order they are checked (as VNPay's IPN).
NOTIFY_BAD_SIGNATURE = ("97", "Chu ky khong hop le")
NOTIFY_NOT_FOUND = ("01", "Khong tim thay ma tra cuu thanh toan")
NOTIFY_AMOUNT_MISMATCH = ("04", "So tien khong khop")
NOTIFY_ALREADY_CONFIRMED = ("02", "Giao dich da duoc xac nhan")
NOTIFY_CONFIRMED = ("00", "Xac nhan thanh cong")
NOTIFY_UNEXPECTED = ("99", "Loi khong xac dinh")

# LoaiPhiLePhi of a fee line.
FEE_KIND_FEE = "1"  # phí
FEE_KIND_CHARGE = "2"  # lệ phí
FEE_KIND_OTHER = "3"  # other amounts due (financial obligations)


def fee_kind(name: str) -> str:
    lowered = name.strip().lower()
    if lowered.startswith("lệ phí"):
        return FEE_KIND_CHARGE
    if lowered.startswith("phí"):
        return FEE_KIND_FEE
    return FEE_KIND_OTHER


def canonical(message: Mapping[str, Any]) -> str:
    """The signed text: the message without ``ChuKy`` as JSON, keys sorted, no spaces, UTF-8."""
    body = {key: value for key, value in message.items() if key != SIGNATURE}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(message: Mapping[str, Any], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(message).encode(), hashlib.sha256).hexdigest()


def signed(message: Mapping[str, Any], secret: str) -> dict[str, Any]:
    result = {key: value for key, value in message.items() if key != SIGNATURE}
    result[SIGNATURE] = sign(result, secret)
    return result


def verify(message: Mapping[str, Any], secret: str) -> bool:
    """Whether ``message`` carries the signature ``secret`` gives it (constant-time comparison)."""
    given = str(message.get(SIGNATURE, "") or "").lower()
    if not given or not secret:
        return False
    # bytes: a hash with non-ASCII characters is a mismatch, not a TypeError
    return hmac.compare_digest(given.encode(), sign(message, secret).encode())


def encode(message: Mapping[str, Any]) -> str:
    """``DuLieu``: base64url of the message's JSON (padding kept)."""
    return base64.urlsafe_b64encode(json.dumps(message, ensure_ascii=False).encode()).decode()


def decode(text: str) -> dict[str, Any] | None:
    """``DuLieu`` back to the message; ``None`` when it is not base64url JSON of an object."""
    try:
        value = json.loads(base64.urlsafe_b64decode(text.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime(DATE_FORMAT)


# Refund (modelled; to be confirmed with the platform operator, docs/payments.md "PayGov refund"): a flat signed
# message POSTed to the platform's API (``MOTCUA_PAYGOV_API_URL``, as the status query) with
# ``LoaiYeuCau`` = ``HoanTien``; the answer is signed the same way.
REQUEST_REFUND = "HoanTien"
REFUND_FULL = "1"  # LoaiHoanTien: the whole amount
REFUND_PARTIAL = "2"  # a part of it
# MaLoi of a refund's answer: 00 accepted; the others refuse it.
REFUND_CODES = {
    "00": "Yêu cầu hoàn tiền được chấp nhận",
    "01": "Không tìm thấy giao dịch cần hoàn tiền",
    "03": "Dữ liệu gửi sang không hợp lệ (loại hoàn tiền, số tiền)",
    "94": "Yêu cầu hoàn tiền trùng lặp (MaYeuCau đã gửi)",
    "95": "Giao dịch chưa thanh toán thành công, không hoàn tiền được",
    "97": "Chữ ký không hợp lệ",
    "99": "Lỗi khác",
}
