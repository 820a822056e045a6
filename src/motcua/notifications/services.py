"""Queueing messages (inside the caller's transaction) and retrying failed ones."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction

from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict
from motcua.core.text import fold

from .models import Message, MessageChannel, MessageState
from .templates import render

if TYPE_CHECKING:
    from motcua.accounts.models import User

_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


@transaction.atomic
def message_queue(
    *,
    event: str,
    key: str,
    email: str = "",
    phone: str = "",
    context: dict[str, Any],
    object_type: str = "",
    object_id: str | int = "",
) -> list[Message]:
    """Render ``event`` and queue one message per available channel; enqueue their delivery.

    ``key`` identifies the occurrence (e.g. the dossier event id): the same key never queues twice.
    """
    context = {**context, "unit_ascii": fold(str(context.get("unit", "")))}
    subject, body, sms = render(event, context)
    wanted: list[tuple[str, str, str, str]] = []
    if email:
        wanted.append((MessageChannel.EMAIL, email, subject, body))
    phone = re.sub(r"[\s.-]", "", phone)
    if phone and _PHONE.match(phone):
        wanted.append((MessageChannel.SMS, phone, "", sms))
    from .tasks import deliver_message

    messages = []
    for channel, recipient, subj, text in wanted:
        message, created = Message.objects.get_or_create(
            idempotency_key=f"{key}:{channel}",
            defaults={
                "event": event,
                "channel": channel,
                "recipient": recipient,
                "subject": subj,
                "body": text,
                "object_type": object_type,
                "object_id": str(object_id),
                "created_at": clock.now(),
            },
        )
        if created:
            deliver_message.enqueue(message.pk)
        messages.append(message)
    return messages


@transaction.atomic
def message_retry(*, message: Message, actor: User | None = None) -> Message:
    """Queue a failed message again (administrator action); the attempt count is kept."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.state != MessageState.FAILED:
        raise Conflict("Chỉ gửi lại được thông báo gửi không thành công.", code="message_not_failed")
    message.state = MessageState.QUEUED
    message.next_attempt_at = None
    message.save(update_fields=["state", "next_attempt_at"])
    audit_record(
        actor=actor,
        action="message.retry",
        object_type="message",
        object_id=message.pk,
        data={"attempts": message.attempts, "last_error": message.last_error},
    )
    from .tasks import deliver_message

    deliver_message.enqueue(message.pk)
    return message
