"""Admin: the petitions, read-only (answers are given in the back office, where they are audited)."""

from __future__ import annotations

from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin

from .models import Petition


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "subject", "unit", "status", "submitted_at", "due_at", "answered_at")
    list_filter = ("status", "subject", "publish_consent")
    search_fields = ("code", "title")
    exclude = ("client_key",)
