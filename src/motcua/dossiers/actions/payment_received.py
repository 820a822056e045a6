"""``payment-received``: the fees are paid (an officer, or a payment system's actor); processing resumes.

A dossier whose clock paused for the applicant's financial obligations (``request-payment`` with
``pause_clock``) resumes it with the office time it had left (``base.resume_clock``): its due moves by the
time it waited.
"""

from __future__ import annotations

from ..constants import Action
from .base import ActionSpec, Change, Params, resume_clock


def effect(change: Change[Params]) -> None:
    if change.dossier.paused_at is not None:
        due = resume_clock(change)
        change.event["due_at"] = due
        change.data.update(rule="pause", financial_obligations=True)


ACTION = ActionSpec(action=Action.PAYMENT_RECEIVED, params=Params, effect=effect)
