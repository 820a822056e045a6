"""Payment statistics from the ledger (issue 12, item 9; issue 15, item 5): credits by channel and month.

A payment counts when its credit is in the ledger (``LedgerEntry`` of kind ``payment``), at the credit's time
``at``, for the dossier's unit; the amount is the credit's (a positive number here). Refunds are not
subtracted (they are counted by the reconciliation, docs/payments.md). The channel is the credit's source:

- ``online``: a payment gateway (VNPay, the national payment platform) — ``EntrySource.GATEWAY``;
- ``bank``: the province's collection account (a VietQR transfer or a transfer assigned by hand), credited
  from a bank statement — ``EntrySource.BANK_STATEMENT``;
- ``counter``: cash at the one-stop desk — ``EntrySource.COUNTER``.

Land financial obligations: the credits of a dossier charged the tax authority's notice
(``services.obligations_notice_record``, a charge with the note ``OBLIGATIONS_NOTE``) made at or after that
charge, whatever the channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth

from motcua.core.clock import VN_TZ

from .constants import OBLIGATIONS_NOTE, EntryKind, EntrySource
from .models import LedgerEntry

# The channels in the order they are shown, and the credit source of each.
CHANNELS: tuple[str, ...] = ("online", "bank", "counter")
CHANNEL_LABELS: dict[str, str] = {
    "online": "Cổng thanh toán trực tuyến",
    "bank": "Chuyển khoản VietQR / ngân hàng",
    "counter": "Tiền mặt tại Bộ phận một cửa",
}
_SOURCE_CHANNEL: dict[str, str] = {
    EntrySource.GATEWAY: "online",
    EntrySource.BANK_STATEMENT: "bank",
    EntrySource.COUNTER: "counter",
}


@dataclass(frozen=True)
class ChannelRow:
    """Credits of one unit, month and channel."""

    unit_id: int
    month: dt.date  # first day of the month (Vietnam)
    channel: str
    count: int
    amount: int  # VND


def credits(
    start_at: dt.datetime, end_at: dt.datetime, unit_ids: Iterable[int] | None = None
) -> QuerySet[LedgerEntry]:
    """The ledger's credits (payments received) at ``[start_at, end_at)``, of the units ``unit_ids`` (None: all)."""
    qs = LedgerEntry.objects.order_by().filter(kind=EntryKind.PAYMENT, at__gte=start_at, at__lt=end_at)
    if unit_ids is not None:
        qs = qs.filter(dossier__unit_id__in=sorted(unit_ids))
    return qs


def land_obligation_credits(
    start_at: dt.datetime, end_at: dt.datetime, unit_ids: Iterable[int] | None = None
) -> QuerySet[LedgerEntry]:
    """The credits that paid land financial obligations (see the module's docstring)."""
    notice = LedgerEntry.objects.filter(
        dossier_id=OuterRef("dossier_id"),
        kind=EntryKind.CHARGE,
        note=OBLIGATIONS_NOTE,
        at__lte=OuterRef("at"),
    )
    return credits(start_at, end_at, unit_ids).filter(Exists(notice))


def credits_by_channel(
    start_at: dt.datetime, end_at: dt.datetime, unit_ids: Iterable[int] | None = None
) -> list[ChannelRow]:
    """Count and amount of the credits per unit, calendar month (Vietnam) and channel: one grouped query."""
    rows = (
        credits(start_at, end_at, unit_ids)
        .annotate(month=TruncMonth("at", tzinfo=VN_TZ))
        .values("dossier__unit_id", "month", "source")
        .annotate(n=Count("pk"), total=Sum("amount"))
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.astimezone(VN_TZ).date()
        result.append(
            ChannelRow(
                unit_id=row["dossier__unit_id"],
                month=month.replace(day=1),
                channel=_SOURCE_CHANNEL.get(row["source"], "counter"),
                count=int(row["n"]),
                amount=-int(row["total"] or 0),
            )
        )
    result.sort(key=lambda r: (r.month, r.unit_id, CHANNELS.index(r.channel)))
    return result


def count_and_amount(qs: QuerySet[LedgerEntry]) -> tuple[int, int]:
    """How many credits and their amount (VND, positive)."""
    row = qs.aggregate(n=Count("pk"), total=Sum("amount"))
    return int(row["n"]), -int(row["total"] or 0)
