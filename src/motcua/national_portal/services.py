"""The national-portal sync: the per-dossier ordered outbox, its sender, re-sending, reconciliation.

Flow (docs/national-portal.md): a dossier transition hands its event to the ``national-portal`` transition
consumer (``consumers.py``), which calls ``sync_updates_record``: the dossier's updates are appended to its
outbox (``SyncUpdate``, numbered per dossier in event order) and a sender task is queued. ``sync_send`` (one
dossier) and ``sync_drain`` (the backlog, many dossiers per round) then deliver the unsent updates strictly in
order per dossier, several records per call (``MOTCUA_DVCQG_BATCH_SIZE``), each record with its own
idempotency key, holding the dossiers' leases (taken in short transactions on their ``SyncState`` rows,
skip-locked: a second sender of the same dossier steps aside; no transaction is open during a call); the
portal answers per record: a refused record is parked at once, a failed call retried with backoff and parked
after ``MOTCUA_DVCQG_MAX_ATTEMPTS``. A parked update holds back the later ones of its dossier until an operator
sends it again (``sync_updates_resend``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.constants import OnlineMode
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core import clock
from motcua.core.retry import exponential_backoff
from motcua.documents.selectors import dossier_digitisation_flags
from motcua.dossiers.constants import STATUS_CODES
from motcua.dossiers.models import ConsumerDelivery, Dossier, DossierEvent

from . import mapping
from .client import NationalPortalClient, PortalError, PortalNotProcessed, PortalRejected, chosen_client
from .models import InboundDossier, Service, SyncState, SyncUpdate, UpdateState

if TYPE_CHECKING:
    from motcua.accounts.models import User

logger = structlog.get_logger(__name__)

CONSUMER = "national-portal"
BUSY_RETRY = dt.timedelta(seconds=2)
MAX_BACKOFF = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×, 4× … (``MOTCUA_DVCQG_RETRY_SECONDS``), at most an hour."""
    base = dt.timedelta(seconds=float(getattr(settings, "MOTCUA_DVCQG_RETRY_SECONDS", 30)))
    return exponential_backoff(attempts, base=base, ceiling=MAX_BACKOFF)


def version_for_records(version_id: int) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.select_related("procedure__field")
        .prefetch_related("components", "fees")
        .get(pk=version_id)
    )


# --- recording (the transition consumer) ---


def sync_updates_record(*, event: DossierEvent, snapshot: dict[str, Any]) -> list[SyncUpdate]:
    """Append the updates of ``event`` to its dossier's outbox, after those of every earlier event.

    Earlier events of the dossier not recorded yet (their consumer delivery has not run) are recorded first,
    from their own snapshots: the outbox is always in event order, whichever delivery runs first. Idempotent:
    an event already recorded adds nothing. Nothing is recorded for a procedure not connected to the portal
    nor for a dossier without a code (an online dossier not checked yet). Queues the dossier's sender.
    """
    dossier = Dossier.objects.select_related("procedure_version__procedure").get(pk=event.dossier_id)
    if not dossier.procedure_version.procedure.national_portal_connected:
        return []
    SyncState.objects.get_or_create(dossier=dossier)
    state = SyncState.objects.select_for_update().get(pk=dossier.pk)
    if event.pk <= state.last_event_id:
        return []
    earlier = (
        ConsumerDelivery.objects.filter(
            consumer=CONSUMER,
            event__dossier_id=dossier.pk,
            event_id__gt=state.last_event_id,
            event_id__lt=event.pk,
        )
        .select_related("event__dossier__unit", "event__dossier__procedure_version", "event__unit")
        .order_by("event_id")
    )
    items: list[tuple[DossierEvent, dict[str, Any]]] = [
        (d.event, d.snapshot if d.snapshot is not None else mapping.event_snapshot(d.event)) for d in earlier
    ]
    items.append((event, snapshot))
    version = version_for_records(dossier.procedure_version_id)
    national_code = _national_code(dossier.pk)
    now = clock.now()
    updates: list[SyncUpdate] = []
    for item_event, snap in items:
        for service, is_updating, payload in _updates_of(item_event, snap, state, version):
            if national_code:  # filed on the portal: the portal knows it by its own code, and has its record
                payload["MaHoSo"] = national_code
                is_updating = is_updating or service == Service.SYNC_DOSSIER
            state.last_sequence += 1
            updates.append(
                SyncUpdate(
                    dossier=dossier,
                    sequence=state.last_sequence,
                    event=item_event,
                    service=service,
                    is_updating=is_updating,
                    payload=payload,
                    status_code=payload.get("TrangThaiHoSo", payload.get("TrangThai")),
                    idempotency_key=f"motcua:{dossier.pk}:{item_event.pk}:{service}",
                    created_at=now,
                )
            )
    state.last_event_id = event.pk
    state.save(update_fields=["last_event_id", "last_sequence"])
    if updates:
        SyncUpdate.objects.bulk_create(updates)
        _queue_sender(dossier.pk)
    return updates


def _national_code(dossier_id: int) -> str | None:
    """The national code of a dossier filed on the portal (``inbound.py``); ``None`` for motcua's own."""
    return (
        InboundDossier.objects.filter(dossier_id=dossier_id).values_list("national_code", flat=True).first()
    )


def _updates_of(
    event: DossierEvent, snap: dict[str, Any], state: SyncState, version: ProcedureVersion
) -> list[tuple[str, bool, dict[str, Any]]]:
    """``[(service, isUpdating, record)]`` for one event: the whole record first, then progress."""
    record_snap = snap["dossier"]
    if not record_snap["code"] or mapping.status_code(snap["to_status"]) is None:
        return []
    if state.last_sequence == 0:  # the portal does not know the dossier yet: the whole record
        return [(Service.SYNC_DOSSIER, False, _record(event, record_snap, version))]
    updates: list[tuple[str, bool, dict[str, Any]]] = [
        (Service.PROGRESS, False, mapping.progress_record(snap))
    ]
    if snap["action"] in mapping.RECORD_ACTIONS:
        updates.append((Service.SYNC_DOSSIER, True, _record(event, record_snap, version)))
    return updates


def _record(event: DossierEvent, record_snap: dict[str, Any], version: ProcedureVersion) -> dict[str, Any]:
    supplements: list[dict[str, Any]] = []
    if record_snap.get("supplement_requests"):
        events = list(
            DossierEvent.objects.filter(dossier_id=event.dossier_id, pk__lte=event.pk).order_by("pk")
        )
        supplements = mapping.supplement_entries(events)
    return mapping.dossier_record(
        record_snap,
        version=version,
        supplements=supplements,
        flags=dossier_digitisation_flags(event.dossier_id),
    )


def _queue_sender(dossier_id: int, *, run_after: dt.datetime | None = None) -> None:
    from .tasks import send_national_updates

    if run_after is not None:
        send_national_updates.using(run_after=run_after).enqueue(dossier_id)
    else:
        send_national_updates.enqueue(dossier_id)


# --- sending ---


@dataclass
class SendResult:
    sent: int = 0
    outcome: str = "done"  # done | busy | waiting | retry | parked | missing | more | lost


def lease_duration() -> dt.timedelta:
    """How long a sender holds a dossier for one call without renewing: longer than any one call may take."""
    return dt.timedelta(seconds=2 * float(settings.MOTCUA_DVCQG_TIMEOUT) + 5)


def batch_size() -> int:
    """Records per call (``MOTCUA_DVCQG_BATCH_SIZE``, default 50; 1: one record per call)."""
    return max(1, int(getattr(settings, "MOTCUA_DVCQG_BATCH_SIZE", 50)))


@dataclass
class _Call:
    """One call of a round: consecutive unsent updates of several dossiers, a dossier's in sequence."""

    service: str
    is_updating: bool
    updates: list[SyncUpdate]
    outcomes: list[PortalError | None] | None = None


def _plan(
    dossier_ids: list[int], token: str, now: dt.datetime, room: int
) -> tuple[list[_Call], dict[int, str]]:
    """In the transaction holding the dossiers' ``SyncState`` rows: the calls of the next round and the lease.

    For each dossier (in the given order) its first unsent update and the consecutive ones after it of the same
    service (one call carries one service), at most ``room`` records in all; a dossier's updates are never split
    between two calls (order per dossier). Leases the dossiers that have something to send; for the others,
    why not (``done``, ``parked``, ``waiting``, ``later``: no room left), releasing a lease of ``token``.
    One statement for the updates (a window per dossier), one for the leases.
    """
    per_dossier = max(1, room // max(1, len(dossier_ids)))  # many dossiers due: one step each, fairly
    rows = (
        SyncUpdate.objects.filter(dossier_id__in=dossier_ids)
        .exclude(state=UpdateState.SENT)
        .annotate(rank=Window(RowNumber(), partition_by=[F("dossier_id")], order_by=F("sequence").asc()))
        .filter(rank__lte=per_dossier)
        .order_by("dossier_id", "sequence")
    )
    by_dossier: dict[int, list[SyncUpdate]] = {}
    for row in rows:
        by_dossier.setdefault(row.dossier_id, []).append(row)
    calls: dict[tuple[str, bool], _Call] = {}
    idle: dict[int, str] = {}
    leased: list[int] = []
    used = 0
    for pk in dossier_ids:
        updates = by_dossier.get(pk, [])
        first = updates[0] if updates else None
        if first is None:
            idle[pk] = "done"
        elif first.state == UpdateState.PARKED:
            idle[pk] = "parked"
        elif first.next_attempt_at is not None and first.next_attempt_at > now:
            idle[pk] = "waiting"
        elif used >= room:
            idle[pk] = "later"
        if pk in idle:
            continue
        assert first is not None
        run = [first]
        for update in updates[1 : room - used]:  # at most per_dossier fetched
            if (
                update.state != UpdateState.PENDING
                or (update.service, update.is_updating) != (first.service, first.is_updating)
                or (update.next_attempt_at is not None and update.next_attempt_at > now)
            ):
                break
            run.append(update)
        used += len(run)
        call = calls.setdefault(
            (first.service, first.is_updating), _Call(first.service, first.is_updating, [])
        )
        call.updates += run
        leased.append(pk)
    if leased:
        SyncState.objects.filter(pk__in=leased).update(
            lease_token=token, lease_until=now + lease_duration() * len(calls)
        )
    if token and idle:
        SyncState.objects.filter(pk__in=list(idle), lease_token=token).update(
            lease_token="", lease_until=None
        )
    return list(calls.values()), idle


def _send(calls: list[_Call], client: NationalPortalClient) -> None:
    """The round's calls, outside any transaction; each record's outcome (a whole call's failure for each)."""
    for call in calls:
        records = [(u.idempotency_key, u.payload) for u in call.updates]
        try:
            call.outcomes = list(client.send_records(call.service, call.is_updating, records))
            if len(call.outcomes) != len(records):
                raise PortalError(f"{call.service}: {len(call.outcomes)} outcomes for {len(records)} records")
        except PortalError as exc:
            call.outcomes = [exc] * len(records)


def _record_outcomes(calls: list[_Call], token: str) -> tuple[int, dict[int, str]]:
    """In one transaction (the caller's): the outcomes of a round; how many went and each dossier's outcome.

    Per dossier, in sequence: accepted updates are marked sent (one ``UPDATE`` for the round); the first that
    did not go stops the dossier: refused by the portal, parked at once; failed, retried with backoff (parked
    after ``MOTCUA_DVCQG_MAX_ATTEMPTS``); not acted on, sent again later (no attempt counted); the later ones
    stay as they are. The dossiers' ``SyncState`` (last status sent, error, the lease released) in one
    ``UPDATE``. A dossier whose lease another sender took meanwhile (``lost``): what went is still marked
    sent, a failure is left to that sender.
    """
    dossier_ids = sorted({u.dossier_id for call in calls for u in call.updates})
    ours = set(
        SyncState.objects.select_for_update()
        .filter(pk__in=dossier_ids, lease_token=token)
        .values_list("pk", flat=True)
    )
    now = clock.now()
    sent_ids: list[int] = []
    went: set[int] = set()
    last_status: dict[int, int] = {}
    failed: dict[int, tuple[SyncUpdate, PortalError]] = {}
    outcome: dict[int, str] = dict.fromkeys(dossier_ids, "sent")
    for call in calls:
        assert call.outcomes is not None
        stopped: set[int] = set()
        for update, error in zip(call.updates, call.outcomes, strict=True):
            pk = update.dossier_id
            if pk in stopped:
                continue
            if error is None:
                sent_ids.append(update.pk)
                went.add(pk)
                if update.status_code is not None:
                    last_status[pk] = update.status_code
                continue
            stopped.add(pk)
            if isinstance(error, PortalNotProcessed):
                outcome[pk] = "more"
            else:
                failed[pk] = (update, error)
    if sent_ids:
        SyncUpdate.objects.filter(pk__in=sent_ids).exclude(state=UpdateState.SENT).update(
            attempts=F("attempts") + 1, state=UpdateState.SENT, sent_at=now, next_attempt_at=None
        )
    sent_dossiers = sorted(went)
    if sent_dossiers:
        by_code: dict[int, list[int]] = {}
        for pk, code in last_status.items():
            by_code.setdefault(code, []).append(pk)
        status = Case(  # one branch per status code (a handful), not per dossier
            *[When(pk__in=pks, then=Value(code)) for code, pks in by_code.items()],
            default=F("last_sent_status"),
            output_field=SyncState._meta.get_field("last_sent_status"),
        )
        SyncState.objects.filter(pk__in=sent_dossiers).update(
            last_sent_status=status, last_sent_at=now, last_error="", last_error_at=None
        )
    for pk, (update, error) in failed.items():
        outcome[pk] = _failed(update, error, now) if pk in ours else "lost"
    release = [pk for pk in ours if pk not in failed]
    if release:
        SyncState.objects.filter(pk__in=release, lease_token=token).update(lease_token="", lease_until=None)
    for pk in dossier_ids:
        if pk not in ours:
            outcome[pk] = "lost"
    return len(sent_ids), outcome


def _failed(update: SyncUpdate, error: PortalError, now: dt.datetime) -> str:
    """Count a failed attempt of ``update`` (locked, as the lease holder): retry later, or park it."""
    locked = SyncUpdate.objects.select_for_update().get(pk=update.pk)
    if locked.state == UpdateState.SENT:  # another sender marked it meanwhile: nothing to count
        SyncState.objects.filter(pk=locked.dossier_id).update(lease_token="", lease_until=None)
        return "lost"
    locked.attempts += 1
    message = f"{type(error).__name__}: {error}"[:2000]
    max_attempts = int(getattr(settings, "MOTCUA_DVCQG_MAX_ATTEMPTS", 12))
    park = isinstance(error, PortalRejected) or locked.attempts >= max_attempts
    locked.last_error = message
    if park:
        locked.state = UpdateState.PARKED
        locked.next_attempt_at = None
    else:
        locked.next_attempt_at = now + backoff(locked.attempts)
    locked.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    SyncState.objects.filter(pk=locked.dossier_id).update(
        last_error=message, last_error_at=now, lease_token="", lease_until=None
    )
    if not park:
        delay = backoff(locked.attempts)
        _queue_sender(locked.dossier_id, run_after=timezone.now() + delay if delay else None)
    logger.warning(
        "national_update_failed",
        dossier=locked.dossier_id,
        sequence=locked.sequence,
        service=locked.service,
        attempts=locked.attempts,
        parked=park,
        error=message,
    )
    return "parked" if park else "retry"


def sync_send(
    *,
    dossier_id: int,
    client: NationalPortalClient | None = None,
    limit: int = 1000,
    token: str = "",
) -> SendResult:
    """Deliver the dossier's unsent updates in order, holding the dossier's lease.

    A short transaction locks the dossier's ``SyncState`` row (skip-locked), checks no other sender holds an
    unexpired lease, takes the lease and picks its first unsent update with the consecutive ones of the same
    service (up to ``MOTCUA_DVCQG_BATCH_SIZE``, one call); the call runs outside any transaction (the database
    is never locked while waiting for the portal, which may be served from the same database, as the sandbox
    is); one transaction records the outcomes and picks the next updates. A sender killed in the middle leaves
    its updates unsent and its lease to expire; the next sender sends the same updates again (same keys).
    Stops at the first update that cannot go now: one waiting for its retry time (its task is queued), a
    failure (retried later with backoff, or parked), a parked one (an operator sends it again). ``busy``:
    another sender holds the dossier; this one is queued again shortly. At most about ``limit`` updates.
    """
    client = client or chosen_client()
    token = token or secrets.token_hex(8)
    result = SendResult()
    claimed = _claim(dossier_id, token)
    while True:
        if isinstance(claimed, str):
            result.outcome = claimed
            return result
        _send(claimed, client)
        with transaction.atomic():
            sent, outcomes = _record_outcomes(claimed, token)
            result.sent += sent
            outcome = outcomes.get(dossier_id, "done")
            if outcome == "sent" and result.sent >= limit:
                _release(dossier_id, token)
                _queue_sender(dossier_id)
                result.outcome = "more"
                return result
            if outcome == "more" and not sent:  # the portal acted on none of it: later
                _release(dossier_id, token)
                _queue_sender(dossier_id, run_after=timezone.now() + BUSY_RETRY)
                result.outcome = "more"
                return result
            if outcome in ("sent", "more"):
                state = SyncState.objects.select_for_update().get(pk=dossier_id)
                claimed = _plan_one(state, token)
            else:
                claimed = outcome


def _plan_one(state: SyncState, token: str) -> list[_Call] | str:
    calls, idle = _plan([state.pk], token, clock.now(), batch_size())
    return calls or idle.get(state.pk, "done")


def sync_drain(
    *, client: NationalPortalClient | None = None, threads: int = 2, batch: int = 0, max_rounds: int = 100_000
) -> int:
    """Send the backlog in batches: claim a batch of due dossiers in one skip-locked statement, send the next
    unsent update(s) of each in as few calls as there are services among them (``MOTCUA_DVCQG_BATCH_SIZE``
    records per round), then record every outcome and claim the next batch in one transaction; again until
    no dossier is due. ``threads`` such loops run concurrently. Returns how many updates went.

    Same guarantees as one ``sync_send`` per dossier: a dossier is sent by one sender at a time (the lease,
    taken skip-locked, so several drains and the per-dossier tasks share the work), in order, each update with
    its key. A dossier held back by a parked update or one waiting for its retry time is not claimed.
    """
    client = client or chosen_client()
    batch = batch or batch_size()
    threads = max(1, threads)
    if threads == 1:
        return _drain_loop(client, batch, max_rounds)
    counts: list[int] = []
    failures: list[BaseException] = []

    def loop() -> None:
        try:
            counts.append(_drain_loop(client, batch, max_rounds))
        except BaseException as exc:  # re-raised in the caller; the dossiers' leases run out
            failures.append(exc)
        finally:
            connection.close()  # this thread's own connection

    pool = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise failures[0]
    return sum(counts)


def _drain_loop(client: NationalPortalClient, batch: int, max_rounds: int) -> int:
    token = secrets.token_hex(8)  # one per loop: a loop's leases are its own
    sent = 0
    with transaction.atomic():
        calls = _claim_batch(token, batch)
    for _ in range(max_rounds):
        if not calls:
            break
        _send(calls, client)
        with transaction.atomic():
            round_sent, outcomes = _record_outcomes(calls, token)
            # Nothing went nor was parked (the portal is failing): stop; the failed dossiers' senders are queued
            # with backoff. (A record refused in a call the portal refused whole: the others go again at once.)
            progress = round_sent or "parked" in outcomes.values()
            calls = _claim_batch(token, batch) if progress else []
        sent += round_sent
    return sent


def _claim_batch(token: str, n: int) -> list[_Call]:
    """In the caller's transaction: lease up to ``n`` dossiers whose first unsent update may go now and that no
    sender holds (skip-locked), and plan their calls."""
    now = clock.now()
    # Probes of the partial index of unsent updates (``national_update_unsent_idx``), dossier by dossier.
    unsent = SyncUpdate.objects.exclude(state=UpdateState.SENT).filter(dossier_id=OuterRef("pk"))
    held_back = unsent.filter(Q(state=UpdateState.PARKED) | Q(next_attempt_at__gt=now))
    dossier_ids = list(
        SyncState.objects.select_for_update(skip_locked=True)
        .filter(Q(lease_token="") | Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .filter(Exists(unsent))
        .exclude(Exists(held_back))
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    if not dossier_ids:
        return []
    calls, _ = _plan(dossier_ids, token, now, n)
    return calls


def _claim(dossier_id: int, token: str) -> list[_Call] | str:
    with transaction.atomic():
        state = SyncState.objects.select_for_update(skip_locked=True).filter(pk=dossier_id).first()
        now = clock.now()
        if state is None:
            if not SyncState.objects.filter(pk=dossier_id).exists():
                return "missing"
            _queue_sender(dossier_id, run_after=timezone.now() + BUSY_RETRY)
            return "busy"
        if state.lease_token not in ("", token) and state.lease_until is not None and state.lease_until > now:
            _queue_sender(dossier_id, run_after=timezone.now() + BUSY_RETRY)
            return "busy"
        return _plan_one(state, token)


def _release(dossier_id: int, token: str) -> None:
    SyncState.objects.filter(pk=dossier_id, lease_token=token).update(lease_token="", lease_until=None)


@transaction.atomic
def sync_updates_resend(*, update_ids: Iterable[int], actor: User | None = None) -> list[SyncUpdate]:
    """Send parked (or stuck pending) updates again at once (operator's "Gửi lại"); sent ones stay as they are.

    The attempt count starts again; one sender task per dossier is queued. Returns the updates queued.
    """
    rows = list(
        SyncUpdate.objects.select_for_update()
        .filter(pk__in=list(update_ids))
        .exclude(state=UpdateState.SENT)
        .order_by("dossier_id", "sequence")
    )
    for row in rows:
        audit_record(
            actor=actor,
            action="national_update.resend",
            object_type="dossier",
            object_id=row.dossier_id,
            data={
                "sequence": row.sequence,
                "service": row.service,
                "attempts": row.attempts,
                "last_error": row.last_error,
            },
        )
        row.state = UpdateState.PENDING
        row.attempts = 0
        row.next_attempt_at = None
    SyncUpdate.objects.bulk_update(rows, ["state", "attempts", "next_attempt_at"])
    for dossier_id in sorted({row.dossier_id for row in rows}):
        _queue_sender(dossier_id)
    return rows


def sync_sweep() -> int:
    """Queue a sender for every dossier with a pending update that is due (a safety net; cron or reconcile)."""
    dossier_ids = sorted(
        set(
            SyncUpdate.objects.filter(state=UpdateState.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now()))
            .values_list("dossier_id", flat=True)
        )
    )
    for dossier_id in dossier_ids:
        _queue_sender(dossier_id)
    return len(dossier_ids)


# --- reconciliation ---


@dataclass
class ReconcileReport:
    checked: int = 0
    mismatched: int = 0
    resent: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def national_reconcile(
    *, day: dt.date, unit_code: str | None = None, client: NationalPortalClient | None = None
) -> ReconcileReport:
    """Compare, for every connected dossier touched on ``day`` (Vietnam time), the local status with the
    portal's (``TraCuuHoSo``); send what differs again, now, and count.

    A mismatched dossier with parked or pending updates gets those sent (in order); one whose outbox is all
    sent gets its whole record again (``DongBoHoSoMC``, a new update at the end of its outbox). ``failed``:
    the look-up or the re-sending did not go through (the updates stay queued or parked).
    """
    client = client or chosen_client()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=clock.VN_TZ)
    touched = DossierEvent.objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
    dossiers = (
        Dossier.objects.filter(pk__in=touched.values("dossier_id"))
        .filter(procedure_version__procedure__national_portal_connected=True, code__isnull=False)
        .select_related("unit", "procedure_version")
        .order_by("pk")
    )
    if unit_code:
        dossiers = dossiers.filter(unit__code=unit_code)
    report = ReconcileReport()
    for dossier in dossiers:
        local = STATUS_CODES.get(dossier.status)
        if local is None:
            continue
        report.checked += 1
        portal_code = _national_code(dossier.pk) or dossier.code
        try:
            answer = client.call(Service.LOOKUP, [{"MaHoSo": portal_code}], False)
        except PortalError as exc:
            logger.warning("national_reconcile_lookup_failed", dossier=dossier.pk, error=str(exc))
            report.failed += 1
            continue
        found = [r for r in answer.get("result") or [] if r.get("MaHoSo") == portal_code]
        remote = found[0].get("TrangThaiHoSo") if found else None
        if remote == local:
            continue
        report.mismatched += 1
        if _resend_dossier(dossier, on_portal=bool(found), client=client):
            report.resent += 1
        else:
            report.failed += 1
    return report


def _resend_dossier(dossier: Dossier, *, on_portal: bool, client: NationalPortalClient) -> bool:
    with transaction.atomic():
        SyncState.objects.get_or_create(dossier=dossier)
        state = SyncState.objects.select_for_update().get(pk=dossier.pk)
        unsent = list(SyncUpdate.objects.filter(dossier=dossier).exclude(state=UpdateState.SENT))
        if unsent:
            for row in unsent:
                row.state = UpdateState.PENDING
                row.attempts = 0
                row.next_attempt_at = None
            SyncUpdate.objects.bulk_update(unsent, ["state", "attempts", "next_attempt_at"])
        else:
            version = version_for_records(dossier.procedure_version_id)
            state.last_sequence += 1
            last_event = DossierEvent.objects.filter(dossier=dossier).order_by("-pk").first()
            record = mapping.dossier_record(
                mapping.dossier_snapshot_now(dossier),
                version=version,
                flags=dossier_digitisation_flags(dossier.pk),
            )
            record["MaHoSo"] = _national_code(dossier.pk) or record["MaHoSo"]
            SyncUpdate.objects.create(
                dossier=dossier,
                sequence=state.last_sequence,
                event=last_event,
                service=Service.SYNC_DOSSIER,
                is_updating=on_portal,
                payload=record,
                status_code=record["TrangThaiHoSo"],
                idempotency_key=f"motcua:{dossier.pk}:reconcile:{state.last_sequence}",
                created_at=clock.now(),
            )
            state.save(update_fields=["last_sequence"])
    sync_send(dossier_id=dossier.pk, client=client)
    return not SyncUpdate.objects.filter(dossier=dossier).exclude(state=UpdateState.SENT).exists()


# --- procedures ---


def demo_procedures_connect() -> int:
    """Mark the demo catalog's procedures offered online (fully or partly) as connected to the national portal.

    The real list comes from the national catalog (issue 13, catalog pull); ``motcua load-demo`` calls this
    in the sandbox so that a dossier received at the desk reaches the sandbox portal. Returns how many changed.
    """
    return (
        Procedure.objects.filter(
            national_portal_connected=False,
            versions__online_mode__in=[OnlineMode.FULL, OnlineMode.PARTIAL],
        )
        .distinct()
        .update(national_portal_connected=True)
    )
