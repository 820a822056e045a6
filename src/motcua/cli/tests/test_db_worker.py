"""``motcua db_worker`` waits for an unreachable database instead of exiting with a traceback (issue 17)."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.utils import OperationalError

from motcua.cli.management.commands import db_worker

MOTCUA = Path(sys.executable).parent / "motcua"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_worker_retries_an_unreachable_database_and_keeps_running(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/motcua",
        MOTCUA_TESTING="1",
        MOTCUA_SANDBOX="1",
        MOTCUA_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="motcua.config.settings",
    )
    process = subprocess.Popen(  # noqa: S603
        [str(MOTCUA), "db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = ""
    retries = 0
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and retries < 2 and process.poll() is None:
            if selector.select(timeout=1):
                line = process.stdout.readline()
                output += line
                retries += "database unavailable" in line
        assert process.poll() is None, output
        assert retries >= 2, output
        assert "Traceback" not in output
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_backoff_doubles_up_to_its_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    attempts = {"n": 0}

    class Flaky(db_worker.ResilientWorker):
        def work(self) -> None:
            attempts["n"] += 1
            if attempts["n"] < 9:
                raise OperationalError("connection refused")

    monkeypatch.setattr(db_worker.time, "sleep", sleeps.append)
    monkeypatch.setattr(db_worker, "close_all_connections", lambda: None)
    worker = Flaky(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="t",
        excluded_queue_names=[],
    )
    worker.run()
    assert attempts["n"] == 9
    assert sleeps == [1, 2, 4, 8, 16, 32, 60, 60]
