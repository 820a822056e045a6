"""``complete-leg``: an inter-agency unit finishes its leg; the next leg of a sequence starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from motcua.core.errors import PermissionDenied
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit

from ..constants import Action, Routing
from .base import ActionSpec, Change, Params, close_leg, int_param, open_legs, start_leg


@dataclass(frozen=True)
class CompleteLegParams(Params):
    leg: int | None = None  # the leg's id (None: the actor's units' first open leg)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        return cls(leg=int_param(raw.get("leg"), "leg", "Phần việc không hợp lệ.", "Phải là số."))


def effect(change: Change[CompleteLegParams]) -> None:
    dossier, now = change.dossier, change.now
    mine = {
        u for u, roles in user_roles_by_unit(change.actor).items() if roles & {Role.SPECIALIST, Role.LEADER}
    }
    legs = [leg for leg in open_legs(dossier) if leg.unit_id in mine]
    if change.params.leg is not None:
        legs = [leg for leg in legs if leg.pk == change.params.leg]
    if not legs:
        raise PermissionDenied("Đơn vị của ông/bà không có phần việc đang mở của hồ sơ này.")
    leg = close_leg(legs[0], now, change.note)
    change.event.update(step=leg, unit=leg.unit, budget_minutes=leg.budget_minutes, due_at=leg.due_at)
    change.event["classification"] = leg.classification
    if leg.routing == Routing.SEQUENCE:
        following = (
            dossier.steps.filter(batch=leg.batch, started_at__isnull=True, position__gt=leg.position)
            .order_by("position")
            .first()
        )
        if following is not None:
            start_leg(following, now)
            change.data["started"] = {"step": following.name, "unit": following.unit.code}


ACTION = ActionSpec(action=Action.COMPLETE_LEG, params=CompleteLegParams, effect=effect)
