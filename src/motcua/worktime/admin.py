"""Administrators edit the calendar overrides here; every write goes through the services (cache refresh)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed

from .models import CalendarOverride
from .services import calendar_override_create, calendar_override_delete, calendar_override_update


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "name", "decision"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    form = CalendarOverrideForm
    list_display = ["date", "weekday", "kind", "name", "decision", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "decision"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        names = [
            _("Thứ Hai"),
            _("Thứ Ba"),
            _("Thứ Tư"),
            _("Thứ Năm"),
            _("Thứ Sáu"),
            _("Thứ Bảy"),
            _("Chủ nhật"),
        ]
        return str(names[obj.date.weekday()])

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "date": data["date"],
            "kind": data["kind"],
            "name": data["name"],
            "decision": data["decision"],
        }
        try:
            if change:
                calendar_override_update(override=obj, **fields)
            else:
                saved = calendar_override_create(**fields)
                obj.pk = saved.pk
        except ValidationFailed as exc:  # the form's own validation catches these first
            self.message_user(request, exc.message, level="error")

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(override=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for obj in queryset:
            calendar_override_delete(override=obj)
