from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yiyang.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Superusers manage accounts here; district officers use the accounts API (`accounts.manage`)."""

    list_display = ["username", "full_name", "role", "area", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    raw_id_fields = ["area", "organisation"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        ("Yiyang", {"fields": ["full_name", "phone", "role", "area", "organisation", "permissions", "is_assessor"]}),
    ]
