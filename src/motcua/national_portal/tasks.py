"""The national portal's tasks: the sender (one dossier's unsent updates, in order) and the inbound pull."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .services import sync_drain, sync_send


@task()
def send_national_updates(dossier_id: int) -> str:
    """Deliver the dossier's unsent updates in order; returns how it stopped (``done``, ``retry`` …)."""
    result = sync_send(dossier_id=dossier_id)
    return f"{result.outcome}:{result.sent}"


@task()
def drain_national_updates(threads: int = 2) -> str:
    """Send the whole backlog in batches, ``threads`` loops concurrently (``services.sync_drain``); how many went."""
    return f"sent:{sync_drain(threads=threads)}"


def pull_interval() -> dt.timedelta | None:
    """``MOTCUA_DVCQG_PULL_MINUTES`` (default 5; 0 turns the schedule off)."""
    minutes = float(getattr(settings, "MOTCUA_DVCQG_PULL_MINUTES", 5))
    return dt.timedelta(minutes=minutes) if minutes > 0 else None


@task()
def pull_national_dossiers(*, reschedule: bool = True) -> str:
    """Pull the dossiers filed on the national portal (``inbound.national_dossiers_pull``), then queue the next
    run after ``MOTCUA_DVCQG_PULL_MINUTES``: a chain of one task at a time, started by
    ``motcua pull-national-dossiers --schedule`` (idempotent: no second chain while one is queued)."""
    from .client import PortalError
    from .inbound import national_dossiers_pull

    try:
        report = national_dossiers_pull()
        outcome = f"created:{report.created} existing:{report.existing} skipped:{report.skipped}"
    except PortalError as exc:
        outcome = f"failed: {exc}"[:200]
    interval = pull_interval()
    if reschedule and interval is not None:
        pull_national_dossiers.using(run_after=timezone.now() + interval).enqueue(reschedule=True)
    return outcome


def pull_schedule_ensure() -> bool:
    """Queue the scheduled pull unless a run is queued already; ``True`` when one was queued now."""
    if pull_interval() is None:
        return False
    from django_tasks_db.models import (
        DBTaskResult,
    )  # the database task backend: is a run of the chain waiting?

    if DBTaskResult.objects.filter(task_path=pull_national_dossiers.module_path, status="READY").exists():
        return False
    pull_national_dossiers.enqueue(reschedule=True)
    return True
