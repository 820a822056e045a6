"""Django admin of the catalog, in Vietnamese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core import formatting
from motcua.core.collation import vi_collate
from motcua.core.formschema import schema_problems
from motcua.worktime.constants import LimitUnit

from .constants import PublicationStatus
from .importing import limit_hours
from .models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from .selectors import version_overlapping
from .services import procedure_search_text, procedures_search_text_refresh


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = (vi_collate("name"),)  # Vietnamese order (core/collation.py)

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        procedures_search_text_refresh(field=obj)


class ProcedureVersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ("version", "status", "valid_from", "valid_to", "level", "time_limit_value", "time_limit_unit")
    show_change_link = True
    verbose_name = _("phiên bản")
    verbose_name_plural = _("các phiên bản")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "national_portal_connected", "p06_kind")
    list_filter = ("field", "national_portal_connected", "p06_kind")
    search_fields = ("code", "name", "search_text")
    ordering = (vi_collate("name"), "code")  # Vietnamese order (core/collation.py)
    list_select_related = ("field",)
    inlines = (ProcedureVersionInline,)

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        obj.search_text = procedure_search_text(code=obj.code, name=obj.name, field_name=obj.field.name)
        super().save_model(request, obj, form, change)


class ProcedureVersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        fields = (
            "procedure",
            "version",
            "status",
            "valid_from",
            "valid_to",
            "name",
            "level",
            "implementing_agency",
            "units",
            "legal_basis",
            "result_documents",
            "time_limit_value",
            "time_limit_unit",
            "online_mode",
            "min_eid_level",
            "supplement_rule",
            "online_fee_percent",
            "form_fields",
            "notes",
        )

    def clean_form_fields(self) -> Any:
        """The e-form schema (docs/catalog.md): refused with each problem's field path."""
        schema = self.cleaned_data.get("form_fields")
        problems = schema_problems(schema)
        if problems:
            raise forms.ValidationError(
                [
                    _("Tờ khai điện tử không hợp lệ: %(path)s: %(reason)s") % {"path": p, "reason": r}
                    for p, r in problems
                ]
            )
        return schema

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure, valid_from, valid_to = data.get("procedure"), data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        elif procedure and valid_from and data.get("status") != PublicationStatus.DRAFT:
            other = version_overlapping(
                procedure=procedure, valid_from=valid_from, valid_to=valid_to, exclude_pk=self.instance.pk
            )
            if other is not None:
                self.add_error(
                    "valid_from",
                    _("Thời gian hiệu lực trùng với phiên bản %(version)s (%(start)s – %(end)s).")
                    % {
                        "version": other.version,
                        "start": formatting.day(other.valid_from),
                        "end": formatting.day(other.valid_to) if other.valid_to else "…",
                    },
                )
        unit, value = data.get("time_limit_unit"), data.get("time_limit_value")
        if unit == LimitUnit.SAME_DAY and value:
            self.add_error("time_limit_value", _("Giải quyết trong ngày thì thời hạn phải là 0."))
        elif unit in (LimitUnit.DAYS, LimitUnit.HOURS) and value == 0:
            self.add_error("time_limit_value", _("Thời hạn 0 thì chọn đơn vị «trong ngày»."))
        return data


class ProcessStepFormSet(forms.BaseInlineFormSet):
    """The budgets of the steps sum to the time limit in working hours (days × 8; same day = 8)."""

    def clean(self) -> None:
        super().clean()
        version = self.instance
        kept = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("budget_hours") is not None
        ]
        if not kept or version.time_limit_unit not in LimitUnit.values or version.time_limit_value is None:
            return
        total = sum((Decimal(d["budget_hours"]) for d in kept), Decimal(0))
        expected = limit_hours(version.time_limit_value, version.time_limit_unit)
        if total != expected:
            raise forms.ValidationError(
                _(
                    "Tổng thời gian các bước (%(total)s giờ) phải bằng thời hạn giải quyết (%(expected)s giờ làm việc)."
                )
                % {"total": f"{total.normalize():f}", "expected": f"{expected.normalize():f}"}
            )


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    verbose_name = _("thành phần hồ sơ")
    verbose_name_plural = _("thành phần hồ sơ")


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    verbose_name = _("phí, lệ phí")
    verbose_name_plural = _("phí, lệ phí")


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    formset = ProcessStepFormSet
    extra = 0
    verbose_name = _("bước xử lý")
    verbose_name_plural = _("quy trình nội bộ")


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = ProcedureVersionForm
    list_display = (
        "procedure_code",
        "version",
        "name",
        "status",
        "level",
        "online_mode",
        "valid_from",
        "valid_to",
    )
    list_filter = ("procedure__field", "level", "status", "online_mode", "time_limit_unit")
    search_fields = ("procedure__code", "procedure__search_text", "name")
    list_select_related = ("procedure",)
    autocomplete_fields = ("procedure", "units")
    date_hierarchy = "valid_from"
    inlines = (ComponentInline, FeeInline, ProcessStepInline)
    fieldsets = (
        (None, {"fields": ("procedure", "version", "status", "valid_from", "valid_to")}),
        (
            _("Nội dung thủ tục"),
            {"fields": ("name", "level", "implementing_agency", "units", "legal_basis", "result_documents")},
        ),
        (
            _("Thời hạn và cách thức"),
            {
                "fields": (
                    "time_limit_value",
                    "time_limit_unit",
                    "online_mode",
                    "min_eid_level",
                    "supplement_rule",
                    "online_fee_percent",
                    "form_fields",
                    "notes",
                )
            },
        ),
    )

    @admin.display(description=_("mã thủ tục"), ordering="procedure__code")
    def procedure_code(self, obj: ProcedureVersion) -> str:
        return obj.procedure.code

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcedureVersion]:
        return super().get_queryset(request).select_related("procedure")
