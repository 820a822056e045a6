"""``extend``: apology with a new appointment, once, at least one working day before the due time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict

from ..constants import Action
from .base import ActionSpec, Change, Note, Params, calendar, invalid


@dataclass(frozen=True)
class ExtendParams(Params):
    due: dt.datetime  # the new appointment, timezone-aware

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        value = raw.get("due")
        try:
            due = value if isinstance(value, dt.datetime) else parse_datetime(str(value or ""))
        except ValueError:
            due = None
        if due is None or due.tzinfo is None:
            raise invalid(
                "Ngày hẹn mới không hợp lệ (cần ngày giờ có múi giờ).", due=["Ngày giờ không hợp lệ."]
            )
        return cls(due=due)


def effect(change: Change[ExtendParams]) -> None:
    dossier, now, new_due = change.dossier, change.now, change.params.due
    if dossier.extended:
        raise Conflict("Hồ sơ đã được gia hạn một lần, không thể gia hạn thêm.", code="already_extended")
    cal = calendar()
    assert dossier.due_at is not None
    assert dossier.statutory_due_at is not None
    if cal.add_working_days(now, 1) > dossier.due_at:
        raise Conflict(
            "Chỉ được gia hạn trước thời hạn trả kết quả ít nhất một ngày làm việc.",
            code="extension_too_late",
            details={"due_at": dossier.due_at.isoformat()},
        )
    if new_due <= dossier.due_at:
        raise invalid("Ngày hẹn mới phải sau ngày hẹn hiện tại.", due=["Phải sau ngày hẹn hiện tại."])
    change.set(
        due_at=new_due,
        extended=True,
        extension_minutes=cal.office_minutes_between(dossier.statutory_due_at, new_due),
    )
    change.event["due_at"] = new_due
    change.data["previous_due"] = dossier.statutory_due_at.isoformat()


ACTION = ActionSpec(
    action=Action.EXTEND,
    params=ExtendParams,
    effect=effect,
    note=Note(required=True, what="lý do gia hạn", label=_("Lý do chậm trễ (in trên Mẫu 04)")),
    notify="dossier_extended",
)
