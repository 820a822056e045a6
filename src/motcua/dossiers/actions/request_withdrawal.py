"""``request-withdrawal``: the applicant (online, or at the desk through an officer) asks to withdraw."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..constants import Action
from .base import ActionSpec, Change, Note, Params


def effect(change: Change[Params]) -> None:
    return None


ACTION = ActionSpec(
    action=Action.REQUEST_WITHDRAWAL,
    params=Params,
    effect=effect,
    note=Note(required=True, what="lý do rút hồ sơ", label=_("Lý do rút hồ sơ")),
)
