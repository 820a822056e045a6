"""Writing the audit trail."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from motcua.core import clock
from motcua.core.rows import insert_row

from .chain import chain_append, entry_digest, normalise_data
from .models import AuditEntry

if TYPE_CHECKING:
    from motcua.accounts.models import User


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry (call it inside the transaction of the write it records).

    Two statements: the day's chain head (one locking upsert, ``chain.chain_append``) and the entry. The head
    stays locked until the transaction ends: audited writes of one day commit one after another from here on.
    Take the transaction's row locks before calling it (lock, change, audit), or two writers can deadlock.
    """
    payload = normalise_data(json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False)))
    known = actor is not None and actor.is_authenticated
    at = clock.now()
    entry = AuditEntry(
        actor=actor if known else None,
        actor_repr=str(actor) if known else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        at=at,
        data=payload,
        chain_day=at.astimezone(clock.VN_TZ).date(),
    )
    with transaction.atomic(savepoint=False):  # the head and the entry commit together, no extra statement
        link = chain_append(day=entry.chain_day, digest=entry_digest(entry))
        entry.seq, entry.prev_hash, entry.hash = link.seq, link.prev_hash, link.hash
        insert_row(entry)  # the ORM's save() without its cost (an entry per audited write)
    return entry
