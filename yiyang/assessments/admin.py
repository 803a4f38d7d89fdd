from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiyang.assessments.models import Assessment, PolicyVersion


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: records change only through the services (a confirmed record never changes)."""

    list_display = ["public_id", "scale", "assessed_on", "status", "level_name", "verified", "valid_until"]
    list_filter = ["scale", "status", "verified"]
    search_fields = ["public_id"]
    raw_id_fields = ["elder", "assessor", "reviewer", "policy", "supersedes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are loaded by officers through the policy page or API (checked there)."""

    list_display = ["scale", "effective_from", "district", "verified", "source", "loaded_by", "created_at"]
    list_filter = ["scale", "verified"]
    raw_id_fields = ["district", "loaded_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
