from django.contrib import admin

from cityloop.intake.sensors.models import Facility, SensorCase


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "grid", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["grid", "standard_address", "unit", "category"]


@admin.register(SensorCase)
class SensorCaseAdmin(admin.ModelAdmin):
    """Read-only: a case changes only through the alarms (intake.sensors.alarms)."""

    list_display = ["facility", "appeal", "alarm_type", "alarm_count", "last_alarm_at", "is_open"]
    list_filter = ["is_open"]
    search_fields = ["facility__code", "appeal__tracking_code"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
