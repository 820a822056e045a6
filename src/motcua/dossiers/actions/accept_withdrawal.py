"""``accept-withdrawal``: the withdrawal is accepted; the dossier stops (classified as withdrawn)."""

from __future__ import annotations

from ..constants import Action
from .base import ActionSpec, Change, Params, close_dossier


def effect(change: Change[Params]) -> None:
    close_dossier(change, "withdrawn")


ACTION = ActionSpec(action=Action.ACCEPT_WITHDRAWAL, params=Params, effect=effect)
