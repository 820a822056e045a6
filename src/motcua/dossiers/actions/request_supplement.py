"""``request-supplement``: the dossier waits for the applicant's supplement; its clock and its legs pause."""

from __future__ import annotations

from motcua.catalog.constants import SupplementRule

from ..constants import Action
from .base import ActionSpec, Change, Note, Params, pause_clock


def effect(change: Change[Params]) -> None:
    dossier = change.dossier
    rule = dossier.procedure_version.supplement_rule
    # ``reset``: no time is kept (the whole limit restarts when the supplement arrives); the clock stops all the same.
    remaining = pause_clock(change, keep_remaining=rule == SupplementRule.PAUSE)
    change.set(supplement_requests=dossier.supplement_requests + 1)
    change.data.update(rule=rule, remaining_minutes=remaining)


# The back-office form composes the note from its own fields (the items to supplement and the reason).
ACTION = ActionSpec(
    action=Action.REQUEST_SUPPLEMENT,
    params=Params,
    effect=effect,
    note=Note(required=True, what="nội dung cần bổ sung"),
    notify="dossier_supplement_requested",
)
