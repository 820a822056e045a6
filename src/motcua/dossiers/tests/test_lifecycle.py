"""The transition table: every allowed and every forbidden move, guards, concurrency of versions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.dossiers.constants import STATUS_CODES, Action, Status
from motcua.dossiers.lifecycle import TRANSITIONS, allowed_actions, dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.organisations.constants import Role

from .conftest import World
from .factories import dossier_in, staff

pytestmark = pytest.mark.django_db

ALL_STATES = list(Status.values)
ALLOWED = [(action, source) for action, t in TRANSITIONS.items() for source in sorted(t.sources)]
FORBIDDEN = [(action, s) for action, t in TRANSITIONS.items() for s in ALL_STATES if s not in t.sources]


def _params(action: str, dossier: Dossier, world: World, actor: Any) -> dict[str, Any]:
    if action == Action.ASSIGN:
        return {"assignee": world.specialist_a.username}
    if action == Action.RESOLVE:
        return {"result": "Giấy khai sinh bản chính"}
    if action == Action.EXTEND:
        assert dossier.due_at is not None
        return {"due": dossier.due_at + dt.timedelta(days=2)}
    if action == Action.COMPLETE_LEG:
        DossierStep.objects.create(
            dossier=dossier,
            batch=1,
            name="Liên thông",
            unit=world.unit_a,
            budget_minutes=480,
            started_at=dossier.received_at,
            due_at=dossier.due_at,
        )
    return {}


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_every_allowed_transition(world: World, frozen: dt.datetime, action: str, source: str) -> None:
    actor = staff(world.unit_a, Role.OFFICER, Role.SPECIALIST, Role.LEADER)
    dossier = dossier_in(source, version=world.version, unit=world.unit_a, owner=actor)
    params = _params(action, dossier, world, actor)
    result = dossier_transition(dossier=dossier, action=action, actor=actor, note="Ghi chú", **params)
    target = TRANSITIONS[action].target or source
    dossier.refresh_from_db()
    assert dossier.status == target == result.status
    assert dossier.version == 2
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.from_status, event.to_status, event.actor) == (action, source, target, actor)
    assert event.at == frozen
    assert AuditEntry.objects.filter(
        object_type="dossier", object_id=str(dossier.pk), action=f"dossier.{action}"
    )


@pytest.mark.parametrize(("action", "source"), FORBIDDEN)
def test_every_forbidden_transition_changes_nothing(
    world: World, frozen: dt.datetime, action: str, source: str
) -> None:
    actor = staff(world.unit_a, Role.OFFICER, Role.SPECIALIST, Role.LEADER)
    dossier = dossier_in(source, version=world.version, unit=world.unit_a, owner=actor)
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    with pytest.raises(Conflict) as caught:
        dossier_transition(dossier=dossier, action=action, actor=actor, note="x", result="x")
    assert caught.value.code == "transition_not_allowed"
    assert caught.value.details["allowed"] == allowed_actions(source)
    assert action not in caught.value.details["allowed"]
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == before
    assert not DossierEvent.objects.filter(dossier=dossier).exists()
    assert not AuditEntry.objects.exists()


def test_status_codes_follow_the_national_portal() -> None:
    assert [STATUS_CODES[s] for s in ALL_STATES] == [None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_table_covers_every_action_and_reaches_every_state() -> None:
    assert set(TRANSITIONS) == set(Action)
    reached = {t.target for t in TRANSITIONS.values() if t.target} | {Status.DRAFT}
    assert reached == set(Status)


@pytest.mark.parametrize(
    ("action", "role"),
    [
        (Action.RECEIVE, Role.SPECIALIST),
        (Action.RECEIVE, Role.LEADER),
        (Action.RESOLVE, Role.OFFICER),
        (Action.EXTEND, Role.OFFICER),
        (Action.EXTEND, Role.SPECIALIST),
        (Action.STOP, Role.OFFICER),
        (Action.RETURN, Role.SPECIALIST),
    ],
)
def test_role_mapping_is_enforced(world: World, frozen: dt.datetime, action: str, role: str) -> None:
    source = sorted(TRANSITIONS[action].sources)[0]
    actor = staff(world.unit_a, role)
    dossier = dossier_in(source, version=world.version, unit=world.unit_a)
    with pytest.raises(PermissionDenied):
        dossier_transition(dossier=dossier, action=action, actor=actor, note="x", result="x")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (source, 1)


def test_staff_of_another_unit_and_parent_leaders_cannot_act(world: World, frozen: dt.datetime) -> None:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    for actor in (world.officer_b, world.leader_p):
        with pytest.raises(PermissionDenied):
            dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=actor)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_only_the_owner_submits(world: World, frozen: dt.datetime) -> None:
    owner = staff(world.unit_b)
    dossier = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=owner)
    with pytest.raises(PermissionDenied):
        dossier_transition(dossier=dossier, action=Action.SUBMIT, actor=world.officer_a)
    dossier = dossier_transition(dossier=dossier, action=Action.SUBMIT, actor=owner)
    assert dossier.status == Status.SUBMITTED
    assert dossier.submitted_at == frozen
    assert dossier.code == "000.00.14.H56-250310-0001"  # the applicant can follow it at once
    assert dossier.received_at is None
    assert dossier.due_at is None


def test_stale_version_is_refused_and_changes_nothing(world: World, frozen: dt.datetime) -> None:
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    other_officer = staff(world.unit_a, Role.OFFICER)
    seen = dossier.version
    dossier_transition(
        dossier=dossier, action=Action.FORWARD, actor=world.officer_a, expected_version=seen, note="Chuyển"
    )
    with pytest.raises(Conflict) as caught:
        dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_SUPPLEMENT,
            actor=other_officer,
            expected_version=seen,
            note="Thiếu giấy chứng sinh",
        )
    assert caught.value.code == "stale_version"
    assert "tải lại" in caught.value.message
    assert caught.value.details == {"current_version": 2, "expected_version": 1}
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version, dossier.supplement_requests) == (Status.PROCESSING, 2, 0)
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_an_action_decided_on_a_stale_read_is_refused_without_expected_version(
    world: World, frozen: dt.datetime
) -> None:
    """Issue 11: the caller's instance carries the version it decided on; an older one is refused (409)."""
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    mine, theirs = Dossier.objects.get(pk=dossier.pk), Dossier.objects.get(pk=dossier.pk)
    dossier_transition(dossier=mine, action=Action.FORWARD, actor=world.officer_a)
    with pytest.raises(Conflict) as caught:
        dossier_transition(dossier=theirs, action=Action.FORWARD, actor=world.officer_a)
    assert caught.value.code == "stale_version"
    assert DossierStep.objects.filter(dossier=dossier).count() == 1
    # The winner's own instance followed the dossier: its next action acts on what it did.
    assert (mine.status, mine.version, mine.current_step.order if mine.current_step else None) == (
        Status.PROCESSING,
        2,
        2,
    )
    dossier_transition(dossier=mine, action=Action.FORWARD, actor=world.officer_a)
    assert [s.process_step.order for s in DossierStep.objects.filter(dossier=dossier) if s.process_step] == [
        2,
        3,
    ]


def test_unknown_action_is_a_validation_error(world: World) -> None:
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    with pytest.raises(ValidationFailed) as caught:
        dossier_transition(dossier=dossier, action="approve-everything", actor=world.officer_a)
    assert caught.value.code == "unknown_action"


@pytest.mark.parametrize(
    ("action", "source", "params"),
    [
        (Action.REFUSE, Status.SUBMITTED, {}),
        (Action.REQUEST_SUPPLEMENT, Status.PROCESSING, {}),
        (Action.STOP, Status.PROCESSING, {}),
        (Action.RESOLVE, Status.PROCESSING, {"result": " "}),
        (Action.ASSIGN, Status.PROCESSING, {"assignee": "nobody"}),
        (Action.ASSIGN, Status.PROCESSING, {"assignee": "motcua_a"}),  # an officer, not a specialist
        (Action.FORWARD, Status.PROCESSING, {"step": 9}),
        (Action.FORWARD, Status.PROCESSING, {"legs": [{"unit": "nope", "budget_hours": 4}]}),
        (Action.FORWARD, Status.PROCESSING, {"legs": [{"unit": "9001", "budget_hours": -1}]}),
        (Action.FORWARD, Status.PROCESSING, {"routing": "sideways"}),
        (Action.EXTEND, Status.PROCESSING, {"due": "not a date"}),
    ],
)
def test_bad_parameters_change_nothing(
    world: World, frozen: dt.datetime, action: str, source: str, params: dict[str, Any]
) -> None:
    actor = staff(world.unit_a, Role.OFFICER, Role.SPECIALIST, Role.LEADER)
    dossier = dossier_in(source, version=world.version, unit=world.unit_a)
    with pytest.raises(ValidationFailed) as caught:
        dossier_transition(dossier=dossier, action=action, actor=actor, **params)
    assert caught.value.code == "invalid_params"
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (source, 1)
    assert not DossierStep.objects.filter(dossier=dossier).exists()


def test_receive_requires_every_required_component(world: World, frozen: dt.datetime) -> None:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    first, second = world.version.components.filter(required=True).order_by("order")
    with pytest.raises(ValidationFailed) as caught:
        dossier_transition(
            dossier=dossier,
            action=Action.RECEIVE,
            actor=world.officer_a,
            components=[{"component": first.pk, "received": False}, {"component": second.pk}],
        )
    assert caught.value.code == "components_missing"
    assert caught.value.details == {"missing": ["Tờ khai đăng ký khai sinh"]}
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.components.filter(received=True).count() == 3  # the checklist rolled back too


def test_nothing_but_lifecycle_assigns_status() -> None:
    """ARCHITECTURE.md rule 3: no assignment to a status attribute in the dossiers app outside lifecycle.py,
    and no assignment to a dossier's status (nor a queryset update of it) anywhere else."""
    root = Path(__file__).resolve().parents[2]  # src/motcua
    any_status = re.compile(r"\.status\s*=(?!=)")
    dossier_status = re.compile(r"(?i)(dossier\w*\.status\s*=(?!=))|(dossier.*\.update\(.*\bstatus=)")
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if "migrations" in relative.parts or relative == Path("dossiers/lifecycle.py"):
            continue
        pattern = any_status if relative.parts[0] == "dossiers" else dossier_status
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
    # The pattern does catch an assignment.
    sample = "    dossier" + ".status" + " = Status.RESOLVED"
    assert any_status.search(sample)
    assert dossier_status.search(sample)


def test_drafts_are_private_to_their_owner(world: World) -> None:
    from motcua.dossiers.selectors import dossiers_visible_to

    owner = staff(world.unit_b)
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=owner)
    assert list(dossiers_visible_to(owner)) == [draft]
    for user in (world.officer_a, world.leader_p):
        assert not dossiers_visible_to(user).filter(pk=draft.pk).exists()


def test_object_permissions_follow_the_table(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    # The process has a leader's step: the leader resolves, never the specialist alone (issue 16).
    assert world.leader_a.has_perm("dossiers.resolve_dossier", dossier)
    assert not world.specialist_a.has_perm("dossiers.resolve_dossier", dossier)
    assert world.specialist_a.has_perm("dossiers.forward_dossier", dossier)
    assert not world.officer_a.has_perm("dossiers.resolve_dossier", dossier)
    assert world.officer_a.has_perm("dossiers.request_supplement_dossier", dossier)
    assert not world.officer_a.has_perm("dossiers.return_dossier", dossier)  # not from processing
    assert world.leader_p.has_perm("dossiers.view_dossier", dossier)
    assert not world.leader_p.has_perm("dossiers.stop_dossier", dossier)  # read-only above
    assert not world.officer_b.has_perm("dossiers.view_dossier", dossier)
