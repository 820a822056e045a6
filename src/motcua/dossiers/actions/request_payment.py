"""``request-payment``: the dossier waits for the applicant's fees or taxes (what is due: the note)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..constants import Action
from .base import ActionSpec, Change, Note, Params


def effect(change: Change[Params]) -> None:
    return None


ACTION = ActionSpec(
    action=Action.REQUEST_PAYMENT,
    params=Params,
    effect=effect,
    note=Note(required=True, what="nội dung nghĩa vụ tài chính", label=_("Nội dung nghĩa vụ tài chính")),
)
