"""Electronic receipts (biên lai điện tử): one per payment credited, a cancelling one per refund.

Each is numbered per collecting unit (the dossier's unit) and calendar year (Vietnam time) from a
``ReceiptSequence`` row locked in the credit's transaction: numbers are unique and gap-free (a rolled-back
credit rolls its number back too), concurrent credits of one unit wait for each other on that row. What the
receipt says (payer, dossier, the legal names of the fees, the amount and the amount in words) is frozen when
it is issued; the PDF is rendered from the row with the forms' font and heading (``dossiers.printing``).

Lock order: the payment's row, the dossier's, then the unit's sequence, then the audit chain's head (the
audit's rule: row locks before it). A transaction that credits several payments (a bank statement) locks all
their payments, then all their dossiers, before the first receipt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from motcua.core import clock, formatting
from motcua.core.errors import Conflict
from motcua.core.rows import insert_row, lock_row
from motcua.dossiers.models import Dossier

from .constants import EntryKind, Method, ReceiptKind
from .models import LedgerEntry, Payment, Receipt, ReceiptSequence, Refund

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_BILLION = 10**9


def _group_words(n: int, *, leading: bool) -> list[str]:
    """Words of ``n`` (0 < n < 1000); a group after a higher one always says its hundreds ("không trăm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(n: int, *, leading: bool) -> list[str]:
    words: list[str] = []
    for scale, name in ((10**6, "triệu"), (10**3, "nghìn"), (1, "")):
        group = n // scale % 1000
        if group:
            words += _group_words(group, leading=leading and not words)
            if name:
                words.append(name)
    return words


def _words(n: int, *, leading: bool = True) -> list[str]:
    if n >= _BILLION:
        high, low = divmod(n, _BILLION)
        return [*_words(high, leading=leading), "tỷ", *(_below_billion(low, leading=False) if low else [])]
    return _below_billion(n, leading=leading)


def number_in_words(n: int) -> str:
    """A whole number in Vietnamese words, as receipts write it: 105000 → "một trăm linh năm nghìn"."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"a whole number ≥ 0, got {n!r}")
    return "không" if n == 0 else " ".join(_words(n))


def amount_in_words(amount: int) -> str:
    """``amount`` VND as written on a receipt: "Hai mươi nghìn đồng"."""
    text = f"{number_in_words(amount)} đồng"
    return text[0].upper() + text[1:]


# ------------------------------------------------------------------------------------------- issuing


def _next_number(unit_id: int, year: int) -> int:
    """The next number of ``unit_id``'s receipts in ``year``: the sequence row, locked until the commit.

    One upsert (PostgreSQL and SQLite): the year's first receipt makes the row with 1, a later one adds 1
    under the row's lock (a concurrent credit of the same unit waits for this commit; a rollback gives the
    number back: gap-free). It was an insert-or-ignore, a locking read and an update (issue 12, item 11).
    """
    table = connection.ops.quote_name(ReceiptSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608 (our own table)
            f"ON CONFLICT (unit_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [unit_id, year],
        )
        row = cursor.fetchone()
    return int(row[0])


def _fee_names(dossier_id: int) -> str:
    names = LedgerEntry.objects.filter(dossier_id=dossier_id, kind=EntryKind.CHARGE).order_by("at", "pk")
    return "; ".join(dict.fromkeys(names.values_list("name", flat=True))) or "Phí, lệ phí"


def receipt_issue(
    *,
    payment: Payment,
    at: dt.datetime | None = None,
    dossier: Dossier | None = None,
    new: bool = False,
    fee_names: str | None = None,
) -> Receipt:
    """The receipt of ``payment`` (succeeded, credited), issued once: a second call returns the first.

    Call it in the credit's transaction (``services._succeed`` does), after the payment's and the dossier's
    row locks. ``dossier``: the payment's dossier as the caller read it under its lock (not read again).
    ``new``: the caller has just written the payment's first credit, so it has no receipt yet (not looked
    up; the unique constraint ``receipt_one_per_payment`` still holds). ``fee_names``: ``_fee_names`` of the
    dossier, read by the caller in this transaction.
    """
    if not new:
        existing = Receipt.objects.filter(payment=payment, kind=ReceiptKind.RECEIPT).first()
        if existing is not None:
            return existing
    at = at or clock.now()
    if dossier is None or dossier.pk != payment.dossier_id:
        dossier = payment.dossier
    year = at.astimezone(clock.VN_TZ).year
    # No savepoint: nobody catches a failure here, the credit's transaction rolls back whole (number too).
    receipt = Receipt(
        unit_id=dossier.unit_id,
        year=year,
        number=_next_number(dossier.unit_id, year),
        kind=ReceiptKind.RECEIPT,
        payment=payment,
        dossier=dossier,
        amount=int(payment.amount),
        payer_name=(payment.payer_name or dossier.applicant_name or "")[:255],
        fee_names=_fee_names(dossier.pk) if fee_names is None else fee_names,
        method=payment.method,
        issued_at=at,
    )
    insert_row(receipt)  # Receipt.objects.create without the ORM's cost (one per credit)
    return receipt


def issue_cancelling_receipt(*, refund: Refund, at: dt.datetime | None = None) -> Receipt:
    """The cancelling receipt (biên lai hủy) of a refund that succeeded: it names the payment's receipt and
    the amount given back (``refund.amount``), numbered in the same sequence. Once per refund (a second call
    returns the first). For the refund service: call it in the transaction that writes the refund's ledger
    entry, after the payment's row lock and **before** ``audit_record`` (it locks the dossier and the unit's
    sequence; a credit of the same unit holds the sequence then waits for the audit chain's head, so taking
    the head first can deadlock). ``Conflict`` ``no_receipt`` if the payment never had one."""
    existing = Receipt.objects.filter(refund=refund).first()
    if existing is not None:
        return existing
    payment = refund.payment
    original = Receipt.objects.filter(payment=payment, kind=ReceiptKind.RECEIPT).first()
    if original is None:
        raise Conflict("Lượt thanh toán này chưa có biên lai để hủy.", code="no_receipt")
    at = at or clock.now()
    year = at.astimezone(clock.VN_TZ).year
    # The lock order of every credit: the payment (the caller's), the dossier, the sequence, the audit chain.
    lock_row(Dossier, original.dossier_id)
    with transaction.atomic():
        return Receipt.objects.create(
            unit_id=original.unit_id,
            year=year,
            number=_next_number(original.unit_id, year),
            kind=ReceiptKind.CANCELLING,
            payment=payment,
            cancels=original,
            refund=refund,
            dossier_id=original.dossier_id,
            amount=int(refund.amount),
            payer_name=original.payer_name,
            fee_names=original.fee_names,
            method=original.method,
            issued_at=at,
            note=refund.reason,
        )


# ------------------------------------------------------------------------------------------- printing


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    dossier = receipt.dossier
    unit = receipt.unit
    parent = unit.parent if unit.parent_id else None
    issued = receipt.issued_at.astimezone(clock.VN_TZ)
    payment = receipt.payment
    return {
        "receipt": receipt,
        "cancelling": receipt.kind == ReceiptKind.CANCELLING,
        "form": str(settings.MOTCUA_RECEIPT_FORM),
        "series": str(settings.MOTCUA_RECEIPT_SERIES),
        "number": receipt.number_display,
        "unit_name": unit.name,
        "parent_name": parent.name if parent else "",
        "printed_day": issued,
        "issued": formatting.instant(receipt.issued_at),
        "dossier_code": dossier.code or "",
        "procedure_name": dossier.procedure_version.name,
        "payer_name": receipt.payer_name,
        "payer_address": dossier.applicant_address,
        "fee_names": receipt.fee_names,
        "amount": formatting.thousands(receipt.amount, language="vi"),
        "amount_words": amount_in_words(int(receipt.amount)),
        "method": receipt.get_method_display(),
        "reference": payment.reference,
        "source": payment.gateway_transaction_no,
        "cancels": receipt.cancels.number_display if receipt.cancels_id and receipt.cancels else "",
        "cash": receipt.method == Method.CASH,
    }


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as an A5 PDF (the forms' font and heading)."""
    from motcua.dossiers.printing import form_pdf

    return form_pdf("payments/receipt.html", receipt_context(receipt))


def receipt_filename(receipt: Receipt) -> str:
    prefix = "bien-lai-huy" if receipt.kind == ReceiptKind.CANCELLING else "bien-lai"
    return f"{prefix}-{receipt.year}-{receipt.number:07d}.pdf"
