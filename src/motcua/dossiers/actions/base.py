"""What every lifecycle action is made of, and the helpers the actions share.

An action module (``actions/<name>.py``) defines one ``ActionSpec``: its typed parameters (a frozen dataclass
over ``Params``, parsed once from the caller's raw keyword arguments with Vietnamese field errors), its note
rule (``Note``: required or not, what it is called), its effect (a function of the ``Change``) and the
notification the applicant gets after it (or none). ``lifecycle.dossier_transition`` parses the parameters
before it takes the lock, checks state, role and note, then runs the effect on the locked row.

The effect reads the dossier only through ``change.dossier`` (the row read under the lock) and its relations
queried afresh (``open_legs``…), never an instance the caller passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Self

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.worktime.constants import LimitUnit

from ..constants import Action
from ..models import Dossier, DossierStep

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.worktime.calendar import WorkCalendar


# ------------------------------------------------------------------------------------------ the parts


@dataclass(frozen=True)
class Params:
    """Base of an action's typed parameters (a frozen dataclass). Without fields: the action takes none.

    ``parse`` builds the parameters from the raw keyword arguments of ``dossier_transition`` (the API's JSON
    body, the back-office form's ``params()``); keys the action does not take are ignored. A bad value raises
    ``ValidationFailed`` ``invalid_params`` with the field's Vietnamese error under its name.
    """

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        return cls()

    @classmethod
    def names(cls) -> frozenset[str]:
        """The parameter names the action takes (the API input and the back-office form are checked on them)."""
        return frozenset(f.name for f in fields(cls))


@dataclass(frozen=True)
class Note:
    """The note rule of an action: ``required``; ``what`` it is (in "Cần nhập {what}."); the form's ``label``."""

    required: bool = False
    what: str = ""
    label: Any = field(default_factory=lambda: _("Ghi chú"))  # the form's label (lazy Vietnamese)

    def check(self, note: str) -> None:
        if self.required and not note.strip():
            raise invalid(f"Cần nhập {self.what}.", note=[f"Cần nhập {self.what}."])


@dataclass
class Change[P: Params]:
    """What an effect did: the dossier fields it set and the extras of the event it records."""

    dossier: Dossier  # the row read under the lock
    actor: User
    now: dt.datetime
    note: str
    params: P
    fields: set[str] = field(default_factory=set)
    event: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    # Rows that point at the dossier, written once the dossier is saved (a new dossier has no key before).
    after_save: list[Callable[[], None]] = field(default_factory=list)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.dossier, name, value)
            self.fields.add(name)


@dataclass(frozen=True)
class ActionSpec[P: Params]:
    """One lifecycle action: its parameters, note rule, effect and notification."""

    action: Action
    params: type[P]
    effect: Callable[[Change[P]], None]
    note: Note = Note()
    notify: str | None = None  # the applicant's notification template after the action (notifications app)


# ------------------------------------------------------------------------------------ parsing helpers


def invalid(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_params", details=details or None)


def user_param(value: Any, name: str) -> User:
    """An active account named by username (or primary key); ``name`` is the parameter's name."""
    from motcua.accounts.models import User

    if isinstance(value, User):
        return value
    if value in (None, ""):
        raise invalid(f"Cần chọn {name}.", **{name: ["Bắt buộc."]})
    active = User.objects.filter(is_active=True)
    user = active.filter(username=str(value)).first()
    if user is None and str(value).isdigit():
        user = active.filter(pk=int(value)).first()
    if user is None:
        raise invalid(f"Không tìm thấy cán bộ {value}.", **{name: ["Không tồn tại."]})
    return user


def budget_minutes(value: Any, where: str) -> int:
    """Working hours (a number > 0, at most 10,000) as minutes."""
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid("Thời gian của bước không hợp lệ.", **{where: ["Phải là số giờ làm việc."]}) from None
    if not hours.is_finite() or hours <= 0 or hours > 10000:
        raise invalid("Thời gian của bước không hợp lệ.", **{where: ["Phải lớn hơn 0."]})
    return int(hours * 60)


def int_param(value: Any, name: str, message: str, error: str) -> int | None:
    """An optional whole number (an int or its digits); anything else raises ``message`` / ``error``."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise invalid(message, **{name: [error]})


# ------------------------------------------------------------------------------ the dossier's clock, legs


def calendar() -> WorkCalendar:
    from motcua.worktime.services import get_calendar

    return get_calendar()


def limit(dossier: Dossier) -> tuple[int, LimitUnit]:
    version = dossier.procedure_version
    return version.time_limit_value, LimitUnit(version.time_limit_unit)


def classify(dossier: Dossier, finished_at: dt.datetime, outcome: str) -> str:
    from motcua.worktime.calendar import classify

    if dossier.statutory_due_at is None:  # never received: refused or withdrawn before the clock started
        return "on_time"
    return str(
        classify(
            finished_at=finished_at,
            statutory_due=dossier.statutory_due_at,
            supplement_requests=dossier.supplement_requests,
            outcome=outcome,
        )
    )


def open_legs(dossier: Dossier) -> list[DossierStep]:
    """The dossier's legs started and not finished, read now (under the lock, in an effect)."""
    return list(dossier.steps.filter(started_at__isnull=False, finished_at__isnull=True).order_by("pk"))


def close_leg(leg: DossierStep, now: dt.datetime, note: str = "") -> DossierStep:
    from motcua.worktime.calendar import classify

    leg.finished_at = now
    leg.classification = str(classify(finished_at=now, statutory_due=leg.due_at)) if leg.due_at else ""
    leg.note = note or leg.note
    leg.save(update_fields=["finished_at", "classification", "note"])
    return leg


def start_leg(leg: DossierStep, now: dt.datetime) -> DossierStep:
    leg.started_at = now
    leg.due_at = calendar().resume(leg.budget_minutes, now)
    leg.save(update_fields=["started_at", "due_at"])
    return leg


def pause_clock(change: Change[Any], *, keep_remaining: bool = True) -> int | None:
    """The dossier's clock stops now (DOMAIN.md §5, a ``pause`` supplement; the applicant's financial
    obligations): ``paused_at`` is set — the one field ``dossiers.selectors.overdue_q`` reads, so a paused
    dossier is never overdue — with the office minutes left until the statutory due (``keep_remaining``;
    a ``reset`` supplement keeps none), and the open legs' budgets stop too. Returns the minutes left."""
    dossier, now = change.dossier, change.now
    remaining = None
    if keep_remaining and dossier.statutory_due_at is not None:
        remaining = calendar().pause(dossier.statutory_due_at, now)
    change.set(paused_at=now, remaining_minutes=remaining)
    # The open legs' budgets stop too (whatever the rule: a step budget is internal, not the legal limit).
    for leg in open_legs(dossier):
        if leg.due_at is not None:
            leg.paused_remaining_minutes = calendar().pause(leg.due_at, now)
            leg.save(update_fields=["paused_remaining_minutes"])
    return remaining


def resume_clock(change: Change[Any]) -> dt.datetime | None:
    """The clock paused by ``pause_clock`` restarts now with the office time it had left: the statutory due
    and the displayed due (plus any extension) move by the paused time; the legs resume likewise.
    Returns the new due time (``None`` when no time was kept: the caller restarts the limit instead)."""
    dossier, now = change.dossier, change.now
    cal = calendar()
    due = None
    if dossier.remaining_minutes is not None:
        statutory = cal.resume(dossier.remaining_minutes, now)
        due = cal.resume(dossier.remaining_minutes + dossier.extension_minutes, now)
        change.set(statutory_due_at=statutory, due_at=due)
    change.set(paused_at=None, remaining_minutes=None)
    resume_legs(change)
    return due


def resume_legs(change: Change[Any]) -> None:
    """The open legs paused with the dossier restart now with their remaining budgets."""
    cal = calendar()
    for leg in open_legs(change.dossier):
        if leg.paused_remaining_minutes is not None:
            leg.due_at = cal.resume(leg.paused_remaining_minutes, change.now)
            leg.paused_remaining_minutes = None
            leg.save(update_fields=["due_at", "paused_remaining_minutes"])


def close_dossier(change: Change[Any], outcome: str) -> None:
    """End the dossier (withdrawn, stopped): its open legs close, it is classified."""
    for leg in open_legs(change.dossier):
        close_leg(leg, change.now)
    change.set(closed_at=change.now, classification=classify(change.dossier, change.now, outcome))
    change.event["classification"] = change.dossier.classification
