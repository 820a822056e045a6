from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "kind", "email", "is_staff", "is_active")
    list_filter = ("kind", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Thông tin định danh", {"fields": ("kind", "full_name", "citizen_id", "tax_code", "phone")}),
    )
