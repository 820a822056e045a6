"""Delivery of queued messages, retried with exponential backoff."""

from __future__ import annotations

import datetime as dt

import structlog
from django.db import transaction
from django.tasks import task, task_backends

from motcua.core import clock
from motcua.core.retry import exponential_backoff

from .channels import DeliveryError, current_sms_channel, send_email
from .models import Message, MessageChannel, MessageState

logger = structlog.get_logger(__name__)

MAX_ATTEMPTS = 5
BASE_BACKOFF = dt.timedelta(minutes=1)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes."""
    return exponential_backoff(attempts, base=BASE_BACKOFF)


@task()
def deliver_messages(message_ids: list[int]) -> list[str]:
    """Send the messages of one occurrence (e.g. the email and the SMS of a receipt), each on its own.

    One task for the messages queued together, instead of one task each; a failed one is retried alone
    (``deliver_message`` with a delay), the others are not held back by it.
    """
    states: list[str] = []
    error: Exception | None = None
    for message_id in message_ids:
        try:
            states.append(_deliver(message_id))
        except Exception as exc:  # an unexpected error: the other messages are still sent, then it is raised
            logger.exception("message_delivery_error", message=message_id)
            states.append("error")
            error = error or exc
    if error is not None:
        raise error
    return states


@task()
def deliver_message(message_id: int) -> str:
    """Send one message; idempotent (a sent message is not sent again)."""
    return _deliver(message_id)


def _deliver(message_id: int) -> str:
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != MessageState.QUEUED:
            return message.state if message is not None else "missing"
        message.attempts += 1
        try:
            if message.channel == MessageChannel.EMAIL:
                ref = send_email(
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    idempotency_key=message.idempotency_key,
                )
            else:
                ref = current_sms_channel().send(
                    recipient=message.recipient, body=message.body, idempotency_key=message.idempotency_key
                )
        except DeliveryError as exc:
            message.last_error = str(exc)[:2000]
            retry = message.attempts < MAX_ATTEMPTS and task_backends[deliver_message.backend].supports_defer
            if retry:
                message.next_attempt_at = clock.now() + backoff(message.attempts)
            else:
                message.state = MessageState.FAILED
                message.next_attempt_at = None
            message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            if retry and message.next_attempt_at is not None:
                deliver_message.using(run_after=message.next_attempt_at).enqueue(message.pk)
            logger.warning(
                "message_delivery_failed", message=message.pk, attempts=message.attempts, retry=retry
            )
            return message.state
        message.state = MessageState.SENT
        message.provider_ref = ref[:255]
        message.sent_at = clock.now()
        message.last_error = ""
        message.next_attempt_at = None
        message.save(
            update_fields=["attempts", "state", "provider_ref", "sent_at", "last_error", "next_attempt_at"]
        )
        return message.state
