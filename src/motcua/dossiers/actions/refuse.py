"""``refuse``: the officer refuses to receive the dossier, with the reason (printed on Mẫu 03)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..constants import Action
from .base import ActionSpec, Change, Note, Params, classify


def effect(change: Change[Params]) -> None:
    change.set(closed_at=change.now, classification=classify(change.dossier, change.now, "refused"))


ACTION = ActionSpec(
    action=Action.REFUSE,
    params=Params,
    effect=effect,
    note=Note(required=True, what="lý do từ chối", label=_("Lý do từ chối (in trên Mẫu 03)")),
    notify="dossier_refused",
)
