"""What a dossier owes from its procedure version's fees, with the reduction for online submission.

A procedure version sets ``online_fee_percent`` (catalog): what an online submission pays of each fee, in %
(100 the full fee, 50 half, 0 waived). The payable part is rounded down to the đồng (in the applicant's
favour); the reduction is the rest. The ledger charges the full legal fee and records the reduction as an
adjustment that names it (``services.fee_charges_post``), so the receipt and the ledger show both.
"""

from __future__ import annotations

from dataclasses import dataclass

from motcua.catalog.models import Fee, ProcedureVersion


@dataclass(frozen=True)
class FeeLine:
    fee_id: int
    name: str
    amount: int  # the legal fee
    reduction: int  # waived or reduced for online submission
    due: int  # amount - reduction


def online_payable(amount: int, percent: int) -> int:
    """What an online submission pays of ``amount`` at ``percent`` (0–100), rounded down to the đồng."""
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be 0-100, got {percent}")
    return amount * percent // 100


def reduction_label(percent: int) -> str:
    return "Miễn khi nộp trực tuyến" if percent == 0 else f"Giảm {100 - percent}% khi nộp trực tuyến"


def fee_lines(version: ProcedureVersion, *, online: bool) -> list[FeeLine]:
    """The fees ``version`` charges (0 VND fees left out), with the online reduction when ``online``."""
    percent = int(version.online_fee_percent) if online else 100
    lines = []
    for fee in Fee.objects.filter(version=version, amount_vnd__gt=0).order_by("order", "pk"):
        amount = int(fee.amount_vnd)
        due = online_payable(amount, percent)
        lines.append(FeeLine(fee_id=fee.pk, name=fee.name, amount=amount, reduction=amount - due, due=due))
    return lines
