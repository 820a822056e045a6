"""The sender task: one dossier's unsent updates, in order (``services.sync_send``)."""

from __future__ import annotations

from django.tasks import task

from .services import sync_send


@task()
def send_national_updates(dossier_id: int) -> str:
    """Deliver the dossier's unsent updates in order; returns how it stopped (``done``, ``retry`` …)."""
    result = sync_send(dossier_id=dossier_id)
    return f"{result.outcome}:{result.sent}"
