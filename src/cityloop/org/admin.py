from django.contrib import admin

from cityloop.org.models import StaffProfile, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "area", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["area", "parent"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "display_name", "unit__name"]
    raw_id_fields = ["user", "unit"]
