"""Reading the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries_for(*, object_type: str, object_id: str | int) -> QuerySet[AuditEntry]:
    """The entries of one object, oldest first."""
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("at", "pk")
