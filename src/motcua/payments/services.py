"""Writes of the money side: charges from the procedure's fees, payments, credits, the gateway's notice.

Every write to the ledger carries an idempotency key naming the outside event it records (unique in the
table): posting the same event twice, or ten times at once, writes one entry. When a credit brings a dossier
waiting for payment (``awaiting_payment``) to a zero balance, ``payment-received`` runs through
``dossier_transition`` as the payment method's system actor (``system:vnpay``, ``system:cash``).
Lock order everywhere: the payment's row, then the dossier's.
"""

from __future__ import annotations

import datetime as dt
import secrets
from contextvars import ContextVar
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from motcua.accounts.models import User
from motcua.accounts.services import system_actor
from motcua.audit.services import audit_record
from motcua.catalog.models import Fee
from motcua.core import clock, formatting
from motcua.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from motcua.core.rows import insert_row, read_row, update_row
from motcua.dossiers.actions.base import Change
from motcua.dossiers.actions.payment_received import PaymentReceivedParams
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import actor_roles, dossier_lock, dossier_transition
from motcua.dossiers.models import Dossier
from motcua.organisations.constants import Role

from .constants import OBLIGATIONS_NOTE, EntryKind, EntrySource, Method, PaymentStatus
from .contrib.vnpay import hash_secret, protocol, tmn_code
from .fees import online_payable, reduction_label
from .gateways import payment_gateways
from .models import GatewayNotice, LedgerEntry, Payment
from .receipts import receipt_issue
from .selectors import dossier_balance, dossier_balance_and_fee_names

logger = structlog.get_logger(__name__)

SYSTEM_LABELS: dict[str, str] = {
    Method.VNPAY: "Cổng thanh toán VNPay",
    Method.CASH: "Thu tiền mặt tại Bộ phận một cửa",
    "payments": "Sổ thu phí, lệ phí",
    Method.VIETQR: "Chuyển khoản VietQR (sao kê ngân hàng)",
    Method.BANK_TRANSFER: "Chuyển khoản (sao kê ngân hàng)",
}
# An open order is handed out again only if the payer has at least this long left to pay it.
REUSE_MARGIN = dt.timedelta(minutes=2)
# States in which a dossier's fees may be paid (it has a code, it is not closed).
PAYABLE_STATES = frozenset(
    {
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.AWAITING_SUPPLEMENT,
        Status.AWAITING_PAYMENT,
        Status.RESOLVED,
    }
)


# ------------------------------------------------------------------------------------------------- charges


def fee_charges_post(*, dossier: Dossier) -> list[LedgerEntry]:
    """Charge ``dossier`` the fees of its procedure version (each once per dossier: key ``fee:<dossier>:<fee>``).

    Returns the entries written now (none when they were already posted). Fees of 0 VND are skipped.
    """
    fees = list(
        Fee.objects.filter(version_id=dossier.procedure_version_id, amount_vnd__gt=0).order_by("order")
    )
    if not fees:
        return []
    now = clock.now()
    keys = {f"fee:{dossier.pk}:{fee.pk}": fee for fee in fees}
    existing = set(
        LedgerEntry.objects.filter(idempotency_key__in=list(keys)).values_list("idempotency_key", flat=True)
    )
    entries = [
        LedgerEntry(
            dossier=dossier,
            kind=EntryKind.CHARGE,
            amount=int(fee.amount_vnd),
            name=fee.name,
            source=EntrySource.FEE,
            fee=fee,
            idempotency_key=key,
            at=now,
        )
        for key, fee in keys.items()
        if key not in existing
    ]
    # Fees waived or reduced for online submission (the version's online_fee_percent): an adjustment per fee
    # naming the reduction, once per dossier and fee (key online:<dossier>:<fee>).
    percent = int(dossier.procedure_version.online_fee_percent)
    if dossier.channel == Channel.ONLINE and percent < 100:
        reductions = {
            f"online:{dossier.pk}:{fee.pk}": (
                fee,
                int(fee.amount_vnd) - online_payable(int(fee.amount_vnd), percent),
            )
            for fee in fees
        }
        done = set(
            LedgerEntry.objects.filter(idempotency_key__in=list(reductions)).values_list(
                "idempotency_key", flat=True
            )
        )
        entries += [
            LedgerEntry(
                dossier=dossier,
                kind=EntryKind.ADJUSTMENT,
                amount=-reduction,
                name=f"{reduction_label(percent)}: {fee.name}"[:500],
                source=EntrySource.FEE,
                fee=fee,
                idempotency_key=key,
                at=now,
                note=f"Thủ tục thu {percent}% phí, lệ phí khi nộp trực tuyến.",
            )
            for key, (fee, reduction) in reductions.items()
            if key not in done and reduction > 0
        ]
    # A concurrent poster may have written some meanwhile: the unique key keeps one of each.
    LedgerEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return entries


CHARGE_ROLES = frozenset({Role.OFFICER, Role.SPECIALIST, Role.LEADER})
EXEMPTION_ROLES = frozenset({Role.OFFICER, Role.LEADER})


def _require_role(dossier: Dossier, actor: User, roles: frozenset[str], what: str) -> None:
    if not actor_roles(dossier, actor) & roles:
        raise PermissionDenied(f"Bạn không có quyền {what} cho hồ sơ này.", code="permission_denied")


@transaction.atomic
def charge_add(
    *,
    dossier: Dossier,
    actor: User,
    name: str,
    amount: int,
    reference: str = "",
    due_date: dt.date | None = None,
    note: str = "",
) -> LedgerEntry:
    """An officer charges ``dossier`` one more amount (e.g. land financial obligations: the tax authority's
    notice number as ``reference``, its amount and due date). The same notice is charged once per dossier
    (key ``charge:<dossier>:<reference>``: ``Conflict`` ``charge_exists``). A member of the dossier's unit."""
    locked = dossier_lock(dossier.pk)
    _require_role(locked, actor, CHARGE_ROLES, "thêm khoản phải nộp")
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = ["Cần nhập nội dung khoản phải nộp."]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems["amount"] = ["Số tiền phải là số nguyên dương."]
    if problems:
        raise ValidationFailed("Khoản phải nộp không hợp lệ.", code="invalid_charge", details=problems)
    if locked.status not in PAYABLE_STATES:
        raise Conflict(
            f"Hồ sơ ở trạng thái «{locked.get_status_display()}» không thu phí, lệ phí.",
            code="dossier_not_payable",
        )
    reference = reference.strip()[:100]
    key = f"charge:{locked.pk}:{reference or secrets.token_hex(8)}"
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        raise Conflict(f"Thông báo {reference} đã được ghi cho hồ sơ này.", code="charge_exists")
    return LedgerEntry.objects.create(
        dossier=locked,
        kind=EntryKind.CHARGE,
        amount=amount,
        name=name.strip()[:500],
        source=EntrySource.OFFICER,
        source_reference=reference,
        recorded_by=actor,
        idempotency_key=key,
        at=clock.now(),
        due_date=due_date,
        note=note,
    )


@transaction.atomic
def exemption_grant(
    *, dossier: Dossier, actor: User, charge_id: int, reason: str, amount: int | None = None
) -> LedgerEntry:
    """Exempt the applicant from ``amount`` (default: all) of one charge, with the officer's ``reason``.

    An adjustment (−amount) naming the charge; one exemption per charge (key ``exemption:<charge id>``).
    An officer or leader of the dossier's unit. If the dossier waits for payment and now owes nothing, it
    moves on (``payment-received`` as ``system:payments``).
    """
    locked = dossier_lock(dossier.pk)
    _require_role(locked, actor, EXEMPTION_ROLES, "miễn, giảm phí, lệ phí")
    charge = LedgerEntry.objects.filter(pk=charge_id, dossier=locked, kind=EntryKind.CHARGE).first()
    problems: dict[str, list[str]] = {}
    if charge is None:
        problems["charge"] = ["Không có khoản phải nộp này trong hồ sơ."]
    if not reason.strip():
        problems["reason"] = ["Cần nhập lý do miễn, giảm."]
    if charge is not None:
        amount = int(charge.amount) if amount is None else amount
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= charge.amount:
            problems["amount"] = [f"Số tiền miễn, giảm từ 1 đến {charge.amount} đồng."]
    if problems or charge is None or amount is None:
        raise ValidationFailed("Miễn, giảm không hợp lệ.", code="invalid_exemption", details=problems)
    key = f"exemption:{charge.pk}"
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        raise Conflict("Khoản này đã được miễn, giảm.", code="exemption_exists")
    entry = LedgerEntry.objects.create(
        dossier=locked,
        kind=EntryKind.ADJUSTMENT,
        amount=-amount,
        name=f"Miễn, giảm: {charge.name}"[:500],
        source=EntrySource.OFFICER,
        source_reference=str(charge.pk),
        fee_id=charge.fee_id,
        recorded_by=actor,
        idempotency_key=key,
        at=clock.now(),
        note=reason.strip(),
    )
    _move_on_if_settled(locked.pk, system="payments", note=f"Được miễn, giảm phí, lệ phí: {reason.strip()}")
    return entry


@transaction.atomic
def obligations_notice_record(
    *,
    dossier: Dossier,
    actor: User,
    notice_number: str,
    amount: int,
    due_date: dt.date | None = None,
    name: str = "Nghĩa vụ tài chính theo thông báo của cơ quan thuế",
) -> LedgerEntry:
    """Land financial obligations (DOMAIN.md §5): the tax authority's notice is charged (``charge_add``, once
    per notice) and the dossier waits for the applicant to pay it with its clock paused (``request-payment``
    with ``pause_clock``: never overdue while it waits). Paid online or at the counter like any fee; when the
    balance reaches zero it moves on as the payment's system actor and the clock resumes with the office time
    it had left. A dossier already waiting for payment only gets the charge. One transaction."""
    problems: dict[str, list[str]] = {}
    if not notice_number.strip():
        problems["notice_number"] = ["Cần nhập số thông báo của cơ quan thuế."]
    if problems:
        raise ValidationFailed(
            "Thông báo nghĩa vụ tài chính không hợp lệ.", code="invalid_charge", details=problems
        )
    entry = charge_add(
        dossier=dossier,
        actor=actor,
        name=name,
        amount=amount,
        reference=notice_number,
        due_date=due_date,
        note=OBLIGATIONS_NOTE,
    )
    locked = dossier_lock(dossier.pk)
    if locked.status in (Status.RECEIVED, Status.PROCESSING):
        due = f", hạn nộp {due_date:%d/%m/%Y}" if due_date else ""
        dossier_transition(
            dossier=locked,
            action=Action.REQUEST_PAYMENT,
            actor=actor,
            note=f"Thông báo nộp nghĩa vụ tài chính số {notice_number.strip()}: "
            f"{f'{amount:,}'.replace(',', '.')} đồng{due}",
            pause_clock=True,
        )
    return entry


# ------------------------------------------------------------------------------------------------ payments


def _new_reference(now: dt.datetime) -> str:
    """``MC`` + yymmdd (Vietnam) + 8 random digits: unique (checked by the table), found in a bank transfer's text."""
    return f"MC{now.astimezone(clock.VN_TZ):%y%m%d}{secrets.randbelow(10**8):08d}"


@transaction.atomic
def payment_create(
    *,
    dossier: Dossier,
    actor: User,
    method: str,
    amount: int | None = None,
    client_ip: str = "",
    payer_name: str = "",
) -> Payment:
    """Open a payment of ``dossier``'s balance (or ``amount`` of it) by ``method``.

    ``vnpay``: a pending order with its signed ``pay_url``, open for ``MOTCUA_PAYMENT_EXPIRY_MINUTES`` (an
    order of the same amount still open for more than ``REUSE_MARGIN`` is returned instead of a new one); the
    applicant (owner) or a member of the dossier's unit may open it. ``cash``: recorded at once by an officer
    of the dossier's unit, who is named on the credit; the dossier moves on if its balance reaches zero.
    The caller checked that ``actor`` may see the dossier (``dossiers.selectors``). Raises ``ValidationFailed``
    (``invalid_method``, ``method_unavailable``, ``invalid_amount``, ``amount_exceeds_balance``),
    ``Conflict`` (``nothing_due``, ``dossier_not_payable``), ``PermissionDenied``.
    """
    if method not in Method.values:
        raise ValidationFailed(
            f"Hình thức thanh toán «{method}» không hợp lệ.",
            code="invalid_method",
            details={"method": [f"Chọn một trong: {', '.join(Method.values)}."]},
        )
    locked = dossier_lock(dossier.pk)
    roles = actor_roles(locked, actor)
    if method == Method.CASH and Role.OFFICER not in roles:
        raise PermissionDenied(
            "Chỉ cán bộ tiếp nhận của đơn vị giải quyết hồ sơ được ghi nhận tiền mặt.",
            code="permission_denied",
        )
    if method != Method.CASH and not roles:
        raise PermissionDenied("Bạn không có quyền thanh toán cho hồ sơ này.", code="permission_denied")
    gateway = payment_gateways.get(method) if method != Method.CASH else None
    if method != Method.CASH and (gateway is None or not gateway.is_enabled()):
        raise ValidationFailed(
            "Hình thức thanh toán này chưa được mở.",
            code="method_unavailable",
            details={"method": ["Hình thức thanh toán này chưa được mở."]},
        )
    if locked.status not in PAYABLE_STATES:
        raise Conflict(
            f"Hồ sơ ở trạng thái «{locked.get_status_display()}» không thu phí, lệ phí.",
            code="dossier_not_payable",
        )
    fee_charges_post(dossier=locked)
    due = dossier_balance(locked.pk).due
    if due <= 0:
        raise Conflict("Hồ sơ không còn khoản phải nộp.", code="nothing_due", details={"due": due})
    if amount is None:
        amount = due
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(
            "Số tiền không hợp lệ.",
            code="invalid_amount",
            details={"amount": ["Số tiền phải là số nguyên dương."]},
        )
    if amount > due:
        raise ValidationFailed(
            f"Số tiền vượt quá số còn phải nộp ({due} đồng).",
            code="amount_exceeds_balance",
            details={"amount": [f"Số tiền tối đa: {due} đồng."], "due": due},
        )
    now = clock.now()
    if gateway is not None:
        # An order of the same amount still open at the gateway is handed out again, never a second one: the
        # payer cannot pay the same fees twice by opening the payment page twice.
        open_order = (
            Payment.objects.filter(
                dossier=locked,
                method=method,
                amount=amount,
                status=PaymentStatus.PENDING,
            )
            .filter(Q(expires_at__gt=now + REUSE_MARGIN) | Q(expires_at__isnull=True))
            .order_by("-created_at", "-pk")
            .first()
        )
        if open_order is not None:
            return open_order
    payment = Payment(
        dossier=locked,
        method=method,
        amount=amount,
        created_at=now,
        created_by=actor,
        payer_name=payer_name[:255] or locked.applicant_name,
        client_ip=client_ip or None,
    )
    if method not in (Method.CASH, Method.VIETQR):  # a VietQR order waits for the bank statement
        payment.expires_at = now + dt.timedelta(minutes=settings.MOTCUA_PAYMENT_EXPIRY_MINUTES)
    _insert_with_reference(payment, now)
    if gateway is not None:
        payment.pay_url = gateway.pay_url(payment, client_ip=client_ip)
        payment.save(update_fields=["pay_url"])
    else:
        _cash_credit(payment, actor=actor, now=now, move_on=True)
    return payment


@transaction.atomic
def vietqr_order_for(*, dossier: Dossier) -> Payment | None:
    """The open VietQR order for all that ``dossier`` owes, opened now if there is none (for its QR on Mẫu 01
    and the payment page); ``None`` when VietQR is off, the dossier is closed or owes nothing. Posts the
    procedure's fees first. The caller checked that the user may see the dossier."""
    gateway = payment_gateways.get(Method.VIETQR)
    if gateway is None or not gateway.is_enabled():
        return None
    locked = dossier_lock(dossier.pk)
    if locked.status not in PAYABLE_STATES:
        return None
    fee_charges_post(dossier=locked)
    due = dossier_balance(locked.pk).due
    if due <= 0:
        return None
    payment = (
        Payment.objects.filter(dossier=locked, method=Method.VIETQR, amount=due, status=PaymentStatus.PENDING)
        .order_by("-created_at", "-pk")
        .first()
    )
    if payment is None:
        now = clock.now()
        payment = Payment(
            dossier=locked,
            method=Method.VIETQR,
            amount=due,
            created_at=now,
            payer_name=locked.applicant_name[:255],
        )
        _insert_with_reference(payment, now)
    return payment


def _insert_with_reference(payment: Payment, now: dt.datetime) -> None:
    """Insert ``payment`` under a new unique reference (another one on the rare collision)."""
    for _attempt in range(5):
        payment.reference = _new_reference(now)
        try:
            with transaction.atomic():
                payment.save(force_insert=True)
            return
        except IntegrityError:
            if Payment.objects.filter(reference=payment.reference).exists():
                payment.pk = None
                continue
            raise
    raise Conflict(  # pragma: no cover - 10^8 references a day
        "Không tạo được mã thanh toán, vui lòng thử lại.", code="reference_exhausted"
    )


def _cash_credit(payment: Payment, *, actor: User, now: dt.datetime, move_on: bool) -> None:
    """Credit cash taken at the counter by ``actor`` (named on the credit), audited (``payment.cash``)."""
    _succeed(
        payment,
        source=EntrySource.COUNTER,
        source_reference=payment.reference,
        recorded_by=actor,
        key=f"cash:{payment.reference}",
        at=now,
        move_on=move_on,
    )
    audit_record(
        actor=actor,
        action="payment.cash",
        object_type="payment",
        object_id=payment.reference,
        data={
            "dossier": payment.dossier.code if payment.dossier_id else None,
            "amount": int(payment.amount),
            "payer_name": payment.payer_name,
        },
    )


def payment_received_check(change: Change[PaymentReceivedParams]) -> None:
    """The settlement check of ``payment-received`` (registered in ``PaymentsConfig.ready``).

    Runs on the dossier locked by ``dossier_transition``, in its transaction. Posts the procedure's fees (so
    an unrun consumer cannot make a dossier look paid), records the cash the officer took with the action
    (``cash_amount``: it must settle all that is due; an officer of the dossier's unit), then refuses
    (``Conflict`` ``balance_due``, Vietnamese) while anything is still due. A refusal rolls the cash back.
    """
    dossier, params = change.dossier, change.params
    known = _settled_balance.get()
    if known is not None and known[0] == dossier.pk and params.cash_amount is None:
        due = known[1]  # a credit's move on: summed under this lock after the credit, fees posted
    else:
        fee_charges_post(dossier=dossier)
        due = dossier_balance(dossier.pk).due
    if params.cash_amount is not None:
        if Role.OFFICER not in actor_roles(dossier, change.actor):
            raise PermissionDenied(
                "Chỉ cán bộ tiếp nhận của đơn vị giải quyết hồ sơ được ghi nhận tiền mặt.",
                code="permission_denied",
            )
        if params.cash_amount > due:
            raise ValidationFailed(
                f"Số tiền mặt vượt quá số còn phải nộp ({formatting.thousands(max(due, 0), language='vi')} đồng).",
                code="amount_exceeds_balance",
                details={"cash_amount": [f"Số tiền tối đa: {max(due, 0)} đồng."], "due": due},
            )
        if params.cash_amount == due:
            payment = Payment(
                dossier=dossier,
                method=Method.CASH,
                amount=params.cash_amount,
                created_at=change.now,
                created_by=change.actor,
                payer_name=params.payer_name or dossier.applicant_name,
            )
            _insert_with_reference(payment, change.now)
            _cash_credit(payment, actor=change.actor, now=change.now, move_on=False)
            due = 0
    if due > 0:
        raise Conflict(
            f"Hồ sơ còn phải nộp {formatting.thousands(due, language='vi')} đồng phí, lệ phí: chưa thể chuyển "
            "tiếp. Ghi nhận số tiền mặt đã thu đủ, hoặc chờ người nộp thanh toán.",
            code="balance_due",
            details={"due": due},
        )


# Orders opened only by ``payment_create`` / ``vietqr_order_for``, which post the procedure's fees under the
# dossier's lock first: crediting one needs no second posting of the fees.
ORDER_METHODS = frozenset({Method.VNPAY, Method.PAYGOV, Method.VIETQR})
# What a payment's result writes (``save(update_fields=…)``: not every column of the row).
RESULT_FIELDS = (
    "status",
    "settled_at",
    "gateway_transaction_no",
    "gateway_response_code",
    "gateway_transaction_status",
    "gateway_bank_code",
    "gateway_paid_at",
)
# ``payment-received`` run by a credit: the dossier (locked by the caller) and the balance it summed after the
# credit, in this transaction, with the fees posted. ``payment_received_check`` uses it instead of posting the
# fees and summing again (issue 12, item 11); any other transition's check does the full work.
_settled_balance: ContextVar[tuple[int, int] | None] = ContextVar("payments_settled_balance", default=None)


def _credit_insert(entry: LedgerEntry) -> bool:
    """Insert ``entry`` unless its idempotency key is in the ledger already; whether it was inserted.

    One ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` (PostgreSQL and SQLite) instead of
    a savepoint, the ORM's insert, a release and, on a duplicate, a rollback to the savepoint and a read
    (issue 12, item 11: the IPN's hot path; docs/performance.md). The unique key stays the guarantee.
    """
    return insert_row(entry, unless_exists="idempotency_key")


def _succeed(
    payment: Payment,
    *,
    source: str,
    source_reference: str,
    recorded_by: User,
    key: str,
    at: dt.datetime,
    move_on: bool = True,
    system_user: User | None = None,
) -> LedgerEntry | None:
    """Mark ``payment`` (locked) succeeded, credit the ledger once under ``key``, issue its receipt, close
    the dossier's other open orders if it now owes nothing (``_close_open_orders``), and move the dossier on
    if it waits for payment (unless ``move_on`` is False: the caller is the dossier's own transition).
    ``system_user``: the method's system actor when the caller has it already (``recorded_by`` of a gateway's
    credit): not read again.

    Returns the credit, or ``None`` when ``key`` was already credited (nothing written).
    """
    payment.status = PaymentStatus.SUCCEEDED
    payment.settled_at = at
    update_row(payment, RESULT_FIELDS)
    entry = LedgerEntry(
        dossier_id=payment.dossier_id,
        kind=EntryKind.PAYMENT,
        amount=-int(payment.amount),
        name=f"Nộp phí, lệ phí ({payment.get_method_display()}, mã {payment.reference})",
        source=source,
        source_reference=source_reference,
        payment=payment,
        recorded_by=recorded_by,
        idempotency_key=key,
        at=at,
    )
    if not _credit_insert(entry):
        # Nothing was written by the insert; the payment's update rolls back with the caller's transaction
        # only if it fails: a key credited already means the payment succeeded already.
        logger.warning("payment_credit_duplicate", key=key, payment=payment.reference)
        return None
    # Its electronic receipt, numbered in this transaction. The dossier's row first: every credit locks the
    # payment, the dossier, then the unit's receipt sequence, then the audit chain (no lock cycles).
    # The dossier is locked and read once here, for the receipt and the move on (nothing between writes it).
    dossier = dossier_lock(payment.dossier_id)
    if payment.method not in ORDER_METHODS:
        fee_charges_post(
            dossier=dossier
        )  # a bank line assigned by hand, cash: the fees may not be posted yet
    # The balance (with this credit) and the charges' names for the receipt, from one read of the entries.
    balance, fee_names = dossier_balance_and_fee_names(dossier.pk)
    due = balance.due
    receipt_issue(payment=payment, at=at, dossier=dossier, new=True, fee_names=fee_names)
    if due <= 0:
        _close_open_orders(dossier, paid_by=payment, at=at)
    if move_on:
        _move_on_if_paid(payment, dossier=dossier, actor=system_user, due=due)
    return entry


def _close_open_orders(dossier: Dossier, *, paid_by: Payment | None, at: dt.datetime) -> list[str]:
    """The dossier (locked) owes nothing: its orders still pending (a VietQR order printed on Mẫu 01, a gateway
    order the payer left open) are closed (``cancelled``), so that no order of fees already paid stays open
    forever. Money that still arrives for one is an overpayment, not lost: a gateway's late success is
    credited once under its own key (then refunded), a bank line naming it stays unmatched for an officer.

    The orders are taken ``FOR UPDATE SKIP LOCKED``: the lock order everywhere is payment → dossier, and this
    runs under the dossier's lock; an order locked now is being settled by its own notice, which decides it.
    Audited (``payment.orders_closed``) when any was closed. Returns their references.
    """
    closing = _open_orders_skip_locked(dossier.pk, but=paid_by.pk if paid_by is not None else None)
    if not closing:
        return []
    Payment.objects.filter(pk__in=[pk for pk, _ref in closing], status=PaymentStatus.PENDING).update(
        status=PaymentStatus.CANCELLED, settled_at=at
    )
    references = [ref for _pk, ref in closing]
    logger.info("payment_orders_closed", dossier=dossier.pk, orders=references)
    audit_record(
        actor=None,
        action="payment.orders_closed",
        object_type="dossier",
        object_id=dossier.pk,
        data={
            "dossier": dossier.code,
            "orders": references,
            "paid_by": paid_by.reference if paid_by is not None else None,
        },
    )
    return references


def _open_orders_skip_locked(dossier_id: int, *, but: int | None) -> list[tuple[int, str]]:
    """``[(id, reference)]`` of the dossier's pending orders but ``but``, locked, those locked now skipped.

    ``Payment.objects.filter(dossier_id=…, status=PENDING).exclude(pk=but).select_for_update(skip_locked=True)
    .order_by("pk").values_list("pk", "reference")`` in hand-written SQL: it runs on every credit and almost
    always finds nothing; the ORM spent more building it than the database answering (issue 12, item 11).
    """
    qn = connection.ops.quote_name
    sql = f"SELECT id, reference FROM {qn(Payment._meta.db_table)} WHERE dossier_id = %s AND status = %s"  # noqa: S608
    params: list[Any] = [dossier_id, str(PaymentStatus.PENDING)]
    if but is not None:
        sql += " AND id <> %s"
        params.append(but)
    sql += " ORDER BY id"
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE SKIP LOCKED"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), str(reference)) for pk, reference in cursor.fetchall()]


def _move_on_if_paid(
    payment: Payment, *, dossier: Dossier | None = None, actor: User | None = None, due: int | None = None
) -> None:
    """``payment-received`` as the method's system actor when the dossier waits for payment and owes nothing."""
    _move_on_if_settled(
        payment.dossier_id,
        system=str(payment.method),
        note=f"Đã nộp đủ phí, lệ phí (mã thanh toán {payment.reference}).",
        dossier=dossier,
        actor=actor,
        due=due,
    )


def _move_on_if_settled(
    dossier_id: int,
    *,
    system: str,
    note: str,
    dossier: Dossier | None = None,
    actor: User | None = None,
    due: int | None = None,
) -> None:
    """``payment-received`` as ``system:<system>`` if the dossier waits for payment and owes nothing.

    ``dossier``: the caller locked and read it in this transaction (``dossier_lock``) and wrote nothing to
    its row since: not locked and read again. ``due``: the balance the caller summed under that lock, with the
    fees posted (then neither this function nor the transition's check sums it again). ``actor``:
    ``system:<system>`` if the caller has it. Without ``due``, the dossier's other open orders are closed
    here when it owes nothing (an exemption). A refusal of the transition (a concurrent action …) is logged
    and leaves the ledger as it is: an officer moves the dossier on by hand.
    """
    held = dossier is not None and dossier.pk == dossier_id
    if dossier is None or not held:
        dossier = dossier_lock(dossier_id)
        due = None
    if due is None:
        fee_charges_post(dossier=dossier)
        due = dossier_balance(dossier.pk).due
        if due <= 0:
            _close_open_orders(dossier, paid_by=None, at=clock.now())
    if dossier.status != Status.AWAITING_PAYMENT or due > 0:
        return
    if actor is None or actor.username != f"system:{system}":
        actor = system_actor(system, label=SYSTEM_LABELS.get(system, "Sổ thu phí, lệ phí"))
    token = _settled_balance.set((dossier.pk, due))
    try:
        dossier_transition(
            dossier=dossier,
            action=Action.PAYMENT_RECEIVED,
            actor=actor,
            note=note,
            held_lock=held,
        )
    except DomainError as exc:
        logger.warning(
            "payment_received_transition_refused", dossier=dossier.pk, system=system, code=exc.code
        )
    finally:
        _settled_balance.reset(token)


# ---------------------------------------------------------------------------------------------- VNPay IPN


def vnpay_ipn(*, params: dict[str, str]) -> tuple[str, str]:
    """Handle one VNPay IPN; return its answer ``(RspCode, Message)``. Only the IPN changes a VNPay payment.

    Checks in the documented order: 97 bad signature, 01 order not found, 04 amount mismatch, 02 already
    confirmed, 00 confirmed (a failure too), 99 unexpected error (nothing written). Success only when
    ``vnp_ResponseCode`` and ``vnp_TransactionStatus`` are both ``00``. A success after a recorded failure or
    after the order expired is still credited (the money moved at VNPay); a failure never undoes a success.
    Every notice is kept (``GatewayNotice``) with the answer, refused ones too.
    """
    now = clock.now()
    try:
        answer = _vnpay_ipn(params, now)
    except Exception:
        logger.exception("vnpay_ipn_error", reference=params.get("vnp_TxnRef", ""))
        answer = protocol.IPN_UNEXPECTED
    safe = {str(k)[:64]: str(v)[:500] for k, v in list(params.items())[:50]}
    insert_row(  # (GatewayNotice is append-only: no save() logic to keep)
        GatewayNotice(
            gateway=Method.VNPAY,
            reference=str(params.get("vnp_TxnRef", ""))[:100],
            params=safe,
            answer_code=answer[0],
            answer_message=answer[1],
            at=now,
        )
    )
    log = logger.info if answer[0] in ("00", "02") else logger.warning
    log("vnpay_ipn", reference=safe.get("vnp_TxnRef", ""), rsp_code=answer[0])
    return answer


def _payment_seen(reference: str) -> list[tuple[int, int, str]]:
    """``[(id, amount, status)]`` of the VNPay payment ``reference`` (unique), or ``[]``: one indexed read in
    hand-written SQL, the first statement of every IPN (half of them duplicates answered from it alone; issue
    12, item 11, docs/performance.md): the ORM spends ~600 Python calls building this statement each time."""
    table = connection.ops.quote_name(Payment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, amount, status FROM {table} WHERE reference = %s AND method = %s",  # noqa: S608
            [reference, str(Method.VNPAY)],
        )
        return [(int(pk), int(amount), str(status)) for pk, amount, status in cursor.fetchall()]


def _vnpay_ipn(params: dict[str, str], now: dt.datetime) -> tuple[str, str]:
    if not protocol.verify(params, hash_secret()):
        return protocol.IPN_BAD_SIGNATURE
    reference = params.get("vnp_TxnRef", "")
    # Answered from one indexed read, before any lock or transaction, when nothing is to be written: unknown
    # order (01), wrong amount (04, the amount never changes), already succeeded (02: a success is final,
    # VNPay's retries and duplicates). Anything else is decided again below under the payment's lock.
    # (A tuple, not a model instance: the reference is unique, no ordering is needed.)
    seen: list[tuple[int, int, str]] = (
        _payment_seen(reference) if reference and params.get("vnp_TmnCode") == tmn_code() else []
    )
    if not seen:
        return protocol.IPN_ORDER_NOT_FOUND
    payment_id, seen_amount, seen_status = seen[0]
    try:
        amount = int(params.get("vnp_Amount", ""))
    except ValueError:
        return protocol.IPN_AMOUNT_MISMATCH
    if amount != seen_amount * 100:
        return protocol.IPN_AMOUNT_MISMATCH
    if seen_status == PaymentStatus.SUCCEEDED:
        return protocol.IPN_ALREADY_CONFIRMED
    with transaction.atomic():
        # Locked and read again (its reference, method and amount never change; a payment is never deleted):
        # its status, as it is now, decides.
        payment = read_row(Payment, payment_id, lock=True)
        success = (
            params.get("vnp_ResponseCode") == protocol.OK
            and params.get("vnp_TransactionStatus") == protocol.OK
        )
        if payment.status == PaymentStatus.SUCCEEDED or (
            not success and payment.status == PaymentStatus.FAILED
        ):
            return protocol.IPN_ALREADY_CONFIRMED
        _vnpay_record(payment, params, success=success, now=now)
        return protocol.IPN_CONFIRMED


def _vnpay_record(payment: Payment, params: dict[str, str], *, success: bool, now: dt.datetime) -> None:
    """Record VNPay's result on ``payment`` (locked): a failure, or a success credited once."""
    _record_gateway_fields(payment, params)
    if not success:
        payment.status = PaymentStatus.FAILED
        payment.settled_at = now
        update_row(payment, RESULT_FIELDS)
        return
    transaction_no = params.get("vnp_TransactionNo", "") or payment.reference
    actor = system_actor(Method.VNPAY, label=SYSTEM_LABELS[Method.VNPAY])  # read once: credit and move on
    _succeed(
        payment,
        source=EntrySource.GATEWAY,
        source_reference=f"VNPay {transaction_no}",
        recorded_by=actor,
        key=f"vnpay:{params.get('vnp_TmnCode', '')}:{payment.reference}",
        at=now,
        system_user=actor,
    )


def vnpay_settle_expired(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask VNPay (QueryDR) about every VNPay payment still pending after its expiry, and settle it.

    Paid at VNPay (``00``/``00``, the amount matching): credited once, as its IPN would have (same key: a late
    IPN then gets 02); failed there: failed; unknown to VNPay (``91``): expired; still in progress there: left
    pending. A payment VNPay could not be asked about is counted ``unavailable`` and tried next time.
    Returns the counts ``{"checked", "succeeded", "failed", "expired", "pending", "unavailable"}``.
    """
    from .gateways import GatewayUnavailable

    now = now or clock.now()
    gateway = payment_gateways["vnpay"]
    counts = dict.fromkeys(("checked", "succeeded", "failed", "expired", "pending", "unavailable"), 0)
    # Closed orders too (``cancelled``: the dossier was paid another way): VNPay may have been paid all the same.
    unsettled = (PaymentStatus.PENDING, PaymentStatus.CANCELLED)
    due = Payment.objects.filter(method=Method.VNPAY, status__in=unsettled, expires_at__lte=now)
    for payment_id in list(due.order_by("pk").values_list("pk", flat=True)):
        counts["checked"] += 1
        payment = Payment.objects.get(pk=payment_id)
        try:
            answer = gateway.query(payment)
        except GatewayUnavailable as exc:
            logger.warning("vnpay_querydr_unavailable", reference=payment.reference, error=str(exc))
            counts["unavailable"] += 1
            continue
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.status not in unsettled:  # its IPN came meanwhile: settled already
                continue
            code, state = answer.get("vnp_ResponseCode"), answer.get("vnp_TransactionStatus")
            if code == protocol.QUERYDR_NOT_FOUND:
                payment.status = PaymentStatus.EXPIRED
                payment.settled_at = now
                payment.save()
                counts["expired"] += 1
            elif code != protocol.OK or state == "01":  # VNPay could not say, or still in progress
                counts["pending"] += 1
            elif state == protocol.OK and answer.get("vnp_Amount") == str(payment.amount * 100):
                _vnpay_record(payment, {**answer, "vnp_ResponseCode": protocol.OK}, success=True, now=now)
                counts["succeeded"] += 1
            elif state == protocol.OK:  # paid, but not this amount: an operator looks at it
                logger.error("vnpay_querydr_amount_mismatch", reference=payment.reference)
                counts["pending"] += 1
            else:
                _vnpay_record(payment, answer, success=False, now=now)
                counts["failed"] += 1
    return counts


def _record_gateway_fields(payment: Payment, params: dict[str, Any]) -> None:
    payment.gateway_transaction_no = str(params.get("vnp_TransactionNo", ""))[:64]
    payment.gateway_response_code = str(params.get("vnp_ResponseCode", ""))[:8]
    payment.gateway_transaction_status = str(params.get("vnp_TransactionStatus", ""))[:8]
    payment.gateway_bank_code = str(params.get("vnp_BankCode", ""))[:32]
    payment.gateway_paid_at = protocol.parse_time(str(params.get("vnp_PayDate", "")))


def vnpay_return_result(*, params: dict[str, str]) -> dict[str, Any]:
    """What the return page shows (display only: nothing is written). ``verified`` False for a bad signature."""
    verified = protocol.verify(params, hash_secret())
    success = (
        params.get("vnp_ResponseCode") == protocol.OK and params.get("vnp_TransactionStatus") == protocol.OK
    )
    payment = None
    if verified:
        payment = (
            Payment.objects.select_related("dossier")
            .filter(reference=params.get("vnp_TxnRef", ""), method=Method.VNPAY)
            .first()
        )
    try:
        amount = int(params.get("vnp_Amount", "0")) // 100
    except ValueError:
        amount = 0
    return {
        "verified": verified,
        "success": verified and success,
        "response_code": params.get("vnp_ResponseCode", ""),
        "payment": payment,
        "amount": amount,
        "reference": params.get("vnp_TxnRef", ""),
        "transaction_no": params.get("vnp_TransactionNo", ""),
    }
