"""The dossier's state machine: a plain table of transitions and the one function that applies them.

``dossier_transition`` is the only place that assigns ``Dossier.status`` (ARCHITECTURE.md rule 3; a test
greps the source tree). In one transaction it locks the row, checks the optimistic version, the table, the
actor's role and the action's guards, applies the effect (timestamps, due times through the worktime engine,
process legs), saves with ``update_fields``, bumps ``version``, appends a ``DossierEvent``, writes the audit
entry and hands the change to the transition consumers (``consumers.py``: the applicant's notifications, …),
each enqueued in the same transaction. A refused action raises and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.dateparse import parse_datetime

from motcua.audit.services import audit_record
from motcua.catalog.constants import ComponentKind, SupplementRule
from motcua.core import clock
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.core.internals import cache_related, cached_related
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership, Unit
from motcua.organisations.selectors import unit_by_code, user_roles_by_unit
from motcua.worktime.constants import LimitUnit

from .codes import dossier_code_issue
from .constants import APPLICANT, SYSTEM, Action, Routing, Status
from .consumers import transition_consumers_dispatch
from .models import Dossier, DossierComponent, DossierEvent, DossierStep

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.catalog.models import Component
    from motcua.worktime.calendar import WorkCalendar

S = Status
OFFICER, SPECIALIST, LEADER = Role.OFFICER.value, Role.SPECIALIST.value, Role.LEADER.value


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the dossier stays in its state
    roles: frozenset[str]  # roles (in the dossier's unit) allowed to act; APPLICANT = the owner account


def _t(sources: Iterable[str], target: str | None, roles: Iterable[str]) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles))


_ACTIVE = {S.RECEIVED, S.PROCESSING}

# action → (from states, to state, roles). The whole lifecycle on one screen.
TRANSITIONS: dict[str, Transition] = {
    Action.SUBMIT: _t({S.DRAFT}, S.SUBMITTED, {APPLICANT}),
    Action.RECEIVE: _t({S.DRAFT, S.SUBMITTED}, S.RECEIVED, {OFFICER}),
    Action.REFUSE: _t({S.DRAFT, S.SUBMITTED}, S.NOT_RECEIVED, {OFFICER}),
    Action.ASSIGN: _t(_ACTIVE, S.PROCESSING, {OFFICER, LEADER}),
    Action.FORWARD: _t(_ACTIVE, S.PROCESSING, {OFFICER, SPECIALIST, LEADER}),
    Action.COMPLETE_LEG: _t({S.PROCESSING}, None, {SPECIALIST, LEADER}),
    Action.REQUEST_SUPPLEMENT: _t(_ACTIVE, S.AWAITING_SUPPLEMENT, {OFFICER, SPECIALIST}),
    # The applicant completes a supplement online (the portal checks a file arrived); officers at the desk.
    Action.SUPPLEMENT_RECEIVED: _t({S.AWAITING_SUPPLEMENT}, S.PROCESSING, {OFFICER, APPLICANT}),
    Action.REQUEST_PAYMENT: _t(_ACTIVE, S.AWAITING_PAYMENT, {OFFICER, SPECIALIST}),
    # A payment gateway's or bank's callback confirms the payment as its system actor (system:vnpay, …).
    Action.PAYMENT_RECEIVED: _t({S.AWAITING_PAYMENT}, S.PROCESSING, {OFFICER, SYSTEM}),
    Action.RESOLVE: _t({S.PROCESSING}, S.RESOLVED, {SPECIALIST, LEADER}),
    Action.RETURN: _t({S.RESOLVED}, S.RETURNED, {OFFICER}),
    Action.REQUEST_WITHDRAWAL: _t(
        {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT},
        S.WITHDRAWAL_REQUESTED,
        {APPLICANT, OFFICER},
    ),
    Action.ACCEPT_WITHDRAWAL: _t({S.WITHDRAWAL_REQUESTED}, S.STOPPED, {OFFICER, LEADER}),
    Action.STOP: _t(
        {S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT, S.WITHDRAWAL_REQUESTED},
        S.STOPPED,
        {LEADER},
    ),
    Action.EXTEND: _t({S.RECEIVED, S.PROCESSING, S.AWAITING_PAYMENT}, None, {LEADER}),
}

# Which notification the applicant gets after an action.
NOTIFY: dict[str, str] = {
    Action.SUBMIT: "dossier_submitted",
    Action.RECEIVE: "dossier_received",
    Action.REQUEST_SUPPLEMENT: "dossier_supplement_requested",
    Action.RESOLVE: "dossier_resolved",
    Action.REFUSE: "dossier_refused",
    Action.EXTEND: "dossier_extended",
}


def allowed_actions(status: str) -> list[str]:
    """Actions the table allows from ``status`` (whoever the actor)."""
    return [str(action) for action, t in TRANSITIONS.items() if status in t.sources]


def actor_roles(dossier: Dossier, actor: User) -> set[str]:
    """The roles ``actor`` holds for ``dossier``: their roles in its unit, plus APPLICANT for the owner;
    an outside system's actor holds SYSTEM only (whatever the unit)."""
    roles: set[str] = set()
    if actor.is_authenticated and getattr(actor, "is_system", False):
        return {SYSTEM}
    if actor.is_authenticated:
        roles |= set(user_roles_by_unit(actor).get(dossier.unit_id, frozenset()))
        if dossier.owner_id is not None and dossier.owner_id == actor.pk:
            roles.add(APPLICANT)
    return roles


def actions_for(dossier: Dossier, actor: User) -> list[str]:
    """Actions ``actor`` may attempt on ``dossier`` now (state and role; guards are checked on the try)."""
    roles = actor_roles(dossier, actor)
    legs_units = {leg.unit_id for leg in _open_legs(dossier)} if dossier.status == S.PROCESSING else set()
    leg_roles = {r for u in legs_units for r in user_roles_by_unit(actor).get(u, frozenset())}
    result = []
    for action in allowed_actions(dossier.status):
        effective = roles | leg_roles if action == Action.COMPLETE_LEG else roles
        if effective & TRANSITIONS[action].roles:
            result.append(action)
    return result


# ---------------------------------------------------------------------------------------------- effects


@dataclass
class Change:
    """What an effect did: the dossier fields it set and the extras of the event it records."""

    dossier: Dossier
    actor: User
    now: dt.datetime
    note: str
    params: dict[str, Any]
    fields: set[str] = field(default_factory=set)
    event: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    # Rows that point at the dossier, written once the dossier is saved (a new dossier has no key before).
    after_save: list[Callable[[], None]] = field(default_factory=list)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.dossier, name, value)
            self.fields.add(name)


def _calendar() -> WorkCalendar:
    from motcua.worktime.services import get_calendar

    return get_calendar()


def _invalid(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_params", details=details or None)


def _require_note(change: Change, what: str) -> None:
    if not change.note.strip():
        raise _invalid(f"Cần nhập {what}.", note=[f"Cần nhập {what}."])


def _limit(dossier: Dossier) -> tuple[int, LimitUnit]:
    version = dossier.procedure_version
    return version.time_limit_value, LimitUnit(version.time_limit_unit)


def _classify(dossier: Dossier, finished_at: dt.datetime, outcome: str) -> str:
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


def _open_legs(dossier: Dossier) -> list[DossierStep]:
    return list(dossier.steps.filter(started_at__isnull=False, finished_at__isnull=True).order_by("pk"))


def _close_leg(leg: DossierStep, now: dt.datetime, note: str = "") -> DossierStep:
    from motcua.worktime.calendar import classify

    leg.finished_at = now
    leg.classification = str(classify(finished_at=now, statutory_due=leg.due_at)) if leg.due_at else ""
    leg.note = note or leg.note
    leg.save(update_fields=["finished_at", "classification", "note"])
    return leg


def _start_leg(leg: DossierStep, now: dt.datetime) -> DossierStep:
    leg.started_at = now
    leg.due_at = _calendar().resume(leg.budget_minutes, now)
    leg.save(update_fields=["started_at", "due_at"])
    return leg


def _user_param(value: Any, name: str) -> User:
    from motcua.accounts.models import User

    if isinstance(value, User):
        return value
    if value in (None, ""):
        raise _invalid(f"Cần chọn {name}.", **{name: ["Bắt buộc."]})
    active = User.objects.filter(is_active=True)
    user = active.filter(username=str(value)).first()
    if user is None and str(value).isdigit():
        user = active.filter(pk=int(value)).first()
    if user is None:
        raise _invalid(f"Không tìm thấy cán bộ {value}.", **{name: ["Không tồn tại."]})
    return user


def _effect_submit(change: Change) -> None:
    """An online submission gets its code at once, so the applicant can follow it; receipt keeps it."""
    dossier = change.dossier
    if not dossier.code:
        change.set(code=dossier_code_issue(unit=dossier.unit, at=change.now))
    change.set(submitted_at=change.now)


def checklist_rows(dossier: Dossier, items: list[Any]) -> list[DossierComponent]:
    """The whole checklist of ``dossier`` from ``items`` (unsaved rows); raises ``ValidationFailed`` if bad.

    Each item names a catalog component (``component`` id or ``name``) or an extra paper (``name``), with
    ``kind``, ``count``, ``received`` and ``note``; catalog components no item names are added, not received.
    Every required component must be received.
    """
    if not isinstance(items, list):
        raise _invalid("Danh sách thành phần hồ sơ không hợp lệ.", components=["Phải là danh sách."])
    catalog = {c.pk: c for c in dossier.procedure_version.components.all()}  # prefetched at intake
    by_name = {c.name: c for c in catalog.values()}
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _invalid("Thành phần hồ sơ không hợp lệ.", components={i: ["Phải là đối tượng."]})
        raw = item.get("component")
        component = catalog.get(raw) if isinstance(raw, int) else None
        if raw is None and item.get("name"):  # a catalog component named as such
            component = by_name.get(str(item["name"]).strip())
        elif raw is not None and component is None:
            raise _invalid(
                "Thành phần hồ sơ không thuộc thủ tục.", components={i: ["Không thuộc thủ tục này."]}
            )
        name = (item.get("name") or (component.name if component else "")).strip()
        if not name:
            raise _invalid("Thành phần hồ sơ cần có tên.", components={i: ["Cần có tên."]})
        kind = item.get("kind") or (component.kind if component else ComponentKind.ORIGINAL)
        if kind not in ComponentKind.values:
            raise _invalid("Loại bản không hợp lệ.", components={i: [f"Loại bản {kind} không hợp lệ."]})
        try:
            count = int(item.get("count", component.count if component else 1))
        except (TypeError, ValueError):
            count = -1
        if count < 0 or count > 1000:
            raise _invalid("Số lượng không hợp lệ.", components={i: ["Số lượng không hợp lệ."]})
        rows.append(
            DossierComponent(
                dossier=dossier,
                component=component,
                name=name[:500],
                kind=kind,
                count=count,
                required=component.required if component else bool(item.get("required", False)),
                received=bool(item.get("received", True)),
                note=str(item.get("note", ""))[:500],
            )
        )
    given = {row.component_id for row in rows if row.component_id}
    rows += [catalog_row(dossier, c) for c in catalog.values() if c.pk not in given]
    _refuse_missing(rows)
    return rows


def catalog_row(dossier: Dossier, component: Component) -> DossierComponent:
    """The checklist row of catalog ``component`` for ``dossier``, as the catalog has it, not received."""
    return DossierComponent(
        dossier=dossier,
        component=component,
        name=component.name,
        kind=component.kind,
        count=component.count,
        required=component.required,
    )


def _refuse_missing(rows: Iterable[DossierComponent]) -> None:
    """Refuse a receipt while a required component of the checklist ``rows`` is not received."""
    missing = [r.name for r in rows if r.required and not r.received]
    if missing:
        raise ValidationFailed(
            "Hồ sơ chưa đủ thành phần bắt buộc, không thể tiếp nhận.",
            code="components_missing",
            details={"missing": missing},
        )


def _components(change: Change) -> None:
    """Replace the checklist when ``components`` is given; every required component must be received."""
    dossier = change.dossier
    items = change.params.get("components")
    if items is None:  # the checklist as it stands (in hand, in primary-key order, or read)
        known = cached_related(dossier, "components")
        _refuse_missing(known if known is not None else dossier.components.filter(received=False))
        return
    built = isinstance(items, list) and bool(items) and all(isinstance(i, DossierComponent) for i in items)
    rows = items if built else checklist_rows(dossier, items)  # built: counter intake checked them already
    change.data["components"] = [{"name": r.name, "received": r.received} for r in rows]
    if dossier.pk is None:  # a new dossier (counter intake) has no rows yet
        change.after_save.append(lambda: _components_write(dossier, rows))
    else:
        _components_merge(dossier, rows)


def _components_write(dossier: Dossier, rows: list[DossierComponent]) -> None:
    DossierComponent.objects.bulk_create(rows)
    cache_related(dossier, components=rows)


_ROW_FIELDS = ["component", "name", "kind", "count", "required", "received", "note"]


def _components_merge(dossier: Dossier, rows: list[DossierComponent]) -> None:
    """Write the checklist ``rows`` of a saved dossier over its current rows, in place.

    Each new row takes the place (the primary key) of the current row of the same catalog component, or of an
    extra paper of the same name, so the applicant's uploads stay attached to it (issue 11: deleting and
    recreating the rows cleared ``Upload.component``). A current row no new row takes is deleted, unless a file
    hangs on it: then it stays as it is. Nothing an applicant uploaded ever loses its place.
    """
    current = list(dossier.components.order_by("pk"))
    by_component: dict[int, DossierComponent] = {}
    by_name: dict[str, list[DossierComponent]] = {}
    for old in current:
        if old.component_id is not None:
            by_component.setdefault(old.component_id, old)
        else:
            by_name.setdefault(old.name, []).append(old)
    taken: set[int] = set()
    for row in rows:
        if row.component_id is not None:
            match = by_component.get(row.component_id)
        else:
            match = next((o for o in by_name.get(row.name, []) if o.pk not in taken), None)
        if match is not None and match.pk not in taken:
            row.pk = match.pk
            taken.add(match.pk)
    kept, added = [r for r in rows if r.pk is not None], [r for r in rows if r.pk is None]
    left = [old.pk for old in current if old.pk not in taken]
    if left:
        with_files = set(
            DossierComponent.objects.filter(pk__in=left, uploads__isnull=False).values_list("pk", flat=True)
        )
        DossierComponent.objects.filter(pk__in=[pk for pk in left if pk not in with_files]).delete()
        kept += [old for old in current if old.pk in with_files]
    if kept:
        DossierComponent.objects.bulk_update([r for r in kept if r.pk in taken], _ROW_FIELDS)
    DossierComponent.objects.bulk_create(added)
    cache_related(dossier, components=sorted(kept + added, key=lambda r: r.pk))


def _effect_receive(change: Change) -> None:
    _components(change)
    dossier, now = change.dossier, change.now
    if not dossier.code:
        change.set(code=dossier_code_issue(unit=dossier.unit, at=now))
    limit, unit = _limit(dossier)
    due = _calendar().due(now, limit, unit)
    change.set(received_at=now, due_at=due, statutory_due_at=due)
    change.event.update(due_at=due, budget_minutes=_calendar().office_minutes_between(now, due))


def _effect_refuse(change: Change) -> None:
    _require_note(change, "lý do từ chối")
    change.set(closed_at=change.now, classification=_classify(change.dossier, change.now, "refused"))


def _effect_assign(change: Change) -> None:
    dossier = change.dossier
    assignee = _user_param(change.params.get("assignee"), "assignee")
    legs = _open_legs(dossier)
    units = {dossier.unit_id} | {leg.unit_id for leg in legs}
    if not Membership.objects.filter(user=assignee, unit_id__in=units, role=SPECIALIST).exists():
        raise _invalid(
            "Người được phân công không phải chuyên viên của đơn vị xử lý.",
            assignee=["Không phải chuyên viên của đơn vị."],
        )
    change.set(assignee=assignee)
    for leg in legs:
        if Membership.objects.filter(user=assignee, unit_id=leg.unit_id, role=SPECIALIST).exists():
            leg.assignee = assignee
            leg.save(update_fields=["assignee"])
            change.event["step"] = leg
    change.data["assignee"] = assignee.username


def _budget_minutes(value: Any, where: str) -> int:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid("Thời gian của bước không hợp lệ.", **{where: ["Phải là số giờ làm việc."]}) from None
    if not hours.is_finite() or hours <= 0 or hours > 10000:
        raise _invalid("Thời gian của bước không hợp lệ.", **{where: ["Phải lớn hơn 0."]})
    return int(hours * 60)


def _effect_forward(change: Change) -> None:
    """Close the open legs and open the next ones: the next process step, or inter-agency legs."""
    dossier, now = change.dossier, change.now
    legs_param = change.params.get("legs")
    routing = change.params.get("routing") or Routing.SEQUENCE
    if routing not in Routing.values:
        raise _invalid("Cách chuyển không hợp lệ.", routing=[f"Chọn một trong {Routing.values}."])
    batch = (dossier.steps.aggregate(m=Max("batch"))["m"] or 0) + 1
    new_legs: list[DossierStep] = []
    if legs_param:
        if not isinstance(legs_param, list):
            raise _invalid("Danh sách đơn vị chuyển đến không hợp lệ.", legs=["Phải là danh sách."])
        for i, item in enumerate(legs_param):
            if not isinstance(item, dict):
                raise _invalid("Đơn vị chuyển đến không hợp lệ.", legs={i: ["Phải là đối tượng."]})
            target = item.get("unit")
            try:
                unit = target if isinstance(target, Unit) else unit_by_code(str(target or ""))
            except Exception:
                raise _invalid(
                    f"Không tìm thấy đơn vị {target}.", legs={i: ["Không tìm thấy đơn vị."]}
                ) from None
            new_legs.append(
                DossierStep(
                    dossier=dossier,
                    batch=batch,
                    position=i,
                    routing=routing,
                    name=str(item.get("name") or f"Liên thông: {unit.name}")[:255],
                    unit=unit,
                    budget_minutes=_budget_minutes(item.get("budget_hours"), "legs"),
                )
            )
        next_step = dossier.current_step
    else:
        steps = list(dossier.procedure_version.steps.order_by("order"))
        wanted = change.params.get("step")
        if wanted is not None:
            next_step = next((s for s in steps if str(s.order) == str(wanted)), None)
            if next_step is None:
                raise _invalid("Bước xử lý không tồn tại.", step=["Không có bước này trong quy trình."])
        else:
            current = dossier.current_step.order if dossier.current_step else 0
            next_step = next((s for s in steps if s.order > current), None)
        if next_step is None:
            raise _invalid(
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
    closed = [_close_leg(leg, now, change.note) for leg in _open_legs(dossier)]
    DossierStep.objects.bulk_create(new_legs)
    started = new_legs if routing == Routing.PARALLEL else new_legs[:1]
    for leg in started:
        _start_leg(leg, now)
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


def _effect_complete_leg(change: Change) -> None:
    """An inter-agency unit finishes its leg; the next leg of a sequence starts."""
    dossier, now = change.dossier, change.now
    mine = {u for u, roles in user_roles_by_unit(change.actor).items() if roles & {SPECIALIST, LEADER}}
    legs = [leg for leg in _open_legs(dossier) if leg.unit_id in mine]
    wanted = change.params.get("leg")
    if wanted is not None:
        legs = [leg for leg in legs if str(leg.pk) == str(wanted)]
    if not legs:
        raise PermissionDenied("Đơn vị của ông/bà không có phần việc đang mở của hồ sơ này.")
    leg = _close_leg(legs[0], now, change.note)
    change.event.update(step=leg, unit=leg.unit, budget_minutes=leg.budget_minutes, due_at=leg.due_at)
    change.event["classification"] = leg.classification
    if leg.routing == Routing.SEQUENCE:
        following = (
            dossier.steps.filter(batch=leg.batch, started_at__isnull=True, position__gt=leg.position)
            .order_by("position")
            .first()
        )
        if following is not None:
            _start_leg(following, now)
            change.data["started"] = {"step": following.name, "unit": following.unit.code}


def _effect_request_supplement(change: Change) -> None:
    _require_note(change, "nội dung cần bổ sung")
    dossier, now = change.dossier, change.now
    rule = dossier.procedure_version.supplement_rule
    remaining = None
    if rule == SupplementRule.PAUSE and dossier.statutory_due_at is not None:
        remaining = _calendar().pause(dossier.statutory_due_at, now)
    change.set(
        paused_at=now, remaining_minutes=remaining, supplement_requests=dossier.supplement_requests + 1
    )
    change.data.update(rule=rule, remaining_minutes=remaining)
    # The open legs' budgets stop too (whatever the rule: a step budget is internal, not the legal limit).
    calendar = _calendar()
    for leg in _open_legs(dossier):
        if leg.due_at is not None:
            leg.paused_remaining_minutes = calendar.pause(leg.due_at, now)
            leg.save(update_fields=["paused_remaining_minutes"])


def _effect_supplement_received(change: Change) -> None:
    dossier, now = change.dossier, change.now
    calendar = _calendar()
    if (
        dossier.procedure_version.supplement_rule == SupplementRule.PAUSE
        and dossier.remaining_minutes is not None
    ):
        statutory = calendar.resume(dossier.remaining_minutes, now)
        due = calendar.resume(dossier.remaining_minutes + dossier.extension_minutes, now)
    else:
        limit, unit = _limit(dossier)
        statutory = due = calendar.reset(limit, unit, now)
    change.set(statutory_due_at=statutory, due_at=due, paused_at=None, remaining_minutes=None)
    for leg in _open_legs(dossier):
        if leg.paused_remaining_minutes is not None:
            leg.due_at = calendar.resume(leg.paused_remaining_minutes, now)
            leg.paused_remaining_minutes = None
            leg.save(update_fields=["due_at", "paused_remaining_minutes"])
    change.event["due_at"] = due
    change.data["rule"] = dossier.procedure_version.supplement_rule


def _effect_request_payment(change: Change) -> None:
    _require_note(change, "nội dung nghĩa vụ tài chính")


def _effect_none(change: Change) -> None:
    return None


def _effect_resolve(change: Change) -> None:
    dossier, now = change.dossier, change.now
    result = str(change.params.get("result") or "").strip()
    if not result:
        raise _invalid("Cần nhập kết quả giải quyết (tên văn bản kết quả).", result=["Bắt buộc."])
    for leg in _open_legs(dossier):
        _close_leg(leg, now, change.note)
    change.set(finished_at=now, result_note=result[:2000], classification=_classify(dossier, now, "resolved"))
    change.event["classification"] = dossier.classification
    change.data["result"] = result


def _effect_return(change: Change) -> None:
    change.set(returned_at=change.now)


def _effect_request_withdrawal(change: Change) -> None:
    _require_note(change, "lý do rút hồ sơ")


def _effect_close(outcome: str) -> Callable[[Change], None]:
    def effect(change: Change) -> None:
        if outcome == "stopped":
            _require_note(change, "lý do dừng xử lý")
        for leg in _open_legs(change.dossier):
            _close_leg(leg, change.now)
        change.set(closed_at=change.now, classification=_classify(change.dossier, change.now, outcome))
        change.event["classification"] = change.dossier.classification

    return effect


def _effect_extend(change: Change) -> None:
    """Apology with a new appointment: once, at least one working day before the due time."""
    _require_note(change, "lý do gia hạn")
    dossier, now = change.dossier, change.now
    if dossier.extended:
        raise Conflict("Hồ sơ đã được gia hạn một lần, không thể gia hạn thêm.", code="already_extended")
    raw = change.params.get("due")
    new_due = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw or ""))
    if new_due is None or new_due.tzinfo is None:
        raise _invalid("Ngày hẹn mới không hợp lệ (cần ngày giờ có múi giờ).", due=["Ngày giờ không hợp lệ."])
    calendar = _calendar()
    assert dossier.due_at is not None
    assert dossier.statutory_due_at is not None
    if calendar.add_working_days(now, 1) > dossier.due_at:
        raise Conflict(
            "Chỉ được gia hạn trước thời hạn trả kết quả ít nhất một ngày làm việc.",
            code="extension_too_late",
            details={"due_at": dossier.due_at.isoformat()},
        )
    if new_due <= dossier.due_at:
        raise _invalid("Ngày hẹn mới phải sau ngày hẹn hiện tại.", due=["Phải sau ngày hẹn hiện tại."])
    change.set(
        due_at=new_due,
        extended=True,
        extension_minutes=calendar.office_minutes_between(dossier.statutory_due_at, new_due),
    )
    change.event["due_at"] = new_due
    change.data["previous_due"] = dossier.statutory_due_at.isoformat()


EFFECTS: dict[str, Callable[[Change], None]] = {
    Action.SUBMIT: _effect_submit,
    Action.RECEIVE: _effect_receive,
    Action.REFUSE: _effect_refuse,
    Action.ASSIGN: _effect_assign,
    Action.FORWARD: _effect_forward,
    Action.COMPLETE_LEG: _effect_complete_leg,
    Action.REQUEST_SUPPLEMENT: _effect_request_supplement,
    Action.SUPPLEMENT_RECEIVED: _effect_supplement_received,
    Action.REQUEST_PAYMENT: _effect_request_payment,
    Action.PAYMENT_RECEIVED: _effect_none,
    Action.RESOLVE: _effect_resolve,
    Action.RETURN: _effect_return,
    Action.REQUEST_WITHDRAWAL: _effect_request_withdrawal,
    Action.ACCEPT_WITHDRAWAL: _effect_close("withdrawn"),
    Action.STOP: _effect_close("stopped"),
    Action.EXTEND: _effect_extend,
}
assert set(EFFECTS) == set(TRANSITIONS)


# ---------------------------------------------------------------------------------------- the function


def creation_audit_data(dossier: Dossier) -> dict[str, Any]:
    """What the audit trail records of a new dossier's creation: procedure, version, unit."""
    version = dossier.procedure_version
    return {"procedure": version.procedure.code, "version": version.version, "unit": dossier.unit.code}


def dossier_transition(
    *,
    dossier: Dossier,
    action: str,
    actor: User,
    expected_version: int | None = None,
    note: str = "",
    created_here: bool = False,
    **params: Any,
) -> Dossier:
    """Apply ``action`` to ``dossier`` as ``actor``; return the updated dossier (a fresh instance).

    Raises ``ValidationFailed`` (unknown action, bad parameters), ``Conflict`` (``stale_version``,
    ``transition_not_allowed`` with the allowed actions, or a failed guard) or ``PermissionDenied``.

    ``created_here``: the caller built ``dossier`` (not saved yet) inside its own open transaction (counter
    intake): it is inserted once, in its new state, with one audit entry for its creation and this action;
    no savepoint is taken (an error rolls the caller's transaction back), and the returned instance carries
    its components, steps and events in the prefetch cache (for the response, without reading them again).
    """
    with transaction.atomic(savepoint=not created_here):
        return _transition(
            dossier=dossier,
            action=action,
            actor=actor,
            expected_version=expected_version,
            note=note,
            created_here=created_here,
            params=params,
        )


def _lock(pk: int) -> Dossier:
    """Lock the dossier's row, then read it and the relations the effects use, fresh.

    Two statements on purpose: on PostgreSQL a ``SELECT … FOR UPDATE`` that waited for the lock re-reads the
    locked row but keeps the joined rows of its first snapshot, so a ``select_related`` in the locking statement
    gave a waiting action the ``current_step`` from before the winner's commit (issue 11). The read after the
    lock is a new statement: it sees everything committed before the lock was granted.
    """
    Dossier.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
    return Dossier.objects.select_related("procedure_version", "unit", "current_step").get(pk=pk)


def _transition(
    *,
    dossier: Dossier,
    action: str,
    actor: User,
    expected_version: int | None,
    note: str,
    created_here: bool,
    params: dict[str, Any],
) -> Dossier:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed(
            f"Thao tác {action} không tồn tại.", code="unknown_action", details={"actions": list(TRANSITIONS)}
        )
    if created_here:
        locked = dossier
    else:
        # The caller decided on the dossier it read: unless it names the version it saw, that one's version is
        # the one that must still hold under the lock (issue 11: ten concurrent forwards all succeeded).
        if expected_version is None:
            expected_version = dossier.version
        locked = _lock(dossier.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            f"Hồ sơ vừa được người khác cập nhật (phiên bản {locked.version}, bạn đang xem phiên bản {expected_version}). "
            "Vui lòng tải lại hồ sơ rồi thực hiện lại.",
            code="stale_version",
            details={"current_version": locked.version, "expected_version": expected_version},
        )
    if locked.status not in transition.sources:
        raise Conflict(
            f"Không thể thực hiện thao tác này khi hồ sơ ở trạng thái “{locked.get_status_display()}”.",
            code="transition_not_allowed",
            details={
                "status": locked.status,
                "action": str(action),
                "allowed": allowed_actions(locked.status),
            },
        )
    roles = actor_roles(locked, actor)
    if action == Action.COMPLETE_LEG:
        roles |= {
            r for leg in _open_legs(locked) for r in user_roles_by_unit(actor).get(leg.unit_id, frozenset())
        }
    if not roles & transition.roles:
        raise PermissionDenied(
            "Ông/bà không có vai trò được phép thực hiện thao tác này đối với hồ sơ.",
            details={"required_roles": sorted(transition.roles)},
        )
    change = Change(dossier=locked, actor=actor, now=clock.now(), note=note.strip(), params=params)
    from_status = locked.status
    EFFECTS[action](change)
    if transition.target is not None:
        change.set(status=transition.target)
    change.set(version=locked.version + 1)
    new = locked.pk is None
    if new:
        locked.save(force_insert=True)
    else:
        locked.save(update_fields=sorted(change.fields))
    for write in change.after_save:
        write()
    event = DossierEvent.objects.create(
        dossier=locked,
        action=str(action),
        actor=actor if actor.is_authenticated else None,
        at=change.now,
        from_status=from_status,
        to_status=locked.status,
        note=change.note,
        unit=change.event.get("unit", locked.unit),
        step=change.event.get("step"),
        budget_minutes=change.event.get("budget_minutes"),
        due_at=change.event.get("due_at"),
        classification=change.event.get("classification", ""),
        data=change.data,
    )
    audit_record(
        actor=actor,
        action=f"dossier.{action}",
        object_type="dossier",
        object_id=locked.pk,
        data={
            "code": locked.code,
            "from": from_status,
            "to": locked.status,
            "version": locked.version,
            "fields": sorted(change.fields),
            "note": change.note,
            **change.data,
            **({"created": creation_audit_data(locked)} if new else {}),
        },
    )
    transition_consumers_dispatch(event=event)  # notifications etc., each a durable task of this transaction
    if created_here:  # a new dossier: this event is its only one, and it has no steps yet
        cache_related(locked, steps=[], events=[event])
    else:
        _follow(dossier, locked)
    return locked


def _follow(caller: Dossier, fresh: Dossier) -> None:
    """Bring the caller's instance up to the state it just moved the dossier to (fields and version).

    The caller's ``version`` is the one checked when it names none, so its own next action on the same
    instance acts on what it did, not on what it read before. Relations whose key changed are reloaded on
    access; rows the caller prefetched (checklist, legs, events) are not refreshed: use the returned instance.
    """
    if caller is fresh:
        return
    for f in Dossier._meta.concrete_fields:
        setattr(caller, f.attname, getattr(fresh, f.attname))
