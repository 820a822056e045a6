from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin

from .models import AuditChainHead, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_repr", "action", "object_type", "object_id", "chain_day", "seq"]
    list_filter = ["object_type", "action"]
    search_fields = ["object_id", "actor_repr"]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    """Each day's chain: its length and last hash (``motcua verify-audit`` checks the entries against it)."""

    list_display = ["day", "count", "last_hash"]
