"""``submit``: the applicant sends the online draft; it gets its code at once, so they can follow it."""

from __future__ import annotations

from ..codes import dossier_code_issue
from ..constants import Action
from .base import ActionSpec, Change, Params


def effect(change: Change[Params]) -> None:
    dossier = change.dossier
    if not dossier.code:
        change.set(code=dossier_code_issue(unit=dossier.unit, at=change.now))
    change.set(submitted_at=change.now)


ACTION = ActionSpec(action=Action.SUBMIT, params=Params, effect=effect, notify="dossier_submitted")
