"""Reads of the money side: a dossier's balance (a sum, never a flag), its ledger and its payments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum

from motcua.dossiers.models import Dossier

from .constants import EntryKind
from .models import LedgerEntry, Payment


@dataclass(frozen=True)
class Balance:
    """A dossier's ledger summed up (VND): ``due`` > 0 still owed, 0 settled, < 0 overpaid."""

    charged: int  # charges
    paid: int  # credits (payments), as a positive number
    refunded: int
    adjusted: int  # signed: exemptions are negative
    due: int

    def as_dict(self) -> dict[str, int]:
        return {
            "charged": self.charged,
            "paid": self.paid,
            "refunded": self.refunded,
            "adjusted": self.adjusted,
            "due": self.due,
        }


def dossier_balance(dossier: Dossier | int) -> Balance:
    """The balance of ``dossier``: its ledger entries summed per kind, in one grouped query.

    ``GROUP BY kind`` (at most four rows, summed here) rather than one aggregate of four filtered, coalesced
    sums: the same statement cost in the database, a third of the ORM's work to build it (it runs on every
    credit: issue 12, item 11).
    """
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    totals = dict(
        LedgerEntry.objects.filter(dossier_id=dossier_id)
        .order_by()  # no Meta.ordering columns in the GROUP BY
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    return _balance(totals)


def dossier_balance_and_fee_names(dossier_id: int) -> tuple[Balance, str]:
    """The balance of the dossier and the legal names of its charges (``receipts._fee_names``: what its
    receipt names) from one read of its entries (a dossier has a handful): a credit needs both (issue 12,
    item 11)."""
    totals: dict[str, int] = {}
    names: dict[str, None] = {}
    # LedgerEntry.objects.filter(dossier_id=…).order_by("at", "pk").values_list("kind", "amount", "name") in
    # hand-written SQL: on every credit, the ORM spent more building it than the database answering.
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, amount, name FROM {table} WHERE dossier_id = %s ORDER BY at, id",  # noqa: S608
            [dossier_id],
        )
        rows = cursor.fetchall()
    for kind, amount, name in rows:
        totals[kind] = totals.get(kind, 0) + int(amount)
        if kind == EntryKind.CHARGE:
            names[name] = None
    return _balance(totals), "; ".join(names) or "Phí, lệ phí"


def _balance(totals: dict[str, int]) -> Balance:
    charged = int(totals.get(EntryKind.CHARGE) or 0)
    paid = -int(totals.get(EntryKind.PAYMENT) or 0)
    refunded = int(totals.get(EntryKind.REFUND) or 0)
    adjusted = int(totals.get(EntryKind.ADJUSTMENT) or 0)
    return Balance(
        charged=charged,
        paid=paid,
        refunded=refunded,
        adjusted=adjusted,
        due=charged - paid + refunded + adjusted,
    )


def dossier_ledger(dossier: Dossier) -> QuerySet[LedgerEntry]:
    """The dossier's entries, oldest first, each with ``receipt_id``: the receipt of a credit, the cancelling
    receipt of a refund (key ``refund:<request id>``), in the same query."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Substr

    from .models import Receipt

    receipt = Receipt.objects.filter(payment_id=OuterRef("payment_id"), kind="receipt").values("pk")[:1]
    cancelling = Receipt.objects.filter(
        kind="cancelling", refund__request_id=Substr(OuterRef("idempotency_key"), len("refund:") + 1)
    ).values("pk")[:1]
    return (
        LedgerEntry.objects.filter(dossier=dossier)
        .select_related("recorded_by")
        .annotate(
            receipt_id=Subquery(receipt),
            cancelling_receipt_id=Subquery(cancelling),
        )
        .order_by("at", "pk")
    )


def dossier_payments(dossier: Dossier) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier=dossier).order_by("-created_at", "-pk")


def balance_of(entries: list[LedgerEntry]) -> Balance:
    """The balance of entries already read (no query): the same sums as ``dossier_balance``."""

    def total(kind: str) -> int:
        return sum(int(e.amount) for e in entries if e.kind == kind)

    charged, paid = total(EntryKind.CHARGE), -total(EntryKind.PAYMENT)
    refunded, adjusted = total(EntryKind.REFUND), total(EntryKind.ADJUSTMENT)
    return Balance(
        charged=charged,
        paid=paid,
        refunded=refunded,
        adjusted=adjusted,
        due=charged - paid + refunded + adjusted,
    )


def open_vietqr_order(dossier: Dossier, *, amount: int) -> Payment | None:
    """The dossier's pending VietQR order for ``amount`` (what is due now), if one was opened."""
    from .constants import Method, PaymentStatus

    return (
        Payment.objects.filter(
            dossier=dossier, method=Method.VIETQR, status=PaymentStatus.PENDING, amount=amount
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def dossier_receipts(dossier: Dossier) -> QuerySet[Any]:
    """The dossier's electronic receipts (and cancelling receipts), in the order they were issued."""
    from .models import Receipt

    return Receipt.objects.filter(dossier=dossier).order_by("issued_at", "pk")
