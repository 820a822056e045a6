from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditChainHead, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_repr", "action", "object_type", "object_id", "chain_day", "seq"]
    list_filter = ["object_type", "action"]
    search_fields = ["object_id", "actor_repr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(admin.ModelAdmin):
    """Each day's chain: its length and last hash (``motcua verify-audit`` checks the entries against it)."""

    list_display = ["day", "count", "last_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
