"""Running transition consumers (``consumers.py``): each delivery on its own, retried with backoff."""

from __future__ import annotations

import datetime as dt

import structlog
from django.db import transaction
from django.tasks import task, task_backends

from motcua.core import clock
from motcua.core.retry import exponential_backoff

from .consumers import TransitionConsumer, transition_consumers
from .models import ConsumerDelivery, DeliveryState

logger = structlog.get_logger(__name__)

MAX_ATTEMPTS = TransitionConsumer.max_attempts  # of a consumer no longer registered
BASE_BACKOFF = dt.timedelta(minutes=1)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes."""
    return exponential_backoff(attempts, base=BASE_BACKOFF)


@task()
def consume_deliveries(deliveries: list[list[int]]) -> list[str]:
    """Run the deliveries ``[[id, attempts], …]`` (the consumers of one event, or a re-run), each on its own.

    ``attempts`` is the count the delivery had when this task was enqueued: if it has changed (another run
    came first) or the delivery is no longer queued, the delivery is skipped. Running the task twice therefore
    runs each consumer once. A consumer's error is recorded on its delivery and retried later by a task of its
    own (``run_after``); an error of this bookkeeping itself fails the task after the other deliveries ran.
    """
    states: list[str] = []
    error: Exception | None = None
    for delivery_id, attempts in deliveries:
        try:
            states.append(_consume(delivery_id, attempts))
        except Exception as exc:
            logger.exception("consumer_delivery_error", delivery=delivery_id)
            states.append("error")
            error = error or exc
    if error is not None:
        raise error
    return states


def _consume(delivery_id: int, expected_attempts: int) -> str:
    with transaction.atomic():
        delivery = (
            ConsumerDelivery.objects.select_for_update(of=("self",))
            .select_related("event__dossier")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.state != DeliveryState.QUEUED or delivery.attempts != expected_attempts:
            return delivery.state
        delivery.attempts += 1
        consumer: TransitionConsumer | None = None
        try:
            consumer = transition_consumers[delivery.consumer]
            with transaction.atomic():  # a savepoint: a failing consumer's writes go, the attempt is recorded
                snapshot = delivery.snapshot
                if snapshot is None:  # could not be taken at the transition: taken now, from the event
                    snapshot = consumer.snapshot(delivery.event)
                consumer.consume(delivery.event, snapshot)
        except Exception as exc:
            limit = consumer.max_attempts if consumer is not None else MAX_ATTEMPTS
            retry = delivery.attempts < limit and task_backends[consume_deliveries.backend].supports_defer
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if retry:
                delivery.next_attempt_at = clock.now() + backoff(delivery.attempts)
            else:
                delivery.state = DeliveryState.FAILED
                delivery.next_attempt_at = None
            delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            if retry and delivery.next_attempt_at is not None:
                consume_deliveries.using(run_after=delivery.next_attempt_at).enqueue(
                    [[delivery.pk, delivery.attempts]]
                )
            logger.warning(
                "consumer_delivery_failed",
                delivery=delivery.pk,
                consumer=delivery.consumer,
                attempts=delivery.attempts,
                retry=retry,
                exc_info=True,
            )
            return delivery.state
        delivery.state = DeliveryState.DONE
        delivery.done_at = clock.now()
        delivery.last_error = ""
        delivery.next_attempt_at = None
        delivery.save(update_fields=["attempts", "state", "done_at", "last_error", "next_attempt_at"])
        return delivery.state
