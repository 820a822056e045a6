"""Reads of the national-portal sync."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, Subquery
from django.db.models.functions import Coalesce

from motcua.core import clock
from motcua.dossiers.models import Dossier

from .models import InboundDossier, SyncState, SyncUpdate, UpdateState


@dataclass(frozen=True)
class DossierSync:
    """What the back-office dossier page shows of the dossier's sync with the national portal."""

    last_sent_status: int | None
    last_sent_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    pending: int
    parked: int
    national_code: str | None = None  # the dossier was filed on the national portal under this code


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
            national_code=Subquery(
                InboundDossier.objects.filter(dossier_id=dossier.pk).values("national_code")[:1]
            ),
        )
        .first()
    )
    if state is None:  # nothing sent yet: a dossier filed on the portal still shows its national code
        code = InboundDossier.objects.filter(dossier=dossier).values_list("national_code", flat=True).first()
        if code is None:
            return None
        return DossierSync(None, None, "", None, 0, 0, national_code=code)
    return DossierSync(
        last_sent_status=state.last_sent_status,
        last_sent_at=state.last_sent_at,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        pending=state.pending,
        parked=state.parked,
        national_code=state.national_code,
    )


@dataclass(frozen=True)
class UnitSync:
    """One unit's synchronisation with the national portal over a period (the dashboard's panel, issue 13 item
    7; the Decision 766 synchronisation indicator): by dossier and by update, and what waits now."""

    unit_id: int
    dossiers: int = 0  # dossiers with a change in the period that the portal must receive
    dossiers_on_time: int = 0  # of which every such change reached the portal on time
    updates: int = 0  # updates (calls) for the period's changes
    sent_on_time: int = 0  # of which delivered on time
    pending: int = 0  # not sent yet (now, whatever the period)
    parked: int = 0  # parked for an operator (now)

    @property
    def on_time_share(self) -> float | None:
        """The share of the period's dossiers synchronised on time (``None`` without any)."""
        return self.dossiers_on_time / self.dossiers if self.dossiers else None

    @property
    def updates_on_time_share(self) -> float | None:
        return self.sent_on_time / self.updates if self.updates else None

    def __add__(self, other: UnitSync) -> UnitSync:
        return UnitSync(
            unit_id=self.unit_id,
            **{name: getattr(self, name) + getattr(other, name) for name in _COUNTS},
        )


_COUNTS = ("dossiers", "dossiers_on_time", "updates", "sent_on_time", "pending", "parked")


def on_time_window() -> timedelta:
    """How soon after a change its update must reach the portal to count as on time
    (``MOTCUA_DVCQG_ON_TIME_HOURS``, default 24; docs/national-portal.md, "Statistics")."""
    return timedelta(hours=float(getattr(settings, "MOTCUA_DVCQG_ON_TIME_HOURS", 24)))


def national_sync_by_unit(
    *,
    unit_ids: Iterable[int],
    start: datetime,
    end: datetime,
    on_time: timedelta | None = None,
    now: datetime | None = None,
) -> list[UnitSync]:
    """Per unit (the dossier's): the Decision 766 synchronisation indicator over ``[start, end)`` and the updates
    pending and parked now. Two queries, whatever the number of units.

    A change (a dossier event; an update without one: when it was recorded) is *synchronised on time* when its
    update reached the portal within ``on_time`` (``on_time_window()``) of it; an update not sent yet is late
    once that window has passed at ``now``, and not counted as late before. A dossier is synchronised on time
    in the period when it has updates for changes in the period and all of them are on time.
    """
    unit_ids = list(unit_ids)
    window = on_time if on_time is not None else on_time_window()
    now = now or clock.now()
    changed_at = Coalesce("event__at", "created_at")
    late = Q(sent_at__gt=F("changed_at") + window) | Q(sent_at__isnull=True, changed_at__lt=now - window)
    per_dossier = (
        SyncUpdate.objects.filter(dossier__unit_id__in=unit_ids)
        .alias(changed_at=changed_at)
        .filter(changed_at__gte=start, changed_at__lt=end)
        .values("dossier_id", "dossier__unit_id")
        .annotate(updates=Count("pk"), late=Count("pk", filter=late))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {unit_id: dict.fromkeys(_COUNTS, 0) for unit_id in unit_ids}
    for row in per_dossier:
        counts = found[row["dossier__unit_id"]]
        counts["dossiers"] += 1
        counts["dossiers_on_time"] += int(row["late"] == 0)
        counts["updates"] += row["updates"]
        counts["sent_on_time"] += row["updates"] - row["late"]
    waiting = (
        SyncUpdate.objects.filter(dossier__unit_id__in=unit_ids)
        .exclude(state=UpdateState.SENT)
        .values("dossier__unit_id")
        .annotate(
            pending=Count("pk", filter=Q(state=UpdateState.PENDING)),
            parked=Count("pk", filter=Q(state=UpdateState.PARKED)),
        )
        .order_by()
    )
    for waiting_row in waiting:
        found[waiting_row["dossier__unit_id"]].update(
            pending=waiting_row["pending"], parked=waiting_row["parked"]
        )
    return [UnitSync(unit_id=unit_id, **found[unit_id]) for unit_id in unit_ids]


def national_sync_indicator(
    *, unit_ids: Iterable[int], start: datetime, end: datetime, now: datetime | None = None
) -> UnitSync:
    """The Decision 766 synchronisation indicator of a set of units (e.g. a unit's sub-tree, the province)
    over ``[start, end)``: ``national_sync_by_unit`` summed (``unit_id`` 0). ``.on_time_share`` is the share of
    dossiers synchronised on time (``None`` without dossiers). For the 766 index (docs/national-portal.md)."""
    total = UnitSync(unit_id=0)
    for row in national_sync_by_unit(unit_ids=unit_ids, start=start, end=end, now=now):
        total = total + row
    return total
