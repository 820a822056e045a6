from django.contrib import admin

from .models import IndicatorSetting


@admin.register(IndicatorSetting)
class IndicatorSettingAdmin(admin.ModelAdmin):
    list_display = ("code", "valid_from", "weight", "threshold", "note")
    list_filter = ("code",)
    ordering = ("code", "-valid_from")
