from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiyang.monitoring.models import DistrictRuleOverride, DistrictRuleVersion, ElderMonitoringProfile


class _ReadOnly(admin.ModelAdmin):
    """Read-only: rules change only through the services (validated, versioned and audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DistrictRuleOverride)
class DistrictRuleOverrideAdmin(_ReadOnly):
    list_display = ["district", "version", "updated_by", "updated_at"]
    raw_id_fields = ["district", "updated_by"]


@admin.register(DistrictRuleVersion)
class DistrictRuleVersionAdmin(_ReadOnly):
    list_display = ["district", "version", "note", "changed_by", "created_at"]
    raw_id_fields = ["district", "changed_by"]


@admin.register(ElderMonitoringProfile)
class ElderMonitoringProfileAdmin(_ReadOnly):
    list_display = ["public_id", "flags", "revision", "updated_by", "updated_at"]
    raw_id_fields = ["elder", "updated_by"]
