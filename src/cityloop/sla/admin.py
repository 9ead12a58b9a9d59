from django.contrib import admin

from cityloop.sla.models import SlaPolicy, WorkCalendarDay


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "urgency",
        "category",
        "is_complex",
        "sign_within",
        "sign_unit",
        "reply_within",
        "reply_unit",
        "priority",
        "is_active",
    ]
    list_filter = ["urgency", "is_active"]
    raw_id_fields = ["category"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
