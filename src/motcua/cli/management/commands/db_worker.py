"""``motcua db_worker``: django-tasks-db's worker that waits for its database instead of dying.

The worker of django-tasks-db lets a database error escape its loop: a database restart or a network hiccup
ended the worker with a traceback, and the queued work (notifications, syncs) waited for someone to restart it
(issue 17). This command is the same worker (same options) whose loop is retried with exponential backoff,
from ``INITIAL_DELAY`` doubling up to ``MAX_DELAY`` seconds, logging each retry; the delay starts over once
the worker has run ``MAX_DELAY`` seconds without a failure. A failing *task* is still recorded as failed by
the worker itself.

It overrides django-tasks-db's command because ``motcua.cli`` comes before ``django_tasks_db`` in
``INSTALLED_APPS``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker as upstream

logger = logging.getLogger("motcua.worker")

INITIAL_DELAY = 1.0
MAX_DELAY = 60.0


def close_all_connections() -> None:
    """Drop the broken connections so the next attempt opens new ones."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(OperationalError, InterfaceError):
            connection.close()


class ResilientWorker(upstream.Worker):
    def work(self) -> None:
        """One run of django-tasks-db's loop (until shutdown, ``--batch`` or ``--max-tasks`` ends it)."""
        super().run()

    def run(self) -> None:
        delay = INITIAL_DELAY
        while self.running:
            started = time.monotonic()
            try:
                self.work()
                return
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > MAX_DELAY:
                    delay = INITIAL_DELAY
                logger.warning(
                    "database unavailable, worker %s retries in %s s: %s",
                    self.worker_id,
                    f"{delay:g}",
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                )
                close_all_connections()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)


class Command(upstream.Command):
    help = "Run the background worker (retries while the database is unreachable)"

    def handle(self, *args: Any, **options: Any) -> None:
        original = upstream.Worker
        upstream.Worker = ResilientWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original  # type: ignore[misc]
