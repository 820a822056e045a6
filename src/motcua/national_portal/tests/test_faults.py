"""Faults (issue 13 item 8) on PostgreSQL, over real HTTP to the sandbox portal (live_server).

With the portal failing 30% of calls and timing out 10%, two workers draining while officers act, every status
of every dossier reaches the portal, in order, each update with one effect there (duplicates discarded by
idempotency key). A worker killed with SIGKILL in the middle of a batch loses nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import Sum
from django_tasks_db.management.commands.db_worker import Worker

from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import ConsumerDelivery, Dossier
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tasks import consume_deliveries
from motcua.dossiers.tests.conftest import World
from motcua.national_portal.client import national_portal_clients
from motcua.national_portal.models import SandboxPortalDossier, SandboxPortalUpdate, SyncUpdate, UpdateState
from motcua.national_portal.tests.conftest import close_http

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DOSSIERS = 12
EXPECTED = DOSSIERS * 10  # per dossier: the whole record, then 5 progress updates and 4 records again
APPLICANT = {"name": "Trần Thị Cúc", "id_number": "026190054323", "phone": "0987654323"}


def _life(world: World, dossier: Dossier, step: int) -> Dossier:
    steps: list[tuple[str, Any, dict[str, Any]]] = [
        (Action.ASSIGN, world.officer_a, {"assignee": world.specialist_a.username}),
        (Action.REQUEST_SUPPLEMENT, world.specialist_a, {"note": "Thiếu giấy chứng sinh"}),
        (Action.SUPPLEMENT_RECEIVED, world.officer_a, {}),
        (Action.RESOLVE, world.leader_a, {"result": "Giấy khai sinh bản chính"}),
        (Action.RETURN, world.officer_a, {}),
    ]
    action, actor, params = steps[step]
    return dossier_transition(dossier=dossier, action=action, actor=actor, **params)


def _intakes(world: World) -> list[Dossier]:
    return [
        dossier_intake_counter(
            officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )
        for _ in range(DOSSIERS)
    ]


def _work(worker: Worker, errors: list[BaseException]) -> None:
    try:
        worker.run()
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        close_http(national_portal_clients["dvcqg"])  # the live server's thread for it closes its connection
        close_old_connections()
        connection.close()


class Workers:
    """Two django-tasks-db workers in threads, as two ``motcua db_worker`` processes would run."""

    def __init__(self) -> None:
        self.workers = [
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
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=_work, args=(w, self.errors)) for w in self.workers]

    def __enter__(self) -> Workers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.running = False
        for thread in self.threads:
            thread.join(timeout=30)

    def wait_all_sent(self, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while (
            SyncUpdate.objects.filter(state=UpdateState.SENT).count() < EXPECTED
            or SyncUpdate.objects.exclude(state=UpdateState.SENT).exists()
        ):
            unsent = SyncUpdate.objects.exclude(state=UpdateState.SENT)
            assert time.monotonic() < deadline, list(unsent.values_list("dossier_id", "sequence", "state"))
            assert not self.errors, self.errors
            time.sleep(0.2)


def _delivered_once_in_order(dossiers: list[Dossier]) -> int:
    """Every dossier's outbox arrived at the portal once, in order, up to "returned"; returns the duplicates."""
    assert SyncUpdate.objects.count() == EXPECTED
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
    return duplicates


@pytest.fixture
def live_portal(portal_settings: Any, client_plugin: Any, live_server: Any) -> Any:
    """The client over real HTTP to the sandbox portal served by ``live_server``; nothing parks."""
    assert connection.vendor == "postgresql"
    portal_settings.MOTCUA_DVCQG_URL = f"{live_server.url}/sandbox/dvcqg/"
    portal_settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 1000  # these tests are about retries, not parking
    client_plugin.transport = None
    return portal_settings


def test_a_faulty_portal_gets_every_status_in_order_with_no_duplicate_effect(
    connected: World, live_portal: Any
) -> None:
    live_portal.MOTCUA_DVCQG_TIMEOUT = 0.5
    live_portal.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=0.3,timeout_rate=0.1,timeout_ms=700,seed=13"
    with Workers() as workers:
        dossiers = _intakes(connected)
        for step in range(5):  # officers act while the workers drain
            dossiers = [_life(connected, dossier, step) for dossier in dossiers]
        assert {d.status for d in dossiers} == {Status.RETURNED}
        workers.wait_all_sent()
    assert workers.errors == []

    assert not SyncUpdate.objects.filter(state=UpdateState.PARKED).exists()
    attempts = SyncUpdate.objects.aggregate(n=Sum("attempts"))["n"]
    assert attempts > EXPECTED * 1.2  # the faults happened (about 40% of calls fail)
    duplicates = _delivered_once_in_order(dossiers)
    assert duplicates > 0  # timed-out calls the portal had acted on were sent again, and discarded


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(connected: World, live_portal: Any) -> None:
    """SIGKILL a ``motcua db_worker`` process while it sends; the sweep (``motcua sync-national``) and other
    workers finish the batch: every update arrives, in order, once."""
    live_portal.MOTCUA_SANDBOX_DVCQG_FAULTS = "latency_ms=100"
    dossiers = _intakes(connected)
    for step in range(5):
        dossiers = [_life(connected, dossier, step) for dossier in dossiers]
    for delivery in ConsumerDelivery.objects.filter(consumer="national-portal").order_by("pk"):
        consume_deliveries.call([[delivery.pk, 0]])  # the outbox is written; the senders are queued
    assert SyncUpdate.objects.count() == EXPECTED

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_SANDBOX": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MOTCUA_DVCQG_CLIENT": "dvcqg",
        "MOTCUA_DVCQG_URL": live_portal.MOTCUA_DVCQG_URL,
        "MOTCUA_DVCQG_RETRY_SECONDS": "0",
        "MOTCUA_DVCQG_TIMEOUT": "1",  # its lease on the dossier it was sending lasts 7 s after its death
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli.main", "db_worker", "--interval", "0.05"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while SandboxPortalUpdate.objects.count() < EXPECTED // 4:
            assert worker.poll() is None, "the worker stopped by itself"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert SyncUpdate.objects.exclude(state=UpdateState.SENT).exists()  # killed in the middle of the batch

    out = StringIO()
    call_command("sync_national", stdout=out)  # the killed worker's claimed tasks are gone with it
    assert '"queued": 0' not in out.getvalue()
    with Workers() as workers:
        workers.wait_all_sent()
    assert workers.errors == []
    _delivered_once_in_order(dossiers)
