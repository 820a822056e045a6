"""``stop``: a leader stops processing, with the reason."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..constants import Action
from .base import ActionSpec, Change, Note, Params, close_dossier


def effect(change: Change[Params]) -> None:
    close_dossier(change, "stopped")


ACTION = ActionSpec(
    action=Action.STOP,
    params=Params,
    effect=effect,
    note=Note(required=True, what="lý do dừng xử lý", label=_("Lý do dừng xử lý")),
)
