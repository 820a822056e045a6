"""The sandbox national payment platform (``/sandbox/paygov/``, only when ``settings.SANDBOX`` is on).

Speaks motcua's model of the platform (``contrib/paygov/protocol.py``) with the demo partner
(``MOTCUA_SANDBOX_PAYGOV_PARTNER_CODE`` / ``..._SECRET``):

- ``GET thanh-toan/?DuLieu=…`` checks the signed payment request as the platform would (partner, signature,
  version, fee lines adding up to ``TongTien``, expiry; a refusal is a 400 page with the reason) and shows the
  fee lines with three buttons: "Thành công", "Hủy" (``TrangThai`` 01), "Không đủ số dư" (02);
- the choice is recorded (``SandboxPaygovTransaction``, one per ``MaTraCuuTT``), the browser goes back to
  ``UrlTraVe`` with the signed result, and the notification is queued (``tasks.sandbox_paygov_send_notify``,
  retried until motcua answers ``00`` or ``02``);
- ``POST api/tra-cuu/`` answers the status query (signed) and, with ``LoaiYeuCau`` = ``HoanTien``, the refund
  (signed; the amount refunded and the request ids are kept on the transaction: a repeated ``MaYeuCau`` is 94,
  more than is left is 03).

``MOTCUA_SANDBOX_PAYGOV_FAULTS`` makes it misbehave on demand: ``error_rate`` (the status query answers 503;
a notification attempt is lost before it is sent), ``timeout_rate`` (the status query holds its answer
``timeout_ms``, default 15000; a notification is delivered but its answer lost, so it is sent again),
``duplicate_rate`` (a notification is sent twice), ``seed`` (a repeatable sequence). Read at each call.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core import clock

from ..contrib.paygov import protocol
from ..models import SandboxPaygovTransaction

OUTCOMES: dict[str, tuple[str, str]] = {
    "success": (protocol.PAID, "Thành công"),
    "cancelled": (protocol.CANCELLED, "Hủy"),
    "insufficient_funds": (protocol.INSUFFICIENT_FUNDS, "Không đủ số dư"),
}


class SandboxRefused(Exception):
    """The platform would refuse this payment request (its reason shown on the page)."""


def secret() -> str:
    return str(settings.MOTCUA_SANDBOX_PAYGOV_SECRET)


# ------------------------------------------------------------------------------------------------ faults


@dataclass(frozen=True)
class Faults:
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    duplicate_rate: float = 0.0
    timeout_ms: int = 15000
    seed: int | None = None


def parse_faults(text: str) -> Faults:
    """``"error_rate=0.3,duplicate_rate=0.5"`` → ``Faults``; ``ValueError`` for an unknown or bad item."""
    values: dict[str, Any] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, raw = item.partition("=")
        name = name.strip()
        if name in {"error_rate", "timeout_rate", "duplicate_rate"}:
            rate = float(raw)
            if not 0 <= rate <= 1:
                raise ValueError(f"{name} must be between 0 and 1: {raw!r}")
            values[name] = rate
        elif name in {"timeout_ms", "seed"}:
            values[name] = int(raw)
        else:
            raise ValueError(f"unknown sandbox payment platform fault {name!r}")
    return Faults(**values)


_lock = threading.Lock()
_rng: tuple[str, random.Random] | None = None


def faults_draw() -> tuple[Faults, float]:
    """The faults of the settings and one draw in [0, 1) for this call (seeded when ``seed`` is given)."""
    global _rng
    text = str(getattr(settings, "MOTCUA_SANDBOX_PAYGOV_FAULTS", "") or "")
    faults = parse_faults(text)
    with _lock:
        if _rng is None or _rng[0] != text:
            _rng = (text, random.Random(faults.seed))
        return faults, _rng[1].random()


# ------------------------------------------------------------------------------------------------- logic


def order_check(message: dict[str, Any] | None) -> dict[str, Any]:
    """The payment request as the platform reads it, or ``SandboxRefused`` with the reason in Vietnamese."""
    if message is None:
        raise SandboxRefused("Dữ liệu thanh toán không đọc được (DuLieu).")
    if message.get("MaDoiTac") != settings.MOTCUA_SANDBOX_PAYGOV_PARTNER_CODE:
        raise SandboxRefused("Đối tác chưa được đăng ký với nền tảng thanh toán (MaDoiTac).")
    if not protocol.verify(message, secret()):
        raise SandboxRefused("Sai chữ ký (ChuKy).")
    if message.get("PhienBan") != protocol.VERSION:
        raise SandboxRefused("Phiên bản không được hỗ trợ.")
    lines = message.get("PhiLePhi")
    total = message.get("TongTien")
    if (
        not isinstance(lines, list)
        or not lines
        or not all(
            isinstance(x, dict) and isinstance(x.get("SoTien"), int) and x["SoTien"] > 0 for x in lines
        )
        or not isinstance(total, int)
        or isinstance(total, bool)
        or sum(x["SoTien"] for x in lines) != total
    ):
        raise SandboxRefused("Danh sách phí, lệ phí hoặc tổng tiền không hợp lệ.")
    for key in ("MaTraCuuTT", "MaHoSo", "UrlTraVe", "TKThuHuong", "MaNHThuHuong"):
        if not message.get(key):
            raise SandboxRefused(f"Thiếu {key}.")
    expires = protocol.parse_time(str(message.get("ThoiGianHetHan", "")))
    if message.get("ThoiGianHetHan") and (expires is None or expires < clock.now()):
        raise SandboxRefused("Yêu cầu thanh toán đã hết hạn.")
    return message


def pay(message: dict[str, Any] | None, outcome: str) -> SandboxPaygovTransaction:
    """Record the payer's choice for the request ``message`` and queue its notification."""
    if outcome not in OUTCOMES:
        raise SandboxRefused("Lựa chọn không hợp lệ.")
    order = order_check(message)
    state, _label = OUTCOMES[outcome]
    now = clock.now()
    transaction_no = f"PG{now.astimezone(clock.VN_TZ):%y%m%d}{secrets.randbelow(10**10):010d}"
    result = protocol.signed(
        {
            "PhienBan": protocol.VERSION,
            "MaDoiTac": str(order["MaDoiTac"]),
            "MaTraCuuTT": str(order["MaTraCuuTT"]),
            "MaGiaoDich": transaction_no,
            "SoTien": str(order["TongTien"]),
            "TrangThai": state,
            "ThoiGianThanhToan": protocol.format_time(now),
            "MaNganHang": str(order["MaNHThuHuong"]),
        },
        secret(),
    )
    from ..tasks import sandbox_paygov_send_notify

    try:
        with transaction.atomic():
            txn = SandboxPaygovTransaction.objects.create(
                partner_code=str(order["MaDoiTac"]),
                lookup_code=str(order["MaTraCuuTT"]),
                transaction_no=transaction_no,
                outcome=outcome,
                order=order,
                result=result,
                return_url=str(order["UrlTraVe"]),
                created_at=now,
            )
            sandbox_paygov_send_notify.enqueue(txn.pk)
    except IntegrityError:
        raise SandboxRefused("Khoản thanh toán này đã được thực hiện trước đó.") from None
    return txn


def return_redirect_url(txn: SandboxPaygovTransaction) -> str:
    base = txn.return_url
    return f"{base}{'&' if '?' in base else '?'}{urlencode(txn.result)}"


# ------------------------------------------------------------------------------------------------- views


@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest) -> HttpResponse:
    """GET: the payment request (``DuLieu``) with its fee lines and three buttons; POST: the payer's choice."""
    source = request.GET if request.method == "GET" else request.POST
    encoded = str(source.get("DuLieu", ""))
    try:
        order = order_check(protocol.decode(encoded))
        if request.method == "POST":
            txn = pay(protocol.decode(encoded), str(request.POST.get("outcome", "")))
            return HttpResponseRedirect(return_redirect_url(txn))
    except SandboxRefused as refused:
        return render(request, "sandbox_paygov/pay.html", {"error": str(refused)}, status=400)
    outcomes = [(key, label) for key, (_state, label) in OUTCOMES.items()]
    return render(
        request, "sandbox_paygov/pay.html", {"order": order, "encoded": encoded, "outcomes": outcomes}
    )


def _signed_json(fields: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(protocol.signed(fields, secret()), status=status)


@csrf_exempt
@require_POST
def status_query(request: HttpRequest) -> JsonResponse:
    """The status query: the payment's state at the platform (``MaLoi`` 00, or 01 unknown; 97 bad signature)."""
    faults, draw = faults_draw()
    if draw < faults.error_rate:
        return JsonResponse({"MaLoi": "99", "MoTa": "He thong tam thoi gian doan"}, status=503)
    if draw < faults.error_rate + faults.timeout_rate:
        time.sleep(faults.timeout_ms / 1000)
    try:
        message = json.loads(request.body or b"{}")
    except ValueError:
        message = None
    if not isinstance(message, dict):
        return _signed_json({"MaLoi": "03", "MoTa": "Du lieu khong hop le"})
    reference = str(message.get("MaTraCuuTT", ""))
    if message.get("MaDoiTac") != settings.MOTCUA_SANDBOX_PAYGOV_PARTNER_CODE or not protocol.verify(
        message, secret()
    ):
        return _signed_json({"MaLoi": "97", "MoTa": "Chu ky khong hop le", "MaTraCuuTT": reference})
    if message.get("LoaiYeuCau") == protocol.REQUEST_REFUND:
        return _refund(message, reference)
    txn = SandboxPaygovTransaction.objects.filter(
        partner_code=message["MaDoiTac"], lookup_code=reference
    ).first()
    if txn is None:
        return _signed_json({"MaLoi": protocol.NOT_FOUND, "MoTa": "Khong tim thay", "MaTraCuuTT": reference})
    result = {k: v for k, v in txn.result.items() if k != protocol.SIGNATURE}
    return _signed_json({**result, "MaLoi": protocol.OK, "MoTa": "Thanh cong"})


def _refund(message: dict[str, Any], reference: str) -> JsonResponse:
    """A refund (``LoaiYeuCau`` = ``HoanTien``, signed: checked by the caller) as motcua models the platform's:
    03 bad data (``LoaiHoanTien``, ``SoTien``, no ``MaYeuCau``), 94 a ``MaYeuCau`` seen before, 01 no such
    payment, 95 a payment that did not succeed, 03 more than is left (or "whole" of a part), else 00 with the
    refund's own transaction number (``MaGiaoDichHoan``). Recorded on the transaction under its row lock."""
    base = {"MaYeuCau": str(message.get("MaYeuCau", "")), "MaTraCuuTT": reference}

    def refuse(code: str, text: str) -> JsonResponse:
        return _signed_json({**base, "MaLoi": code, "MoTa": text})

    kind, amount = str(message.get("LoaiHoanTien", "")), str(message.get("SoTien", ""))
    if (
        kind not in (protocol.REFUND_FULL, protocol.REFUND_PARTIAL)
        or not amount.isdigit()
        or int(amount) <= 0
    ):
        return refuse("03", "Du lieu khong hop le")
    if not base["MaYeuCau"]:
        return refuse("03", "Du lieu khong hop le")
    with transaction.atomic():
        txn = (
            SandboxPaygovTransaction.objects.select_for_update()
            .filter(partner_code=message["MaDoiTac"], lookup_code=reference)
            .first()
        )
        if txn is None:
            return refuse(protocol.NOT_FOUND, "Khong tim thay giao dich")
        if base["MaYeuCau"] in txn.refund_request_ids:
            return refuse("94", "Yeu cau trung lap")
        if txn.result.get("TrangThai") != protocol.PAID:
            return refuse("95", "Giao dich khong thanh cong")
        paid, wanted = int(txn.result.get("SoTien", "0")), int(amount)
        left = paid - txn.refunded_amount
        full_ok = kind == protocol.REFUND_FULL and wanted == paid and txn.refunded_amount == 0
        partial_ok = kind == protocol.REFUND_PARTIAL and wanted <= left and wanted < paid
        if not (full_ok or partial_ok):
            return refuse("03", "So tien hoan khong hop le")
        txn.refunded_amount += wanted
        txn.refund_request_ids = [*txn.refund_request_ids, base["MaYeuCau"]]
        txn.save(update_fields=["refunded_amount", "refund_request_ids"])
    return _signed_json(
        {
            **base,
            "MaLoi": protocol.OK,
            "MoTa": "Hoan tien thanh cong",
            "MaGiaoDich": txn.transaction_no,
            "MaGiaoDichHoan": f"{txn.transaction_no}H{len(txn.refund_request_ids):02d}",
            "SoTien": amount,
            "ThoiGianHoan": protocol.format_time(clock.now()),
        }
    )


app_name = "sandbox_paygov"
urlpatterns = [
    path("thanh-toan/", pay_page, name="pay"),
    path("api/tra-cuu/", status_query, name="status"),
]
