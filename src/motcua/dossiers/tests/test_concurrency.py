"""Issue 11 defect: concurrent actions on one dossier on PostgreSQL — exactly one wins, the others get 409.

Every caller decides on the dossier it read (``dossier.version``); when it gives no ``expected_version``,
that version is the one checked under the row lock. Each thread reads its own instance before the barrier,
as concurrent requests do, then acts at once. One test per action family.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from motcua.core import clock
from motcua.core.errors import Conflict
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.organisations.constants import Role

from .conftest import MONDAY_10, World
from .factories import dossier_in, staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def race(dossier: Dossier, act: Callable[[Dossier, int], Any], threads: int = THREADS) -> list[str]:
    """Run ``act(own_instance, i)`` in ``threads`` threads at once; each outcome: "ok" or the Conflict code."""
    assert connection.vendor == "postgresql"
    instances = [Dossier.objects.get(pk=dossier.pk) for _ in range(threads)]
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            act(instances[i], i)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    with clock.frozen(MONDAY_10):  # frozen once, here: the threads only read the clock
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert errors == []
    assert len(outcomes) == threads
    return outcomes


def _one_winner(outcomes: list[str], dossier: Dossier) -> Dossier:
    """Exactly one thread won; every other one got a 409 (a ``Conflict``: nothing else may escape)."""
    assert outcomes.count("ok") == 1, outcomes
    dossier.refresh_from_db()
    assert dossier.version == 2
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    return dossier


def test_concurrent_receipts_of_one_dossier(world: World) -> None:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    officers = [world.officer_a] + [staff(world.unit_a, Role.OFFICER) for _ in range(THREADS - 1)]
    outcomes = race(
        dossier, lambda d, i: dossier_transition(dossier=d, action=Action.RECEIVE, actor=officers[i])
    )
    assert _one_winner(outcomes, dossier).status == Status.RECEIVED


def test_concurrent_forwards_write_one_step(world: World) -> None:
    """The reported defect: 10 forwards without expected_version all answered 200 and wrote 10 legs."""
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    outcomes = race(
        dossier, lambda d, i: dossier_transition(dossier=d, action=Action.FORWARD, actor=world.officer_a)
    )
    dossier = _one_winner(outcomes, dossier)
    assert dossier.status == Status.PROCESSING
    assert DossierStep.objects.filter(dossier=dossier).count() == 1
    assert dossier.current_step is not None
    assert dossier.current_step.order == 2  # the receipt counts as the desk's step 1 (1ae8798)


def test_concurrent_forwards_to_the_same_step_write_one_step(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(dossier=d, action=Action.FORWARD, actor=world.officer_a, step=2),
    )
    _one_winner(outcomes, dossier)
    assert DossierStep.objects.filter(dossier=dossier).count() == 1


def test_concurrent_assignments_and_leg_completions(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    specialists = [world.specialist_a] + [staff(world.unit_a, Role.SPECIALIST) for _ in range(THREADS - 1)]
    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(
            dossier=d, action=Action.ASSIGN, actor=world.leader_a, assignee=specialists[i].username
        ),
    )
    dossier = _one_winner(outcomes, dossier)
    assert dossier.assignee in specialists

    other = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    DossierStep.objects.create(
        dossier=other,
        batch=1,
        name="Liên thông",
        unit=world.unit_b,
        budget_minutes=480,
        started_at=MONDAY_10 - dt.timedelta(hours=2),
        due_at=MONDAY_10 + dt.timedelta(days=1),
    )
    outcomes = race(
        other,
        lambda d, i: dossier_transition(dossier=d, action=Action.COMPLETE_LEG, actor=world.specialist_b),
    )
    _one_winner(outcomes, other)
    assert DossierStep.objects.get(dossier=other).finished_at == MONDAY_10


def test_concurrent_supplement_requests_and_receipts(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(
            dossier=d, action=Action.REQUEST_SUPPLEMENT, actor=world.officer_a, note=f"Thiếu giấy tờ {i}"
        ),
    )
    dossier = _one_winner(outcomes, dossier)
    assert dossier.supplement_requests == 1

    waiting = dossier_in(Status.AWAITING_SUPPLEMENT, version=world.version, unit=world.unit_a)
    outcomes = race(
        waiting,
        lambda d, i: dossier_transition(dossier=d, action=Action.SUPPLEMENT_RECEIVED, actor=world.officer_a),
    )
    assert _one_winner(outcomes, waiting).status == Status.PROCESSING


def test_concurrent_resolutions_and_returns(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(
            dossier=d, action=Action.RESOLVE, actor=world.leader_a, result=f"Giấy khai sinh số {i}"
        ),
    )
    assert _one_winner(outcomes, dossier).status == Status.RESOLVED

    resolved = dossier_in(Status.RESOLVED, version=world.version, unit=world.unit_a)
    outcomes = race(
        resolved, lambda d, i: dossier_transition(dossier=d, action=Action.RETURN, actor=world.officer_a)
    )
    assert _one_winner(outcomes, resolved).status == Status.RETURNED


def test_concurrent_withdrawal_and_stop(world: World) -> None:
    """Half the threads ask to withdraw, half stop the dossier: one of them wins."""
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)

    def act(d: Dossier, i: int) -> Dossier:
        if i % 2:
            return dossier_transition(dossier=d, action=Action.STOP, actor=world.leader_a, note="Dừng")
        return dossier_transition(
            dossier=d, action=Action.REQUEST_WITHDRAWAL, actor=world.officer_a, note="Người nộp xin rút"
        )

    outcomes = race(dossier, act)
    assert _one_winner(outcomes, dossier).status in {Status.STOPPED, Status.WITHDRAWAL_REQUESTED}

    asked = dossier_in(Status.WITHDRAWAL_REQUESTED, version=world.version, unit=world.unit_a)
    outcomes = race(
        asked,
        lambda d, i: dossier_transition(dossier=d, action=Action.ACCEPT_WITHDRAWAL, actor=world.officer_a),
    )
    assert _one_winner(outcomes, asked).status == Status.STOPPED


def test_concurrent_extensions(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    assert dossier.due_at is not None
    due = dossier.due_at

    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(
            dossier=d,
            action=Action.EXTEND,
            actor=world.leader_a,
            note="Chậm",
            due=due + dt.timedelta(days=i + 1),
        ),
    )
    assert _one_winner(outcomes, dossier).extended


def test_concurrent_payment_request_and_receipt(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(
            dossier=d, action=Action.REQUEST_PAYMENT, actor=world.officer_a, note="Lệ phí"
        ),
    )
    assert _one_winner(outcomes, dossier).status == Status.AWAITING_PAYMENT
    outcomes = race(
        dossier,
        lambda d, i: dossier_transition(dossier=d, action=Action.PAYMENT_RECEIVED, actor=world.officer_a),
    )
    dossier.refresh_from_db()
    assert outcomes.count("ok") == 1
    assert dossier.version == 3


def test_ten_concurrent_forward_requests_answer_one_200_and_nine_409(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported defect end to end: ten POSTs of ``forward`` without ``expected_version``, each having
    read the dossier before any of them acts (a barrier between the read and the action)."""
    from rest_framework.test import APIClient

    from motcua.api.v1 import dossiers as api

    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    barrier = threading.Barrier(THREADS)
    real = api.dossier_transition

    def after_every_read(**kwargs: Any) -> Dossier:
        barrier.wait(timeout=20)
        return real(**kwargs)

    monkeypatch.setattr(api, "dossier_transition", after_every_read)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            client = APIClient()
            client.force_authenticate(world.officer_a)
            url = f"/api/v1/dossiers/{dossier.code}/actions/forward/"
            statuses.append(client.post(url, {"note": "Chuyển"}, format="json").status_code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=post) for _ in range(THREADS)]
    with clock.frozen(MONDAY_10):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert errors == []
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    assert DossierStep.objects.filter(dossier=dossier).count() == 1
