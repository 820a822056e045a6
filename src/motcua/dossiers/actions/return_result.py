"""``return``: the result is handed to the applicant."""

from __future__ import annotations

from ..constants import Action
from .base import ActionSpec, Change, Params


def effect(change: Change[Params]) -> None:
    change.set(returned_at=change.now)


ACTION = ActionSpec(action=Action.RETURN, params=Params, effect=effect)
