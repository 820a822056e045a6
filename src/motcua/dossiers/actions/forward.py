"""``forward``: close the open legs and open the next ones: the next process step, or inter-agency legs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from django.db.models import Max

from motcua.catalog.models import ProcessStep
from motcua.organisations.constants import Role
from motcua.organisations.models import Unit
from motcua.organisations.selectors import unit_by_code

from ..constants import Action, Routing
from ..models import Dossier, DossierStep
from .base import (
    ActionSpec,
    Change,
    Params,
    budget_minutes,
    close_leg,
    int_param,
    invalid,
    open_legs,
    start_leg,
)


@dataclass(frozen=True)
class Leg:
    """An inter-agency leg to open: the unit, its time budget and the leg's name."""

    unit: Unit
    budget_minutes: int
    name: str


@dataclass(frozen=True)
class ForwardParams(Params):
    step: int | None = None  # the process step's order (None: the next one)
    legs: tuple[Leg, ...] = ()  # inter-agency legs instead of a process step
    routing: str = Routing.SEQUENCE  # how the legs run

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        routing = raw.get("routing") or Routing.SEQUENCE
        if routing not in Routing.values:
            raise invalid("Cách chuyển không hợp lệ.", routing=[f"Chọn một trong {Routing.values}."])
        step = int_param(
            raw.get("step"), "step", "Bước xử lý không tồn tại.", "Không có bước này trong quy trình."
        )
        return cls(step=step, legs=_legs(raw.get("legs")), routing=str(routing))


def _legs(value: Any) -> tuple[Leg, ...]:
    if not value:
        return ()
    if not isinstance(value, list | tuple):
        raise invalid("Danh sách đơn vị chuyển đến không hợp lệ.", legs=["Phải là danh sách."])
    legs = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise invalid("Đơn vị chuyển đến không hợp lệ.", legs={i: ["Phải là đối tượng."]})
        target = item.get("unit")
        try:
            unit = target if isinstance(target, Unit) else unit_by_code(str(target or ""))
        except Exception:
            raise invalid(f"Không tìm thấy đơn vị {target}.", legs={i: ["Không tìm thấy đơn vị."]}) from None
        minutes = budget_minutes(item.get("budget_hours"), "legs")
        legs.append(
            Leg(unit=unit, budget_minutes=minutes, name=str(item.get("name") or f"Liên thông: {unit.name}"))
        )
    return tuple(legs)


def following_steps(dossier: Dossier, steps: list[ProcessStep]) -> list[ProcessStep]:
    """The process ``steps`` (in order) ``dossier`` may be forwarded to next; the first is the default.

    Those after its current step. Before its first forward the dossier has none, but it was received: when
    the process starts with the one-stop desk's step (an officer's: "Tiếp nhận hồ sơ tại Bộ phận Một cửa"),
    the receipt did that step, so the next one is the step after it. (Before, the first forward took the
    dossier to the receipt step again and the officer had to forward a second time to reach the specialist.)
    """
    if dossier.current_step is not None:
        current = dossier.current_step.order
    elif steps and steps[0].role == Role.OFFICER:
        current = steps[0].order
    else:
        current = 0
    return [s for s in steps if s.order > current]


def effect(change: Change[ForwardParams]) -> None:
    dossier, now, params = change.dossier, change.now, change.params
    routing = params.routing
    batch = (dossier.steps.aggregate(m=Max("batch"))["m"] or 0) + 1
    new_legs: list[DossierStep] = []
    if params.legs:
        for i, wanted in enumerate(params.legs):
            new_legs.append(
                DossierStep(
                    dossier=dossier,
                    batch=batch,
                    position=i,
                    routing=routing,
                    name=wanted.name[:255],
                    unit=wanted.unit,
                    budget_minutes=wanted.budget_minutes,
                )
            )
        next_step = dossier.current_step
    else:
        steps = list(dossier.procedure_version.steps.order_by("order"))
        if params.step is not None:
            next_step = next((s for s in steps if s.order == params.step), None)
            if next_step is None:
                raise invalid("Bước xử lý không tồn tại.", step=["Không có bước này trong quy trình."])
        else:  # the step after the current one, as the locked row has it
            next_step = next(iter(following_steps(dossier, steps)), None)
        if next_step is None:
            raise invalid(
                "Đã hết các bước của quy trình; hãy hoàn thành xử lý hồ sơ.",
                step=["Không còn bước tiếp theo."],
            )
        new_legs.append(
            DossierStep(
                dossier=dossier,
                batch=batch,
                process_step=next_step,
                name=next_step.name,
                unit=dossier.unit,
                budget_minutes=int(next_step.budget_hours * 60),
            )
        )
    closed = [close_leg(leg, now, change.note) for leg in open_legs(dossier)]
    DossierStep.objects.bulk_create(new_legs)
    started = new_legs if routing == Routing.PARALLEL else new_legs[:1]
    for leg in started:
        start_leg(leg, now)
    change.set(current_step=next_step, assignee=None)
    first = started[0]
    change.event.update(step=first, unit=first.unit, budget_minutes=first.budget_minutes, due_at=first.due_at)
    if len(closed) == 1:
        change.event["classification"] = closed[0].classification
    change.data.update(
        routing=routing,
        closed=[
            {"step": leg.name, "unit": leg.unit.code, "classification": leg.classification} for leg in closed
        ],
        opened=[
            {"step": leg.name, "unit": leg.unit.code, "budget_minutes": leg.budget_minutes}
            for leg in new_legs
        ],
    )


ACTION = ActionSpec(action=Action.FORWARD, params=ForwardParams, effect=effect)
