"""``request-supplement``: the dossier waits for the applicant's supplement; its clock and its legs pause."""

from __future__ import annotations

from motcua.catalog.constants import SupplementRule

from ..constants import Action
from .base import ActionSpec, Change, Note, Params, calendar, open_legs


def effect(change: Change[Params]) -> None:
    dossier, now = change.dossier, change.now
    rule = dossier.procedure_version.supplement_rule
    remaining = None
    if rule == SupplementRule.PAUSE and dossier.statutory_due_at is not None:
        remaining = calendar().pause(dossier.statutory_due_at, now)
    change.set(
        paused_at=now, remaining_minutes=remaining, supplement_requests=dossier.supplement_requests + 1
    )
    change.data.update(rule=rule, remaining_minutes=remaining)
    # The open legs' budgets stop too (whatever the rule: a step budget is internal, not the legal limit).
    for leg in open_legs(dossier):
        if leg.due_at is not None:
            leg.paused_remaining_minutes = calendar().pause(leg.due_at, now)
            leg.save(update_fields=["paused_remaining_minutes"])


# The back-office form composes the note from its own fields (the items to supplement and the reason).
ACTION = ActionSpec(
    action=Action.REQUEST_SUPPLEMENT,
    params=Params,
    effect=effect,
    note=Note(required=True, what="nội dung cần bổ sung"),
    notify="dossier_supplement_requested",
)
