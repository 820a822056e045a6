"""Reads of the national-portal sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q

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
    """The dossier's sync state (one query); ``None`` when nothing of it was ever queued for the portal.

    No query for a dossier whose procedure is not connected (read from the procedure the caller loaded with
    the dossier, as the dossier page does).
    """
    if not dossier.procedure_version.procedure.national_portal_connected:
        return None
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


@dataclass(frozen=True)
class UnitSync:
    """One unit's sync with the national portal over a period (the dashboard's panel, issue 13 item 7)."""

    unit_id: int
    updates: int  # updates recorded in the period
    sent_on_time: int  # of which sent within ``on_time`` of being recorded
    pending: int  # not sent yet (now)
    parked: int  # parked for an operator (now)

    @property
    def on_time_share(self) -> float | None:
        """The share of the period's updates sent on time (``None`` without updates)."""
        return self.sent_on_time / self.updates if self.updates else None


def national_sync_by_unit(
    *, unit_ids: list[int], start: datetime, end: datetime, on_time: timedelta = timedelta(hours=24)
) -> list[UnitSync]:
    """Per unit (of the dossier): updates recorded in ``[start, end)``, how many went within ``on_time``, and the
    updates pending and parked now. One query. The "on time" rule is provisional (docs/national-portal.md)."""
    sent = Q(state=UpdateState.SENT)
    in_period = Q(created_at__gte=start, created_at__lt=end)
    rows = (
        SyncUpdate.objects.filter(dossier__unit_id__in=unit_ids)
        .values("dossier__unit_id")
        .annotate(
            updates=Count("pk", filter=in_period),
            sent_on_time=Count("pk", filter=in_period & sent & Q(sent_at__lte=F("created_at") + on_time)),
            pending=Count("pk", filter=Q(state=UpdateState.PENDING)),
            parked=Count("pk", filter=Q(state=UpdateState.PARKED)),
        )
    )
    found: dict[int, dict[str, int]] = {
        row["dossier__unit_id"]: {
            key: int(row[key]) for key in ("updates", "sent_on_time", "pending", "parked")
        }
        for row in rows
    }
    zero = {"updates": 0, "sent_on_time": 0, "pending": 0, "parked": 0}
    return [
        UnitSync(
            unit_id=unit_id,
            updates=found.get(unit_id, zero)["updates"],
            sent_on_time=found.get(unit_id, zero)["sent_on_time"],
            pending=found.get(unit_id, zero)["pending"],
            parked=found.get(unit_id, zero)["parked"],
        )
        for unit_id in unit_ids
    ]
