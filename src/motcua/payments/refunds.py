"""Refunds: an officer gives back (part of) a payment made through a gateway, with a reason (audited).

Three steps, so that no money is given back twice and none is lost from the ledger:

1. under the payment's row lock, the request is checked (what is left to refund; no other refund of the
   payment in progress) and a ``Refund`` row is written, ``pending``, with its ``vnp_RequestId`` — committed
   before the gateway is asked, and audited (``payment.refund_requested``);
2. the gateway is asked (VNPay's refund API: ``vnp_TransactionType`` 02 for the whole amount, 03 for a part;
   the national payment platform's refund as motcua models it, ``contrib.paygov``);
3. its answer is recorded: accepted → the ``Refund`` succeeds and the ledger gets one ``refund`` entry
   (+amount, key ``refund:<request id>``: the same refund is never written twice), audited
   (``payment.refunded``); refused → the ``Refund`` fails with the gateway's code. No checked answer (network,
   signature) → it stays ``pending``: the gateway may have made it; the officer checks the merchant portal and
   the admin marks it (docs/payments.md, "Refunds").
"""

from __future__ import annotations

import secrets

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Sum

from motcua.accounts.models import User
from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.core.rows import lock_row
from motcua.dossiers.lifecycle import actor_roles
from motcua.organisations.constants import Role

from .constants import EntryKind, EntrySource, PaymentStatus, RefundStatus
from .gateways import GatewayUnavailable, payment_gateways
from .models import LedgerEntry, Payment, Refund

logger = structlog.get_logger(__name__)

REFUND_ROLES = frozenset({Role.OFFICER, Role.LEADER})


def refundable(payment: Payment) -> int:
    """What is left to give back of ``payment`` (VND): its amount less the refunds asked or made."""
    if payment.status != PaymentStatus.SUCCEEDED:
        return 0
    asked = Refund.objects.filter(
        payment=payment, status__in=[RefundStatus.PENDING, RefundStatus.SUCCEEDED]
    ).aggregate(total=Sum("amount"))["total"]
    return int(payment.amount) - int(asked or 0)


def refund_request(
    *, payment: Payment, actor: User, reason: str, amount: int | None = None, client_ip: str = ""
) -> Refund:
    """Give back ``amount`` (default: all that is left) of a succeeded gateway ``payment``, with ``reason``.

    An officer or leader of the dossier's unit. Raises ``PermissionDenied``, ``ValidationFailed``
    (``invalid_refund``: no reason, a bad amount, more than is left; ``refund_unsupported``: cash, or a gateway
    without refunds), ``Conflict`` (``payment_not_refundable``: not succeeded; ``refund_in_progress``).
    Returns the ``Refund`` (``succeeded``, ``failed`` with the gateway's code, or still ``pending``).
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("dossier").get(pk=payment.pk)
        if not actor_roles(locked.dossier, actor) & REFUND_ROLES:
            raise PermissionDenied(
                "Bạn không có quyền hoàn trả phí, lệ phí của hồ sơ này.", code="permission_denied"
            )
        gateway = payment_gateways.get(str(locked.method))
        if gateway is None or not gateway.supports_refund:
            raise ValidationFailed(
                "Hình thức thanh toán này không hoàn trả qua cổng thanh toán.",
                code="refund_unsupported",
                details={"method": [str(locked.method)]},
            )
        if locked.status != PaymentStatus.SUCCEEDED:
            raise Conflict("Chỉ hoàn trả được khoản đã thanh toán thành công.", code="payment_not_refundable")
        if Refund.objects.filter(payment=locked, status=RefundStatus.PENDING).exists():
            raise Conflict(
                "Đang có một yêu cầu hoàn trả của khoản này chờ kết quả.", code="refund_in_progress"
            )
        left = refundable(locked)
        problems: dict[str, list[str]] = {}
        if not reason.strip():
            problems["reason"] = ["Cần nhập lý do hoàn trả."]
        if amount is None:
            amount = left
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
            problems["amount"] = [f"Số tiền hoàn trả từ 1 đến {left} đồng."]
        if problems:
            raise ValidationFailed("Yêu cầu hoàn trả không hợp lệ.", code="invalid_refund", details=problems)
        refund = Refund.objects.create(
            payment=locked,
            amount=amount,
            full=amount == locked.amount,
            reason=reason.strip(),
            request_id=secrets.token_hex(16),
            requested_by=actor,
            requested_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="payment.refund_requested",
            object_type="payment",
            object_id=locked.reference,
            data={
                "dossier": locked.dossier.code,
                "amount": amount,
                "reason": refund.reason,
                "refund": refund.pk,
            },
        )
    try:
        accepted, code, answer = gateway.refund(
            locked,
            amount=amount,
            full=refund.full,
            request_id=refund.request_id,
            created_by=actor.username,
            client_ip=client_ip,
        )
    except GatewayUnavailable as exc:
        logger.warning("payment_refund_unavailable", payment=locked.reference, error=str(exc))
        refund.gateway_message = "Chưa nhận được kết quả từ cổng thanh toán"
        refund.save(update_fields=["gateway_message"])
        return refund
    return refund_record(refund=refund, accepted=accepted, code=code, answer=answer, actor=actor)


@transaction.atomic
def refund_record(
    *, refund: Refund, accepted: bool, code: str, answer: dict[str, str], actor: User
) -> Refund:
    """Record the gateway's answer to ``refund`` (once: a refund already settled is returned as it is)."""
    lock_row(Payment, refund.payment_id)
    locked = Refund.objects.select_for_update().select_related("payment__dossier").get(pk=refund.pk)
    if locked.status != RefundStatus.PENDING:
        return locked
    now = clock.now()
    locked.settled_at = now
    locked.gateway_response_code = code[:8]
    payment = locked.payment
    gateway = payment_gateways.get(str(payment.method))
    message, transaction_no = (
        gateway.refund_outcome(code, answer)
        if gateway is not None
        else (answer.get("vnp_Message", "") or answer.get("MoTa", ""), "")
    )
    locked.gateway_message = message[:255]
    locked.gateway_transaction_no = str(transaction_no)[:64]
    if not accepted:
        locked.status = RefundStatus.FAILED
        locked.save()
        logger.warning("payment_refund_refused", payment=payment.reference, code=code)
        return locked
    locked.status = RefundStatus.SUCCEEDED
    locked.save()
    try:
        with transaction.atomic():
            LedgerEntry.objects.create(
                dossier_id=payment.dossier_id,
                kind=EntryKind.REFUND,
                amount=int(locked.amount),
                name=f"Hoàn trả phí, lệ phí (mã thanh toán {payment.reference})",
                source=EntrySource.GATEWAY,
                source_reference=f"{payment.get_method_display()} {locked.gateway_transaction_no}".strip(),
                payment=payment,
                recorded_by=locked.requested_by,
                idempotency_key=f"refund:{locked.request_id}",
                at=now,
                note=locked.reason,
            )
    except IntegrityError:
        if not LedgerEntry.objects.filter(idempotency_key=f"refund:{locked.request_id}").exists():
            raise
    # Lock order of every credit and refund: payment → dossier → the unit's receipt sequence → the audit
    # chain's head. The cancelling receipt (the sequence) comes before the audit entry (the head).
    _cancelling_receipt(locked)
    audit_record(
        actor=actor,
        action="payment.refunded",
        object_type="payment",
        object_id=payment.reference,
        data={
            "dossier": payment.dossier.code,
            "amount": int(locked.amount),
            "refund": locked.pk,
            "code": code,
        },
    )
    return locked


def _cancelling_receipt(refund: Refund) -> None:
    """The cancelling receipt of a refund (issue 12, item 6: ``receipts.issue_cancelling_receipt``), in the
    refund's transaction after the payment's row lock. A payment that never had a receipt (paid before
    receipts existed) is refunded all the same; the missing receipt is logged."""
    try:
        from .receipts import issue_cancelling_receipt
    except ImportError:  # pragma: no cover - a tree without the receipts service
        logger.warning("payment_refund_no_receipts_service", refund=refund.pk)
        return
    try:
        issue_cancelling_receipt(refund=refund)
    except Conflict as exc:
        logger.warning("payment_refund_no_receipt", refund=refund.pk, code=exc.code)
