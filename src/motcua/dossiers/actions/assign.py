"""``assign``: an officer or leader gives the dossier (and the open legs of the specialist's units) to a
specialist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from motcua.organisations.constants import Role
from motcua.organisations.models import Membership

from ..constants import Action
from .base import ActionSpec, Change, Params, invalid, open_legs, user_param

if TYPE_CHECKING:
    from motcua.accounts.models import User


@dataclass(frozen=True)
class AssignParams(Params):
    assignee: User  # an active account (username or id); a specialist of the unit or of an open leg

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        return cls(assignee=user_param(raw.get("assignee"), "assignee"))


def effect(change: Change[AssignParams]) -> None:
    dossier, assignee = change.dossier, change.params.assignee
    legs = open_legs(dossier)
    units = {dossier.unit_id} | {leg.unit_id for leg in legs}
    if not Membership.objects.filter(user=assignee, unit_id__in=units, role=Role.SPECIALIST).exists():
        raise invalid(
            "Người được phân công không phải chuyên viên của đơn vị xử lý.",
            assignee=["Không phải chuyên viên của đơn vị."],
        )
    change.set(assignee=assignee)
    for leg in legs:
        if Membership.objects.filter(user=assignee, unit_id=leg.unit_id, role=Role.SPECIALIST).exists():
            leg.assignee = assignee
            leg.save(update_fields=["assignee"])
            change.event["step"] = leg
    change.data["assignee"] = assignee.username


ACTION = ActionSpec(action=Action.ASSIGN, params=AssignParams, effect=effect)
