"""The payments app's transition consumer: ``request-payment`` charges the dossier its procedure's fees.

Chosen over a call from the action's effect because ``dossiers`` sits below ``payments`` (import-linter
contracts) and the action keeps its behaviour (a note of what is due). The charges are posted when the worker
runs the delivery; ``payment_create`` posts them too (same idempotency keys), so a payment opened before the
worker ran still finds them.
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.constants import Action
from motcua.dossiers.consumers import TransitionConsumer, transition_consumers
from motcua.dossiers.models import DossierEvent

from .services import fee_charges_post


@transition_consumers.register("payments")
class FeeCharges(TransitionConsumer):
    label = "Ghi khoản phí, lệ phí phải nộp"

    def wants(self, event: DossierEvent) -> bool:
        return event.action == Action.REQUEST_PAYMENT

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        fee_charges_post(dossier=event.dossier)  # idempotent: one charge per fee and dossier
