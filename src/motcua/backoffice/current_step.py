"""What the dossier page says first: the step the dossier is at, who holds it and its time budget (issue 16).

Read from the dossier and its legs already loaded with the page (no query of its own): the open legs (a
process step or inter-agency legs) with their holder (the assigned person, else the role the process names
in the unit), the budget and the working time used so far; without an open leg, the state's own holder (the
one-stop desk for a check or a return, the applicant for a supplement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierStep
from motcua.organisations.constants import Role


@dataclass(frozen=True)
class CurrentStep:
    name: str
    holder: str
    unit: str
    budget_hours: float | None = None
    used_hours: float | None = None
    due_at: dt.datetime | None = None
    overdue: bool = False
    paused: bool = False


def _hours(minutes: float) -> float:
    return round(minutes / 60, 1)


def _leg_row(dossier: Dossier, leg: DossierStep, now: dt.datetime) -> CurrentStep:
    from motcua.worktime.services import get_calendar

    assignee = leg.assignee or (dossier.assignee if leg.unit_id == dossier.unit_id else None)
    if assignee is not None:
        holder = str(assignee)
    elif leg.process_step_id is not None and leg.process_step_id == dossier.current_step_id:
        holder = str(Role(dossier.current_step.role).label)  # type: ignore[union-attr]  # loaded with the page
    elif leg.process_step_id is not None:
        holder = str(Role.SPECIALIST.label)
    else:
        holder = _("Đơn vị liên thông (chưa phân công)")
    paused = leg.paused_remaining_minutes is not None
    if paused:
        used = leg.budget_minutes - (leg.paused_remaining_minutes or 0)
    else:
        assert leg.started_at is not None
        used = get_calendar().office_minutes_between(leg.started_at, now) if now > leg.started_at else 0
    return CurrentStep(
        name=leg.name,
        holder=holder,
        unit=leg.unit.name,
        budget_hours=_hours(leg.budget_minutes),
        used_hours=_hours(max(used, 0)),
        due_at=leg.due_at,
        overdue=bool(not paused and leg.due_at is not None and leg.due_at < now),
        paused=paused,
    )


_STATE_HOLDERS: dict[str, tuple[Any, Any]] = {
    Status.SUBMITTED: (_("Kiểm tra hồ sơ nộp trực tuyến"), Role.OFFICER.label),
    Status.RECEIVED: (_("Đã tiếp nhận, chờ chuyển bước xử lý"), Role.OFFICER.label),
    Status.AWAITING_SUPPLEMENT: (_("Chờ người nộp bổ sung hồ sơ"), _("Người nộp hồ sơ")),
    Status.AWAITING_PAYMENT: (_("Chờ thực hiện nghĩa vụ tài chính"), _("Người nộp hồ sơ")),
    Status.WITHDRAWAL_REQUESTED: (_("Xem xét yêu cầu rút hồ sơ"), Role.OFFICER.label),
    Status.RESOLVED: (_("Trả kết quả"), Role.OFFICER.label),
}


def current_steps(dossier: Dossier, now: dt.datetime) -> list[CurrentStep]:
    """The open legs of ``dossier`` (from its prefetched steps), or the state's holder; empty once it ended."""
    legs = [leg for leg in dossier.steps.all() if leg.is_open]
    if legs and dossier.status in {Status.PROCESSING, Status.RECEIVED, Status.WITHDRAWAL_REQUESTED}:
        return [_leg_row(dossier, leg, now) for leg in legs]
    if dossier.status in _STATE_HOLDERS:
        name, holder = _STATE_HOLDERS[dossier.status]
        return [CurrentStep(name=str(name), holder=str(holder), unit=dossier.unit.name)]
    if legs:
        return [_leg_row(dossier, leg, now) for leg in legs]
    return []
