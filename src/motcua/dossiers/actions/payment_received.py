"""``payment-received``: the fees are paid (an officer, or a payment system's actor); processing resumes.

A dossier whose clock paused for the applicant's financial obligations (``request-payment`` with
``pause_clock``) resumes it with the office time it had left (``base.resume_clock``): its due moves by the
time it waited.

The money lives in the ``payments`` app, above ``dossiers`` (import-linter): it registers a settlement check
here (``settlement_check_register``, from its ``AppConfig.ready``) that the effect runs first, on the locked
dossier. The check records the cash an officer takes with the action (``cash_amount``, ``payer_name``) and
refuses the action (``Conflict`` ``balance_due``) while the dossier still owes anything, so a dossier never
moves on without its ledger saying it is paid (issue 12).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from ..constants import Action
from .base import ActionSpec, Change, Params, int_param, invalid, resume_clock


@dataclass(frozen=True)
class PaymentReceivedParams(Params):
    """Cash taken at the counter in the same step (optional): its amount (whole VND) and who paid it."""

    cash_amount: int | None = None
    payer_name: str = ""

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        amount = int_param(
            raw.get("cash_amount"),
            "cash_amount",
            "Số tiền mặt không hợp lệ.",
            "Phải là số nguyên dương (đồng).",
        )
        if amount is not None and amount <= 0:
            raise invalid("Số tiền mặt không hợp lệ.", cash_amount=["Phải là số nguyên dương (đồng)."])
        return cls(cash_amount=amount, payer_name=str(raw.get("payer_name") or "").strip()[:255])


SettlementCheck = Callable[[Change[PaymentReceivedParams]], None]
_settlement_checks: list[SettlementCheck] = []


def settlement_check_register(check: SettlementCheck) -> SettlementCheck:
    """Run ``check`` in every ``payment-received`` (on the locked dossier, before it moves); idempotent."""
    if check not in _settlement_checks:
        _settlement_checks.append(check)
    return check


def effect(change: Change[PaymentReceivedParams]) -> None:
    for check in list(_settlement_checks):
        check(change)
    if change.dossier.paused_at is not None:
        due = resume_clock(change)
        change.event["due_at"] = due
        change.data.update(rule="pause", financial_obligations=True)


ACTION = ActionSpec(action=Action.PAYMENT_RECEIVED, params=PaymentReceivedParams, effect=effect)
