"""Reads of the national-portal sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from motcua.dossiers.models import Dossier

from .models import SyncState, UpdateState


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
    """The dossier's sync state (one query); ``None`` when nothing of it was ever queued for the portal."""
    updates = "dossier__national_updates"
    state = (
        SyncState.objects.filter(pk=dossier.pk)
        .annotate(
            pending=Count(updates, filter=Q(**{f"{updates}__state": UpdateState.PENDING})),
            parked=Count(updates, filter=Q(**{f"{updates}__state": UpdateState.PARKED})),
        )
        .first()
    )
    if state is None:
        return None
    return DossierSync(
        last_sent_status=state.last_sent_status,
        last_sent_at=state.last_sent_at,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        pending=state.pending,
        parked=state.parked,
    )
