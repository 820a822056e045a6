from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from motcua.core.collation import vi_collate
from motcua.organisations.models import Membership

from .models import User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)
    verbose_name = _("vai trò trong đơn vị")
    verbose_name_plural = _("vai trò trong các đơn vị")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "kind", "email", "is_staff", "is_active")
    list_filter = ("kind", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "full_name", "email")
    ordering = (vi_collate("full_name"), "username")  # Vietnamese order (core/collation.py)
    inlines = (MembershipInline,)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Thông tin định danh", {"fields": ("kind", "full_name", "citizen_id", "tax_code", "phone")}),
    )
