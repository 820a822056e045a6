"""``payment-received``: the fees are paid (an officer, or a payment system's actor); processing resumes."""

from __future__ import annotations

from ..constants import Action
from .base import ActionSpec, Change, Params


def effect(change: Change[Params]) -> None:
    return None


ACTION = ActionSpec(action=Action.PAYMENT_RECEIVED, params=Params, effect=effect)
