"""The national-portal sync: the per-dossier ordered outbox, its sender, re-sending, reconciliation.

Flow (docs/national-portal.md): a dossier transition hands its event to the ``national-portal`` transition
consumer (``consumers.py``), which calls ``sync_updates_record``: the dossier's updates are appended to its
outbox (``SyncUpdate``, numbered per dossier in event order) and a sender task is queued. ``sync_send`` then
delivers the dossier's unsent updates strictly in order, holding the dossier's lease (taken and renewed in
short transactions on its ``SyncState`` row, skip-locked: a second sender of the same dossier steps aside;
no transaction is open during a call), each call with its idempotency key; a failure is retried with backoff and parked after ``MOTCUA_DVCQG_MAX_ATTEMPTS``. A parked
update holds back the later ones of its dossier until an operator sends it again (``sync_updates_resend``).
"""

from __future__ import annotations

import datetime as dt
import queue
import secrets
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
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
from .client import NationalPortalClient, PortalError, PortalRejected, chosen_client
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
    outcome: str = "done"  # done | busy | waiting | retry | parked | missing | more


def lease_duration() -> dt.timedelta:
    """How long a sender holds a dossier without renewing: longer than any one call may take."""
    return dt.timedelta(seconds=2 * float(settings.MOTCUA_DVCQG_TIMEOUT) + 5)


def sync_send(
    *,
    dossier_id: int,
    client: NationalPortalClient | None = None,
    limit: int = 1000,
    token: str = "",
) -> SendResult:
    """Deliver the dossier's unsent updates in order, one at a time, holding the dossier's lease.

    For each update: a short transaction locks the dossier's ``SyncState`` row (skip-locked), checks no other
    sender holds an unexpired lease, picks the first unsent update and takes the lease; the call to the portal
    runs outside any transaction (the database is never locked while waiting for the portal, which may be
    served from the same database, as the sandbox is); a second short transaction records the outcome. A
    sender killed in the middle leaves its update unsent and its lease to expire; the next sender sends the
    same update again (same idempotency key). Stops at the first update that cannot go now: one waiting for
    its retry time (its task is queued), a failure (retried later with backoff, or parked), a parked one (an
    operator sends it again). ``busy``: another sender holds the dossier; this one is queued again shortly.
    """
    client = client or chosen_client()
    token = token or secrets.token_hex(8)
    result = SendResult()
    claimed: SyncUpdate | str = _claim(dossier_id, token)
    for _ in range(limit):
        if isinstance(claimed, str):
            result.outcome = claimed
            return result
        error = _call(claimed, client)
        # The outcome is recorded and the next update claimed in the same transaction (one commit per update).
        outcome, claimed = _finish(claimed, token, error, claim_next=result.sent + 1 < limit)
        if outcome != "sent":
            result.outcome = outcome
            return result
        result.sent += 1
    _release(dossier_id, token)
    result.outcome = "more"
    _queue_sender(dossier_id)
    return result


def sync_drain(
    *, client: NationalPortalClient | None = None, threads: int = 8, batch: int = 0, max_rounds: int = 10_000
) -> int:
    """Send the backlog: claim the leases of a batch of dossiers with due updates in one statement, then send
    each dossier's updates in order (``sync_send`` with that lease) on ``threads`` concurrent senders; again
    until no dossier is due. Returns how many updates went.

    Same guarantees as one ``sync_send`` per dossier: a dossier is sent by one sender at a time (the lease,
    taken skip-locked, so several drains and the per-dossier tasks share the work), in order, each update with
    its key. A dossier held back by a parked update or one waiting for its retry time is not claimed.
    """
    client = client or chosen_client()
    threads = max(1, threads)
    batch = batch or 4 * threads
    token = secrets.token_hex(8)
    sent = 0
    for _ in range(max_rounds):
        dossier_ids = _claim_dossiers(token, batch)
        if not dossier_ids:
            break
        round_sent = _send_concurrently(dossier_ids, client=client, token=token, threads=threads)
        sent += round_sent
        if round_sent == 0:
            break
    return sent


def _claim_dossiers(token: str, n: int) -> list[int]:
    """Lease up to ``n`` dossiers whose first unsent update may go now and that no sender holds (skip-locked)."""
    now = clock.now()
    unsent = SyncUpdate.objects.exclude(state=UpdateState.SENT)
    held_back = unsent.filter(Q(state=UpdateState.PARKED) | Q(next_attempt_at__gt=now)).values("dossier_id")
    with transaction.atomic():
        dossier_ids = list(
            SyncState.objects.select_for_update(skip_locked=True)
            .filter(Q(lease_token="") | Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .filter(pk__in=unsent.values("dossier_id"))
            .exclude(pk__in=held_back)
            .order_by("pk")
            .values_list("pk", flat=True)[:n]
        )
        if dossier_ids:
            SyncState.objects.filter(pk__in=dossier_ids).update(
                lease_token=token, lease_until=now + lease_duration()
            )
    return dossier_ids


def _send_concurrently(
    dossier_ids: list[int], *, client: NationalPortalClient, token: str, threads: int
) -> int:
    if threads == 1 or len(dossier_ids) == 1:
        return sum(sync_send(dossier_id=pk, client=client, token=token).sent for pk in dossier_ids)
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for pk in dossier_ids:
        work.put(pk)
    counts: list[int] = []
    failures: list[BaseException] = []

    def sender() -> None:
        sent = 0
        try:
            while True:
                try:
                    pk = work.get_nowait()
                except queue.Empty:
                    break
                sent += sync_send(dossier_id=pk, client=client, token=token).sent
        except BaseException as exc:  # re-raised in the caller; the dossier's lease runs out
            failures.append(exc)
        finally:
            counts.append(sent)
            connection.close()  # this thread's own connection

    pool = [threading.Thread(target=sender, daemon=True) for _ in range(min(threads, len(dossier_ids)))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise failures[0]
    return sum(counts)


def _claim(dossier_id: int, token: str) -> SyncUpdate | str:
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
        update = _next_unsent(state, now)
        if isinstance(update, str):
            return update
        state.lease_token, state.lease_until = token, now + lease_duration()
        state.save(update_fields=["lease_token", "lease_until"])
        return update


def _next_unsent(state: SyncState, now: dt.datetime) -> SyncUpdate | str:
    """In the transaction holding ``state``'s row lock: the dossier's first unsent update if it may go now,
    else why not (``done``, ``parked``, ``waiting``; the lease is then released, in the caller's transaction)."""
    update = (
        SyncUpdate.objects.filter(dossier_id=state.pk)
        .exclude(state=UpdateState.SENT)
        .order_by("sequence")
        .first()
    )
    outcome = ""
    if update is None:
        outcome = "done"
    elif update.state == UpdateState.PARKED:
        outcome = "parked"
    elif update.next_attempt_at is not None and update.next_attempt_at > now:
        outcome = "waiting"
    if outcome:
        if state.lease_token:
            state.lease_token, state.lease_until = "", None
            state.save(update_fields=["lease_token", "lease_until"])
        return outcome
    assert update is not None
    return update


def _release(dossier_id: int, token: str) -> None:
    SyncState.objects.filter(pk=dossier_id, lease_token=token).update(lease_token="", lease_until=None)


def _call(update: SyncUpdate, client: NationalPortalClient) -> PortalError | None:
    """One call to the portal, outside any transaction; the error, or ``None`` when it went through."""
    try:
        client.call(
            update.service, [update.payload], update.is_updating, idempotency_key=update.idempotency_key
        )
    except PortalError as exc:
        return exc
    return None


def _finish(
    claimed: SyncUpdate, token: str, error: PortalError | None, *, claim_next: bool = False
) -> tuple[str, SyncUpdate | str]:
    """Record the call's outcome: ``sent`` (the lease is kept for the next update), ``retry``, ``parked``,
    ``lost`` (another sender took the dossier over meanwhile: a failure is left to it); with ``claim_next``,
    also claim the dossier's next update in the same transaction (what ``_claim`` would answer)."""
    with transaction.atomic():
        state = SyncState.objects.select_for_update().get(pk=claimed.dossier_id)
        ours = state.lease_token == token
        now = clock.now()
        if error is None:
            # One conditional UPDATE marks it sent (0 rows: another sender marked it already).
            marked = (
                SyncUpdate.objects.filter(pk=claimed.pk)
                .exclude(state=UpdateState.SENT)
                .update(attempts=F("attempts") + 1, state=UpdateState.SENT, sent_at=now, next_attempt_at=None)
            )
            fields = []
            if marked:
                if claimed.status_code is not None:
                    state.last_sent_status = claimed.status_code
                state.last_sent_at, state.last_error, state.last_error_at = now, "", None
                fields += ["last_sent_status", "last_sent_at", "last_error", "last_error_at"]
            if ours:
                state.lease_until = now + lease_duration()
                fields.append("lease_until")
            if fields:
                state.save(update_fields=fields)
            if not ours:
                return "lost", "lost"
            return "sent", _next_unsent(state, now) if claim_next else "more"
        update = SyncUpdate.objects.select_for_update().get(pk=claimed.pk)
        if not ours or update.state == UpdateState.SENT:
            return "lost", "lost"
        update.attempts += 1
        message = f"{type(error).__name__}: {error}"[:2000]
        max_attempts = int(getattr(settings, "MOTCUA_DVCQG_MAX_ATTEMPTS", 12))
        park = isinstance(error, PortalRejected) or update.attempts >= max_attempts
        update.last_error = message
        if park:
            update.state = UpdateState.PARKED
            update.next_attempt_at = None
        else:
            update.next_attempt_at = now + backoff(update.attempts)
        update.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        state.last_error = message
        state.last_error_at = now
        state.lease_token, state.lease_until = "", None
        state.save(update_fields=["last_error", "last_error_at", "lease_token", "lease_until"])
        if not park:
            delay = backoff(update.attempts)
            _queue_sender(update.dossier_id, run_after=timezone.now() + delay if delay else None)
        logger.warning(
            "national_update_failed",
            dossier=update.dossier_id,
            sequence=update.sequence,
            service=update.service,
            attempts=update.attempts,
            parked=park,
            error=message,
        )
        outcome = "parked" if park else "retry"
        return outcome, outcome


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
