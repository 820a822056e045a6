from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.core.collation import vi_collate

from .models import Membership, Unit, UnitSuccession
from .validation import unit_errors


class ValidityFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "validity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("current", _("Đang hiệu lực")),
            ("past", _("Đã hết hiệu lực")),
            ("future", _("Chưa có hiệu lực")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.today()
        if self.value() == "current":
            return queryset.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today)
            )
        if self.value() == "past":
            return queryset.filter(valid_to__lt=today)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        return queryset


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = (
            "code",
            "name",
            "level",
            "division_type",
            "parent",
            "agency_code",
            "has_one_stop_desk",
            "valid_from",
            "valid_to",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("code")
        if code and not self.has_error("valid_from") and not self.has_error("valid_to"):
            others = Unit.objects.filter(code=code)
            if self.instance.pk is not None:
                others = others.exclude(pk=self.instance.pk)
                parent = cleaned.get("parent")
                if parent is not None and parent.pk == self.instance.pk:
                    self.add_error("parent", _("Đơn vị không thể là cấp trên của chính nó."))
                    return cleaned
            errors = unit_errors(
                code=code,
                valid_from=cleaned.get("valid_from"),
                valid_to=cleaned.get("valid_to"),
                parent=cleaned.get("parent"),
                others=others,
            )
            for field_name, message in errors.items():
                self.add_error(field_name, message)
        return cleaned


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ("code", "name", "level", "parent", "has_one_stop_desk", "valid_from", "valid_to")
    list_filter = ("level", ValidityFilter, "has_one_stop_desk")
    search_fields = ("code", "name", "name_folded")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = (vi_collate("name"), "code", "valid_from")  # Vietnamese order (core/collation.py)
    fieldsets = (
        (None, {"fields": ("code", "name", "level", "division_type", "parent")}),
        (_("Định danh và một cửa"), {"fields": ("agency_code", "has_one_stop_desk")}),
        (_("Thời gian hiệu lực"), {"fields": ("valid_from", "valid_to")}),
    )


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "effective_date")
    list_filter = ("effective_date", "predecessor__level")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    autocomplete_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role", "unit__level")
    search_fields = ("user__username", "user__full_name", "unit__code", "unit__name")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")
    ordering = (vi_collate("unit__name"), vi_collate("user__full_name"), "role")
