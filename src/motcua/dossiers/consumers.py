"""Transition consumers: what a dossier transition sets off outside itself (the outbox).

``dossier_transition`` ends, after the ``DossierEvent`` and the audit entry, with
``transition_consumers_dispatch(event=...)``: each registered consumer that ``wants`` the event gets a
``ConsumerDelivery`` row (with the ``snapshot`` it takes of the change) and one task runs them all
(``tasks.consume_deliveries``). Rows and task are written in the transition's transaction (the
``django-tasks-db`` queue is a table): they commit or roll back with it. A consumer runs later, in the worker,
each on its own; one failing never touches the transition nor the other consumers: its error is recorded and
it is retried with backoff, then parked as failed for an administrator ("Chạy lại" in the admin).

A consumer is a ``TransitionConsumer`` registered in its app's ``AppConfig.ready()`` (notifications:
``motcua.notifications.consumers``). See docs/dossiers.md, "Transition consumers".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar

import structlog
from django.db import transaction

from motcua.audit.services import audit_record
from motcua.core.registry import Plugin, Registry
from motcua.core.rows import insert_rows

from .models import ConsumerDelivery, DeliveryState, DossierEvent

if TYPE_CHECKING:
    from motcua.accounts.models import User

logger = structlog.get_logger(__name__)


class TransitionConsumer(Plugin):
    """Base of transition consumers. Subclass, then ``@transition_consumers.register("identifier")``.

    ``wants`` and ``snapshot`` run inside the transition's transaction, on the event as written (its
    ``dossier`` is the locked, updated row with its unit and procedure version loaded): they must be quick,
    read nothing from the database and write nothing. ``consume`` runs later in the worker, in a savepoint of
    its own (a failure undoes its writes and nothing else); it may run more than once for one event (a retry
    after a timeout, a re-run by hand): make its effect idempotent, e.g. keyed on ``event.pk``.
    """

    max_attempts: ClassVar[int] = 5  # then the delivery is parked as failed
    # True for a consumer that sends the change out of motcua (the national portal, …): it is handed nothing
    # inside ``outbound_consumers_off()`` (simulated history never leaves the system).
    outbound: ClassVar[bool] = False

    def is_requested(self) -> bool:
        """A registered consumer is on (``is_enabled``: and not a sandbox one outside the sandbox)."""
        return True

    def wants(self, event: DossierEvent) -> bool:
        """Whether this consumer acts on ``event`` (``event.action``, ``event.to_status``, ``event.dossier``…)."""
        return True

    def snapshot(self, event: DossierEvent) -> dict[str, Any]:
        """What ``consume`` must know of the moment of the transition (JSON), beyond the event row.

        The dossier may have moved on when ``consume`` runs; take here what must read as it was.
        """
        return {}

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        """Act on the committed change; raise to have it retried."""
        raise NotImplementedError


transition_consumers: Registry[TransitionConsumer] = Registry("transition consumer")

_outbound_off: ContextVar[bool] = ContextVar("outbound_consumers_off", default=False)


@contextmanager
def outbound_consumers_off() -> Iterator[None]:
    """Inside (a ``with`` block or a decorated function), transitions hand nothing to outbound consumers.

    The simulator makes its dossiers through the real services; what it makes is not real and must never
    reach an outside system, whatever is configured (a real national portal included).
    """
    token = _outbound_off.set(True)
    try:
        yield
    finally:
        _outbound_off.reset(token)


def transition_consumers_dispatch(*, event: DossierEvent) -> list[ConsumerDelivery]:
    """Record one delivery per consumer that wants ``event`` and enqueue their task (the caller's transaction).

    Two statements when some consumer wants the event (one insert of the rows, one task row), none otherwise.
    A consumer whose ``wants`` or ``snapshot`` raises gets a failed delivery carrying the error (visible in the
    admin, re-run by hand) instead of breaking the transition.
    """
    deliveries: list[ConsumerDelivery] = []
    outbound_off = _outbound_off.get()
    for consumer in transition_consumers.enabled():
        if outbound_off and consumer.outbound:
            continue
        delivery = ConsumerDelivery(event=event, consumer=consumer.identifier, created_at=event.at)
        try:
            if not consumer.wants(event):
                continue
            delivery.snapshot = consumer.snapshot(event)
        except Exception as exc:  # a consumer's bug must not refuse the transition
            logger.exception(
                "transition_consumer_dispatch_error", consumer=consumer.identifier, dossier_event=event.pk
            )
            delivery.snapshot = None
            delivery.state = DeliveryState.FAILED
            delivery.last_error = f"Lỗi khi ghi nhận thao tác: {type(exc).__name__}: {exc}"[:2000]
        deliveries.append(delivery)
    if not deliveries:
        return []
    insert_rows(deliveries)  # bulk_create's statement, without the ORM's cost of building it
    queued = [[d.pk, d.attempts] for d in deliveries if d.state == DeliveryState.QUEUED]
    if queued:
        from .tasks import consume_deliveries

        consume_deliveries.enqueue(queued)
    return deliveries


@transaction.atomic
def consumer_delivery_rerun(
    *, delivery_ids: Iterable[int], actor: User | None = None
) -> list[ConsumerDelivery]:
    """Queue the deliveries again at once (administrator action): failed ones and queued ones stuck waiting.

    Done deliveries are left as they are (a consumer never runs twice for one event through this). The
    attempt count is kept; a retry that was already scheduled for a re-run delivery then does nothing (the
    task checks the attempt count it was enqueued for). Returns the deliveries queued, one task for all.
    """
    rows = list(
        ConsumerDelivery.objects.select_for_update()
        .filter(pk__in=list(delivery_ids))
        .exclude(state=DeliveryState.DONE)
        .order_by("pk")
    )
    if not rows:
        return []
    for row in rows:
        row.state = DeliveryState.QUEUED
        row.next_attempt_at = None
        audit_record(
            actor=actor,
            action="consumer_delivery.rerun",
            object_type="consumer_delivery",
            object_id=row.pk,
            data={
                "consumer": row.consumer,
                "event": row.event_id,
                "attempts": row.attempts,
                "last_error": row.last_error,
            },
        )
    ConsumerDelivery.objects.bulk_update(rows, ["state", "next_attempt_at"])
    from .tasks import consume_deliveries

    consume_deliveries.enqueue([[row.pk, row.attempts] for row in rows])
    return rows
