"""The dossier's state machine: a plain table of transitions and the one function that applies them.

Each action's parameters, note rule, effect and notification live in its module in ``actions/`` (the table
names it in its row); this module decides who may do what from which state, and applies it.
``dossier_transition`` is the only place that assigns ``Dossier.status`` (ARCHITECTURE.md rule 3; a test
greps the source tree). In one transaction it locks the row, checks the optimistic version, the table, the
actor's role and the action's guards, applies the effect (timestamps, due times through the worktime engine,
process legs), saves with ``update_fields``, bumps ``version``, appends a ``DossierEvent``, writes the audit
entry and hands the change to the transition consumers (``consumers.py``: the applicant's notifications, …),
each enqueued in the same transaction. A refused action raises and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.db import transaction

from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.core.internals import cache_related, cached_related
from motcua.core.rows import insert_row, lock_row, read_row, update_row
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit

from .actions import (
    accept_withdrawal,
    assign,
    complete_leg,
    extend,
    forward,
    payment_received,
    receive,
    refuse,
    request_payment,
    request_supplement,
    request_withdrawal,
    resolve,
    return_result,
    stop,
    submit,
    supplement_received,
)
from .actions.base import ActionSpec, Change, Params, open_legs
from .actions.receive import catalog_row, checklist_rows
from .constants import APPLICANT, SYSTEM, Action, Status
from .consumers import transition_consumers_dispatch
from .models import Dossier, DossierEvent

if TYPE_CHECKING:
    from motcua.accounts.models import User

# Importable from here (counter intake, the prefetch helpers' callers).
__all__ = [
    "ACTIONS",
    "NOTIFY",
    "TRANSITIONS",
    "actions_for",
    "actor_roles",
    "allowed_actions",
    "cache_related",
    "cached_related",
    "catalog_row",
    "checklist_rows",
    "creation_audit_data",
    "dossier_transition",
]

S = Status
OFFICER, SPECIALIST, LEADER = Role.OFFICER.value, Role.SPECIALIST.value, Role.LEADER.value
# The national portal's system actor submits the dossiers citizens filed there (national_portal/inbound.py).
NATIONAL_PORTAL = "system:dvcqg"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the dossier stays in its state
    roles: frozenset[str]  # roles (in the dossier's unit) allowed to act; APPLICANT = the owner account
    spec: ActionSpec[Any]  # what the action takes and does: its module in ``actions/``


def _t(module: ModuleType, sources: Iterable[str], target: str | None, roles: Iterable[str]) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles), module.ACTION)


_ACTIVE = {S.RECEIVED, S.PROCESSING}

# action → (its module, from states, to state, roles). The whole lifecycle on one screen.
TRANSITIONS: dict[str, Transition] = {
    Action.SUBMIT: _t(submit, {S.DRAFT}, S.SUBMITTED, {APPLICANT, NATIONAL_PORTAL}),
    Action.RECEIVE: _t(receive, {S.DRAFT, S.SUBMITTED}, S.RECEIVED, {OFFICER}),
    Action.REFUSE: _t(refuse, {S.DRAFT, S.SUBMITTED}, S.NOT_RECEIVED, {OFFICER}),
    Action.ASSIGN: _t(assign, _ACTIVE, S.PROCESSING, {OFFICER, LEADER}),
    Action.FORWARD: _t(forward, _ACTIVE, S.PROCESSING, {OFFICER, SPECIALIST, LEADER}),
    Action.COMPLETE_LEG: _t(complete_leg, {S.PROCESSING}, None, {SPECIALIST, LEADER}),
    Action.REQUEST_SUPPLEMENT: _t(request_supplement, _ACTIVE, S.AWAITING_SUPPLEMENT, {OFFICER, SPECIALIST}),
    # The applicant completes a supplement online (the portal checks a file arrived); officers at the desk.
    Action.SUPPLEMENT_RECEIVED: _t(
        supplement_received, {S.AWAITING_SUPPLEMENT}, S.PROCESSING, {OFFICER, APPLICANT}
    ),
    Action.REQUEST_PAYMENT: _t(request_payment, _ACTIVE, S.AWAITING_PAYMENT, {OFFICER, SPECIALIST}),
    # A payment gateway's or bank's callback confirms the payment as its system actor (system:vnpay, …).
    Action.PAYMENT_RECEIVED: _t(payment_received, {S.AWAITING_PAYMENT}, S.PROCESSING, {OFFICER, SYSTEM}),
    Action.RESOLVE: _t(resolve, {S.PROCESSING}, S.RESOLVED, {SPECIALIST, LEADER}),
    Action.RETURN: _t(return_result, {S.RESOLVED}, S.RETURNED, {OFFICER}),
    Action.REQUEST_WITHDRAWAL: _t(
        request_withdrawal,
        {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT},
        S.WITHDRAWAL_REQUESTED,
        {APPLICANT, OFFICER},
    ),
    Action.ACCEPT_WITHDRAWAL: _t(accept_withdrawal, {S.WITHDRAWAL_REQUESTED}, S.STOPPED, {OFFICER, LEADER}),
    Action.STOP: _t(
        stop,
        {S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT, S.WITHDRAWAL_REQUESTED},
        S.STOPPED,
        {LEADER},
    ),
    Action.EXTEND: _t(extend, {S.RECEIVED, S.PROCESSING, S.AWAITING_PAYMENT}, None, {LEADER}),
}

# action → its parameters, note rule, effect and notification (from the table).
ACTIONS: dict[str, ActionSpec[Any]] = {action: t.spec for action, t in TRANSITIONS.items()}
assert all(action == spec.action for action, spec in ACTIONS.items())

# Which notification the applicant gets after an action (the notifications consumer reads it).
NOTIFY: dict[str, str] = {action: spec.notify for action, spec in ACTIONS.items() if spec.notify}


def allowed_actions(status: str) -> list[str]:
    """Actions the table allows from ``status`` (whoever the actor)."""
    return [str(action) for action, t in TRANSITIONS.items() if status in t.sources]


def actor_roles(dossier: Dossier, actor: User) -> set[str]:
    """The roles ``actor`` holds for ``dossier``: their roles in its unit, plus APPLICANT for the owner;
    an outside system's actor holds SYSTEM (any system) and its own name (``system:vnpay``), whatever the
    unit, and nothing else."""
    roles: set[str] = set()
    if actor.is_authenticated and getattr(actor, "is_system", False):
        return {SYSTEM, actor.username}
    if actor.is_authenticated:
        roles |= set(user_roles_by_unit(actor).get(dossier.unit_id, frozenset()))
        if dossier.owner_id is not None and dossier.owner_id == actor.pk:
            roles.add(APPLICANT)
    return roles


def actions_for(dossier: Dossier, actor: User) -> list[str]:
    """Actions ``actor`` may attempt on ``dossier`` now (state and role; guards are checked on the try)."""
    roles = actor_roles(dossier, actor)
    legs_units = {leg.unit_id for leg in open_legs(dossier)} if dossier.status == S.PROCESSING else set()
    leg_roles = {r for u in legs_units for r in user_roles_by_unit(actor).get(u, frozenset())}
    result = []
    for action in allowed_actions(dossier.status):
        effective = roles | leg_roles if action == Action.COMPLETE_LEG else roles
        if action == Action.COMPLETE_LEG and not legs_units - {dossier.unit_id}:
            continue  # an inter-agency action: only while a leg at another unit is open
        if not effective & TRANSITIONS[action].roles:
            continue
        if action == Action.RESOLVE and LEADER not in roles and resolve.leader_approval_required(dossier):
            continue  # the leader approves: the specialist forwards to the leader's step instead
        result.append(action)
    return result


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
    held_lock: bool = False,
    **params: Any,
) -> Dossier:
    """Apply ``action`` to ``dossier`` as ``actor``; return the updated dossier (a fresh instance).

    Raises ``ValidationFailed`` (unknown action, bad parameters), ``Conflict`` (``stale_version``,
    ``transition_not_allowed`` with the allowed actions, or a failed guard) or ``PermissionDenied``.

    ``created_here``: the caller built ``dossier`` (not saved yet) inside its own open transaction (counter
    intake): it is inserted once, in its new state, with one audit entry for its creation and this action;
    no savepoint is taken (an error rolls the caller's transaction back), and the returned instance carries
    its components, steps and events in the prefetch cache (for the response, without reading them again).

    ``held_lock``: the caller locked the dossier's row in its open transaction, then read ``dossier`` (with its
    procedure version, unit and current step) and has not written its row since (a payment's credit: the
    IPN's one lock, issue 12 item 11): it is not locked and read again.

    ``params`` are parsed once, here, into the action's typed parameters (``ACTIONS[action].params``); a bad
    one is reported after the state and role checks (a forbidden action answers 409/403 whatever its
    parameters), after the note rule.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationFailed(
            f"Thao tác {action} không tồn tại.", code="unknown_action", details={"actions": list(TRANSITIONS)}
        )
    parsed: Params | ValidationFailed
    try:
        parsed = spec.params.parse(params)
    except ValidationFailed as error:
        parsed = error
    with transaction.atomic(savepoint=not created_here):
        return _transition(
            dossier=dossier,
            spec=spec,
            actor=actor,
            expected_version=expected_version,
            note=note,
            created_here=created_here,
            held_lock=held_lock,
            parsed=parsed,
        )


def dossier_lock(pk: int) -> Dossier:
    """Lock the dossier's row, then read it and the relations the effects use, fresh.

    Two statements on purpose: on PostgreSQL a ``SELECT … FOR UPDATE`` that waited for the lock re-reads the
    locked row but keeps the joined rows of its first snapshot, so a ``select_related`` in the locking statement
    gave a waiting action the ``current_step`` from before the winner's commit (issue 11). The read after the
    lock is a new statement: it sees everything committed before the lock was granted.
    """
    lock_row(Dossier, pk)
    return read_row(Dossier, pk, ("procedure_version", "unit", "current_step"))


def _transition(
    *,
    dossier: Dossier,
    spec: ActionSpec[Any],
    actor: User,
    expected_version: int | None,
    note: str,
    created_here: bool,
    parsed: Params | ValidationFailed,
    held_lock: bool = False,
) -> Dossier:
    action = spec.action
    transition = TRANSITIONS[action]
    if created_here or held_lock:
        locked = dossier
    else:
        # The caller decided on the dossier it read: unless it names the version it saw, that one's version is
        # the one that must still hold under the lock (issue 11: ten concurrent forwards all succeeded).
        if expected_version is None:
            expected_version = dossier.version
        locked = dossier_lock(dossier.pk)
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
            r for leg in open_legs(locked) for r in user_roles_by_unit(actor).get(leg.unit_id, frozenset())
        }
    if not roles & transition.roles:
        raise PermissionDenied(
            "Ông/bà không có vai trò được phép thực hiện thao tác này đối với hồ sơ.",
            details={"required_roles": sorted(transition.roles)},
        )
    spec.note.check(note)
    if isinstance(parsed, ValidationFailed):
        raise parsed
    change = Change(dossier=locked, actor=actor, now=clock.now(), note=note.strip(), params=parsed)
    from_status = locked.status
    spec.effect(change)
    if transition.target is not None:
        change.set(status=transition.target)
    change.set(version=locked.version + 1)
    new = locked.pk is None
    if new:
        insert_row(locked)  # save(force_insert=True) without the ORM's cost (every intake; ADR 0009)
    else:
        update_row(locked, sorted(change.fields))  # save(update_fields=…) without the ORM's cost
    for write in change.after_save:
        write()
    event = DossierEvent(
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
    insert_row(event)  # DossierEvent.objects.create without the ORM's cost of building the statement
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
