"""Queueing messages (inside the caller's transaction) and retrying failed ones."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict
from motcua.core.text import fold

from .channels import email_channels, sms_channels
from .models import Message, MessageChannel, MessageState
from .templates import render

if TYPE_CHECKING:
    from motcua.accounts.models import User

_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


@transaction.atomic(savepoint=False)  # a part of the caller's transaction: no savepoint of its own
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
    """Render ``event`` and queue one message per available channel; enqueue their delivery (one task).

    A channel is available when its plugin is enabled (``MOTCUA_EMAIL_CHANNEL``, ``MOTCUA_SMS_CHANNEL``).

    ``key`` identifies the occurrence (e.g. the dossier event id): the same key never queues twice.
    """
    context = {**context, "unit_ascii": fold(str(context.get("unit", "")))}
    subject, body, sms = render(event, context)
    wanted: list[tuple[str, str, str, str]] = []
    if email and email_channels.chosen() is not None:
        wanted.append((MessageChannel.EMAIL, email, subject, body))
    phone = re.sub(r"[\s.-]", "", phone)
    if phone and _PHONE.match(phone) and sms_channels.chosen() is not None:
        wanted.append((MessageChannel.SMS, phone, "", sms))
    from .tasks import deliver_messages

    now = clock.now()
    candidates = [
        Message(
            idempotency_key=f"{key}:{channel}",
            event=event,
            channel=channel,
            recipient=recipient,
            subject=subj,
            body=text,
            object_type=object_type,
            object_id=str(object_id),
            created_at=now,
        )
        for channel, recipient, subj, text in wanted
    ]
    inserted = _insert_new(candidates)
    skipped = [c.idempotency_key for c in candidates if c.idempotency_key not in inserted]
    earlier = (
        {m.idempotency_key: m for m in Message.objects.filter(idempotency_key__in=skipped)} if skipped else {}
    )
    messages = []
    new: list[int] = []
    for message in candidates:
        if message.idempotency_key in inserted:
            message.pk = inserted[message.idempotency_key]
            message._state.adding = False
            message._state.db = connection.alias
            new.append(message.pk)
            messages.append(message)
        elif message.idempotency_key in earlier:
            messages.append(earlier[message.idempotency_key])
    if new:
        deliver_messages.enqueue(new)
    return messages


def _insert_new(messages: list[Message]) -> dict[str, int]:
    """Insert ``messages`` in one statement, skipping keys already queued: ``{idempotency key: new id}``.

    ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING`` (PostgreSQL; SQLite >= 3.35): idempotent
    without a read first nor a savepoint, and a concurrent insert of the same key waits and then skips.
    """
    if not messages:
        return {}
    qn = connection.ops.quote_name
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(qn(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(Message._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(messages))} "
        f"ON CONFLICT ({qn('idempotency_key')}) DO NOTHING RETURNING {qn('id')}, {qn('idempotency_key')}"
    )
    params = [f.get_db_prep_save(f.pre_save(m, True), connection) for m in messages for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {str(key): int(pk) for pk, key in cursor.fetchall()}


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
