from django.contrib import admin

from yiyang.areas.models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """Reference data kept by system administrators (superusers); officers use the pages and API."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "district", "street"]
