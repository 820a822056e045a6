"""``supplement-received``: the supplement arrived; the clock resumes (``pause``) or restarts (``reset``)."""

from __future__ import annotations

from motcua.catalog.constants import SupplementRule

from ..constants import Action
from .base import ActionSpec, Change, Params, calendar, limit, open_legs


def effect(change: Change[Params]) -> None:
    dossier, now = change.dossier, change.now
    cal = calendar()
    if (
        dossier.procedure_version.supplement_rule == SupplementRule.PAUSE
        and dossier.remaining_minutes is not None
    ):
        statutory = cal.resume(dossier.remaining_minutes, now)
        due = cal.resume(dossier.remaining_minutes + dossier.extension_minutes, now)
    else:
        value, unit = limit(dossier)
        statutory = due = cal.reset(value, unit, now)
    change.set(statutory_due_at=statutory, due_at=due, paused_at=None, remaining_minutes=None)
    for leg in open_legs(dossier):
        if leg.paused_remaining_minutes is not None:
            leg.due_at = cal.resume(leg.paused_remaining_minutes, now)
            leg.paused_remaining_minutes = None
            leg.save(update_fields=["due_at", "paused_remaining_minutes"])
    change.event["due_at"] = due
    change.data["rule"] = dossier.procedure_version.supplement_rule


ACTION = ActionSpec(action=Action.SUPPLEMENT_RECEIVED, params=Params, effect=effect)
