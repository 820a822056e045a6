"""``supplement-received``: the supplement arrived; the clock resumes (``pause``) or restarts (``reset``)."""

from __future__ import annotations

from motcua.catalog.constants import SupplementRule

from ..constants import Action
from .base import ActionSpec, Change, Params, calendar, limit, resume_clock, resume_legs


def effect(change: Change[Params]) -> None:
    dossier, now = change.dossier, change.now
    if (
        dossier.procedure_version.supplement_rule == SupplementRule.PAUSE
        and dossier.remaining_minutes is not None
    ):
        due = resume_clock(change)
    else:
        value, unit = limit(dossier)
        due = calendar().reset(value, unit, now)
        change.set(statutory_due_at=due, due_at=due, paused_at=None, remaining_minutes=None)
        resume_legs(change)
    change.event["due_at"] = due
    change.data["rule"] = dossier.procedure_version.supplement_rule


ACTION = ActionSpec(action=Action.SUPPLEMENT_RECEIVED, params=Params, effect=effect)
