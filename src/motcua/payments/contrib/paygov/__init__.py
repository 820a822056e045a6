"""The national payment platform (PayGov, the DVCQG payment hub) as a payment gateway plugin.

There is no public specification; the payload follows what provincial systems exchange with the platform
(INTEGRATIONS.md, "Payments": ``MaHoSo, MaTraCuuTT, MaDVC, MaTTHC, MaDonVi, PhiLePhi[…], TKThuHuong,
MaNHThuHuong, TenTKThuHuong, NoiDungThanhToan, HoTenNguoiNop``) and is modelled in ``protocol.py``:

- **Payment request** (signed): the payer's browser is sent to ``MOTCUA_PAYGOV_PAY_URL?DuLieu=<payload>``;
- **Notification** (the platform → motcua, ``POST /api/v1/payments/paygov/notify/``, signed JSON): the only
  call that changes a PayGov payment (``payments.paygov.paygov_notify``);
- **Status query** (motcua → the platform, ``POST MOTCUA_PAYGOV_API_URL``): reconciliation asks about payments
  whose notification never came;
- **Refund** (motcua → the platform, ``POST MOTCUA_PAYGOV_API_URL`` with ``LoaiYeuCau`` = ``HoanTien``,
  modelled: to be confirmed with the platform operator): the back office's refund (``refunds.refund_request``).

Settings ``MOTCUA_PAYGOV_PARTNER_CODE``, ``MOTCUA_PAYGOV_SECRET`` (never logged nor shown),
``MOTCUA_PAYGOV_PAY_URL``, ``MOTCUA_PAYGOV_API_URL``, ``MOTCUA_PAYGOV_RETURN_URL`` and the collection account
(``MOTCUA_PAYGOV_ACCOUNT``, ``MOTCUA_PAYGOV_ACCOUNT_NAME``, ``MOTCUA_PAYGOV_BANK_CODE``); in the sandbox they
default to motcua's own sandbox platform (``/sandbox/paygov/``).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings

from motcua.core import clock
from motcua.core.registry import sandbox_on

from ...gateways import GatewayUnavailable, PaymentGateway, payment_gateways
from ...models import Payment
from . import protocol


def partner_code() -> str:
    return str(getattr(settings, "MOTCUA_PAYGOV_PARTNER_CODE", "") or "")


def secret() -> str:
    return str(getattr(settings, "MOTCUA_PAYGOV_SECRET", "") or "")


def fee_lines(payment: Payment) -> list[dict[str, Any]]:
    """``PhiLePhi``: the dossier's charges (legal name, amount) when the payment covers exactly them, else one
    line for the amount paid (a part of what is due)."""
    from ...constants import EntryKind
    from ...models import LedgerEntry

    charges = list(
        LedgerEntry.objects.filter(dossier_id=payment.dossier_id, kind=EntryKind.CHARGE).order_by("at", "pk")
    )
    if charges and sum(int(c.amount) for c in charges) == payment.amount:
        return [
            {
                "LoaiPhiLePhi": protocol.fee_kind(c.name),
                "MaPhiLePhi": str(c.fee_id or c.source_reference or c.pk),
                "TenPhiLePhi": c.name,
                "SoTien": int(c.amount),
            }
            for c in charges
        ]
    return [
        {
            "LoaiPhiLePhi": protocol.FEE_KIND_OTHER,
            "MaPhiLePhi": payment.reference,
            "TenPhiLePhi": "Phí, lệ phí và các khoản phải nộp của hồ sơ",
            "SoTien": int(payment.amount),
        }
    ]


@payment_gateways.register("paygov")
class PaygovGateway(PaymentGateway):
    label = "Nền tảng thanh toán trực tuyến (Cổng DVCQG)"
    transport: requests.Session | None = None  # tests: the sandbox in-process

    def check(self) -> list[str]:
        problems = []
        for name in ("MOTCUA_PAYGOV_PARTNER_CODE", "MOTCUA_PAYGOV_SECRET", "MOTCUA_PAYGOV_ACCOUNT"):
            if not str(getattr(settings, name, "") or ""):
                problems.append(f"{name} is empty")
        for name in ("MOTCUA_PAYGOV_PAY_URL", "MOTCUA_PAYGOV_API_URL", "MOTCUA_PAYGOV_RETURN_URL"):
            url = str(getattr(settings, name, "") or "")
            if not url:
                problems.append(f"{name} is empty")
            elif urlsplit(url).scheme != "https" and not sandbox_on():
                problems.append(f"{name} must be https outside the sandbox: {url!r}")
        refund_url = str(getattr(settings, "MOTCUA_PAYGOV_REFUND_URL", "") or "")
        if refund_url and urlsplit(refund_url).scheme != "https" and not sandbox_on():
            problems.append(f"MOTCUA_PAYGOV_REFUND_URL must be https outside the sandbox: {refund_url!r}")
        return problems

    def payment_request(self, payment: Payment) -> dict[str, Any]:
        """The signed payment request (the payload the platform shows and pays)."""
        dossier = payment.dossier
        version = dossier.procedure_version
        code = version.procedure.code
        payload: dict[str, Any] = {
            "PhienBan": protocol.VERSION,
            "MaDoiTac": partner_code(),
            "MaHoSo": dossier.code or str(dossier.pk),
            "MaTraCuuTT": payment.reference,
            "MaDVC": code,
            "MaTTHC": code,
            "MaDonVi": dossier.unit.agency_code or dossier.unit.code,
            "PhiLePhi": fee_lines(payment),
            "TongTien": int(payment.amount),
            "TKThuHuong": str(settings.MOTCUA_PAYGOV_ACCOUNT),
            "MaNHThuHuong": str(settings.MOTCUA_PAYGOV_BANK_CODE),
            "TenTKThuHuong": str(settings.MOTCUA_PAYGOV_ACCOUNT_NAME),
            "NoiDungThanhToan": protocol.ascii_text(
                f"{payment.reference} Thanh toan phi, le phi ho so {dossier.code or dossier.pk}"
            ),
            "HoTenNguoiNop": payment.payer_name or dossier.applicant_name,
            "UrlTraVe": str(settings.MOTCUA_PAYGOV_RETURN_URL),
            "ThoiGianTao": protocol.format_time(payment.created_at),
            "ThoiGianHetHan": protocol.format_time(payment.expires_at) if payment.expires_at else "",
        }
        return protocol.signed(payload, secret())

    def pay_url(self, payment: Payment, *, client_ip: str) -> str:
        base = str(settings.MOTCUA_PAYGOV_PAY_URL)
        query = urlencode({"DuLieu": protocol.encode(self.payment_request(payment))})
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def query(self, payment: Payment, *, client_ip: str = "127.0.0.1") -> dict[str, str]:
        """The status query: what the platform knows of ``payment`` (its signed answer, checked)."""
        body = protocol.signed(
            {
                "PhienBan": protocol.VERSION,
                "MaDoiTac": partner_code(),
                "MaYeuCau": secrets.token_hex(16),
                "MaTraCuuTT": payment.reference,
                "ThoiGianYeuCau": protocol.format_time(clock.now()),
            },
            secret(),
        )
        return self._signed_call(str(settings.MOTCUA_PAYGOV_API_URL), body, "status query")

    def _signed_call(self, url: str, body: dict[str, Any], what: str) -> dict[str, str]:
        """POST a signed message to the platform; its answer, signature checked. ``GatewayUnavailable`` when no
        checked answer came (for a refund: it may or may not have been made)."""
        try:
            response = (self.transport or requests).post(
                url, json=body, timeout=float(getattr(settings, "MOTCUA_PAYGOV_TIMEOUT", 10))
            )
            answer: Any = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayUnavailable(f"PayGov {what}: {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise GatewayUnavailable(f"PayGov {what}: the answer is not a JSON object")
        if not protocol.verify(answer, secret()):
            raise GatewayUnavailable(f"PayGov {what}: the answer's signature does not match")
        return {str(k): str(v) for k, v in answer.items()}

    supports_refund = True

    def refund(
        self, payment: Payment, *, amount: int, full: bool, request_id: str, created_by: str, client_ip: str
    ) -> tuple[bool, str, dict[str, str]]:
        """The refund request (modelled on the status query's style; docs/payments.md, "PayGov refund"): a
        flat message signed with ``ChuKy`` naming the payment (``MaTraCuuTT``, ``MaGiaoDich``), the amount
        (``SoTien``), whole or part (``LoaiHoanTien`` 1/2) and the request's own id (``MaYeuCau``: the platform
        refuses one it has seen, 94). The answer's signature is checked; accepted when ``MaLoi`` is 00.
        Raises ``GatewayUnavailable`` when no checked answer came (the refund may or may not have been made)."""
        body = protocol.signed(
            {
                "PhienBan": protocol.VERSION,
                "MaDoiTac": partner_code(),
                "LoaiYeuCau": protocol.REQUEST_REFUND,
                "MaYeuCau": request_id,
                "MaTraCuuTT": payment.reference,
                "MaGiaoDich": payment.gateway_transaction_no,
                "SoTien": str(amount),
                "LoaiHoanTien": protocol.REFUND_FULL if full else protocol.REFUND_PARTIAL,
                "NoiDung": protocol.ascii_text(f"Hoan tien giao dich {payment.reference}"),
                "NguoiYeuCau": protocol.ascii_text(created_by, limit=100),
                "ThoiGianYeuCau": protocol.format_time(clock.now()),
            },
            secret(),
        )
        url = str(getattr(settings, "MOTCUA_PAYGOV_REFUND_URL", "") or settings.MOTCUA_PAYGOV_API_URL)
        answer = self._signed_call(url, body, "refund")
        code = answer.get("MaLoi", "")
        return code == protocol.OK, code, answer

    def refund_outcome(self, code: str, answer: dict[str, str]) -> tuple[str, str]:
        return (
            protocol.REFUND_CODES.get(code, answer.get("MoTa", "") or answer.get("vnp_Message", "")),
            answer.get("MaGiaoDichHoan", ""),
        )

    def settle_from_query(self, answer: dict[str, str], payment: Payment) -> str:
        if answer.get("MaLoi") == protocol.NOT_FOUND:
            return "not_found"
        if answer.get("MaLoi") != protocol.OK:
            return "pending"
        state = answer.get("TrangThai")
        if state == protocol.PAID:
            return "succeeded" if answer.get("SoTien") == str(payment.amount) else "pending"
        if state in protocol.FAILED_STATES:
            return "failed"
        return "pending"
