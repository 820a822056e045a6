from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CodeFormat, CodeSequence, Dossier, DossierComponent, DossierEvent, DossierStep


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ComponentInline(ReadOnlyInline):
    model = DossierComponent


class StepInline(ReadOnlyInline):
    model = DossierStep


class EventInline(ReadOnlyInline):
    model = DossierEvent


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: dossiers change only through the lifecycle (back office, API)."""

    list_display = ["code", "status", "unit", "applicant_name", "received_at", "due_at", "finished_at"]
    list_filter = ["status", "channel"]
    search_fields = ["code", "applicant_name"]
    list_select_related = ["unit"]
    inlines = [ComponentInline, StepInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CodeFormat)
class CodeFormatAdmin(admin.ModelAdmin):
    list_display = ["template", "unit", "valid_from"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]


@admin.register(CodeSequence)
class CodeSequenceAdmin(admin.ModelAdmin):
    list_display = ["prefix", "day", "last"]
    readonly_fields = ["prefix", "day", "last"]
