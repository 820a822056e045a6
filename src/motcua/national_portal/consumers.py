"""The national-portal sync as a transition consumer: every change of a connected dossier joins its outbox."""

from __future__ import annotations

from typing import Any, ClassVar

from motcua.dossiers.consumers import TransitionConsumer, transition_consumers
from motcua.dossiers.models import DossierEvent

from . import mapping
from .client import sync_enabled
from .services import CONSUMER, sync_updates_record


@transition_consumers.register(CONSUMER)
class NationalPortalSync(TransitionConsumer):
    """Takes the moment of each transition (in memory) and appends the portal's updates to the outbox.

    ``wants`` reads settings only (no query in the transition): every event while a portal client is chosen
    (``MOTCUA_DVCQG_CLIENT``); whether the procedure is connected is decided by ``consume`` in the worker.
    The delivery to the portal is the sender's (``services.sync_send``), with its own retries and parking.
    """

    label = "Đồng bộ Cổng Dịch vụ công quốc gia"
    outbound = True
    max_attempts: ClassVar[int] = 8

    def wants(self, event: DossierEvent) -> bool:
        return sync_enabled()

    def snapshot(self, event: DossierEvent) -> dict[str, Any]:
        return mapping.event_snapshot(event)

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        sync_updates_record(event=event, snapshot=snapshot)
