"""Reads of the national-portal sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua.dossiers.models import Dossier

from .models import SyncState, SyncUpdate, UpdateState


@dataclass(frozen=True)
class DossierSync:
    """What the back-office dossier page shows of the dossier's sync with the national portal."""

    last_sent_status: int | None
    last_sent_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    pending: int
    parked: int


def dossier_sync(dossier: Dossier) -> DossierSync | None:
    """The dossier's sync state; ``None`` when nothing of it was ever queued for the portal."""
    state = SyncState.objects.filter(pk=dossier.pk).first()
    if state is None:
        return None
    counts = {UpdateState.PENDING: 0, UpdateState.PARKED: 0}
    for value in (
        SyncUpdate.objects.filter(dossier_id=dossier.pk)
        .exclude(state=UpdateState.SENT)
        .values_list("state", flat=True)
    ):
        counts[UpdateState(value)] += 1
    return DossierSync(
        last_sent_status=state.last_sent_status,
        last_sent_at=state.last_sent_at,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        pending=counts[UpdateState.PENDING],
        parked=counts[UpdateState.PARKED],
    )
