"""Faults (issue 13 item 8) on PostgreSQL: with the sandbox portal failing 30% of calls and timing out 10%, two
workers draining the queue while officers act, every status of every dossier reaches the portal, in order,
each update with one effect there (duplicates discarded by idempotency key)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum
from django_tasks_db.management.commands.db_worker import Worker

from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tests.conftest import World
from motcua.national_portal.models import SandboxPortalDossier, SandboxPortalUpdate, SyncUpdate, UpdateState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DOSSIERS = 12
APPLICANT = {"name": "Trần Thị Cúc", "id_number": "026190054323", "phone": "0987654323"}


def _work(worker: Worker, errors: list[BaseException]) -> None:
    try:
        worker.run()
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        close_old_connections()
        connection.close()


def _life(world: World, dossier: Dossier, step: int) -> Dossier:
    steps: list[tuple[str, Any, dict[str, Any]]] = [
        (Action.ASSIGN, world.officer_a, {"assignee": world.specialist_a.username}),
        (Action.REQUEST_SUPPLEMENT, world.specialist_a, {"note": "Thiếu giấy chứng sinh"}),
        (Action.SUPPLEMENT_RECEIVED, world.officer_a, {}),
        (Action.RESOLVE, world.specialist_a, {"result": "Giấy khai sinh bản chính"}),
        (Action.RETURN, world.officer_a, {}),
    ]
    action, actor, params = steps[step]
    return dossier_transition(dossier=dossier, action=action, actor=actor, **params)


def test_a_faulty_portal_gets_every_status_in_order_with_no_duplicate_effect(
    connected: World, portal_settings: Any, client_plugin: Any, live_server: Any
) -> None:
    assert connection.vendor == "postgresql"
    portal_settings.MOTCUA_DVCQG_URL = f"{live_server.url}/sandbox/dvcqg/"
    portal_settings.MOTCUA_DVCQG_TIMEOUT = 0.5
    portal_settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 1000  # nothing parks: this test is about retries
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=0.3,timeout_rate=0.1,timeout_ms=700,seed=13"
    client_plugin.transport = None

    workers = [
        Worker(
            queue_names=["*"],
            interval=0.05,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"faults-{i}",
            excluded_queue_names=[],
        )
        for i in range(2)
    ]
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_work, args=(w, errors)) for w in workers]
    for thread in threads:
        thread.start()
    try:
        dossiers = [
            dossier_intake_counter(
                officer=connected.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
            )
            for _ in range(DOSSIERS)
        ]
        for step in range(5):  # officers act while the workers drain
            dossiers = [_life(connected, dossier, step) for dossier in dossiers]
        assert {d.status for d in dossiers} == {Status.RETURNED}
        expected = DOSSIERS * 10  # the whole record, then 5 progress updates and 4 records again
        deadline = time.monotonic() + 240
        while (
            SyncUpdate.objects.filter(state=UpdateState.SENT).count() < expected
            or SyncUpdate.objects.exclude(state=UpdateState.SENT).exists()
        ):
            assert time.monotonic() < deadline, list(
                SyncUpdate.objects.exclude(state=UpdateState.SENT).values_list(
                    "dossier_id", "sequence", "state"
                )
            )
            assert not errors, errors
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.running = False
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []

    assert SyncUpdate.objects.count() == expected
    assert not SyncUpdate.objects.filter(state=UpdateState.PARKED).exists()
    attempts = SyncUpdate.objects.aggregate(n=Sum("attempts"))["n"]
    assert attempts > expected * 1.2  # the faults happened (about 40% of calls fail)
    duplicates = 0
    for dossier in dossiers:
        local = list(
            SyncUpdate.objects.filter(dossier=dossier)
            .order_by("sequence")
            .values_list("service", "idempotency_key", "status_code")
        )
        stored = SandboxPortalDossier.objects.get(code=dossier.code)
        received = [
            (u.service, u.idempotency_key, u.data.get("TrangThaiHoSo", u.data.get("TrangThai")))
            for u in SandboxPortalUpdate.objects.filter(dossier=stored).order_by("pk")
        ]
        assert received == local  # every update once, in the order of the outbox
        assert [code for _, _, code in received] == [2, 4, 5, 5, 4, 4, 9, 9, 10, 10]
        assert stored.status == 10
        duplicates += stored.duplicates
    assert duplicates > 0  # timed-out calls the portal had acted on were sent again, and discarded
