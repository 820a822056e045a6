"""Reconciliation with the gateways (issue 12, item 7): settle what never got its notice, and the day's report.

``settle_expired``: every payment of every turned-on gateway that can be asked (VNPay QueryDR, the national
payment platform's status query) and is still pending after its expiry is asked about: paid there → credited
once, under the same key as its notice (a late notice then gets 02) and the dossier moves on; failed there →
failed; unknown there → expired; still in progress (or paid another amount: an operator looks) → left
pending. No checked answer → ``unavailable``, tried next time. ``motcua reconcile-payments`` runs it.

``report_build(day)``: for each payment opened at a gateway on ``day`` (Vietnam time), what motcua credited
(**expected**: the ledger's credit) against what the gateway says it received (**received**: its answer to the
query), per gateway and per unit, with the **difference** and every payment where the two disagree. Kept as a
``ReconciliationReport`` (one per day, rebuilt on demand) that finance staff download as Excel from the back
office (``report_xlsx``) or that ``motcua reconcile-payments --date D --xlsx FILE`` writes. The daily task
(``tasks.reconcile_payments_daily``) settles and builds yesterday's report every night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import structlog
from django.db import transaction

from motcua.core import clock, xlsx

from .constants import EntryKind, Method, PaymentStatus
from .gateways import GatewayUnavailable, PaymentGateway, payment_gateways
from .models import LedgerEntry, Payment, ReconciliationReport

logger = structlog.get_logger(__name__)

COUNTS = ("checked", "succeeded", "failed", "expired", "pending", "unavailable")


def _recorders() -> dict[str, Callable[[Payment, dict[str, str], bool, dt.datetime], None]]:
    """How a gateway's answer is recorded on a payment (the same code as its notice)."""
    from .contrib.vnpay import protocol as vnpay_protocol
    from .paygov import paygov_record
    from .services import _vnpay_record

    def vnpay(payment: Payment, answer: dict[str, str], success: bool, now: dt.datetime) -> None:
        if success:
            answer = {**answer, "vnp_ResponseCode": vnpay_protocol.OK}
        _vnpay_record(payment, answer, success=success, now=now)

    def paygov(payment: Payment, answer: dict[str, str], success: bool, now: dt.datetime) -> None:
        paygov_record(payment, answer, success=success, now=now)

    return {Method.VNPAY: vnpay, Method.PAYGOV: paygov}


def queryable_gateways() -> list[PaymentGateway]:
    """The turned-on gateways motcua can ask about a payment (those with a recorder here)."""
    recorders = _recorders()
    return [g for g in payment_gateways.enabled() if g.identifier in recorders]


# Orders whose outcome at the gateway is not known yet: open, or closed by motcua (the dossier paid otherwise).
UNSETTLED = (PaymentStatus.PENDING, PaymentStatus.CANCELLED)


def settle_expired(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Ask every queryable gateway about its payments pending (or closed unpaid, ``cancelled``) after their
    expiry, and settle them.

    Returns the totals ``{"checked", "succeeded", "failed", "expired", "pending", "unavailable"}`` and the
    same counts per gateway under ``"gateways"``.
    """
    now = now or clock.now()
    recorders = _recorders()
    totals: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    per_gateway: dict[str, dict[str, int]] = {}
    for gateway in queryable_gateways():
        counts = dict.fromkeys(COUNTS, 0)
        record = recorders[gateway.identifier]
        # Also the orders closed because the dossier was paid another way (``cancelled``): the payer may have
        # paid at the gateway all the same and its notice never came; asked once after their expiry, they end
        # paid (credited once: an overpayment to refund), failed or expired.
        due = Payment.objects.filter(
            method=gateway.identifier, status__in=UNSETTLED, expires_at__lte=now
        ).order_by("pk")
        for payment_id in list(due.values_list("pk", flat=True)):
            counts["checked"] += 1
            payment = Payment.objects.get(pk=payment_id)
            try:
                answer = gateway.query(payment)
            except GatewayUnavailable as exc:
                logger.warning(
                    "payment_query_unavailable",
                    gateway=gateway.identifier,
                    reference=payment.reference,
                    error=str(exc),
                )
                counts["unavailable"] += 1
                continue
            with transaction.atomic():
                payment = Payment.objects.select_for_update().get(pk=payment_id)
                if payment.status not in UNSETTLED:  # its notice came meanwhile
                    continue
                state = gateway.settle_from_query(answer, payment)
                if state == "not_found":
                    payment.status = PaymentStatus.EXPIRED
                    payment.settled_at = now
                    payment.save()
                    counts["expired"] += 1
                elif state == "succeeded":
                    record(payment, answer, True, now)
                    counts["succeeded"] += 1
                elif state == "failed":
                    record(payment, answer, False, now)
                    counts["failed"] += 1
                else:
                    counts["pending"] += 1
        per_gateway[gateway.identifier] = counts
        for name in COUNTS:
            totals[name] += counts[name]
    totals["gateways"] = per_gateway
    return totals


# ------------------------------------------------------------------------------------------------ report


@dataclass
class Line:
    """One payment of the day: what motcua credited and what the gateway says."""

    gateway: str
    unit_code: str
    unit_name: str
    reference: str
    dossier: str
    created_at: str  # ISO
    status: str  # in motcua
    expected: int  # credited in motcua's ledger
    gateway_state: str  # succeeded, failed, not_found, pending, unavailable, not_asked
    received: int  # paid at the gateway, as it says
    transaction_no: str = ""

    @property
    def difference(self) -> int:
        return self.received - self.expected

    @property
    def agrees(self) -> bool:
        return self.gateway_state != "unavailable" and self.difference == 0


@dataclass
class Row:
    """A gateway and unit's day: counts and sums."""

    gateway: str
    unit_code: str
    unit_name: str
    count: int = 0
    expected: int = 0
    received: int = 0
    mismatches: int = 0
    unavailable: int = 0

    @property
    def difference(self) -> int:
        return self.received - self.expected


@dataclass
class Report:
    day: dt.date
    built_at: dt.datetime
    lines: list[Line] = field(default_factory=list)

    def rows(self) -> list[Row]:
        rows: dict[tuple[str, str], Row] = {}
        for line in self.lines:
            row = rows.setdefault(
                (line.gateway, line.unit_code), Row(line.gateway, line.unit_code, line.unit_name)
            )
            row.count += 1
            row.expected += line.expected
            row.received += line.received
            row.mismatches += 0 if line.agrees or line.gateway_state == "unavailable" else 1
            row.unavailable += line.gateway_state == "unavailable"
        return [rows[key] for key in sorted(rows)]

    @property
    def differences(self) -> int:
        """Payments where motcua and the gateway disagree (those that could not be asked not counted)."""
        return sum(1 for line in self.lines if not line.agrees and line.gateway_state != "unavailable")

    @property
    def unavailable(self) -> int:
        return sum(1 for line in self.lines if line.gateway_state == "unavailable")

    def summary(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "payments": len(self.lines),
            "expected": sum(line.expected for line in self.lines),
            "received": sum(line.received for line in self.lines),
            "differences": self.differences,
            "unavailable": self.unavailable,
            "rows": [{**asdict(row), "difference": row.difference} for row in self.rows()],
        }


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=clock.VN_TZ)
    return start, start + dt.timedelta(days=1)


def report_build(day: dt.date, *, query: bool = True, save: bool = True) -> Report:
    """The reconciliation of ``day`` (Vietnam time) for every queryable gateway; kept unless ``save=False``.

    ``query=False`` reads motcua's side only (the gateway's side is ``not_asked``: received counted as what
    motcua recorded of the gateway's answers), for a quick look before the night's run.
    """
    start, end = _day_bounds(day)
    report = Report(day=day, built_at=clock.now())
    gateways = {g.identifier: g for g in queryable_gateways()}
    payments = (
        Payment.objects.filter(method__in=list(gateways), created_at__gte=start, created_at__lt=end)
        .select_related("dossier__unit")
        .order_by("method", "dossier__unit__code", "created_at", "pk")
    )
    credited = dict(
        LedgerEntry.objects.filter(kind=EntryKind.PAYMENT, payment__in=payments.values("pk")).values_list(
            "payment_id", "amount"
        )
    )
    for payment in payments:
        gateway = gateways[str(payment.method)]
        expected = -int(credited.get(payment.pk, 0))
        state, received = "not_asked", expected
        if query:
            try:
                answer = gateway.query(payment)
                state = gateway.settle_from_query(answer, payment)
                received = int(payment.amount) if state == "succeeded" else 0
            except GatewayUnavailable:
                state, received = "unavailable", 0
        unit = payment.dossier.unit
        report.lines.append(
            Line(
                gateway=str(payment.method),
                unit_code=unit.code,
                unit_name=unit.name,
                reference=payment.reference,
                dossier=payment.dossier.code or "",
                created_at=payment.created_at.isoformat(),
                status=str(payment.status),
                expected=expected,
                gateway_state=state,
                received=received,
                transaction_no=payment.gateway_transaction_no,
            )
        )
    if save:
        ReconciliationReport.objects.update_or_create(
            day=day,
            defaults={
                "built_at": report.built_at,
                "queried": query,
                "differences": report.differences,
                "unavailable": report.unavailable,
                "lines": [asdict(line) for line in report.lines],
            },
        )
    if report.differences:
        logger.warning(
            "payment_reconciliation_differences", day=day.isoformat(), differences=report.differences
        )
    return report


def report_load(day: dt.date) -> Report | None:
    """The report kept for ``day`` (the night's run or the last rebuild), or ``None``."""
    kept = ReconciliationReport.objects.filter(day=day).first()
    if kept is None:
        return None
    return Report(day=day, built_at=kept.built_at, lines=[Line(**line) for line in kept.lines])


GATEWAY_LABELS: dict[str, str] = {"vnpay": "VNPay", "paygov": "Nền tảng thanh toán (Cổng DVCQG)"}
STATE_LABELS = {
    "succeeded": "Đã thanh toán",
    "failed": "Không thành công",
    "not_found": "Không có giao dịch",
    "pending": "Chưa có kết quả / số tiền khác",
    "unavailable": "Không hỏi được cổng",
    "not_asked": "Chưa đối chiếu với cổng",
}


def report_xlsx(report: Report) -> bytes:
    """The day's reconciliation as Excel: a summary per gateway and unit, then every payment."""
    title = f"Đối soát thanh toán ngày {report.day:%d/%m/%Y}"
    built = f"Lập lúc {report.built_at.astimezone(clock.VN_TZ):%d/%m/%Y %H:%M}"
    rows = report.rows()
    summary = xlsx.Table(
        name="Tổng hợp",
        preamble=[title, built],
        header=[
            "Cổng thanh toán",
            "Mã đơn vị",
            "Đơn vị",
            "Số giao dịch",
            "Phải thu theo sổ (đồng)",
            "Cổng đã nhận (đồng)",
            "Chênh lệch (đồng)",
            "Số giao dịch lệch",
            "Không hỏi được cổng",
        ],
        rows=[
            *[
                [
                    GATEWAY_LABELS.get(r.gateway, r.gateway),
                    r.unit_code,
                    r.unit_name,
                    r.count,
                    r.expected,
                    r.received,
                    r.difference,
                    r.mismatches,
                    r.unavailable,
                ]
                for r in rows
            ],
            [
                "Tổng cộng",
                "",
                "",
                sum(r.count for r in rows),
                sum(r.expected for r in rows),
                sum(r.received for r in rows),
                sum(r.difference for r in rows),
                sum(r.mismatches for r in rows),
                sum(r.unavailable for r in rows),
            ],
        ],
        widths=[26, 12, 36, 12, 18, 18, 16, 14, 14],
        bold_last_row=True,
    )
    detail = xlsx.Table(
        name="Chi tiết",
        preamble=[title],
        header=[
            "Cổng thanh toán",
            "Mã đơn vị",
            "Mã thanh toán",
            "Mã hồ sơ",
            "Tạo lúc",
            "Trạng thái trong hệ thống",
            "Phải thu theo sổ (đồng)",
            "Trạng thái tại cổng",
            "Cổng đã nhận (đồng)",
            "Chênh lệch (đồng)",
            "Mã giao dịch tại cổng",
        ],
        rows=[
            [
                GATEWAY_LABELS.get(line.gateway, line.gateway),
                line.unit_code,
                line.reference,
                line.dossier,
                dt.datetime.fromisoformat(line.created_at),
                dict(PaymentStatus.choices).get(line.status, line.status),
                line.expected,
                STATE_LABELS.get(line.gateway_state, line.gateway_state),
                line.received,
                line.difference,
                line.transaction_no,
            ]
            for line in report.lines
        ],
        widths=[26, 12, 20, 28, 17, 20, 16, 26, 16, 14, 22],
    )
    return xlsx.xlsx_tables([summary, detail])
