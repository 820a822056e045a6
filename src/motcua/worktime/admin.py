"""Administrators edit the calendar overrides here; every write goes through the services (cache refresh).

The official calendar (the data file of national days off and make-up days, each with its document) is shown
read-only at ``…/calendaroverride/lich-chinh-thuc/``, linked from the override list.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed

from .models import CalendarOverride
from .selectors import calendar_overrides, official_calendar_data
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
    change_list_template = "admin/worktime/calendaroverride/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        official = self.admin_site.admin_view(self.official_calendar_view)
        return [
            path("lich-chinh-thuc/", official, name="worktime_calendaroverride_official"),
            *super().get_urls(),
        ]

    def official_calendar_view(self, request: HttpRequest) -> HttpResponse:
        """Read-only: the official file's days of a year (``?nam=2026``) with their documents, and the sources."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        official = official_calendar_data()
        years = list(range(official.first_year, official.last_year + 1))
        try:
            year = int(request.GET.get("nam", ""))
        except ValueError:
            year = years[-1]
        if year not in years:
            year = years[-1]
        days = official.days_in(year)
        used = {day.source.key for day in days}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Lịch nghỉ chính thức năm {year}",
            "year": year,
            "years": years,
            "days": days,
            "sources": [source for key, source in official.sources.items() if key in used],
            "checked_on": official.checked_on,
            "overrides": calendar_overrides(year=year),
        }
        return TemplateResponse(request, "admin/worktime/official_calendar.html", context)

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
