from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from yiyang.accounts.access import deviations_tidy, effective_perms
from yiyang.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Superusers manage accounts here; district officers use the accounts pages and API (`accounts.manage`)."""

    list_display = ["username", "full_name", "role", "area", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "qualification_number"]
    raw_id_fields = ["area", "organisation"]
    readonly_fields = ["effective_permissions"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Yiyang",
            {
                "fields": [
                    "full_name",
                    "qualification_number",
                    "phone",
                    "role",
                    "area",
                    "organisation",
                    "permissions_granted",
                    "permissions_withdrawn",
                    "effective_permissions",
                    "is_assessor",
                ]
            },
        ),
    ]

    @admin.display(description="effective permissions (role defaults + granted − withdrawn)")
    def effective_permissions(self, obj: User) -> str:
        held = effective_perms(
            role=obj.role, granted=obj.permissions_granted or (), withdrawn=obj.permissions_withdrawn or ()
        )
        return ", ".join(sorted(held)) or "—"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Deviations that mean nothing for the (possibly new) role, or unknown names, are not kept.
        tidy = deviations_tidy(
            role=obj.role, granted=obj.permissions_granted or (), withdrawn=obj.permissions_withdrawn or ()
        )
        obj.permissions_granted, obj.permissions_withdrawn = tidy.granted, tidy.withdrawn
        super().save_model(request, obj, form, change)


def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin signs in through the site's login (throttling and the second factor), never its own form."""
    if request.user.is_authenticated:
        raise PermissionDenied  # signed in, but not staff: sending them to the login would loop
    return redirect_to_login(request.get_full_path(), reverse("login"))


admin.site.login = _admin_login  # type: ignore[method-assign]
