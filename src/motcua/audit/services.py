"""Writing the audit trail."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder

from motcua.core import clock

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
    """Append one audit entry (call it inside the transaction of the write it records)."""
    payload = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_repr=str(actor) if actor is not None and actor.is_authenticated else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        at=clock.now(),
        data=payload,
    )
